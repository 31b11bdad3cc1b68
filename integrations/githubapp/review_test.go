package githubapp

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
)

// reviewJSON is GET /repos/acme/widgets/pulls/7/reviews/42.
const reviewJSON = `{"id": 42, "node_id": "PRR_kwDOAAAAAc4AAAAq", "body": "Overall, this is a well-structured change that enhances maintainability.",
	"user": {"login": "reviewer-bot-fan", "type": "User"}, "author_association": "NONE", "state": "commented",
	"html_url": "https://github.com/acme/widgets/pull/7#pullrequestreview-42",
	"pull_request_url": "https://api.github.com/repos/acme/widgets/pulls/7"}`

func TestReviewEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, policy string
		checker      fakeChecker
		edits        map[string]any
		want         []string
		recorded     bool
		check        func(t *testing.T, writes []call)
	}{
		{
			name: "flagged review gets one reply and no label", checker: slop, recorded: true,
			want: []string{"POST /repos/acme/widgets/issues/7/comments"},
			check: func(t *testing.T, writes []call) {
				body := writes[0].Body
				if !strings.Contains(body, "/slopguard appeal review/42") || !strings.Contains(body, "this review") {
					t.Errorf("got reply %q, want it to name the review and its commands", body)
				}
			},
		},
		{
			name: "clean review writes nothing", checker: clean, recorded: true,
		},
		{
			// A review is not Minimizable (see TestEnforceMinimizesOnlyMinimizableNodes).
			name: "enforce replies but cannot minimize the review", policy: "mode: enforce\nenforce: {threshold: 0.9, minimize: true}\n", checker: slop, recorded: true,
			want: []string{"POST /repos/acme/widgets/issues/7/comments"},
		},
		{
			name: "edited review is checked again", checker: slop, recorded: true,
			edits: map[string]any{"action": "edited"},
			want:  []string{"POST /repos/acme/widgets/issues/7/comments"},
		},
		{
			name: "approval without text is not an item", checker: slop,
			edits: map[string]any{"review.body": nil, "review.state": "approved"},
		},
		{
			name: "whitespace-only text is not an item", checker: slop,
			edits: map[string]any{"review.body": " \n\t"},
		},
		{
			name: "dismissal is ignored", checker: slop,
			edits: map[string]any{"action": "dismissed", "review.state": "dismissed"},
		},
		{
			name: "review by a bot account is exempt", checker: slop,
			edits: map[string]any{"review.user.type": "Bot"},
		},
		{
			name: "payload without a review object is refused", checker: slop,
			edits: map[string]any{"review": nil},
		},
		{
			name: "comments surface off", policy: "surfaces: {comments: false}\n", checker: slop,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newPolicyHarness(t, tt.checker, tt.policy)
			writes := h.deliver(t, "pull_request_review", fixture(t, "pull_request_review.submitted.json", tt.edits))
			wantCalls(t, writes, tt.want...)
			if tt.check != nil && len(writes) > 0 {
				tt.check(t, writes)
			}
			_, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "review/42")
			if recorded := err == nil; recorded != tt.recorded {
				t.Errorf("decision recorded %v (%v), want %v", recorded, err, tt.recorded)
			}
		})
	}
}

// emptyIsUnjudged flags every text but an empty one, which it cannot judge,
// as the detector answers.
type emptyIsUnjudged struct{}

func (emptyIsUnjudged) Check(ctx context.Context, it moderation.Item) (moderation.Verdict, error) {
	if strings.TrimSpace(it.Body) == "" {
		v, err := fakeChecker{score: 0.5, verdict: detector.Unsure, cannotJudge: true}.Check(ctx, it)
		v.Reasons = nil
		return v, err
	}
	return slop.Check(ctx, it)
}

// An edit that empties a flagged review updates the App's reply (the text
// it was about is gone) instead of leaving it saying the review is flagged;
// an emptied review the App never answered stays ignored.
func TestReviewEditedToEmptyUpdatesTheReply(t *testing.T) {
	t.Parallel()
	emptied := map[string]any{"action": "edited", "review.body": ""}
	t.Run("answered", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emptyIsUnjudged{})
		h.send("pull_request_review", fixture(t, "pull_request_review.submitted.json", nil))
		h.drain()
		h.gh.reset()
		writes := h.deliver(t, "pull_request_review", fixture(t, "pull_request_review.submitted.json", emptied))
		wantCalls(t, writes, "PATCH /repos/acme/widgets/issues/comments/500")
		wantSticky(t, writes, "no longer shows")
	})
	t.Run("never answered", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emptyIsUnjudged{})
		wantCalls(t, h.deliver(t, "pull_request_review", fixture(t, "pull_request_review.submitted.json", emptied)))
		if _, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "review/42"); err == nil {
			t.Error("an emptied review the App never answered was scored")
		}
	})
}

