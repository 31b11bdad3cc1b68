package web

import (
	"html"
	"html/template"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/slopguard/slopguard/detector"
)

// Segment is a run of the text: plain, or marked by the reasons whose
// spans cover it.
type Segment struct {
	Text string
	// Marked is true when at least one reason points at this run.
	Marked bool
	// Dir is "machine" or "human": which way the covering reasons push,
	// together (the sum of their weights).
	Dir string
	// Strength is 1 (weak) to 3 (strong), from the size of that sum.
	Strength int
	// Tips are the covering reasons, as listed on the page.
	Tips []Tip
	// ID is a stable identifier of the run on the page ("s3").
	ID string
}

// Tip is a reason as shown beside a marked run.
type Tip struct {
	N      int // the reason's number in the page's list, from 1
	Text   string
	Weight float64
}

// Strength thresholds, in log-odds: a reason worth less than weakBelow is
// weak, one worth strongFrom or more is strong.
const (
	weakBelow  = 0.15
	strongFrom = 0.5
)

// strength maps a weight to 1, 2 or 3.
func strength(w float64) int {
	switch a := math.Abs(w); {
	case a < weakBelow:
		return 1
	case a < strongFrom:
		return 2
	default:
		return 3
	}
}

// direction is "machine" for a positive weight, else "human".
func direction(w float64) string {
	if w > 0 {
		return "machine"
	}
	return "human"
}

// Highlight cuts text into segments at the edges of every reason's spans.
// Spans outside the text are dropped and spans cutting a UTF-8 sequence
// are widened to whole characters, so a stale or hostile span never
// breaks the page.
func Highlight(text string, reasons []detector.Reason) []Segment {
	type span struct {
		start, end, reason int
	}
	var spans []span
	cuts := []int{0, len(text)}
	for i, r := range reasons {
		for _, sp := range r.Spans {
			s, e := min(max(sp.Start, 0), len(text)), min(max(sp.End, 0), len(text))
			for s > 0 && s < len(text) && !utf8.RuneStart(text[s]) {
				s--
			}
			for e < len(text) && !utf8.RuneStart(text[e]) {
				e++
			}
			if s >= e {
				continue
			}
			spans = append(spans, span{s, e, i})
			cuts = append(cuts, s, e)
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var out []Segment
	for k := 0; k+1 < len(cuts); k++ {
		a, b := cuts[k], cuts[k+1]
		seg := Segment{Text: text[a:b]}
		var sum float64
		var seen []int
		for _, sp := range spans {
			if sp.start <= a && b <= sp.end && !slices.Contains(seen, sp.reason) {
				seen = append(seen, sp.reason)
			}
		}
		slices.Sort(seen)
		for _, i := range seen {
			r := reasons[i]
			sum += r.Weight
			seg.Tips = append(seg.Tips, Tip{N: i + 1, Text: r.Text, Weight: r.Weight})
		}
		if len(seen) > 0 {
			seg.Marked, seg.Dir, seg.Strength = true, direction(sum), strength(sum)
		}
		// Merge with the previous run when both are plain.
		if n := len(out); n > 0 && !seg.Marked && !out[n-1].Marked {
			out[n-1].Text += seg.Text
			continue
		}
		out = append(out, seg)
	}
	for i := range out {
		out[i].ID = "s" + itoa(i)
	}
	return out
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

// bidiControls are the characters that reorder the text around them. A
// hostile text uses them to make the page say something else than it
// holds; they are shown as visible marks instead.
var bidiControls = map[rune]string{
	'\u200e': "LRM", '\u200f': "RLM", '\u061c': "ALM",
	'\u202a': "LRE", '\u202b': "RLE", '\u202c': "PDF", '\u202d': "LRO", '\u202e': "RLO",
	'\u2066': "LRI", '\u2067': "RLI", '\u2068': "FSI", '\u2069': "PDI",
}

// showText escapes s for HTML element content and replaces every
// bidirectional control character with a visible mark. It is the one
// place the pages write text as template.HTML, and it escapes all of it.
func showText(s string) template.HTML {
	if !strings.ContainsFunc(s, func(r rune) bool { _, ok := bidiControls[r]; return ok }) {
		return template.HTML(html.EscapeString(s))
	}
	var b strings.Builder
	last := 0
	for i, r := range s {
		name, ok := bidiControls[r]
		if !ok {
			continue
		}
		b.WriteString(html.EscapeString(s[last:i]))
		b.WriteString(`<span class="ctl" title="a hidden direction control character (`)
		b.WriteString(name)
		b.WriteString(`) was here">[`)
		b.WriteString(name)
		b.WriteString(`]</span>`)
		last = i + utf8.RuneLen(r)
	}
	b.WriteString(html.EscapeString(s[last:]))
	return template.HTML(b.String())
}

// plainText is s with bidirectional control characters replaced by
// U+FFFD: for titles and attributes, where markup cannot go.
func plainText(s string) string {
	return strings.Map(func(r rune) rune {
		if _, ok := bidiControls[r]; ok {
			return '\uFFFD'
		}
		return r
	}, s)
}
