package disclosure

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestPrefilterOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want prefilter
	}{
		{`https://app\.devin\.ai/sessions/[0-9a-f]{32}`, prefilter{{s: "https://app.devin.ai/sessions/"}}},
		// The longest operand of a concatenation; a repetition of at least once.
		{`ab(?:cdef)+x*`, prefilter{{s: "cdef"}}},
		// Optional parts are not required.
		{`(?:abcdef)?xyz`, prefilter{{s: "xyz"}}},
		{`(?:abcdef)*`, nil},
		// Case-insensitive: lower-cased, cut where a rune folds outside
		// ASCII ('s' with U+017F, 'k' with U+212A).
		{`(?i)Co-Authored-By:`, prefilter{{s: "co-authored-by:", fold: true}}},
		{`(?i)greptile summary`, prefilter{{s: "greptile ", fold: true}}},
		{`(?i)ask`, nil},
		// An alternation needs a needle in every branch.
		{`abcd|(?i)efgh`, prefilter{{s: "abcd"}, {s: "efgh", fold: true}}},
		{`abcd|e`, nil},
		{"`[^`\n]+`", nil},
	}
	for _, tt := range tests {
		got := prefilterOf(regexp.MustCompile(tt.expr))
		if !slices.Equal(got, tt.want) {
			t.Errorf("prefilterOf(%q) = %+v, want %+v", tt.expr, got, tt.want)
		}
	}
}

func TestMayMatchIgnoresASCIICaseOnly(t *testing.T) {
	t.Parallel()
	fold := prefilter{{s: "co-authored-by:", fold: true}}
	exact := prefilter{{s: "Summary by"}}
	tests := []struct {
		p    prefilter
		text string
		want bool
	}{
		{fold, "x\nCo-Authored-By: A", true},
		{fold, "CO-AUTHORED-BY:", true},
		{fold, "co-authored-by", false},
		{fold, "", false},
		{prefilter{{s: "a[b]", fold: true}}, "A{B}", false}, // '[' and '{' differ by the case bit but are not letters
		{exact, "## Summary by X", true},
		{exact, "## summary by X", false},
		{nil, "", true},
	}
	for _, tt := range tests {
		if got := tt.p.mayMatch(&haystack{text: tt.text}); got != tt.want {
			t.Errorf("%+v.mayMatch(%q) = %v, want %v", tt.p, tt.text, got, tt.want)
		}
	}
}

// everyExpression is every expression Scan runs, with its prefilter.
func everyExpression() (res []*regexp.Regexp, pfs []prefilter) {
	for i, p := range table {
		res, pfs = append(res, p.re), append(pfs, tableFilters[i])
	}
	res = append(res, fencedBackticks, fencedTildes, inlineCode)
	return res, append(pfs, codeFilters...)
}

// checkPrefilters fails when a prefilter turns away a text its expression
// matches: the one way a prefilter could change what Scan finds.
func checkPrefilters(t *testing.T, text string) {
	t.Helper()
	res, pfs := everyExpression()
	for i, re := range res {
		if re.MatchString(text) && !pfs[i].mayMatch(&haystack{text: text}) {
			t.Fatalf("%q matches %q but its prefilter %+v turns it away", re, text, pfs[i])
		}
	}
}

// prefilterSamples holds texts each expression matches, in odd case and
// with the non-ASCII runes that fold to ASCII letters.
var prefilterSamples = []string{
	"🤖 GENERATED WITH [Claude Code](https://claude.ai/code)",
	"generated with https://claude.com/claude-code",
	"x\n> CO-AUTHORED-BY: Claude <NOREPLY@ANTHROPIC.COM>",
	"Co-authored-by: Claude <noreply@anthropic.com>\r",
	"co-authored-by: x mailto:codex@openai.com",
	"Co-Authored-By: Copilot <12+copilot@users.noreply.github.com>",
	"Co-authored-by: d <devin-ai-integration[bot]@users.noreply.github.com>",
	"Co-authored-by: C <cursoragent@cursor.com>",
	"Co-authored-by: j <1+google-labs-jules[bot]@users.noreply.github.com>",
	"Co-authored-by: q <amazon-q-developer[bot]@users.noreply.github.com>",
	"Co-authored-by: aider (gpt-4) <aider@aider.chat>",
	"Co-authored-by: GPT-4o <x@y>",
	"Co-authored-by: Claude 3.5 Sonnet <x@y>",
	"co-authored-by: Qwen2.5 <x@y>",
	"https://chatgpt.com/codex/tasks/task_e_0123456789abcdef0123",
	"https://app.devin.ai/sessions/0123456789abcdef0123456789abcdef",
	"https://www.cursor.com/agents?id=bc-01234567-89ab",
	"https://jules.google.com/task/123",
	"## Summary of Changes\n\nHello @someone, I'm Gemini Code Assist",
	"<!-- This is an auto-generated comment: release notes by coderabbit.ai -->",
	"## Summary by CodeRabbit\r\n",
	"<!--ELLIPSIS_HIDDEN-->",
	"<sup>This description was created by </sup>[Ellipsis",
	"### Summary by Sourcery",
	"<H3> greptile SUMMARY </h3>",
	"# Greptile \u017fummary",
	"```go\ncode\n```",
	"~~~\ncode",
	"`x`",
}

func TestPrefilterPassesSamples(t *testing.T) {
	t.Parallel()
	res, _ := everyExpression()
	for _, re := range res[:len(table)] {
		if !slices.ContainsFunc(prefilterSamples, re.MatchString) && !strings.HasPrefix(re.String(), "(?i)^") {
			t.Errorf("no sample matches %q: add one", re)
		}
	}
	for _, s := range prefilterSamples {
		checkPrefilters(t, s)
	}
}

// TestPrefilterSharedData checks the prefilters on every text of the
// labelled pull request data beside the checkout, agents' marks included.
func TestPrefilterSharedData(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join(sharedData, "*.jsonl"))
	if len(names) == 0 {
		t.Skipf("labelled data not beside this checkout: the check needs %s", sharedData)
	}
	if testing.Short() {
		t.Skip("reads every pull request text")
	}
	for _, name := range names {
		if _, err := os.Stat(name); err != nil {
			t.Fatal(err)
		}
		for _, r := range readRecords(t, filepath.Base(name)) {
			checkPrefilters(t, r.Text)
		}
	}
}

func FuzzPrefilter(f *testing.F) {
	for _, s := range prefilterSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) { checkPrefilters(t, text) })
}
