package githubapp

import (
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestAllowedAccounts: with github.allowed_accounts set, a delivery for an
// account not on the list is acknowledged (202, so GitHub does not mark it
// failed) and counted, but no job is kept and nothing is written to GitHub;
// a listed account (any case) is served as usual, and an empty list serves
// everyone.
func TestAllowedAccounts(t *testing.T) {
	t.Parallel()
	otherPR := fixture(t, "pull_request.opened.json", map[string]any{"repository.owner.login": "mallory"})
	tests := []struct {
		name       string
		allowed    []string
		event      string
		body       []byte
		wantWrites bool
	}{
		{"listed account", []string{"ACME"}, "pull_request", fixture(t, "pull_request.opened.json", nil), true},
		{"no list serves everyone", nil, "pull_request", otherPR, true},
		{"pull request from another account", []string{"acme"}, "pull_request", otherPR, false},
		{"comment from another account", []string{"acme"}, "issue_comment",
			fixture(t, "issue_comment.created.json", map[string]any{"repository.owner.login": "mallory"}), false},
		{"installation of another account", []string{"acme"}, "installation",
			fixture(t, "installation.created.json", map[string]any{"installation.account.login": "mallory"}), false},
		{"push to another account", []string{"acme"}, "push",
			fixture(t, "push.policy.json", map[string]any{"repository.owner.login": "mallory"}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, slop, func(o *Options) { o.AllowedAccounts = tt.allowed })
			if got := h.send(tt.event, tt.body); got != http.StatusAccepted {
				t.Fatalf("status %d, want 202", got)
			}
			notAllowed := testutil.ToFloat64(h.app.metrics.deliveries.WithLabelValues(tt.event, "not_allowed"))
			h.drain()
			if tt.wantWrites {
				if notAllowed != 0 {
					t.Errorf("counted not_allowed %v for a served account", notAllowed)
				}
				if tt.event == "pull_request" && len(h.gh.writes()) == 0 {
					t.Error("a served account's pull request wrote nothing to GitHub")
				}
				return
			}
			if notAllowed != 1 {
				t.Errorf("deliveries{result=not_allowed} = %v, want 1", notAllowed)
			}
			if w := h.gh.writes(); len(w) != 0 {
				t.Errorf("wrote to GitHub for an account not allowed:\n%s", callList(w))
			}
			if calls := h.gh.allCalls(); len(calls) != 0 {
				t.Errorf("called GitHub for an account not allowed:\n%s", callList(calls))
			}
		})
	}
}
