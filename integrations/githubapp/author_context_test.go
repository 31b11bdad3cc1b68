package githubapp

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// authorRoutes answers the two author lookups for login: an account made
// age ago, with prs pull requests opened in the last day.
func authorRoutes(h *harness, login string, age time.Duration, prs int) {
	created := h.clock.Now().Add(-age).Format(time.RFC3339)
	h.gh.handle("GET /users/"+login, 200, fmt.Sprintf(`{"login": %q, "type": "User", "created_at": %q}`, login, created))
	h.gh.handle("GET /search/issues", 200, fmt.Sprintf(`{"total_count": %d, "incomplete_results": false, "items": []}`, prs))
}

func countCalls(cs []call, prefix string) int {
	n := 0
	for _, c := range cs {
		if strings.HasPrefix(c.String(), prefix) {
			n++
		}
	}
	return n
}

func TestAuthorContext(t *testing.T) {
	t.Parallel()
	t.Run("context on a flag, never the reason", func(t *testing.T) {
		t.Parallel()
		h := newPolicyHarness(t, slop, "author_context:\n  enabled: true\n")
		authorRoutes(h, "newcomer", 3*24*time.Hour, 14)
		h.send("pull_request", fixture(t, "pull_request.opened.json", nil))
		h.drain()
		comment := bodyOf(t, h.gh.writes(), "POST /repos/acme/widgets/issues/7/comments")["body"].(string)
		want := "Author context (not a reason for the flag): first contribution to this repository; account created 3 days ago; opened 14 pull requests across GitHub in the last day"
		if !strings.Contains(comment, want) {
			t.Errorf("comment lacks %q:\n%s", want, comment)
		}
		var query string
		for _, c := range h.gh.allCalls() {
			if c.Path == "/search/issues" {
				query = c.String()
			}
		}
		if query == "" {
			t.Fatal("no search call")
		}
	})
	t.Run("a new, busy author with clean text is not flagged", func(t *testing.T) {
		t.Parallel()
		h := newPolicyHarness(t, clean, "author_context:\n  enabled: true\n")
		authorRoutes(h, "newcomer", 24*time.Hour, 40)
		wantCalls(t, h.deliver(t, "pull_request", fixture(t, "pull_request.opened.json", nil)), "POST /repos/acme/widgets/check-runs")
		if cr := bodyOf(t, h.gh.writes(), "POST /repos/acme/widgets/check-runs"); cr["conclusion"] != "success" {
			t.Errorf("got conclusion %v, want success", cr["conclusion"])
		}
	})
	t.Run("only new authors: an established contributor is not checked", func(t *testing.T) {
		t.Parallel()
		h := newPolicyHarness(t, slop, "author_context:\n  enabled: true\n  only_new_authors: true\n")
		authorRoutes(h, "regular", 400*24*time.Hour, 1)
		wantCalls(t, h.deliver(t, "pull_request", fixture(t, "pull_request.opened.json", map[string]any{"pull_request.user.login": "regular", "pull_request.author_association": "CONTRIBUTOR"})), "POST /repos/acme/widgets/check-runs")
		cr := bodyOf(t, h.gh.writes(), "POST /repos/acme/widgets/check-runs")
		if cr["conclusion"] != "skipped" || !strings.Contains(cr["output"].(map[string]any)["title"].(string), "author is not new") {
			t.Errorf("got check run %v, want skipped because the author is not new", cr)
		}
	})
	t.Run("only new authors: a new account is checked", func(t *testing.T) {
		t.Parallel()
		h := newPolicyHarness(t, slop, "author_context:\n  enabled: true\n  only_new_authors: true\n  new_account_days: 60\n")
		authorRoutes(h, "regular", 45*24*time.Hour, 1)
		h.send("pull_request", fixture(t, "pull_request.opened.json", map[string]any{"pull_request.user.login": "regular", "pull_request.author_association": "CONTRIBUTOR"}))
		h.drain()
		if countCalls(h.gh.writes(), "POST /repos/acme/widgets/issues/7/comments") != 1 {
			t.Errorf("got writes %v, want the flag's comment", h.gh.writes())
		}
	})
	t.Run("off by default: no lookups", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, slop)
		h.send("pull_request", fixture(t, "pull_request.opened.json", nil))
		h.drain()
		if n := countCalls(h.gh.allCalls(), "GET /users/") + countCalls(h.gh.allCalls(), "GET /search/"); n != 0 {
			t.Errorf("got %d author lookups, want none", n)
		}
	})
}

// TestAuthorContextCachedAndBounded: one lookup per author while cached,
// and no more than the installation's budget.
func TestAuthorContextCachedAndBounded(t *testing.T) {
	t.Parallel()
	h := newPolicyHarness(t, slop, "author_context:\n  enabled: true\n")
	h.app.authors.limit = 2
	for _, login := range []string{"alice", "bob", "carol"} {
		authorRoutes(h, login, 5*24*time.Hour, 2)
	}
	for _, login := range []string{"alice", "alice", "bob", "alice", "carol", "bob"} {
		h.send("pull_request", fixture(t, "pull_request.opened.json", map[string]any{"pull_request.user.login": login}))
	}
	h.drain()
	calls := h.gh.allCalls()
	var users []string
	for _, c := range calls {
		if strings.HasPrefix(c.Path, "/users/") {
			users = append(users, strings.TrimPrefix(c.Path, "/users/"))
		}
	}
	if got := strings.Join(users, ","); got != "alice,bob" {
		t.Errorf("got user lookups %q, want alice,bob (cached, then the budget of 2 spent before carol)", got)
	}
	if n := countCalls(calls, "GET /search/issues"); n != 2 {
		t.Errorf("got %d searches, want 2", n)
	}
}
