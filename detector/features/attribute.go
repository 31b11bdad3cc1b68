package features

import (
	"math"
	"unicode"
)

// Group names a family of hashed n-gram features.
type Group int

// The hashed n-gram groups, in the order ExtractDoc adds them.
const (
	GroupToken  Group = iota // token unigrams and bigrams
	GroupChar                // byte n-grams
	GroupWord                // word unigrams and bigrams
	GroupMasked              // masked word n-grams
	GroupShape               // n-grams of the text's shape
)

// Occurrence is one hashed n-gram occurrence of a text: the bucket it adds
// to, the value it adds there, and the bytes of the text it was read from.
type Occurrence struct {
	Group      Group
	Bucket     uint32
	Value      float32
	Start, End int // byte offsets in Doc.Text, half-open
}

// Occurrences calls fn for every hashed n-gram ExtractDoc adds for d and ids,
// in the same order and with the same buckets and values, each with the
// bytes it was read from. It is the slow path that explains a score:
// summing the Values per bucket gives ExtractDoc's vector without the
// statistics. With Config.Presence the Values are still per occurrence;
// ExtractDoc keeps one entry per distinct bucket of a group instead, at
// 1/sqrt(the group's distinct buckets) (times its scale).
//
// tokenSpans holds, per token id, the byte range of the pre-token it
// belongs to (see tokenize.Tokenizer.Words); when its length differs from
// ids, token n-grams are skipped.
func (e *Extractor) Occurrences(d *Doc, ids []int32, tokenSpans [][2]int, fn func(Occurrence)) {
	text := d.Text
	if len(ids) > 0 && len(tokenSpans) == len(ids) {
		n := len(ids)
		if e.cfg.TokenBigrams {
			n += len(ids) - 1
		}
		x := float32(1 / math.Sqrt(float64(n)))
		for i, id := range ids {
			sp := tokenSpans[i]
			fn(Occurrence{GroupToken, e.TokenHash(id), x, sp[0], sp[1]})
			if e.cfg.TokenBigrams && i > 0 {
				fn(Occurrence{GroupToken, e.BigramHash(ids[i-1], id), x, tokenSpans[i-1][0], sp[1]})
			}
		}
	}
	if n := e.charNgramCount(len(text)); n > 0 {
		x := float32(1 / math.Sqrt(float64(n)))
		e.CharNgrams(text, func(b uint32, start, n int) {
			fn(Occurrence{GroupChar, b, x, start, start + n})
		})
	}
	e.wordOccurrences(d, fn)
	e.shapeOccurrences(d, fn)
}

// wordOccurrences calls fn for every word and masked word n-gram of d,
// each with the bytes of its words.
func (e *Extractor) wordOccurrences(d *Doc, fn func(Occurrence)) {
	if !e.cfg.WordNgrams && e.cfg.MaskedNgrams < 2 || len(d.Words) == 0 {
		return
	}
	d.wordSpans = d.appendWordSpans(d.wordSpans[:0])
	spans := d.wordSpans
	if len(spans) != len(d.Words) {
		return // cannot happen: WordSpans splits as Parse does
	}
	if e.cfg.WordNgrams {
		x := float32(scaleOr1(e.cfg.WordScale) / math.Sqrt(float64(2*len(d.Words)-1)))
		var prev uint64
		for i, h := range d.wordHashes {
			fn(Occurrence{GroupWord, uint32(mix(h) & e.mask), x, spans[i][0], spans[i][1]})
			if i > 0 {
				fn(Occurrence{GroupWord, uint32(mix(prev*31+h^seedBigram) & e.mask), x, spans[i-1][0], spans[i][1]})
			}
			prev = h
		}
	}
	if maxN := e.cfg.MaskedNgrams; maxN >= 2 {
		x := maskedValue(len(d.maskHashes), maxN) * float32(scaleOr1(e.cfg.MaskedScale))
		e.maskedNgrams(d.maskHashes, maxN, func(b uint32, i, n int) {
			fn(Occurrence{GroupMasked, b, x, spans[i][0], spans[i+n-1][1]})
		})
	}
}

// shapeOccurrences calls fn for every shape n-gram of d.Text, each with the
// bytes of the text its shape bytes were read from.
func (e *Extractor) shapeOccurrences(d *Doc, fn func(Occurrence)) {
	if e.cfg.ShapeMax == 0 {
		return
	}
	text := d.Text
	shape, at := d.shape(e.cfg.ShapeFoldCase)
	n := ngramCount(len(shape), e.cfg.ShapeMin, e.cfg.ShapeMax)
	if n == 0 {
		return
	}
	x := float32(1 / math.Sqrt(float64(n)))
	e.shapeNgrams(shape, func(b uint32, i, n int) {
		end := len(text)
		if i+n < len(at) {
			end = int(at[i+n])
		}
		fn(Occurrence{GroupShape, b, x, int(at[i]), end})
	})
}

// isWordRune reports whether r belongs to a word of Doc.Words: letters,
// digits and apostrophes.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’'
}

// WordSpans returns the byte range of each of d.Words in d.Text, in order.
func (d *Doc) WordSpans() [][2]int {
	return d.appendWordSpans(make([][2]int, 0, len(d.Words)))
}

// appendWordSpans appends the byte range of each of d.Words to spans.
func (d *Doc) appendWordSpans(spans [][2]int) [][2]int {
	start := -1
	for i, r := range d.Text {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			spans = append(spans, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		spans = append(spans, [2]int{start, len(d.Text)})
	}
	return spans
}
