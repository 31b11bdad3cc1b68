package githubapp

import (
	"context"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
)

// TestInertReason: text a reason quotes from the author is rendered as a
// code span, so @mentions, #references, URLs and Markdown in it neither
// ping, link nor render; the reason's own words are escaped.
func TestInertReason(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"mention", `repeats a sentence pattern, e.g. "new tests @alice covering"`,
			"repeats a sentence pattern, e.g. `new tests @alice covering`"},
		{"reference and url", `the wording "see #123 at https://evil.example" is common`,
			"the wording `see #123 at https://evil.example` is common"},
		{"markdown link", `e.g. "x](https://evil.example"`, "e.g. `x](https://evil.example`"},
		{"backticks inside", "e.g. \"a `b` c\"", "e.g. ``a `b` c``"},
		{"escaped quote inside", `e.g. "say \"hi\" @bob"`, "e.g. `say \"hi\" @bob`"},
		{"no quote", `the text is long`, `the text is long`},
		{"markdown outside a quote", `uses *emphasis* and <b>`, `uses \*emphasis\* and \<b\>`},
		{"backtick at the edge", "e.g. \"`x\"", "e.g. `` `x ``"},
		{"unterminated quote", `e.g. "@carol and more`, "e.g. `\"@carol and more`"},
		{"empty quote", `e.g. ""`, "e.g. ` `"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := inertReason(tt.in); got != tt.want {
				t.Errorf("inertReason(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestQuotesNeverPing: the App's comment and check run quote reasons with
// @mentions and links from the author's text only inside code spans.
func TestQuotesNeverPing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, quotingChecker{reason: `repeats a sentence pattern, e.g. "tests @alice [x](https://evil.example) #123"`})
	h.send("pull_request", fixture(t, "pull_request.opened.json", nil))
	h.drain()
	for _, route := range []string{"POST /repos/acme/widgets/issues/7/comments", "POST /repos/acme/widgets/check-runs"} {
		b := bodyOf(t, h.gh.writes(), route)
		text, _ := b["body"].(string)
		if out, ok := b["output"].(map[string]any); ok {
			text, _ = out["summary"].(string)
		}
		if !strings.Contains(text, "`tests @alice [x](https://evil.example) #123`") {
			t.Errorf("%s: the quote is not a code span:\n%s", route, text)
		}
		if strings.Count(text, "@alice") != 1 {
			t.Errorf("%s: @alice appears outside the code span:\n%s", route, text)
		}
	}
}

// quotingChecker flags every item with one reason that quotes the text.
type quotingChecker struct{ reason string }

func (q quotingChecker) Check(ctx context.Context, it moderation.Item) (moderation.Verdict, error) {
	v, err := slop.Check(ctx, it)
	v.Reasons = []detector.Reason{{Family: "structure", Signal: "pattern", Text: q.reason, Weight: 1}}
	return v, err
}
