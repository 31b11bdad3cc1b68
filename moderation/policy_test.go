package moderation

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestParsePolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		yaml    string
		check   func(t *testing.T, p Policy)
		wantErr []string // substrings every one of which must appear
	}{
		{
			name: "empty file is the default policy",
			yaml: "",
			check: func(t *testing.T, p Policy) {
				if !reflect.DeepEqual(p, DefaultPolicy()) {
					t.Errorf("got %+v, want %+v", p, DefaultPolicy())
				}
			},
		},
		{
			name: "absent keys keep defaults",
			yaml: "mode: observe\nlabel:\n  name: ai-maybe\n",
			check: func(t *testing.T, p Policy) {
				if p.Mode != ModeObserve {
					t.Errorf("got mode %v, want observe", p.Mode)
				}
				if p.Label.Name != "ai-maybe" || p.Label.Color != DefaultLabelColor {
					t.Errorf("got label %+v, want name ai-maybe and the default colour", p.Label)
				}
				if !p.Surfaces.PullRequests || !p.Surfaces.Issues || !p.Surfaces.Comments {
					t.Errorf("got surfaces %+v, want all true", p.Surfaces)
				}
				if !p.Exemptions.Bots || !p.Exemptions.Drafts || !p.Comment.Enabled {
					t.Errorf("got exempt %+v comment %+v, want bots, drafts and comment on", p.Exemptions, p.Comment)
				}
			},
		},
		{
			name: "full file",
			yaml: `mode: enforce
threshold: 0.8
surfaces: {pull_requests: true, issues: false, comments: false}
exempt:
  associations: [OWNER]
  users: [alice]
  teams: [acme/core]
  bots: false
  labels: [skip-slopguard]
  drafts: false
label: {name: "slop?", color: ff0000, description: maybe}
comment: {enabled: false, text: hello}
enforce: {threshold: 0.95, close_after_hours: 48, minimize: true}
maintainers_team: acme/maintainers
`,
			check: func(t *testing.T, p Policy) {
				want := Policy{
					Mode: ModeEnforce, FlagThreshold: 0.8,
					Surfaces: Surfaces{PullRequests: true},
					Exemptions: Exemptions{Associations: []string{"OWNER"}, Users: []string{"alice"},
						Teams: []string{"acme/core"}, Labels: []string{"skip-slopguard"}},
					Label:           LabelPolicy{Name: "slop?", Color: "ff0000", Description: "maybe"},
					Comment:         CommentPolicy{Text: "hello"},
					Enforce:         EnforcePolicy{Threshold: 0.95, CloseAfterHours: 48, Minimize: true},
					MaintainersTeam: "acme/maintainers", Disclosed: DisclosedLabel, AuthorContext: AuthorContextPolicy{NewAccountDays: 30, BusyPRsPerDay: 10},
				}
				if !reflect.DeepEqual(p, want) {
					t.Errorf("got %+v, want %+v", p, want)
				}
			},
		},
		{
			name:    "unknown keys and bad values are all reported",
			yaml:    "mode: loud\nthreshhold: 0.5\nexempt:\n  robots: true\nlabel:\n  color: red\n",
			wantErr: []string{"line 1: mode", `unknown mode "loud"`, "threshhold", "robots", `label.color: "red"`},
		},
		{
			name:    "out of range numbers",
			yaml:    "threshold: 1.5\nenforce:\n  threshold: -0.5\n  close_after_hours: -1\n",
			wantErr: []string{"threshold: 1.5", "enforce.threshold: -0.5", "close_after_hours: -1"},
		},
		{
			name:    "enforce looser than flag",
			yaml:    "threshold: 0.9\nenforce: {threshold: 0.8}\n",
			wantErr: []string{"below threshold 0.9"},
		},
		{
			name:    "bad association and team",
			yaml:    "exempt: {associations: [ADMIN]}\nmaintainers_team: '@acme/x'\n",
			wantErr: []string{`"ADMIN" is not a GitHub author association`, "maintainers_team"},
		},
		{
			name:    "syntax error",
			yaml:    "mode: [\n",
			wantErr: []string{"parse policy"},
		},
		{
			name:    "wrong type",
			yaml:    "surfaces: yes-please\n",
			wantErr: []string{"line 1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePolicy([]byte(tt.yaml))
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("got no error, want one mentioning %q", tt.wantErr)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("got error %q, want it to mention %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			tt.check(t, p)
		})
	}
}

func TestDefaultPolicyValidates(t *testing.T) {
	t.Parallel()
	if err := DefaultPolicy().Validate(); err != nil {
		t.Errorf("got %v, want the default policy to be valid", err)
	}
}

