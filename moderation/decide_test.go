package moderation

import (
	"slices"
	"testing"

	"github.com/slopguard/slopguard/detector"
)

func TestScreen(t *testing.T) {
	t.Parallel()
	pol := DefaultPolicy()
	pol.Exemptions.Users = []string{"alice"}
	off := pol
	off.Mode = ModeOff
	noIssues := pol
	noIssues.Surfaces.Issues = false
	tests := []struct {
		name     string
		pol      Policy
		it       Item
		wantSkip Skip
		wantWhy  string
	}{
		{"checked", pol, Item{Kind: KindPullRequest, Author: "bob"}, SkipNone, ""},
		{"mode off before everything", off, Item{Kind: KindPullRequest, Author: "alice"}, SkipModeOff, ""},
		{"surface before exemptions", noIssues, Item{Kind: KindIssue, Author: "alice"}, SkipSurface, ""},
		{"exempt user", pol, Item{Kind: KindPullRequest, Author: "ALICE"}, SkipExempt, "author ALICE is an exempt user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			skip, why := tt.pol.Screen(tt.it, nil, false, nil)
			if skip != tt.wantSkip || why != tt.wantWhy {
				t.Errorf("Screen = %v, %q; want %v, %q", skip, why, tt.wantSkip, tt.wantWhy)
			}
		})
	}
}

func TestModeChecksAndTells(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		m             Mode
		checks, tells bool
	}{
		{ModeOff, false, false}, {ModeObserve, true, false}, {ModeFlag, true, true}, {ModeEnforce, true, true},
	} {
		if got := tt.m.Checks(); got != tt.checks {
			t.Errorf("%v.Checks() = %v, want %v", tt.m, got, tt.checks)
		}
		if got := tt.m.Tells(); got != tt.tells {
			t.Errorf("%v.Tells() = %v, want %v", tt.m, got, tt.tells)
		}
	}
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	verdict := func(score float64, cannot bool) Verdict {
		return Verdict{Item: Item{Kind: KindComment}, Result: detector.Result{Score: score, CannotJudge: cannot}}
	}
	enforce := DefaultPolicy()
	enforce.Mode = ModeEnforce
	enforce.FlagThreshold, enforce.Enforce.Threshold = 0.8, 0.95
	flag := enforce
	flag.Mode = ModeFlag
	tests := []struct {
		name                  string
		pol                   Policy
		v                     Verdict
		wantFlagged, wantEnfc bool
		wantRule              Rule
	}{
		{"below flag", enforce, verdict(0.5, false), false, false, RuleNone},
		{"flagged, below enforce", enforce, verdict(0.9, false), true, false, RuleScore},
		{"enforced", enforce, verdict(0.96, false), true, true, RuleScore},
		{"flag mode never enforces", flag, verdict(0.99, false), true, false, RuleScore},
		{"cannot judge never flagged", enforce, verdict(0.99, true), false, false, RuleNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := tt.pol.Outcome(tt.v, 0.9)
			if o.Flagged != tt.wantFlagged || o.Enforce != tt.wantEnfc || o.Rule != tt.wantRule {
				t.Errorf("Outcome = flagged %v enforce %v rule %v; want %v %v %v", o.Flagged, o.Enforce, o.Rule, tt.wantFlagged, tt.wantEnfc, tt.wantRule)
			}
			if o.Threshold != 0.8 || o.EnforceThreshold != 0.95 || o.Mode != tt.pol.Mode {
				t.Errorf("Outcome thresholds %v/%v mode %v; want 0.8/0.95 %v", o.Threshold, o.EnforceThreshold, o.Mode, tt.pol.Mode)
			}
		})
	}
}

func TestDisclosedItemIsNeverEnforced(t *testing.T) {
	t.Parallel()
	pol := DefaultPolicy()
	pol.Mode, pol.Disclosed = ModeEnforce, DisclosedFlag
	it := Item{Platform: GitHub, Kind: KindPullRequest, Title: "Fix flush order", Body: personText + claudeFooter}
	res, d := Judge((&textScorer{score: 0.999}).Score, it)
	v := Verdict{Item: it, Result: res, Disclosure: d}
	o := pol.Outcome(v, 0.9)
	if !o.Flagged || o.Rule != RuleDisclosed || o.Enforce {
		t.Errorf("Outcome = flagged %v rule %v enforce %v; want flagged by disclosed, not enforced", o.Flagged, o.Rule, o.Enforce)
	}
}

func TestScoreOutcome(t *testing.T) {
	t.Parallel()
	th := Thresholds{Flag: 0.8, Enforce: 0.95}
	tests := []struct {
		name                  string
		mode                  Mode
		score                 float64
		cannot                bool
		th                    Thresholds
		wantFlagged, wantEnfc bool
	}{
		{"below", ModeEnforce, 0.7, false, th, false, false},
		{"flagged", ModeEnforce, 0.9, false, th, true, false},
		{"enforced", ModeEnforce, 0.95, false, th, true, true},
		{"flag mode", ModeFlag, 0.99, false, th, true, false},
		{"cannot judge", ModeEnforce, 0.99, true, th, false, false},
		{"enforce never below flag", ModeEnforce, 0.85, false, Thresholds{Flag: 0.9, Enforce: 0.5}, false, false},
		{"enforce at flag when set lower", ModeEnforce, 0.9, false, Thresholds{Flag: 0.9, Enforce: 0.5}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := ScoreOutcome(tt.mode, Verdict{Result: detector.Result{Score: tt.score, CannotJudge: tt.cannot}}, tt.th)
			if o.Flagged != tt.wantFlagged || o.Enforce != tt.wantEnfc {
				t.Errorf("ScoreOutcome = flagged %v enforce %v; want %v %v", o.Flagged, o.Enforce, tt.wantFlagged, tt.wantEnfc)
			}
			if o.Flagged != (o.Rule == RuleScore) {
				t.Errorf("rule %v with flagged %v", o.Rule, o.Flagged)
			}
		})
	}
}

func TestShownReasons(t *testing.T) {
	t.Parallel()
	hidden := detector.Reason{Signal: detector.SignalHiddenCharacters, Text: "hidden"}
	human := detector.Reason{Family: "style", Text: "human", Weight: -0.5}
	m := func(text string) detector.Reason { return detector.Reason{Family: "phrasing", Text: text, Weight: 0.3} }
	prov := detector.Reason{Family: FamilyProvenance, Signal: SignalDisclosure, Text: "disclosed"}
	texts := func(rs []detector.Reason) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Text)
		}
		return out
	}
	tests := []struct {
		name    string
		reasons []detector.Reason
		n       int
		want    []string
	}{
		{"towards human left out", []detector.Reason{m("a"), human, m("b")}, 5, []string{"a", "b"}},
		{"provenance shown", []detector.Reason{prov, human, m("a")}, 5, []string{"disclosed", "a"}},
		{"cut at n, hidden note kept last", []detector.Reason{hidden, m("a"), m("b"), m("c")}, 2, []string{"a", "b", "hidden"}},
		{"only towards human", []detector.Reason{human}, 5, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := texts(ShownReasons(tt.reasons, tt.n)); !slices.Equal(got, tt.want) {
				t.Errorf("ShownReasons = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFlaggedScore(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		score  float64
		cannot bool
		want   bool
	}{{0.9, false, true}, {0.89, false, false}, {0.95, true, false}} {
		if got := FlaggedScore(tt.score, tt.cannot, 0.9); got != tt.want {
			t.Errorf("FlaggedScore(%v, %v, 0.9) = %v, want %v", tt.score, tt.cannot, got, tt.want)
		}
	}
}
