package ci

import (
	"context"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/moderation"
)

// textInputs makes file-like inputs from texts, named f0, f1, ….
func textInputs(texts ...string) []Input {
	var ins []Input
	for i, s := range texts {
		name := "f" + string(rune('0'+i))
		ins = append(ins, textInput(name, name+".md", []byte(s)))
	}
	return ins
}

const (
	machineText = "We delve into the details here and weave a tapestry of ideas."
	leverText   = "To ship faster we leverage the cache between jobs."
	humanText   = "fixed the flaky test by waiting for the port file instead of sleeping"
	robustText  = "this is a robust fix for the parser crash on empty input"
	midwayText  = "we stopped midway through the migration and wrote this down"
)

func TestRun(t *testing.T) {
	t.Parallel()
	policy := func(edit func(*moderation.Policy)) moderation.Policy {
		p := moderation.DefaultPolicy()
		if edit != nil {
			edit(&p)
		}
		return p
	}
	member := textInput("m", "", []byte(machineText))
	member.Item.AuthorAssociation = "MEMBER"
	bot := textInput("b", "", []byte(machineText))
	bot.Item.Author = "renovate[bot]"
	pr := textInput("pr", "", []byte(machineText))
	pr.Item.Kind = moderation.KindPullRequest
	broken := Input{Name: "broken", Err: "line 3: invalid JSON"}

	tests := []struct {
		name        string
		ins         []Input
		opts        Options
		wantFlagged []bool
		wantFailed  []bool
		wantSkipped []string
		wantCode    int
	}{
		{
			name: "no fail-on never fails", ins: textInputs(machineText, humanText, "too short"),
			opts:        Options{Policy: policy(nil), ModelThreshold: 0.9},
			wantFlagged: []bool{true, false, false}, wantFailed: []bool{false, false, false}, wantSkipped: []string{"", "", ""}, wantCode: 0,
		},
		{
			name: "fail-on reached", ins: textInputs(machineText, leverText),
			opts:        Options{Policy: policy(nil), ModelThreshold: 0.9, FailOn: 0.95, FailOnSet: true},
			wantFlagged: []bool{true, true}, wantFailed: []bool{true, false}, wantSkipped: []string{"", ""}, wantCode: 1,
		},
		{
			name: "unsure never fails, whatever its score", ins: textInputs("too short"),
			opts:        Options{Policy: policy(nil), ModelThreshold: 0.9, FailOn: 0.1, FailOnSet: true},
			wantFlagged: []bool{false}, wantFailed: []bool{false}, wantSkipped: []string{""}, wantCode: 0,
		},
		{
			name: "policy threshold flags a human verdict", ins: textInputs(robustText),
			opts:        Options{Policy: policy(func(p *moderation.Policy) { p.FlagThreshold = 0.5 }), ModelThreshold: 0.9},
			wantFlagged: []bool{true}, wantFailed: []bool{false}, wantSkipped: []string{""}, wantCode: 0,
		},
		{
			name: "mode off skips everything", ins: textInputs(machineText),
			opts:        Options{Policy: policy(func(p *moderation.Policy) { p.Mode = moderation.ModeOff }), ModelThreshold: 0.9, FailOn: 0.1, FailOnSet: true},
			wantFlagged: []bool{false}, wantFailed: []bool{false}, wantSkipped: []string{"mode is off"}, wantCode: 0,
		},
		{
			name: "observe never fails", ins: textInputs(machineText),
			opts:        Options{Policy: policy(func(p *moderation.Policy) { p.Mode = moderation.ModeObserve }), ModelThreshold: 0.9, FailOn: 0.5, FailOnSet: true},
			wantFlagged: []bool{true}, wantFailed: []bool{false}, wantSkipped: []string{""}, wantCode: 0,
		},
		{
			name: "enforce fails at the enforce threshold", ins: textInputs(machineText, leverText),
			opts:        Options{Policy: policy(func(p *moderation.Policy) { p.Mode = moderation.ModeEnforce }), ModelThreshold: 0.9},
			wantFlagged: []bool{true, true}, wantFailed: []bool{true, false}, wantSkipped: []string{"", ""}, wantCode: 1,
		},
		{
			name: "exempt association and bot", ins: []Input{member, bot},
			opts:        Options{Policy: policy(nil), ModelThreshold: 0.9, FailOn: 0.5, FailOnSet: true},
			wantFlagged: []bool{false, false}, wantFailed: []bool{false, false},
			wantSkipped: []string{"author association MEMBER is exempt", "author renovate[bot] is a bot"}, wantCode: 0,
		},
		{
			name: "surface switched off", ins: []Input{pr},
			opts:        Options{Policy: policy(func(p *moderation.Policy) { p.Surfaces.PullRequests = false }), ModelThreshold: 0.9},
			wantFlagged: []bool{false}, wantFailed: []bool{false}, wantSkipped: []string{"pr items are switched off in the policy"}, wantCode: 0,
		},
		{
			name: "input error exits 2 but the rest is checked", ins: append(textInputs(machineText), broken),
			opts:        Options{Policy: policy(nil), ModelThreshold: 0.9, FailOn: 0.9, FailOnSet: true},
			wantFlagged: []bool{true, false}, wantFailed: []bool{true, false}, wantSkipped: []string{"", ""}, wantCode: 2,
		},
		{
			name: "a panic is one error, not a crash", ins: textInputs("PANIC now please with five words", machineText),
			opts:        Options{Policy: policy(nil), ModelThreshold: 0.9},
			wantFlagged: []bool{false, true}, wantFailed: []bool{false, false}, wantSkipped: []string{"", ""}, wantCode: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runFake(t, tt.ins, tt.opts)
			for i, e := range r.Entries {
				if e.Flagged != tt.wantFlagged[i] || e.Failed != tt.wantFailed[i] || e.Skipped != tt.wantSkipped[i] {
					t.Errorf("entry %d: got flagged %v failed %v skipped %q, want %v %v %q",
						i, e.Flagged, e.Failed, e.Skipped, tt.wantFlagged[i], tt.wantFailed[i], tt.wantSkipped[i])
				}
			}
			if got := r.ExitCode(); got != tt.wantCode {
				t.Errorf("got exit code %d, want %d", got, tt.wantCode)
			}
		})
	}
}

