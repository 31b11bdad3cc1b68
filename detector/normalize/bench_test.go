package normalize

import (
	"strings"
	"testing"
)

// prose is ordinary ASCII text with tidy whitespace.
const prose = "The quick brown fox jumps over the lazy dog. It was not the first time,\n" +
	"and it would not be the last: foxes, as a rule, do not learn.\n\n"

// messy is ASCII text whose whitespace needs work.
const messy = "The quick  brown fox\tjumps over the lazy dog.  \r\n" +
	"It was not the first time,   and it would not be the last.\r\n\r\n\r\n"

// mixed is text with accents, homoglyphs, fullwidth letters, invisible
// characters, Russian and emoji.
const mixed = "Café naïve résumé — “quoted” text. The pаypal lоgin is ｆｕｌｌ of ﬁne trаps.\u200b\n" +
	"Москва — столица России. Ελληνικά κείμενα. 👩\u200d💻 works\u00a0late.\n\n"

func BenchmarkNormalize(b *testing.B) {
	for _, bc := range []struct {
		name, unit string
		size       int
	}{
		{"ascii-prose", prose, 64 << 10},
		{"ascii-messy", messy, 64 << 10},
		{"mixed", mixed, 64 << 10},
		{"ascii-1MB", prose, 1 << 20},
		{"mixed-1MB", mixed, 1 << 20},
		{"marks-1MB", "a\u0301\u0302\u0303\u0304\u0305", 1 << 20},
	} {
		s := strings.Repeat(bc.unit, bc.size/len(bc.unit)+1)[:bc.size]
		s = strings.ToValidUTF8(s, "")
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				Normalize(s)
			}
		})
	}
}

func BenchmarkOriginal(b *testing.B) {
	t := Normalize(strings.Repeat(mixed, 1000))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		p := i % len(t.S)
		t.Original(p, min(p+10, len(t.S)))
	}
}
