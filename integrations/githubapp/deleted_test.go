package githubapp

import (
	"context"
	"testing"

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
	h.send("issue_comment", fixture(t, "issue_comment.created.json", map[string]any{"action": "deleted"}))
	h.drain()
	wantCalls(t, h.gh.writes(), "DELETE /repos/acme/widgets/issues/comments/500")
	id, err := h.app.stickyID(context.Background(), target{owner: "acme", repo: "widgets", item: itemWithID("comment/3001")})
	if err != nil || id != 0 {
		t.Errorf("after the delete: sticky %d (err %v), want none remembered", id, err)
	}
	// Deleting it again, or another comment, does nothing.
	h.gh.reset()
	h.send("issue_comment", fixture(t, "issue_comment.created.json", map[string]any{"action": "deleted", "comment.id": 4444}))
	h.drain()
	wantCalls(t, h.gh.writes())
}

func itemWithID(id string) moderation.Item { return moderation.Item{ID: id} }
