package disclosure

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzScan: any text gives marks with spans inside it, and Rest never
// grows the text or panics.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"🤖 Generated with [Claude Code](https://claude.ai/code)",
		"<!-- This is an auto-generated comment: release notes by coderabbit.ai -->\n## Summary by CodeRabbit\n",
		"<!-- ELLIPSIS_HIDDEN -->",
		"x\n\nCo-authored-by: Copilot <1+Copilot@users.noreply.github.com>",
		"```\nhttps://app.devin.ai/sessions/0123456789abcdef0123456789abcdef",
		"\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		marks := Scan(text, "text")
		for _, m := range marks {
			if m.Start < 0 || m.End > len(text) || m.Start > m.End {
				t.Fatalf("span [%d,%d) outside a text of %d bytes", m.Start, m.End, len(text))
			}
			if utf8.ValidString(text) && !utf8.ValidString(m.Quote) {
				t.Fatalf("quote %q is not valid UTF-8", m.Quote)
			}
		}
		rest, _ := Rest(text, marks)
		var joined strings.Builder
		prev := 0
		for _, k := range Kept(text, marks) {
			if k[0] < prev || k[1] < k[0] || k[1] > len(text) {
				t.Fatalf("kept range %v out of order or outside a text of %d bytes", k, len(text))
			}
			prev = k[1]
			joined.WriteString(text[k[0]:k[1]])
		}
		if strings.TrimSpace(joined.String()) != rest {
			t.Fatalf("kept ranges give %q, Rest gives %q", joined.String(), rest)
		}
		if len(rest) > len(text) {
			t.Fatalf("rest is longer than the text")
		}
		if len(marks) == 0 && rest != strings.TrimSpace(text) {
			t.Fatalf("rest %q of a text without marks differs from it", rest)
		}
	})
}
