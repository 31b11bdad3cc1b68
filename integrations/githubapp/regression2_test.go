package githubapp

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slopguard/slopguard/moderation"
)

// switchChecker scores slop until clean is set (the author edited the text).
type switchChecker struct{ clean atomic.Bool }

func (s *switchChecker) Check(ctx context.Context, it moderation.Item) (moderation.Verdict, error) {
	if s.clean.Load() {
		return clean.Check(ctx, it)
	}
	return slop.Check(ctx, it)
}

// commandOn is a command comment on issue #9, which carries the label.
func commandOn(t *testing.T, body, login, assoc string, id int) []byte {
	t.Helper()
	return fixture(t, "issue_comment.created.json", map[string]any{
		"comment.body": body, "comment.user.login": login, "comment.author_association": assoc,
		"sender.login": login, "comment.id": id, "issue.labels": []any{map[string]any{"name": "possible-slop"}},
	})
}

// commentJSON is GET /repos/acme/widgets/issues/comments/{id} for a comment on thread.
func commentJSON(id int, thread int, body string) string {
	return fmt.Sprintf(`{"id": %d, "node_id": "IC_%d", "body": %q, "user": {"login": "newcomer", "type": "User"},
		"author_association": "NONE", "html_url": "https://github.com/acme/widgets/issues/%d#issuecomment-%d",
		"issue_url": "https://api.github.com/repos/acme/widgets/issues/%d"}`, id, id, body, thread, id, thread)
}

// Regression: MEMBER and COLLABORATOR associations counted as maintainers,
// although they include organisation members and read or triage
// collaborators. Only OWNER skips the permission API; everyone else needs an
// admin, maintain or write role.
func TestOnlyOwnerOrWriteRoleMayJudge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, assoc string
		permission  string // the permission API's answer; empty means 404
		want        bool
	}{
		{"read collaborator", "COLLABORATOR", `{"permission": "read", "role_name": "read"}`, false},
		{"triage collaborator", "COLLABORATOR", `{"permission": "read", "role_name": "triage"}`, false},
		{"org member with read", "MEMBER", `{"permission": "read", "role_name": "read"}`, false},
		{"org member, permission lookup fails", "MEMBER", "", false},
		{"write collaborator", "COLLABORATOR", `{"permission": "write", "role_name": "write"}`, true},
		{"maintain role", "NONE", `{"permission": "write", "role_name": "maintain"}`, true},
		{"role_name alone", "MEMBER", `{"role_name": "maintain"}`, true},
		{"admin", "MEMBER", `{"permission": "admin", "role_name": "admin"}`, true},
		{"owner needs no lookup", "OWNER", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, slop)
			if tt.permission != "" {
				h.gh.handle("GET /repos/acme/widgets/collaborators/someone/permission", 200, tt.permission)
			}
			h.send("issues", fixture(t, "issues.opened.json", nil))
			h.drain()
			h.send("issue_comment", commandOn(t, "/slopguard not-slop", "someone", tt.assoc, 3002))
			h.drain()
			fb, err := h.feedback()
			if err != nil {
				t.Fatal(err)
			}
			if got := len(fb) == 1; got != tt.want {
				t.Errorf("%s %s: judged %v, want %v (feedback %+v, writes %v)", tt.assoc, tt.permission, got, tt.want, fb, h.gh.writes())
			}
		})
	}
}

// Regression (with the fix above): the permission answer is cached per
// repository and login for a few minutes, not asked for every command.
func TestMaintainerPermissionIsCachedForAFewMinutes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	ctx := context.Background()
	gh, err := h.opt.Clients.Installation(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	lookups := func() int {
		n := countRoute(h.gh.allCalls(), "GET /repos/acme/widgets/collaborators/maintainer/permission")
		return n
	}
	for i := range 3 {
		if ok, err := h.app.isMaintainer(ctx, gh, "acme", "widgets", "maintainer", "COLLABORATOR"); !ok || err != nil {
			t.Fatalf("call %d: a write collaborator is not a maintainer", i)
		}
	}
	if got := lookups(); got != 1 {
		t.Errorf("got %d permission lookups for 3 questions, want 1", got)
	}
	h.clock.Advance(permissionTTL + time.Second) // no job is running: the clock is ours
	h.app.isMaintainer(ctx, gh, "acme", "widgets", "maintainer", "COLLABORATOR")
	if got := lookups(); got != 2 {
		t.Errorf("got %d permission lookups after the cache expired, want 2", got)
	}
}

