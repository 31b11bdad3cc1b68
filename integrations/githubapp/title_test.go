package githubapp

import (
	"context"
	"testing"
)

// TestDecisionTitle checks that a decision keeps the title of its pull
// request or issue (a comment's or review's, its thread's), and only when
// texts are kept: a title is text people wrote.
func TestDecisionTitle(t *testing.T) {
	t.Parallel()
	const (
		issueTitle = "Comprehensive analysis of widget failures"
		prTitle    = "Enhance the robustness of the widget pipeline"
	)
	tests := []struct {
		event, fixture, itemID string
		storeText              bool
		want                   string
	}{
		{"issues", "issues.opened.json", "issue/9", true, issueTitle},
		{"pull_request", "pull_request.opened.json", "pr/7", true, prTitle},
		{"issue_comment", "issue_comment.created.json", "comment/3001", true, issueTitle},
		{"pull_request_review", "pull_request_review.submitted.json", "review/42", true, prTitle},
		{"pull_request_review_comment", "pull_request_review_comment.created.json", "review_comment/4001", true, prTitle},
		{"issues", "issues.opened.json", "issue/9", false, ""},
		{"issue_comment", "issue_comment.created.json", "comment/3001", false, ""},
		{"pull_request_review", "pull_request_review.submitted.json", "review/42", false, ""},
	}
	for _, tt := range tests {
		name := tt.fixture
		if !tt.storeText {
			name += " without store_text"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, slop, func(o *Options) { o.StoreText = tt.storeText })
			h.gh.policy("mode: observe\n")
			h.send(tt.event, fixture(t, tt.fixture, nil))
			h.drain()
			d, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", tt.itemID)
			if err != nil {
				t.Fatalf("got %v, want a recorded decision", err)
			}
			if d.Title != tt.want {
				t.Errorf("title = %q, want %q", d.Title, tt.want)
			}
		})
	}
}