func TestPolicyExempt(t *testing.T) {
	t.Parallel()
	def := DefaultPolicy()
	custom := DefaultPolicy()
	custom.Exemptions = Exemptions{Users: []string{"Alice"}, Teams: []string{"acme/core", "docs"}, Labels: []string{"no-slopguard"}}
	tests := []struct {
		name       string
		p          Policy
		it         Item
		labels     []string
		draft      bool
		teams      []string
		wantExempt bool
		wantReason string
	}{
		{"stranger", def, Item{Author: "bob", AuthorAssociation: "NONE"}, nil, false, nil, false, ""},
		{"first timer", def, Item{Author: "bob", AuthorAssociation: "FIRST_TIME_CONTRIBUTOR"}, nil, false, nil, false, ""},
		{"owner", def, Item{Author: "bob", AuthorAssociation: "OWNER"}, nil, false, nil, true, "author association OWNER is exempt"},
		{"member lower case", def, Item{Author: "bob", AuthorAssociation: "member"}, nil, false, nil, true, "author association MEMBER is exempt"},
		{"bot login", def, Item{Author: "dependabot[bot]", AuthorAssociation: "NONE"}, nil, false, nil, true, "author dependabot[bot] is a bot"},
		{"bot account", def, Item{Author: "ci-robot", AuthorIsBot: true}, nil, false, nil, true, "author ci-robot is a bot"},
		{"bots not exempt", custom, Item{Author: "renovate[bot]"}, nil, false, nil, false, ""},
		{"draft", def, Item{Author: "bob"}, nil, true, nil, true, "drafts are exempt"},
		{"draft not exempt", custom, Item{Author: "bob"}, nil, true, nil, false, ""},
		{"user case-insensitive", custom, Item{Author: "alice"}, nil, false, nil, true, "author alice is an exempt user"},
		{"team with org", custom, Item{Author: "bob"}, nil, false, []string{"acme/core"}, true, "author is in exempt team acme/core"},
		{"team without org", custom, Item{Author: "bob"}, nil, false, []string{"core"}, true, "author is in exempt team acme/core"},
		{"team slug policy, org team", custom, Item{Author: "bob"}, nil, false, []string{"acme/docs"}, true, "author is in exempt team docs"},
		{"other org's team", custom, Item{Author: "bob"}, nil, false, []string{"other/core"}, false, ""},
		{"label", custom, Item{Author: "bob"}, []string{"bug", "No-Slopguard"}, false, nil, true, `label "No-Slopguard" is exempt`},
		{"collaborator not exempt in custom", custom, Item{Author: "bob", AuthorAssociation: "COLLABORATOR"}, nil, false, nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, reason := tt.p.Exempt(tt.it, tt.labels, tt.draft, tt.teams)
			if got != tt.wantExempt || reason != tt.wantReason {
				t.Errorf("got (%v, %q), want (%v, %q)", got, reason, tt.wantExempt, tt.wantReason)
			}
		})
	}
}

func TestPolicyThresholds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		threshold   float64
		enforce     float64
		model       float64
		wantFlag    float64
		wantEnforce float64
	}{
		{"model default", 0, 0.97, 0.9, 0.9, 0.97},
		{"policy threshold", 0.8, 0.97, 0.9, 0.8, 0.97},
		{"enforce never below flag", 0, 0.97, 0.99, 0.99, 0.99},
		{"enforce unset: halfway from flag to 1", 0.8, 0, 0.9, 0.8, 0.9},
		{"negative flag: the model's", -1, 0.97, 0.9, 0.9, 0.97},
		{"NaN flag: the model's", math.NaN(), 0.97, 0.9, 0.9, 0.97},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := DefaultPolicy()
			p.FlagThreshold, p.Enforce.Threshold = tt.threshold, tt.enforce
			if got := p.Threshold(tt.model); got != tt.wantFlag {
				t.Errorf("Threshold: got %g, want %g", got, tt.wantFlag)
			}
			if got := p.EnforceThreshold(tt.model); got != tt.wantEnforce {
				t.Errorf("EnforceThreshold: got %g, want %g", got, tt.wantEnforce)
			}
		})
	}
}

func TestPolicyChecks(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.Surfaces.Comments = false
	off := DefaultPolicy()
	off.Mode = ModeOff
	tests := []struct {
		name string
		p    Policy
		k    Kind
		want bool
	}{
		{"pr", p, KindPullRequest, true},
		{"issue", p, KindIssue, true},
		{"comment off", p, KindComment, false},
		{"review comment off", p, KindReviewComment, false},
		{"mode off", off, KindPullRequest, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.p.Checks(tt.k); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
