package githubapp

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Regression: any commenter can hide a comment from moderation by embedding the
// App's hidden marker "<!-- slopguard:" anywhere in the body.
func TestMarkerInAPersonsCommentIsChecked(t *testing.T) {
	h := newHarness(t, slop)
	h.send("issue_comment", fixture(t, "issue_comment.created.json", map[string]any{
		"comment.body": "Great question! Let's delve into it step by step. <!-- slopguard: -->",
	}))
	h.drain()
	if _, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "comment/3001"); err != nil {
		t.Errorf("comment by newcomer (NONE) with an invisible marker was never scored: %v; writes=%v", err, h.gh.writes())
	}
}

// Regression: any comment whose first line is "/slopguard <anything>" is never scored.
func TestCommandLineDoesNotExemptTheText(t *testing.T) {
	h := newHarness(t, slop)
	h.send("issue_comment", fixture(t, "issue_comment.created.json", map[string]any{
		"comment.body":       "/slopguard hi\nGreat question! Let's delve into it step by step.",
		"comment.user.login": "drive-by", "comment.id": 4001,
	}))
	h.drain()
	if _, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "comment/4001"); err != nil {
		t.Errorf("comment starting with /slopguard was never scored: %v", err)
	}
	// Same with an edit: post a harmless command, then edit it into slop.
	h.send("issue_comment", fixture(t, "issue_comment.created.json", map[string]any{
		"action":             "edited",
		"comment.body":       "/slopguard recheck\nIn today's fast-paced world, widgets play a pivotal role.",
		"comment.user.login": "drive-by", "comment.id": 4002,
	}))
	h.drain()
	if _, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "comment/4002"); err != nil {
		t.Errorf("edited comment starting with /slopguard was never scored: %v", err)
	}
}

// Regression: check_run.pull_requests is empty for pull requests from forks; the
// buttons then do nothing although external_id names the item.
func TestCheckRunButtonOnForkPullRequest(t *testing.T) {
	h := newHarness(t, slop)
	h.send("pull_request", fixture(t, "pull_request.opened.json", nil))
	h.drain()
	h.gh.reset()
	h.send("check_run", fixture(t, "check_run.requested_action.json", map[string]any{
		"check_run.pull_requests": []any{}, "check_run.external_id": "pr/7",
	}))
	h.drain()
	if len(h.gh.writes()) == 0 {
		t.Errorf("Not slop clicked by a maintainer on a fork PR: nothing happened (calls %v)", h.gh.allCalls())
	}
}

// Regression: a maintainer reopens an item the sweep closed; the reopen event records a
// new decision, and the next sweep closes it again immediately.
func TestSweepLeavesAReopenedItemOpen(t *testing.T) {
	h := newHarness(t, slop)
	h.enforceIssue(t)
	h.clock.Advance(25 * time.Hour)
	h.sweep(t)
	// Maintainer reopens; GitHub sends issues.reopened (the label is still on).
	h.clock.Advance(time.Hour)
	h.send("issues", fixture(t, "issues.opened.json", map[string]any{
		"action": "reopened", "issue.labels": []any{map[string]any{"name": "possible-slop"}},
		"sender.login": "maintainer",
	}))
	h.drain()
	h.gh.reset()
	h.clock.Advance(15 * time.Minute)
	h.sweep(t)
	for _, c := range h.gh.writes() {
		if c.String() == "PATCH /repos/acme/widgets/issues/9" {
			t.Errorf("sweep closed issue 9 again 15 minutes after a maintainer reopened it: %s", c.Body)
		}
	}
}

// Regression: a delivery whose job failed is marked; GitHub's manual "Redeliver"
// (same X-GitHub-Delivery) is then dropped as a duplicate.
func TestFailedJobCanBeRedelivered(t *testing.T) {
	h := newHarness(t, slop)
	h.gh.handle("GET /repos/acme/widgets/contents/.github/slopguard.yml", 500, `{"message":"boom"}`)
	body := fixture(t, "issues.opened.json", nil)
	if c := h.sendAs("issues", "dlv-fail-1", body); c != http.StatusAccepted {
		t.Fatalf("first: %d", c)
	}
	h.drain()
	h.gh.policy("mode: flag\n") // GitHub is back
	rec := h.sendWith("issues", "dlv-fail-1", body, sign(body))
	h.drain()
	if _, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "issue/9"); err != nil {
		t.Errorf("job failed, redelivery answered %d %q and was not processed: event lost", rec.Code, strings.TrimSpace(rec.Body.String()))
	}
}

// Regression: a delivery that arrives while the App shuts down was answered
// 503 and lost unless someone pressed Redeliver. It is now recorded, and the
// next process on the store runs it.
func TestDeliveryDuringShutdownIsKept(t *testing.T) {
	h := newHarness(t, slop)
	h.app.Shutdown(context.Background())
	body := fixture(t, "issues.opened.json", nil)
	if c := h.sendAs("issues", "dlv-sd-1", body); c != http.StatusAccepted {
		t.Fatalf("got %d want 202", c)
	}
	h.start() // process restarted on the same store
	h.drain()
	if _, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "issue/9"); err != nil {
		t.Errorf("the delivery accepted during shutdown was not processed after the restart: %v", err)
	}
	if rec := h.sendWith("issues", "dlv-sd-1", body, sign(body)); rec.Code != http.StatusOK {
		t.Errorf("redelivery once done: got %d %q, want 200 duplicate", rec.Code, strings.TrimSpace(rec.Body.String()))
	}
}

// Regression: in enforce mode (where a failing check is the point, i.e. it is a
// required check) exempt PRs get no check run at all, so a required
// "slopguard" check stays "Expected" forever.
func TestEnforceExemptPullRequestGetsACheckRun(t *testing.T) {
	h := newPolicyHarness(t, slop, "mode: enforce\n")
	h.send("pull_request", fixture(t, "pull_request.opened.json", map[string]any{
		"pull_request.author_association": "MEMBER",
	}))
	h.drain()
	for _, c := range h.gh.writes() {
		if c.String() == "POST /repos/acme/widgets/check-runs" {
			return
		}
	}
	t.Errorf("exempt PR in enforce mode got no check run: writes %v", h.gh.writes())
}

// Regression: label names with '/' (allowed by Policy.Validate) are not escaped by
// go-github; unlabel/not-slop 404s and is treated as "already gone".
func TestLabelNameIsPathEscaped(t *testing.T) {
	h := newPolicyHarness(t, slop, "label: {name: ai/slop}\n")
	h.gh.handle("DELETE /repos/acme/widgets/issues/9/labels/ai%2Fslop", 200, `[]`)
	h.send("issue_comment", fixture(t, "issue_comment.created.json", map[string]any{
		"comment.body": "/slopguard not-slop", "comment.user.login": "maintainer", "comment.author_association": "MEMBER",
		"comment.id": 3002, "issue.labels": []any{map[string]any{"name": "ai/slop"}},
	}))
	h.drain()
	for _, c := range h.gh.allCalls() {
		if c.Method == "DELETE" {
			t.Logf("DELETE path sent: %s", c.Path)
			if c.Path == "/repos/acme/widgets/issues/9/labels/ai/slop" {
				t.Errorf("label name not path-escaped: %s (GitHub answers 404, removeLabel reports success)", c.Path)
			}
		}
	}
}

// Regression: after "Not slop", a push (synchronize) leaves the new head without any check run.
func TestNotSlopThenPushGetsACheckRun(t *testing.T) {
	h := newPolicyHarness(t, slop, "mode: enforce\n")
	h.send("pull_request", fixture(t, "pull_request.opened.json", nil))
	h.drain()
	h.send("check_run", fixture(t, "check_run.requested_action.json", nil))
	h.drain()
	h.gh.reset()
	const newHead = "0123456789abcdef0123456789abcdef01234567"
	h.send("pull_request", fixture(t, "pull_request.opened.json", map[string]any{"action": "synchronize", "pull_request.head.sha": newHead}))
	h.drain()
	for _, c := range h.gh.writes() {
		if c.String() == "POST /repos/acme/widgets/check-runs" {
			return
		}
	}
	t.Errorf("new head %s after Not slop got no check run: writes %v", newHead, h.gh.writes())
}