// Regression: `appeal` pinged maintainers_team about items the App never
// flagged, once per comment since every comment is an item.
func TestAppealOfAnUnflaggedItemIsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		checker   moderation.Checker
		commands  []string // appeal commands by newcomer, the author
		wantPings int
	}{
		{"never-flagged issue", clean, []string{"/slopguard appeal"}, 0},
		{"never-flagged comments, one after another", clean,
			[]string{"/slopguard appeal comment/3100", "/slopguard appeal comment/3101", "/slopguard appeal comment/3102"}, 0},
		{"flagged issue", slop, []string{"/slopguard appeal"}, 1},
		{"flagged comment", slop, []string{"/slopguard appeal comment/3100"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newPolicyHarness(t, tt.checker, "maintainers_team: triage\n")
			h.send("issues", fixture(t, "issues.opened.json", nil))
			for i := range 3 {
				id := 3100 + i
				h.gh.handle(fmt.Sprintf("GET /repos/acme/widgets/issues/comments/%d", id), 200, commentJSON(id, 9, "hello there"))
				h.send("issue_comment", fixture(t, "issue_comment.created.json", map[string]any{"comment.id": id}))
			}
			h.drain()
			for i, cmd := range tt.commands {
				h.send("issue_comment", fixture(t, "issue_comment.created.json", map[string]any{"comment.body": cmd, "comment.id": 3200 + i}))
			}
			h.drain()
			pings := 0
			for _, c := range h.gh.writes() {
				if strings.Contains(c.Body, "@acme/triage") {
					pings++
				}
			}
			if pings != tt.wantPings {
				t.Errorf("got %d pings of @acme/triage, want %d (writes %v)", pings, tt.wantPings, h.gh.writes())
			}
		})
	}
}

// Regression: a maintainer's `confirm` was stored but plan() ignored it, so
// an edit that scored low took the label off and rewrote the comment as
// "no longer shows the patterns".
func TestConfirmedItemStaysFlaggedAfterALowScoringEdit(t *testing.T) {
	t.Parallel()
	ck := &switchChecker{}
	h := newHarness(t, ck)
	h.send("issues", fixture(t, "issues.opened.json", nil))
	h.drain()
	h.send("issue_comment", commandOn(t, "/slopguard confirm", "maintainer", "OWNER", 3002))
	h.drain()
	h.gh.reset()
	ck.clean.Store(true) // the author rewrites the body
	h.send("issues", fixture(t, "issues.opened.json", map[string]any{
		"action": "edited", "issue.labels": []any{map[string]any{"name": "possible-slop"}},
	}))
	h.drain()
	writes := h.gh.writes()
	wantCalls(t, writes, "PATCH /repos/acme/widgets/issues/comments/500")
	got := stickyEdit(t, writes)
	if strings.Contains(got, "no longer shows") || !strings.Contains(got, "confirmed the flag") {
		t.Errorf("got comment %q, want it still flagged and confirmed", got)
	}
}

// Regression: `confirm` after "Not slop" put the label back but left the
// check run green ("Marked not slop by a maintainer").
func TestConfirmAfterNotSlopRebuildsCheckRunAndLabel(t *testing.T) {
	t.Parallel()
	h := newPolicyHarness(t, slop, "mode: enforce\nenforce: {threshold: 0.9}\n")
	h.send("pull_request", fixture(t, "pull_request.opened.json", nil))
	h.drain()
	h.send("check_run", fixture(t, "check_run.requested_action.json", nil)) // Not slop
	h.drain()
	h.gh.reset()
	h.send("issue_comment", fixture(t, "issue_comment.created.json", map[string]any{
		"comment.body": "/slopguard confirm", "comment.user.login": "maintainer", "comment.author_association": "OWNER",
		"comment.id": 3002, "issue.number": 7,
		"issue.pull_request": map[string]any{"url": "https://api.github.com/repos/acme/widgets/pulls/7"},
	}))
	h.drain()
	writes := h.gh.writes()
	wantCalls(t, writes,
		"PATCH /repos/acme/widgets/check-runs/100",
		"POST /repos/acme/widgets/issues/7/labels",
		"PATCH /repos/acme/widgets/issues/comments/500",
	)
	wantConclusion(t, writes, "failure")
	wantSticky(t, writes, "@maintainer) reviewed this and confirmed the flag")
}

// Regression: `not-slop` on a comment that enforce mode had hidden left it
// hidden; a comment the App did not hide is left as it is.
func TestNotSlopUnhidesACommentTheAppMinimized(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, policy   string
		wantUnminimize bool
	}{
		{"minimized by enforce mode", "mode: enforce\nenforce: {threshold: 0.9, minimize: true}\n", true},
		{"never minimized", "mode: enforce\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, slop)
			h.gh.policy(tt.policy)
			h.gh.handle("GET /repos/acme/widgets/issues/comments/3001", 200, commentJSON(3001, 9, "Great question! Let's delve into it step by step."))
			h.send("issue_comment", fixture(t, "issue_comment.created.json", nil))
			h.drain()
			h.gh.reset()
			h.send("issue_comment", commandOn(t, "/slopguard not-slop comment/3001", "maintainer", "OWNER", 3002))
			h.drain()
			got := false
			for _, c := range h.gh.writes() {
				if c.String() == "POST /graphql" && strings.Contains(c.Body, "unminimizeComment") && strings.Contains(c.Body, `"id":"IC_3001"`) {
					got = true
				}
			}
			if got != tt.wantUnminimize {
				t.Errorf("unminimizeComment sent %v, want %v (writes %v)", got, tt.wantUnminimize, h.gh.writes())
			}
		})
	}
}

