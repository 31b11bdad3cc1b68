package features

import (
	"math"
	"slices"
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
		"default without presence": func() Config {
			c := DefaultConfig()
			c.StatBins, c.Presence = 2, false
			return c
		}(),
		"chars and tokens, presence": func() Config {
			c := base
			c.Presence = true
			return c
		}(),
		"default, scaled groups": func() Config {
			c := DefaultConfig()
			c.StatBins, c.WordScale, c.MaskedScale = 2, 0.5, 2
			return c
		}(),
		"default with shape n-grams": func() Config {
			c := DefaultConfig()
			c.StatBins, c.ShapeMin, c.ShapeMax = 2, 3, 6
			return c
		}(),
		"shape n-grams without presence": func() Config {
			c := base
			c.ShapeMin, c.ShapeMax = 1, 2
			return c
		}(),
		"shape n-grams, case folded": func() Config {
			c := DefaultConfig()
			c.StatBins, c.ShapeFoldCase = 2, true
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
			// With Presence a bucket counts once per group, at
			// scale/sqrt(the group's distinct buckets).
			type key struct {
				g Group
				b uint32
			}
			seen := map[key]bool{}
			distinct := map[Group]int{}
			e.Occurrences(d, ids, spans, func(o Occurrence) {
				if o.Start < 0 || o.End > len(text) || o.Start >= o.End {
					t.Errorf("%s %q: bad span [%d,%d)", name, text, o.Start, o.End)
				}
				if !cfg.Presence {
					got[o.Bucket] += float64(o.Value)
					return
				}
				if k := (key{o.Group, o.Bucket}); !seen[k] {
					seen[k] = true
					distinct[o.Group]++
				}
			})
			for k := range seen {
				scale := map[Group]float64{GroupWord: scaleOr1(cfg.WordScale), GroupMasked: scaleOr1(cfg.MaskedScale)}[k.g]
				if scale == 0 {
					scale = 1
				}
				got[k.b] += float64(float32(scale / math.Sqrt(float64(distinct[k.g]))))
			}
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

func TestPresenceCountsEachBucketOncePerGroup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		idx     []uint32
		start   int
		wantIdx []uint32
	}{
		{"no entries", nil, 0, nil},
		{"one", []uint32{7}, 0, []uint32{7}},
		{"repeats keep the first place", []uint32{5, 9, 5, 5, 2, 9}, 0, []uint32{5, 9, 2}},
		{"entries before start are another group's", []uint32{5, 5, 9, 5, 9, 1 << 20}, 2, []uint32{5, 5, 9, 5, 1 << 20}},
		{"zero is a bucket", []uint32{0, 0, 3, 0}, 0, []uint32{0, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Vector{Idx: slices.Clone(tt.idx), Val: make([]float32, len(tt.idx))}
			for i := range v.Val {
				v.Val[i] = 0.25
			}
			v.presence(tt.start, 2)
			if !slices.Equal(v.Idx, tt.wantIdx) {
				t.Fatalf("buckets %v, want %v", v.Idx, tt.wantIdx)
			}
			for i, x := range v.Val {
				want := float32(0.25) // untouched before start
				if i >= tt.start {
					want = float32(2 / math.Sqrt(float64(len(tt.wantIdx)-tt.start)))
				}
				if x != want {
					t.Errorf("value %d is %v, want %v", i, x, want)
				}
			}
		})
	}
	// Many distinct buckets and repeats, against a map.
	var v Vector
	want := map[uint32]bool{}
	for i := range 5000 {
		b := uint32(i*7919) % 1777
		v.Idx, v.Val = append(v.Idx, b), append(v.Val, 1)
		want[b] = true
	}
	v.presence(0, 1)
	if len(v.Idx) != len(want) {
		t.Fatalf("%d buckets kept, want %d", len(v.Idx), len(want))
	}
	for _, b := range v.Idx {
		if !want[b] {
			t.Fatalf("bucket %d kept twice or made up", b)
		}
		delete(want, b)
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
