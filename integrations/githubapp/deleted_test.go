package githubapp

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/slopguard/slopguard/moderation"
)

// TestDeletedCommentTakesTheReplyAlong: when its author deletes a flagged
// comment, the App deletes its reply, which quoted and named a comment
// that no longer exists (L14); a deleted comment the App never replied to
// changes nothing.
func TestDeletedCommentTakesTheReplyAlong(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	h.gh.handle("DELETE /repos/acme/widgets/issues/comments/500", 204, ``)
	h.send("issue_comment", fixture(t, "issue_comment.created.json", nil))
	h.drain()
	if _, err := h.app.stickyID(context.Background(), target{owner: "acme", repo: "widgets", item: itemWithID("comment/3001")}); err != nil {
		t.Fatal(err)
	}
	h.gh.reset()
	wantCalls(t, h.deliver(t, "issue_comment", fixture(t, "issue_comment.created.json", map[string]any{"action": "deleted"})), "DELETE /repos/acme/widgets/issues/comments/500")
	id, err := h.app.stickyID(context.Background(), target{owner: "acme", repo: "widgets", item: itemWithID("comment/3001")})
	if err != nil || id != 0 {
		t.Errorf("after the delete: sticky %d (err %v), want none remembered", id, err)
	}
	// Deleting it again, or another comment, does nothing.
	h.gh.reset()
	wantCalls(t, h.deliver(t, "issue_comment", fixture(t, "issue_comment.created.json", map[string]any{"action": "deleted", "comment.id": 4444})))
}

func itemWithID(id string) moderation.Item { return moderation.Item{ID: id} }

// TestPermissionLookupFailureIsNotARefusal: when GitHub cannot tell a
// maintainer's permission (500), the App does not answer "only maintainers
// can…"; the job is retried later (L11).
func TestPermissionLookupFailureIsNotARefusal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	h.openIssue(t)
	h.gh.handle("GET /repos/acme/widgets/collaborators/maintainer/permission", 500, `{"message":"boom"}`)
	h.send("issue_comment", fixture(t, "issue_comment.created.json", map[string]any{
		"comment.body": "/slopguard not-slop", "comment.user.login": "maintainer", "comment.author_association": "MEMBER", "comment.id": 3002,
	}))
	app := h.app
	h.drain()
	for _, c := range h.gh.writes() {
		if strings.Contains(c.Body, "only maintainers") {
			t.Errorf("a failed permission lookup was answered as a refusal: %s %s", c, c.Body)
		}
	}
	if got := testutil.ToFloat64(app.metrics.jobs.WithLabelValues("issue_comment", "retry")); got != 1 {
		t.Errorf("got jobs{issue_comment,retry} %v, want 1: the command is tried again later", got)
	}
}
