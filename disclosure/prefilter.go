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
// ignoring case in the text). id is 1 + the needle's index in needleScan
// when it is one of the expressions Scan runs, 0 otherwise.
type needle struct {
	s    string
	fold bool
	id   int
}

// prefilter is a set of needles, one of which every match contains. A nil
// prefilter lets every text through.
type prefilter []needle

// haystack is a text with, found on first use, the needles of needleScan
// it holds.
type haystack struct {
	text    string
	found   []uint64 // bit i: the text holds needleScan.needles[i]
	scanned bool
}

// holds reports whether h's text holds the registered needle n.
func (h *haystack) holds(n needle) bool {
	if !h.scanned {
		h.found = needleScan.find(h.text, h.found[:0])
		h.scanned = true
	}
	i := n.id - 1
	return h.found[i/64]&(1<<(i%64)) != 0
}

// mayMatch reports whether h's text holds one of the needles (always true
// for a nil prefilter).
func (p prefilter) mayMatch(h *haystack) bool {
	if p == nil {
		return true
	}
	for _, n := range p {
		if n.id > 0 {
			if h.holds(n) {
				return true
			}
			continue
		}
		if n.fold && containsFold(h.text, n.s) || !n.fold && strings.Contains(h.text, n.s) {
			return true
		}
	}
	return false
}

// containsFold reports whether text, with its ASCII letters lower-cased,
// contains the lower-case needle s.
func containsFold(text, s string) bool {
	for i := 0; i+len(s) <= len(text); i++ {
		if hasFoldAt(text, i, s) {
			return true
		}
	}
	return false
}

// lowerByte maps each byte to itself with ASCII letters lower-cased.
var lowerByte = func() (t [256]byte) {
	for b := range 256 {
		t[b] = byte(b)
		if 'A' <= b && b <= 'Z' {
			t[b] = byte(b) + 'a' - 'A'
		}
	}
	return t
}()

// hasFoldAt reports whether text[i:], ASCII letters lower-cased, starts
// with the lower-case s.
func hasFoldAt(text string, i int, s string) bool {
	if len(text)-i < len(s) {
		return false
	}
	for k := 0; k < len(s); k++ {
		if lowerByte[text[i+k]] != s[k] {
			return false
		}
	}
	return true
}

// needleSet finds, in one pass over a text, which of a fixed list of
// needles (each of at least two bytes) the text holds. Each needle has an
// anchor: the pair of neighbouring bytes in it that ordinary prose holds
// least ("[b" in "claude[bot]"). A table of the anchors, lower-cased,
// turns most positions away with one lookup; where an anchor is found,
// the needles it belongs to are compared in full around it.
type needleSet struct {
	needles []needle
	anchor  []int                // each needle's anchor offset
	pairs   [1 << 16 / 64]uint64 // bit k: k is some needle's lower-cased anchor
	byPair  map[uint16][]int     // indexes into needles, by anchor
}

// letterRank orders the lower-case letters from commonest to rarest in
// English prose.
const letterRank = "etaoinshrdlcumwfgypbvkjxqz"

// byteRarity scores how seldom byte c (lower-cased) appears in prose.
func byteRarity(c byte) int {
	switch {
	case c == ' ' || c == ',' || c == '.':
		return 0
	case 'a' <= c && c <= 'z':
		return 1 + strings.IndexByte(letterRank, c)
	}
	return 40 // digits, punctuation, brackets, non-ASCII
}

// anchorOf returns the offset of the pair of s whose rarer byte is the
// rarest (the first such pair when several tie).
func anchorOf(s string) int {
	best, bestScore := 0, -1
	for i := 0; i+1 < len(s); i++ {
		a, b := byteRarity(lowerByte[s[i]]), byteRarity(lowerByte[s[i+1]])
		if score := 64*max(a, b) + min(a, b); score > bestScore {
			best, bestScore = i, score
		}
	}
	return best
}

// pairKey is the lower-cased pair of bytes at s[i:i+2].
func pairKey(s string, i int) uint16 {
	return uint16(lowerByte[s[i]])<<8 | uint16(lowerByte[s[i+1]])
}

// newNeedleSet registers the needles of filters, setting their ids.
// Needles of fewer than two bytes are left unregistered.
func newNeedleSet(filters ...[]prefilter) *needleSet {
	s := &needleSet{byPair: map[uint16][]int{}}
	index := map[needle]int{}
	for _, group := range filters {
		for _, p := range group {
			for k, n := range p {
				if len(n.s) < 2 {
					continue
				}
				key := needle{s: n.s, fold: n.fold}
				i, ok := index[key]
				if !ok {
					i = len(s.needles)
					index[key] = i
					s.needles = append(s.needles, key)
					at := anchorOf(n.s)
					s.anchor = append(s.anchor, at)
					pk := pairKey(n.s, at)
					s.pairs[pk/64] |= 1 << (pk % 64)
					s.byPair[pk] = append(s.byPair[pk], i)
				}
				p[k].id = i + 1
			}
		}
	}
	return s
}

// find returns found with bit i set for each needle i text holds.
func (s *needleSet) find(text string, found []uint64) []uint64 {
	found = append(found, make([]uint64, (len(s.needles)+63)/64)...)
	for i := 0; i+1 < len(text); i++ {
		pk := pairKey(text, i)
		if s.pairs[pk/64]&(1<<(pk%64)) == 0 {
			continue
		}
		for _, j := range s.byPair[pk] {
			n, at := s.needles[j], i-s.anchor[j]
			if at < 0 {
				continue
			}
			if n.fold && hasFoldAt(text, at, n.s) || !n.fold && strings.HasPrefix(text[at:], n.s) {
				found[j/64] |= 1 << (j % 64)
			}
		}
	}
	return found
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