func TestRunCheckerError(t *testing.T) {
	t.Parallel()
	r, err := Run(context.Background(), errChecker{}, textInputs(machineText), Options{Policy: moderation.DefaultPolicy(), ModelThreshold: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Entries[0].Err, "scorer unavailable"; got != want {
		t.Errorf("got error %q, want %q", got, want)
	}
	if got := r.ExitCode(); got != ExitError {
		t.Errorf("got exit code %d, want %d", got, ExitError)
	}
}

func TestRunCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, newFakeChecker(), textInputs(machineText), Options{Policy: moderation.DefaultPolicy()}); err == nil {
		t.Error("got no error for a cancelled context, want one")
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ins  []Input
		want Summary
	}{
		{"nothing", nil, Summary{Verdict: "skipped"}},
		{"cannot judge does not count", textInputs("too short", humanText), Summary{Score: 0.05, Verdict: "human"}},
		{"only inputs that cannot be judged", textInputs("too short", "also short"), Summary{Score: 0, Verdict: "unsure"}},
		{"unsure between thresholds is the highest", textInputs(humanText, midwayText, "too short"), Summary{Score: 0.80, Verdict: "unsure"}},
		{"highest score", textInputs(humanText, leverText, machineText, midwayText), Summary{Score: 0.97, Verdict: "machine", Flagged: true}},
		{"skipped inputs do not count", append(textInputs(humanText), Input{Name: "bin", Skip: "binary file"}), Summary{Score: 0.05, Verdict: "human"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runFake(t, tt.ins, Options{Policy: moderation.DefaultPolicy(), ModelThreshold: 0.9})
			if got := r.Summarize(); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFindingsPriority(t *testing.T) {
	t.Parallel()
	// Two machine inputs, one failing: error findings first; within a level
	// every input's strongest reason comes before any input's second.
	r := runFake(t, textInputs(leverText, machineText, humanText),
		Options{Policy: moderation.DefaultPolicy(), ModelThreshold: 0.9, FailOn: 0.95, FailOnSet: true})
	type row struct {
		entry int
		rule  string
		level Level
	}
	got := pluck(r.Findings(), func(f Finding) row { return row{f.Entry, f.Rule(), f.Level} })
	want := []row{{1, "phrasing", LevelError}, {1, "vocabulary", LevelError}, {1, "style", LevelError}, {0, "phrasing", LevelWarning}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("finding %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestFindingsInterleaveInputs(t *testing.T) {
	t.Parallel()
	r := runFake(t, textInputs(leverText, machineText),
		Options{Policy: moderation.DefaultPolicy(), ModelThreshold: 0.9})
	got := pluck(r.Findings(), func(f Finding) string { return r.Entries[f.Entry].Input.Name + "/" + f.Rule() })
	want := "f1/phrasing f0/phrasing f1/vocabulary f1/style"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("got %q, want %q", g, want)
	}
}

func defaultPolicy() moderation.Policy { return moderation.DefaultPolicy() }