// A maintainer answers a flagged review with `/slopguard not-slop review/ID`
// on its pull request; the same command on another pull request is refused,
// because GitHub only finds the review under its own pull request.
func TestCommandOnReview(t *testing.T) {
	t.Parallel()
	onPR := func(number int, body string) map[string]any {
		return map[string]any{
			"comment.body": body, "comment.user.login": "maintainer", "comment.author_association": "OWNER",
			"sender.login": "maintainer", "comment.id": 3002, "issue.number": number,
			"issue.pull_request": map[string]any{"url": "https://api.github.com/repos/acme/widgets/pulls/7"},
		}
	}
	t.Run("not-slop on its pull request", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, slop)
		h.gh.handle("GET /repos/acme/widgets/pulls/7/reviews/42", 200, reviewJSON)
		h.send("pull_request_review", fixture(t, "pull_request_review.submitted.json", nil))
		h.drain()
		h.gh.reset()
		h.send("issue_comment", fixture(t, "issue_comment.created.json", onPR(7, "/slopguard not-slop review/42")))
		h.drain()
		tg := target{owner: "acme", repo: "widgets"}
		tg.item.ID = "review/42"
		if got := h.app.override(context.Background(), tg); got != "human" {
			t.Errorf("got override %q, want human", got)
		}
		wantCalls(t, h.gh.writes(), "PATCH /repos/acme/widgets/issues/comments/500")
	})
	t.Run("named on another pull request", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, slop)
		h.gh.handle("GET /repos/acme/widgets/pulls/7/reviews/42", 200, reviewJSON)
		// Even if GitHub answered under #8, the review names #7.
		h.gh.handle("GET /repos/acme/widgets/pulls/8/reviews/42", 200, reviewJSON)
		h.gh.handle("GET /repos/acme/widgets/pulls/8", 200, `{"number": 8, "state": "open", "user": {"login": "newcomer"}, "head": {"sha": "abc"}}`)
		h.send("issue_comment", fixture(t, "issue_comment.created.json", onPR(8, "/slopguard recheck review/42")))
		h.drain()
		if w := h.gh.writes(); len(w) != 0 {
			t.Errorf("got writes %v, want the command refused", w)
		}
		if _, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "review/42"); err == nil {
			t.Error("review/42 was scored as an item of #8")
		}
	})
}

// GitHub's minimizeComment takes a Minimizable node: issue comments and
// pull request review comments are, a pull request review (a PRR_ node) is
// not, so GitHub refuses to hide a review. Enforce mode must not try it on
// every flagged review, record it, or later try to unminimize it.
func TestEnforceMinimizesOnlyMinimizableNodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, event, fixture, item, node string
		wantMinimize                     bool
	}{
		{"issue comment", "issue_comment", "issue_comment.created.json", "comment/3001", "IC_kwDOAAAAAc4AAAu5", true},
		{"review comment", "pull_request_review_comment", "pull_request_review_comment.created.json", "review_comment/4001", "PRRC_kwDOAAAAAc4AAA-h", true},
		{"review", "pull_request_review", "pull_request_review.submitted.json", "review/42", "PRR_kwDOAAAAAc4AAAAq", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newPolicyHarness(t, slop, "mode: enforce\nenforce: {threshold: 0.9, minimize: true}\n")
			// Like GitHub: only a Minimizable node can be minimized.
			h.gh.handleFunc("POST /graphql", func(body string) (int, string) {
				if strings.Contains(body, `"id":"PRR_`) {
					return 200, `{"data": {"minimizeComment": null}, "errors": [{"type": "NOT_FOUND", "path": ["minimizeComment"], "message": "the node is not Minimizable"}]}`
				}
				return 200, `{"data": {"minimizeComment": {"minimizedComment": {"isMinimized": true}}}}`
			})
			h.send(tt.event, fixture(t, tt.fixture, nil))
			h.drain()
			minimized := false
			for _, c := range h.gh.writes() {
				if c.String() == "POST /graphql" {
					minimized = true
					if !strings.Contains(c.Body, `"id":"`+tt.node+`"`) {
						t.Errorf("got graphql body %s, want node %s", c.Body, tt.node)
					}
				}
			}
			if minimized != tt.wantMinimize {
				t.Errorf("minimizeComment called %v, want %v (writes %v)", minimized, tt.wantMinimize, h.gh.writes())
			}
			d, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", tt.item)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(d.Actions, "minimize"); got != tt.wantMinimize {
				t.Errorf("decision actions %v: minimize recorded %v, want %v", d.Actions, got, tt.wantMinimize)
			}
		})
	}
}
