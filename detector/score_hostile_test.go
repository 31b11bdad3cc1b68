package detector_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/slopguard/slopguard/detector"
)

// TestHostileTexts scores texts built to be slow or memory-hungry on the
// embedded model. Scoring samples at most MaxScoredBytes, so allocations must
// stay bounded whatever the input size; wall time is only logged (machines
// are noisy), allocations are asserted with a generous bound.
func TestHostileTexts(t *testing.T) {
	d, err := detector.Default()
	if err != nil {
		t.Skipf("embedded model does not load: %v", err)
	}
	tests := []struct {
		name string
		text string
	}{
		{"one 10 MB word", strings.Repeat("a", 10<<20)},
		{"100k newlines", strings.Repeat("\n", 100_000)},
		{"100k short lines", strings.Repeat("ok\n", 100_000)},
		{"3M combining marks", "e" + strings.Repeat("\u0301", 3_000_000)},
		{"1M zero-width spaces", strings.Repeat("a\u200b", 1_000_000)},
		{"invalid UTF-8, 4 MB", strings.Repeat("\xff\xfe\xc3", 4<<20/3)},
		{"1M emoji ZWJ sequences", strings.Repeat("👩\u200d👩\u200d👧", 1_000_000/3)},
		{"10 MB of one repeated sentence", strings.Repeat("It is important to note that this is crucial. ", 10<<20/47)},
	}
	// The bound: the sample is at most 64 KiB; a few hundred times that covers
	// normalisation's copies and offset maps, tokens and features.
	const maxAlloc = 64 << 20
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			res := d.Score(tt.text)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d bytes: %v, %.1f MiB allocated, score %.3f %s sampled=%v note=%q",
				len(tt.text), took.Round(time.Millisecond), float64(alloc)/(1<<20), res.Score, res.Verdict, res.Sampled, res.Note)
			if alloc > maxAlloc {
				t.Errorf("got %d MiB allocated, want at most %d MiB", alloc>>20, maxAlloc>>20)
			}
			if len(tt.text) > detector.MaxScoredBytes && !res.Sampled {
				t.Errorf("got Sampled false for a %d-byte text, want true (the truncation is documented in the result)", len(tt.text))
			}
			if strings.HasPrefix(res.Note, "internal error") {
				t.Errorf("got note %q, want no internal error", res.Note)
			}
		})
	}
}
