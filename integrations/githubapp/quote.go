package githubapp

import (
	"strconv"
	"strings"
)

// inertReason renders a reason's text for GitHub Markdown so that nothing
// in it mentions, links or renders. A reason may quote the author's text as
// a Go-quoted string ("new tests @alice covering"); each quote becomes a
// code span, inside which GitHub makes no @mention, #reference, autolink or
// Markdown. The reason's own words are escaped. An unterminated quote is
// a code span to the end.
func inertReason(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			b.WriteString(escapeMarkdown(s))
			return b.String()
		}
		b.WriteString(escapeMarkdown(s[:i]))
		quoted, err := strconv.QuotedPrefix(s[i:])
		if err != nil {
			b.WriteString(codeSpan(s[i:]))
			return b.String()
		}
		text, err := strconv.Unquote(quoted)
		if err != nil {
			text = quoted
		}
		b.WriteString(codeSpan(text))
		s = s[i+len(quoted):]
	}
}

// codeSpan wraps s in a Markdown code span whose fence is longer than any
// run of backticks in s, padded with spaces when s starts or ends with a
// backtick or a space (CommonMark strips one space each side).
func codeSpan(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if s == "" {
		return "` `"
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// markdownEscaper backslash-escapes the characters that start Markdown or
// HTML in GitHub's renderer.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `!`, `\!`, `|`, `\|`, `~`, `\~`,
)

// escapeMarkdown escapes text of slopguard's own (a reason's words) for
// Markdown. It is not used on quoted text, which codeSpan makes inert.
func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }
