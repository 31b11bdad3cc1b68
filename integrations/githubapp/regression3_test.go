package githubapp

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// A: an empty .github/slopguard.yml (the usual "turn it on with defaults")
// should act like the default policy; fetchPolicy turns it into
// "# empty file\n", which ParsePolicy rejects with "parse policy: EOF".
func TestPolicyFileEmptyPolicyFileIsDefault(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"", "# all defaults for now\n"} {
		h := newHarness(t, slop)
		h.gh.policy(file)
		h.send("issues", fixture(t, "issues.opened.json", nil))
		h.drain()
		wantCalls(t, h.gh.writes(), "POST /repos/acme/widgets/labels", "POST /repos/acme/widgets/issues/9/labels", "POST /repos/acme/widgets/issues/9/comments")
	}
}

// B: a huge close_after_hours overflows time.Duration in sweep.go and the
// next sweep closes a just-flagged issue instead of (practically) never.
func TestPolicyFileHugeGraceIsRefusedNotAnInstantClose(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	h.gh.policy("mode: enforce\nenforce: {threshold: 0.9, close_after_hours: 9999999}\n")
	h.send("issues", fixture(t, "issues.opened.json", nil))
	h.drain()
	h.gh.handle("GET /repos/acme/widgets/issues/9", 200, `{"number": 9, "state": "open", "labels": [{"name": "possible-slop"}]}`)
	h.gh.reset()
	h.now = h.now.Add(time.Minute)
	if err := h.app.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
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
