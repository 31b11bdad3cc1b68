// Package disclosure finds the marks coding agents and review bots leave on
// what they write: a signature line under a pull request description ("🤖
// Generated with [Claude Code]"), a link to the agent's task or session (a
// Codex task, a Devin session), a Co-authored-by trailer naming an agent in a
// commit message, the agent's own account as the author, and the summary
// block a review bot writes into someone else's description ("Summary by
// CodeRabbit").
//
// Every pattern lives in one table (patterns.go). A mark names the agent,
// the kind of evidence and the byte span where it was found, so a report
// can quote it. Summary blocks are told apart from the rest: a person who
// wrote around a pasted bot block is still the author of their part, which
// Rest returns.
//
// The package knows nothing about platforms: callers pass texts and logins.
package disclosure

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Evidence is the kind of mark an agent left.
type Evidence string

// The kinds of evidence.
const (
	// Footer is a signature line the agent writes under its own text.
	Footer Evidence = "footer"
	// Link is a link to the agent's task or session.
	Link Evidence = "link"
	// Trailer is a Co-authored-by trailer naming the agent.
	Trailer Evidence = "trailer"
	// Account is the author account being the agent's or the bot's own.
	Account Evidence = "account"
	// Summary is a review bot's summary block inside a text a person wrote;
	// it says who wrote the block, not the text around it.
	Summary Evidence = "summary"
)

// String returns the evidence kind's name.
func (e Evidence) String() string { return string(e) }

// Mark is one disclosure found in a text or an account.
type Mark struct {
	// Agent names the agent or bot, e.g. "Claude Code" or "CodeRabbit".
	Agent string `json:"agent"`
	// Evidence is the kind of mark.
	Evidence Evidence `json:"evidence"`
	// Where says which text the span is in: "text" (the item's text),
	// "author", or "commit <sha>" for a commit message.
	Where string `json:"where"`
	// Start and End are the half-open byte span [Start, End) of the mark in
	// that text; for a Summary, the whole block. Both are 0 for an account.
	Start int `json:"start"`
	End   int `json:"end"`
	// Quote is the matched wording, shortened to at most 80 bytes.
	Quote string `json:"quote"`
	// Reviewer is true for review bots (CodeRabbit, Sourcery, …), which
	// comment on other people's work rather than write it.
	Reviewer bool `json:"reviewer,omitempty"`
	// Quoted is true for a mark on a Markdown blockquote line: someone
	// quoting an agent's text (GitHub's "Quote reply"), not the agent
	// signing the text it is in.
	Quoted bool `json:"quoted,omitempty"`
}

// Own reports whether the mark says the agent wrote the text it is in (or
// the item, for an account), rather than a block pasted or quoted into it.
func (m Mark) Own() bool { return m.Evidence != Summary && !m.Quoted }

// maxQuote bounds Mark.Quote.
const maxQuote = 80

// Scan returns the marks in text, in order of position. where is put into
// each mark's Where ("text", or "commit <sha>" for a commit message). A
// wording inside Markdown code (a fenced block or an inline code span) is
// someone quoting it, not an agent signing, and is left out; one on a
// blockquote line is reported with Quoted set. So is a wording inside an
// HTML comment (a pull request template's hidden text, kept in every
// description written from it), except the comments that open review
// bots' summary blocks.
func Scan(text, where string) []Mark {
	var out []Mark
	h := &haystack{text: text}
	code := codeSpansOf(h)
	var hidden [][]int
	if strings.Contains(text, "<!--") {
		hidden = htmlComment.FindAllStringIndex(text, -1)
	}
	for i, p := range table {
		if p.evidence == Account {
			continue
		}
		for _, loc := range tableFilters[i].findAll(p.re, h) {
			start, end := loc[0], loc[1]
			if inside(code, start, end) || (p.evidence != Summary && inside(hidden, start, end)) {
				continue
			}
			quote := strings.TrimSpace(text[start:end])
			if p.evidence == Summary {
				end = blockEnd(text, end, p)
			}
			out = append(out, Mark{Agent: p.agent, Evidence: p.evidence, Where: where,
				Start: start, End: end, Quote: shorten(quote), Reviewer: p.reviewer,
				Quoted: p.evidence != Summary && inBlockquote(text, start)})
		}
	}
	slices.SortStableFunc(out, func(a, b Mark) int { return a.Start - b.Start })
	return dedupe(out)
}

// ScanAuthor returns the mark of an author account that belongs to a known
// agent or review bot, or nil. Logins compare case-insensitively.
func ScanAuthor(login string) []Mark {
	login = strings.TrimSpace(login)
	if login == "" {
		return nil
	}
	for _, p := range table {
		if p.evidence == Account && p.re.MatchString(login) {
			return []Mark{{Agent: p.agent, Evidence: Account, Where: "author", Quote: shorten(login), Reviewer: p.reviewer}}
		}
	}
	return nil
}

// IsAgentAccount reports whether login is a coding agent's own account (one
// that writes pull requests and commits), as opposed to a review bot's.
func IsAgentAccount(login string) bool {
	ms := ScanAuthor(login)
	return len(ms) > 0 && !ms[0].Reviewer
}

