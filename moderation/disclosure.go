package moderation

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/disclosure"
)

// Commit is one commit of a pull request, for the trailers in its message.
type Commit struct {
	SHA     string `json:"sha"`
	Message string `json:"message"`
}

// Disclosure is what an item says about where it came from: the marks of
// agents and bots found in its text, its commits and its author account.
type Disclosure struct {
	// Marks are every mark found: the item's text first, then its author,
	// then its commits.
	Marks []disclosure.Mark `json:"marks"`
	// Own is true when the item's own text, commits or author say an agent
	// wrote it; its verdict is then machine whatever the text scores.
	Own bool `json:"own"`
	// Pasted is true when a person's text carries a review bot's block, or
	// quotes an agent's mark in a blockquote; the verdict then comes from
	// the person's part, and the block or quote is reported here.
	Pasted bool `json:"pasted,omitempty"`
	// Agents names the agents and bots, each once, in the order found.
	Agents []string `json:"agents"`
}

// SignalDisclosure is the signal of the reason a disclosure adds to a verdict.
const SignalDisclosure = "disclosure"

// FamilyProvenance is the reason family of disclosures and honeypots: what
// the item says about itself, not a pattern of its writing.
const FamilyProvenance = "provenance"

// Disclose finds the marks of agents and bots in the item's text, author and
// commits; nil when there is none. Marks in the text carry spans into
// it.Text(). A review bot's account (CodeRabbit commenting) counts as Own:
// the bot wrote the comment.
func Disclose(it Item) *Disclosure {
	var marks []disclosure.Mark
	text := it.Text()
	marks = append(marks, disclosure.Scan(text, "text")...)
	marks = append(marks, disclosure.ScanAuthor(it.Author)...)
	for _, c := range it.Commits {
		sha := c.SHA
		if len(sha) > 12 {
			sha = sha[:12]
		}
		marks = append(marks, disclosure.Scan(c.Message, "commit "+sha)...)
	}
	if len(marks) == 0 {
		return nil
	}
	d := &Disclosure{Marks: marks}
	for _, m := range marks {
		if m.Own() {
			d.Own = true
		} else {
			d.Pasted = true
		}
		if !slices.Contains(d.Agents, m.Agent) {
			d.Agents = append(d.Agents, m.Agent)
		}
	}
	if d.Pasted {
		// A description that is nothing but a bot's block was written by the bot.
		if _, words, _ := personPart(it, marks); !words {
			d.Own = true
		}
	}
	return d
}

// First is the first mark that says the item is an agent's own work, or
// the first mark when there is none.
func (d *Disclosure) First() disclosure.Mark {
	for _, m := range d.Marks {
		if m.Own() {
			return m
		}
	}
	return d.Marks[0]
}

// Sentence says the first own mark in words, e.g. `discloses Claude Code
// (signature line "🤖 Generated with [Claude Code](…)")`.
func (d *Disclosure) Sentence() string {
	m := d.First()
	where := ""
	if strings.HasPrefix(m.Where, "commit ") {
		where = " in " + m.Where
	}
	verb := "discloses"
	switch {
	case m.Quoted:
		verb = "quotes a mark of"
	case !m.Own():
		verb = "carries a pasted block by"
	}
	return fmt.Sprintf("%s %s (%s%s: %q)", verb, m.Agent, m.Evidence.Describe(), where, m.Quote)
}

// personPart is the item's text without the review bots' blocks, whether
// any words are left, and toText, which maps a span of the part to the same
// bytes of it.Text().
func personPart(it Item, marks []disclosure.Mark) (part string, words bool, toText func(detector.Span) detector.Span) {
	var inText []disclosure.Mark
	for _, m := range marks {
		if m.Where == "text" {
			inText = append(inText, m)
		}
	}
	text := it.Text()
	part, words = disclosure.Rest(text, inText)
	kept := disclosure.Kept(text, inText)
	var joined strings.Builder
	for _, k := range kept {
		joined.WriteString(text[k[0]:k[1]])
	}
	// Rest trims the joined pieces: offsets in part start lead bytes in.
	lead := joined.Len() - len(strings.TrimLeftFunc(joined.String(), unicode.IsSpace))
	at := func(o int, end bool) int {
		o += lead
		for _, k := range kept {
			n := k[1] - k[0]
			if o < n || (end && o == n) {
				return k[0] + o
			}
			o -= n
		}
		return len(text)
	}
	toText = func(sp detector.Span) detector.Span {
		return detector.Span{Start: at(sp.Start, false), End: at(sp.End, true)}
	}
	return part, words, toText
}

// Judge scores an item with disclosures taken into account; every surface
// (the App, the CI check, `slopguard score`) calls it, so they agree:
//   - an item whose own text, commits or author disclose an agent gets the
//     verdict machine, with the disclosure as its first reason; the text
//     is still scored and its score kept;
//   - a person's text with a review bot's block pasted in is scored on the
//     person's part only, and the block is reported in the Disclosure;
//   - anything else is scored as it is.
func Judge(score func(text string) detector.Result, it Item) (detector.Result, *Disclosure) {
	d := Disclose(it)
	text := it.Text()
	var toText func(detector.Span) detector.Span
	if d != nil && d.Pasted && !d.Own {
		text, _, toText = personPart(it, d.Marks)
	}
	res := score(text)
	if toText != nil {
		// The model's spans point into the part it read; reasons point into it.Text().
		reasons := make([]detector.Reason, len(res.Reasons))
		for i, r := range res.Reasons {
			if len(r.Spans) > 0 {
				spans := make([]detector.Span, len(r.Spans))
				for j, sp := range r.Spans {
					spans[j] = toText(sp)
				}
				r.Spans = spans
			}
			reasons[i] = r
		}
		res.Reasons = reasons
	}
	if d == nil || !d.Own {
		return res, d
	}
	m := d.First()
	r := detector.Reason{Family: FamilyProvenance, Signal: SignalDisclosure + "." + string(m.Evidence), Text: d.Sentence()}
	if m.Where == "text" && m.End > m.Start {
		r.Spans = []detector.Span{{Start: m.Start, End: m.End}}
	}
	res.Reasons = append([]detector.Reason{r}, res.Reasons...)
	res.Verdict = detector.Machine
	return res, d
}
