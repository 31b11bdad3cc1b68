package ci

import (
	"fmt"
	"io"
	"strings"

	"github.com/slopguard/slopguard/detector"
)

// Limits that keep the Markdown report under GitHub's 1 MiB step-summary cap.
const (
	maxTableRows = 500
	maxDetails   = 50
)

// mdEscape makes s safe inside Markdown text and table cells: one line,
// with Markdown and HTML punctuation backslash-escaped.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range oneLine(s) {
		if strings.ContainsRune("\\`*_{}[]<>()#|~!", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdName is an input's name for the report, linked when it has a URL.
func mdName(in Input) string {
	name := mdEscape(in.Name)
	if in.Item.URL != "" && strings.HasPrefix(in.Item.URL, "https://") {
		return "[" + name + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(in.Item.URL) + ")"
	}
	return name
}

// WriteMarkdown writes the full report as Markdown: a heading with the
// totals, a table with one row per input, then the reasons of every flagged
// or machine-judged input.
func WriteMarkdown(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	ew.printf("## slopguard\n\n")
	if !r.Mode.Checks() {
		ew.printf("Mode is `off` in the policy; nothing was checked.\n")
		return ew.err
	}
	ew.printf("%s\n\n", mdEscape(r.totals()))
	ew.printf("| Input | Verdict | Score | Result |\n|---|---|---:|---|\n")
	for i, e := range r.Entries {
		if i == maxTableRows {
			ew.printf("\n… and %d more inputs (see the job log).\n", len(r.Entries)-maxTableRows)
			break
		}
		verdict, score, result := "—", "—", ""
		switch {
		case e.Err != "":
			result = "error: " + mdEscape(e.Err)
		case !e.Checked:
			result = "skipped: " + mdEscape(e.Skipped)
		default:
			verdict, score = e.Verdict.Verdict.String(), fmt.Sprintf("%.2f", e.Verdict.Score)
			switch {
			case e.Failed:
				result = "**flagged**, reaches fail-on"
			case e.Flagged:
				result = "**flagged**"
			}
			if n := e.note(); n != "" {
				result = strings.TrimPrefix(result+"; "+mdEscape(n), "; ")
			}
		}
		ew.printf("| %s | %s | %s | %s |\n", mdName(e.Input), verdict, score, result)
	}
	details := 0
	for _, e := range r.Entries {
		if !e.Checked || !(e.Flagged || e.Failed || e.Verdict.Verdict == detector.Machine) {
			continue
		}
		if details == maxDetails {
			ew.printf("\nReasons for further inputs are in the job log.\n")
			break
		}
		details++
		ew.printf("\n### %s: %s\n\n", mdName(e.Input), mdEscape(e.status(r)))
		if e.Input.Item.Title != "" {
			ew.printf("Title: %s\n\n", mdEscape(e.Input.Item.Title))
		}
		if len(e.Verdict.Reasons) == 0 {
			ew.printf("No single signal stands out; the text as a whole scores this way.\n")
		}
		var ix *lineIndex
		for _, rs := range e.Verdict.Reasons {
			where := reasonWhere(e, &ix, rs)
			if where != "" {
				where = " (" + where + ")"
			}
			ew.printf("- **%s**%s: %s (%+.2f, %s)\n", mdEscape(rs.Family), where, mdEscape(rs.Text), rs.Weight, direction(rs.Weight))
		}
	}
	ew.printf("\nScores estimate how likely a text is machine-generated. Reasons describe patterns in the text, not its author; a person decides what happens next.\n")
	return ew.err
}