// Rest returns text without the Summary blocks among marks (marks found in
// text by Scan), and whether what is left holds any letter or digit: the
// part a person wrote around pasted bot blocks.
func Rest(text string, marks []Mark) (rest string, hasWords bool) {
	var b strings.Builder
	for _, k := range Kept(text, marks) {
		b.WriteString(text[k[0]:k[1]])
	}
	rest = strings.TrimSpace(b.String())
	return rest, strings.IndexFunc(rest, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// Kept returns the byte ranges [start, end) of text that Rest keeps, in
// order, before Rest trims the spaces around their concatenation: so a
// caller can map an offset in the rest back to text.
func Kept(text string, marks []Mark) [][2]int {
	var out [][2]int
	pos := 0
	for _, m := range marks {
		if m.Evidence != Summary || m.Start < pos || m.End > len(text) {
			continue
		}
		out = append(out, [2]int{pos, m.Start})
		pos = m.End
	}
	return append(out, [2]int{pos, len(text)})
}

// Markdown code: fenced blocks (to their closing fence or the end of the
// text; a closing fence may end in \r, as lines typed into GitHub's web
// forms do) and inline code spans.
var (
	fencedBackticks = regexp.MustCompile("(?ms)^[ \t]*```.*?(?:^[ \t]*```[ \t]*\r?$|\\z)")
	fencedTildes    = regexp.MustCompile(`(?ms)^[ \t]*~~~.*?(?:^[ \t]*~~~[ \t]*\r?$|\z)`)
	inlineCode      = regexp.MustCompile("`[^`\n]+`")
	// htmlComment is an HTML comment, or an unclosed one to the end of the
	// text (GitHub hides both).
	htmlComment = regexp.MustCompile(`(?s)<!--.*?(?:-->|\z)`)
)

// tableFilters[i] is the prefilter of table[i].re; codeFilters those of
// the three code expressions, in codeSpansOf's order.
var (
	tableFilters = func() []prefilter {
		out := make([]prefilter, len(table))
		for i, p := range table {
			out[i] = prefilterOf(p.re)
		}
		return out
	}()
	codeFilters = []prefilter{prefilterOf(fencedBackticks), prefilterOf(fencedTildes), prefilterOf(inlineCode)}
	// needleScan holds every needle of the two, so that a text is read
	// once for all of them.
	needleScan = newNeedleSet(tableFilters, codeFilters)
)

// codeSpans returns the byte spans of Markdown code in text.
func codeSpans(text string) [][]int { return codeSpansOf(&haystack{text: text}) }

// codeSpansOf is codeSpans on a haystack, whose needle scan Scan shares
// with the table's prefilters.
func codeSpansOf(h *haystack) [][]int {
	if !strings.ContainsAny(h.text, "`~") {
		return nil
	}
	var out [][]int
	out = append(out, codeFilters[0].findAll(fencedBackticks, h)...)
	out = append(out, codeFilters[1].findAll(fencedTildes, h)...)
	out = append(out, codeFilters[2].findAll(inlineCode, h)...)
	return out
}

// Quoted reports whether the bytes [start, end) of text are someone quoting
// rather than writing: inside Markdown code (a fenced block or an inline
// code span) or on a blockquote line.
func Quoted(text string, start, end int) bool {
	return inside(codeSpans(text), start, end) || inBlockquote(text, start)
}

// inBlockquote reports whether the line holding byte pos starts, after at
// most three spaces of indent, with the blockquote marker ">".
func inBlockquote(text string, pos int) bool {
	line := text[strings.LastIndexByte(text[:pos], '\n')+1:]
	indent := len(line) - len(strings.TrimLeft(line, " "))
	return indent <= 3 && strings.HasPrefix(line[indent:], ">")
}

// inside reports whether [start, end) lies within one of spans.
func inside(spans [][]int, start, end int) bool {
	for _, sp := range spans {
		if start >= sp[0] && end <= sp[1] {
			return true
		}
	}
	return false
}

// blockEnd is where a summary block that starts at the match ending at
// from ends: after the pattern's end marker, or the end of the text.
func blockEnd(text string, from int, p pattern) int {
	if p.end == nil {
		return len(text)
	}
	loc := p.end.FindStringIndex(text[from:])
	if loc == nil {
		return len(text)
	}
	return from + loc[1]
}

// dedupe drops marks inside an earlier Summary block of the same agent
// (the block's heading matched by a second row), exact repeats, and the
// generic model trailer where a named agent's row matched the same line.
func dedupe(ms []Mark) []Mark {
	out := ms[:0]
	for _, m := range ms {
		inside := false
		for _, prev := range out {
			if m.Agent == LanguageModel && m.Start < prev.End && prev.Start < m.End {
				inside = true // a named agent's trailer, already reported
				break
			}
			if prev.Agent == m.Agent && m.Start >= prev.Start && m.End <= prev.End && (prev.Evidence == Summary || prev.Evidence == m.Evidence) {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, m)
		}
	}
	return out
}

// shorten cuts s to at most maxQuote bytes on a rune boundary, adding "…".
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxQuote {
		return s
	}
	cut := maxQuote
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
