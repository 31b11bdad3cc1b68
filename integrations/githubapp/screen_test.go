package githubapp

import (
	"context"
	"strings"
	"testing"
)

// TestScreenTeams: the author's teams are asked of GitHub only when an
// exemption can use them, and a maintainer's confirmation beats the
// exemption (moderation.Policy.Screen through App.screen).
func TestScreenTeams(t *testing.T) {
	t.Parallel()
	const membership = "GET /orgs/acme/teams/core/memberships/newcomer"
	tests := []struct {
		name      string
		policy    string
		confirmed bool // a maintainer confirmed the flag earlier
		wantAsked bool // the membership was looked up
		wantCalls []string
	}{
		{"member of an exempt team is skipped", "exempt:\n  teams: [core]\n", false, true, nil},
		{"confirmed item: no lookup, flagged", "exempt:\n  teams: [core]\n", true, false, []string{
			"POST /repos/acme/widgets/labels", "POST /repos/acme/widgets/issues/9/labels", "POST /repos/acme/widgets/issues/9/comments",
		}},
		{"mode off: no lookup", "mode: off\nexempt:\n  teams: [core]\n", false, false, nil},
		{"issues off: no lookup", "surfaces:\n  issues: false\nexempt:\n  teams: [core]\n", false, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, slop)
			h.gh.policy(tt.policy)
			h.gh.handle(membership, 200, `{"state": "active", "role": "member"}`)
			if tt.confirmed {
				if err := h.opt.Store.PutSetting(context.Background(), "acme/widgets", overrideSetting+"issue/9", []byte("machine")); err != nil {
					t.Fatal(err)
				}
			}
			h.send("issues", fixture(t, "issues.opened.json", nil))
			h.drain()
			asked := strings.Contains(callList(h.gh.allCalls()), membership)
			if asked != tt.wantAsked {
				t.Errorf("team membership looked up: %v, want %v", asked, tt.wantAsked)
			}
			wantCalls(t, h.gh.writes(), tt.wantCalls...)
		})
	}
}

// TestKindRecorded: decisions and a maintainer's feedback carry the item's
// kind, so an export need not guess it from the item ID.
func TestKindRecorded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	h.send("pull_request", fixture(t, "pull_request.opened.json", nil))
	h.send("issues", fixture(t, "issues.opened.json", nil))
	h.drain()
	for id, want := range map[string]string{"pr/7": "pr", "issue/9": "issue"} {
		d, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", id)
		if err != nil || d.Kind != want {
			t.Errorf("decision about %s: got kind %q (err %v), want %q", id, d.Kind, err, want)
		}
	}
	h.send("issue_comment", fixture(t, "issue_comment.created.json", map[string]any{
		"comment.body": "/slopguard confirm", "comment.user.login": "maintainer", "comment.author_association": "MEMBER", "comment.id": 3002,
	}))
	h.drain()
	fb, err := h.feedback()
	if err != nil || len(fb) != 1 || fb[0].ItemID != "issue/9" || fb[0].Kind != "issue" {
		t.Fatalf("got feedback %+v (err %v), want one on issue/9 of kind issue", fb, err)
	}
}