// Regression: a 403 or 429 rate limit without Retry-After or a reset time
// was retried after 1-4 s; GitHub asks for at least a minute.
func TestRateLimitWithoutRetryAfterWaitsAMinuteAndDoubles(t *testing.T) {
	t.Parallel()
	secondary := func(w http.ResponseWriter) {
		w.WriteHeader(403)
		w.Write([]byte(`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`))
	}
	tests := []struct {
		name       string
		answer     func(w http.ResponseWriter)
		maxWait    time.Duration
		wantSleeps []time.Duration
		wantCalls  int
		wantGiveUp bool
	}{
		// 1m, 2m, then 4m is past the default MaxWait of 2m: give up.
		{"secondary 403", secondary, 0, []time.Duration{time.Minute, 2 * time.Minute}, 3, true},
		{"429", func(w http.ResponseWriter) { w.WriteHeader(429) }, 0, []time.Duration{time.Minute, 2 * time.Minute}, 3, true},
		{"secondary 403, longer MaxWait", secondary, 10 * time.Minute, []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute}, 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) { n.Add(1); tt.answer(w) })
			var sleeps []time.Duration
			gaveUp := false
			rt := &RetryTransport{
				MaxWait:  tt.maxWait,
				Sleep:    func(_ context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil },
				OnGiveUp: func(*http.Request) { gaveUp = true },
			}
			req, _ := http.NewRequest(http.MethodGet, srv, nil)
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if fmt.Sprint(sleeps) != fmt.Sprint(tt.wantSleeps) || int(n.Load()) != tt.wantCalls || gaveUp != tt.wantGiveUp {
				t.Errorf("got sleeps %v, %d calls, give-up %v; want %v, %d, %v", sleeps, n.Load(), gaveUp, tt.wantSleeps, tt.wantCalls, tt.wantGiveUp)
			}
		})
	}
}

// Regression: when a maintainer had deleted the App's comment, answering a
// refused command (create == false) posted it again. A still-flagged item
// that is edited does get it back.
func TestDeletedCommentIsRepostedOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		event    string
		payload  func(t *testing.T) []byte
		wantPost bool
	}{
		{"refused command", "issue_comment", func(t *testing.T) []byte {
			return commandOn(t, "/slopguard confirm", "newcomer", "NONE", 3002)
		}, false},
		{"edit of a flagged issue", "issues", func(t *testing.T) []byte {
			return fixture(t, "issues.opened.json", map[string]any{"action": "edited", "issue.labels": []any{map[string]any{"name": "possible-slop"}}})
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, slop)
			h.send("issues", fixture(t, "issues.opened.json", nil))
			h.drain()
			h.gh.handle("PATCH /repos/acme/widgets/issues/comments/500", 404, `{"message":"Not Found"}`)
			h.gh.reset()
			h.send(tt.event, tt.payload(t))
			h.drain()
			posted := countRoute(h.gh.writes(), "POST /repos/acme/widgets/issues/9/comments") > 0
			if posted != tt.wantPost {
				t.Errorf("comment re-posted %v, want %v (writes %v)", posted, tt.wantPost, h.gh.writes())
			}
		})
	}
}

// Regression: a command naming a comment or review comment of another
// thread acted on it as if it were on this thread (wrong number, labels,
// comment placement). It is refused; nothing is written or recorded.
func TestCommandNamingAnotherThreadsCommentIsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, route, answer, item string
		edits                     map[string]any
	}{
		{
			name: "comment of #7 named on #9", route: "GET /repos/acme/widgets/issues/comments/3005",
			answer: commentJSON(3005, 7, "Certainly! Let's delve into it."), item: "comment/3005",
			edits: map[string]any{"comment.body": "/slopguard recheck comment/3005", "comment.id": 3002},
		},
		{
			name: "review comment of #8 named on #7", route: "GET /repos/acme/widgets/pulls/comments/4005",
			answer: `{"id": 4005, "node_id": "PRRC_x", "body": "Certainly! Let's delve into it.", "user": {"login": "newcomer", "type": "User"},
				"author_association": "NONE", "pull_request_url": "https://api.github.com/repos/acme/widgets/pulls/8"}`,
			item: "review_comment/4005",
			edits: map[string]any{"comment.body": "/slopguard recheck review_comment/4005", "comment.id": 3002, "issue.number": 7,
				"issue.pull_request": map[string]any{"url": "https://api.github.com/repos/acme/widgets/pulls/7"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, slop)
			h.gh.handle(tt.route, 200, tt.answer)
			h.send("issue_comment", fixture(t, "issue_comment.created.json", tt.edits))
			h.drain()
			if w := h.gh.writes(); len(w) != 0 {
				t.Errorf("got writes %v, want the command refused", w)
			}
			if _, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", tt.item); err == nil {
				t.Errorf("%s was scored as an item of this thread", tt.item)
			}
		})
	}
}
