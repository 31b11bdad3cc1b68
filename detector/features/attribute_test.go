package features

import (
	"math"
	"strings"
	"testing"
)

// TestOccurrencesMatchExtract checks that the explaining walk adds exactly
// what ExtractDoc adds, bucket by bucket, for every feature configuration.
func TestOccurrencesMatchExtract(t *testing.T) {
	t.Parallel()
	edges := make([][]float64, len(Stats))
	for i := range edges {
		edges[i] = []float64{0}
	}
	base := Config{Hashing: CurrentHashing, HashBits: 14, CharMin: 3, CharMax: 5, StatBins: 2}
	configs := map[string]Config{
		"chars and tokens": base,
		"default": func() Config {
			c := DefaultConfig()
			c.StatBins = 2
			return c
		}(),
		"words, no bigrams": func() Config {
			c := base
			c.WordNgrams = true
			return c
		}(),
		"default, scaled groups": func() Config {
			c := DefaultConfig()
			c.StatBins, c.WordScale, c.MaskedScale = 2, 0.5, 2
			return c
		}(),
		"masked only": func() Config {
			c := base
			c.TokenBigrams, c.MaskedNgrams = true, 3
			return c
		}(),
	}
	texts := []string{
		"",
		"ok",
		"Fix typo",
		"This change refactors the parser so that it is more robust, and it adds tests.",
		"Ünïcödé wörds — and don’t forget 42 numbers!\n- a list\n- of items",
	}
	for name, cfg := range configs {
		e, err := NewExtractor(cfg, edges)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range texts {
			d := NewDoc(text)
			// One made-up token per word, spanning it.
			spans := d.WordSpans()
			ids := make([]int32, len(spans))
			for i := range ids {
				ids[i] = int32(i % 7)
			}
			var v Vector
			e.ExtractDoc(d, ids, &v, nil)
			want := map[uint32]float64{}
			for i, idx := range v.Idx {
				if int(idx) < e.Buckets() {
					want[idx] += float64(v.Val[i])
				}
			}
			got := map[uint32]float64{}
			e.Occurrences(d, ids, spans, func(o Occurrence) {
				if o.Start < 0 || o.End > len(text) || o.Start >= o.End {
					t.Errorf("%s %q: bad span [%d,%d)", name, text, o.Start, o.End)
				}
				got[o.Bucket] += float64(o.Value)
			})
			if len(got) != len(want) {
				t.Errorf("%s %q: %d buckets explained, %d extracted", name, text, len(got), len(want))
			}
			for b, x := range want {
				if math.Abs(got[b]-x) > 1e-5 {
					t.Errorf("%s %q: bucket %d explained %v, extracted %v", name, text, b, got[b], x)
				}
			}
		}
	}
}

func TestWordSpansMatchWords(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"", "   ", "Don’t stop — 3 times!", "a-b c'd\ne", "Ελληνικά και English"} {
		d := NewDoc(text)
		spans := d.WordSpans()
		if len(spans) != len(d.Words) {
			t.Fatalf("%q: %d spans for %d words", text, len(spans), len(d.Words))
		}
		for i, sp := range spans {
			if got := strings.ToLower(text[sp[0]:sp[1]]); got != d.Words[i] {
				t.Errorf("%q: span %d is %q, word is %q", text, i, got, d.Words[i])
			}
		}
	}
}

func FuzzWordSpans(f *testing.F) {
	f.Add("Hello, world’s 2 cafés")
	f.Fuzz(func(t *testing.T, text string) {
		d := NewDoc(text)
		if spans := d.WordSpans(); len(spans) != len(d.Words) {
			t.Fatalf("%q: %d spans for %d words", text, len(spans), len(d.Words))
		}
	})
}
