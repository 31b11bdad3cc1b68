package detector

import (
	"testing"

	"github.com/slopguard/slopguard/detector/features"
	"github.com/slopguard/slopguard/detector/normalize"
)

// TestAttributionLinesUpWithTheScore checks what the reasons rely on: every
// token has a span, and Occurrences walks the n-grams in the order raw added
// them to the feature vector, bucket for bucket, so the contributions raw
// kept belong to the spans the walk gives.
func TestAttributionLinesUpWithTheScore(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"\n\nLeading newlines, then a sentence.",
		"  leading spaces and a    gap",
		"## Summary\n\n- Added a comprehensive test suite\n- Refactored `parser.go`\n\n## Testing\n\nAll tests pass.",
		"a-very-long-hyphenated-identifier-that-goes-on-and-on-well-past-one-hundred-bytes-of-text-without-a-single-space-in-it-at-all",
		"Ünïcödé, emoji 🎉 and “quotes” — mixed.",
	}
	buf := d.buffers.Get().(*buffers)
	defer d.buffers.Put(buf)
	for _, text := range texts {
		norm := normalize.Normalize(text).S
		_, _, doc := d.raw(norm, buf, true)
		spans := d.tokenSpans(norm, buf.tokSpans, len(buf.ids))
		if spans == nil {
			t.Errorf("%q: no token spans for %d tokens", text, len(buf.ids))
			continue
		}
		if len(buf.contrib) != len(buf.vec.Idx) {
			t.Fatalf("%q: %d contributions for %d features", text, len(buf.contrib), len(buf.vec.Idx))
		}
		k := 0
		d.ext.Occurrences(doc, buf.ids, spans, func(o features.Occurrence) {
			if k < len(buf.vec.Idx) && buf.vec.Idx[k] != o.Bucket {
				t.Errorf("%q: occurrence %d is bucket %d, the vector's entry %d", text, k, o.Bucket, buf.vec.Idx[k])
			}
			k++
		})
		if want := len(buf.vec.Idx) - len(features.Stats); k != want {
			t.Errorf("%q: %d occurrences, want %d (the vector less its statistics)", text, k, want)
		}
	}
}
