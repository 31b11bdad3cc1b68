package githubapp

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/detector"
)

// A: an empty .github/slopguard.yml (the usual "turn it on with defaults")
// should act like the default policy; fetchPolicy turns it into
// "# empty file\n", which ParsePolicy rejects with "parse policy: EOF".
func TestPolicyFileEmptyPolicyFileIsDefault(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"", "# all defaults for now\n"} {
		h := newHarness(t, slop)
		h.gh.policy(file) // "" is an empty file, not a missing one
		wantCalls(t, h.deliver(t, "issues", fixture(t, "issues.opened.json", nil)), "POST /repos/acme/widgets/labels", "POST /repos/acme/widgets/issues/9/labels", "POST /repos/acme/widgets/issues/9/comments")
	}
}

// B: a huge close_after_hours overflows time.Duration in sweep.go and the
// next sweep closes a just-flagged issue instead of (practically) never.
func TestPolicyFileHugeGraceIsRefusedNotAnInstantClose(t *testing.T) {
	t.Parallel()
	h := newPolicyHarness(t, slop, "mode: enforce\nenforce: {threshold: 0.9, close_after_hours: 9999999}\n")
	h.send("issues", fixture(t, "issues.opened.json", nil))
	h.drain()
	h.gh.handle("GET /repos/acme/widgets/issues/9", 200, `{"number": 9, "state": "open", "labels": [{"name": "possible-slop"}]}`)
	h.gh.reset()
	h.clock.Advance(time.Minute)
	h.sweep(t)
	wantCalls(t, h.gh.writes()) // want: nothing closed one minute after flagging
}

// C: comment.text is not bounded, so the sticky comment exceeds GitHub's
// 65536-character body limit (GitHub answers 422 and the item gets no comment).
func TestPolicyFileLongCommentText(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	h.gh.policy("comment: {text: " + strings.Repeat("x", 66000) + "}\n")
	h.send("issues", fixture(t, "issues.opened.json", nil))
	h.drain()
	for _, c := range h.gh.writes() {
		if c.String() == "POST /repos/acme/widgets/issues/9/comments" {
			body := bodyOf(t, []call{c}, c.String())["body"].(string)
			if n := utf8.RuneCountInString(body); n > 65536 {
				t.Errorf("policy accepted and comment body is %d characters, over GitHub's 65536", n)
			}
		}
	}
}

// Regression: the sweep and the appeal check read every stored "unsure" as
// not flagged, so under a policy threshold below the model's own an item
// the App had flagged (score between the two) was never closed, and its
// author could not appeal. Only a text the model could not judge is never
// flagged.
func TestUnsureBetweenThresholdsCountsAsFlagged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		checker   fakeChecker
		wantClose bool
	}{
		{"unsure score over the policy's threshold", fakeChecker{score: 0.93, verdict: detector.Unsure}, true},
		{"text the model could not judge", fakeChecker{score: 0.93, verdict: detector.Unsure, cannotJudge: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newPolicyHarness(t, tt.checker, "mode: enforce\nthreshold: 0.8\ncomment: {enabled: false}\nenforce: {threshold: 0.9, close_after_hours: 24}\n")
			h.send("issues", fixture(t, "issues.opened.json", nil))
			h.drain()

			// The author appeals: accepted only if the App flagged the issue.
			h.gh.reset()
			h.gh.handle("GET /repos/acme/widgets/issues/9", 200, `{"number": 9, "state": "open", "labels": []}`)
			wf, err := h.app.wasFlagged(context.Background(), nil, issueTarget(4242, &github.Repository{Name: github.String("widgets"), Owner: &github.User{Login: github.String("acme")}}, &github.Issue{Number: github.Int(9)}))
			if err != nil {
				t.Fatal(err)
			}
			if wf != tt.wantClose {
				t.Errorf("wasFlagged = %v, want %v", wf, tt.wantClose)
			}

			h.gh.handle("GET /repos/acme/widgets/issues/9", 200, `{"number": 9, "state": "open", "labels": [{"name": "possible-slop"}]}`)
			h.clock.Advance(25 * time.Hour)
			h.sweep(t)
			closed := countRoute(h.gh.writes(), "PATCH /repos/acme/widgets/issues/9") > 0
			if closed != tt.wantClose {
				t.Errorf("closed %v, want %v (writes %v)", closed, tt.wantClose, h.gh.writes())
			}
		})
	}
}
