package detector

import (
	"math"
	"testing"

	"github.com/slopguard/slopguard/detector/features"
	"github.com/slopguard/slopguard/detector/normalize"
)

// TestAttributionCoversTheScore checks that the reasons' attribution sees
// every feature the score sums: the n-gram occurrences, each with a token
// span, plus the statistics and the bias add up to the raw score.
func TestAttributionCoversTheScore(t *testing.T) {
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
		z, stats, doc := d.raw(norm, buf)
		spans := d.tokenSpans(norm, len(buf.ids))
		if spans == nil {
			t.Errorf("%q: no token spans for %d tokens", text, len(buf.ids))
			continue
		}
		sum := d.file.Header.Bias
		d.ext.Occurrences(doc, buf.ids, spans, func(o features.Occurrence) {
			sum += float64(d.weights[o.Bucket]) * float64(o.Value)
		})
		sx := 1 / math.Sqrt(float64(len(features.Stats)))
		for s, v := range stats {
			sum += float64(d.weights[d.ext.StatFeature(s, d.ext.Bin(s, v))]) * sx
		}
		if math.Abs(sum-z) > 1e-4 {
			t.Errorf("%q: attributed %v, scored %v", text, sum, z)
		}
	}
}
