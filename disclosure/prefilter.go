package disclosure

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A regular expression without a literal prefix (a case-insensitive one, or
// one anchored at line starts) is run at every byte of a text, which made
// Scan cost more than scoring the text. Most texts hold none of the words
// the patterns need, so each expression gets a prefilter: literals of which
// every match contains at least one. A text holding none of them cannot
// match, and the expression is not run. The literals are read from the
// expression's own syntax tree, so the table stays the single source.

// needle is one literal of a prefilter. fold means it is compared ignoring
// ASCII case: it then holds only runes whose case-folding equivalents are
// all ASCII, lower-cased, and is searched in the text with its ASCII
// letters lower-cased (a byte-for-byte map, so a match there is a match
// ignoring case in the text).
type needle struct {
	s    string
	fold bool
}

// prefilter is a set of needles, one of which every match contains. A nil
// prefilter lets every text through.
type prefilter []needle

// haystack is a text with, made on first use, its copy with ASCII letters
// lower-cased, in which case-insensitive needles are searched.
type haystack struct {
	text, lower string
	lowered     bool
}

// lowerASCII returns h.text with ASCII letters lower-cased (the same length).
func (h *haystack) lowerASCII() string {
	if !h.lowered {
		b := []byte(h.text)
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		h.lower, h.lowered = string(b), true
	}
	return h.lower
}

// mayMatch reports whether h's text holds one of the needles (always true
// for a nil prefilter).
func (p prefilter) mayMatch(h *haystack) bool {
	if p == nil {
		return true
	}
	for _, n := range p {
		if n.fold && strings.Contains(h.lowerASCII(), n.s) || !n.fold && strings.Contains(h.text, n.s) {
			return true
		}
	}
	return false
}

// findAll is re.FindAllStringIndex(h.text, -1), skipped when p says there
// can be no match.
func (p prefilter) findAll(re *regexp.Regexp, h *haystack) [][]int {
	if !p.mayMatch(h) {
		return nil
	}
	return re.FindAllStringIndex(h.text, -1)
}

// minNeedle is the shortest literal worth a prefilter: shorter ones pass
// almost every text and only add a search.
const minNeedle = 3

// prefilterOf returns the prefilter of re, or nil when none is found.
func prefilterOf(re *regexp.Regexp) prefilter {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil // cannot happen: re compiled from the same source
	}
	return required(tree)
}

// required returns needles one of which every match of re contains, or
// nil. It only claims what the tree guarantees: a literal, a concatenation
// (its best operand), a group or a repetition of at least once (its
// operand), and an alternation when every branch has needles (all of them).
func required(re *syntax.Regexp) prefilter {
	switch re.Op {
	case syntax.OpLiteral:
		return literalNeedle(re.Rune, re.Flags&syntax.FoldCase != 0)
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		var best prefilter
		for _, sub := range re.Sub {
			if p := required(sub); p != nil && (best == nil || p.shortest() > best.shortest()) {
				best = p
			}
		}
		return best
	case syntax.OpAlternate:
		var all prefilter
		for _, sub := range re.Sub {
			p := required(sub)
			if p == nil {
				return nil
			}
			all = append(all, p...)
		}
		return all
	}
	return nil
}

// shortest is the length of p's shortest needle.
func (p prefilter) shortest() int {
	n := -1
	for _, x := range p {
		if n < 0 || len(x.s) < n {
			n = len(x.s)
		}
	}
	return n
}

// literalNeedle returns a needle for a literal, or nil when it has none of
// at least minNeedle bytes. A case-insensitive literal is cut to its
// longest run of runes whose every case-folding equivalent is ASCII ('s'
// is not one: it folds with U+017F), so an ASCII comparison ignoring case
// finds every text the expression could match.
func literalNeedle(runes []rune, fold bool) prefilter {
	if !fold {
		if s := string(runes); len(s) >= minNeedle {
			return prefilter{{s: s}}
		}
		return nil
	}
	var best, cur []byte
	for _, r := range runes {
		if !asciiFoldOnly(r) {
			cur = cur[:0]
			continue
		}
		cur = append(cur, byte(unicode.ToLower(r)))
		if len(cur) > len(best) {
			best = append(best[:0], cur...)
		}
	}
	if len(best) < minNeedle {
		return nil
	}
	return prefilter{{s: string(best), fold: true}}
}

// asciiFoldOnly reports whether r and every rune it case-folds to are ASCII.
func asciiFoldOnly(r rune) bool {
	if r >= utf8.RuneSelf {
		return false
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
