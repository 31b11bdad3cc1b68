package detector_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/detector/features"
	"github.com/slopguard/slopguard/detector/normalize"
)

// benchText is about n bytes of mixed prose and Markdown from the committed
// fixtures, so the stage benchmarks run without ../shared.
func benchText(b *testing.B, n int) string {
	b.Helper()
	data, err := os.ReadFile("testdata/tiny.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	src := strings.ReplaceAll(string(data), `\n`, "\n")
	var sb strings.Builder
	for sb.Len() < n {
		sb.WriteString(src)
	}
	s := sb.String()[:n]
	return s[:len(strings.ToValidUTF8(s, ""))]
}

func defaultDetector(b *testing.B) *detector.Detector {
	b.Helper()
	d, err := detector.Default()
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// The four stages, so a regression points at its stage: normalise,
// tokenise, featurise, and the whole Score (which includes the other three
// and the reasons).
func BenchmarkStageNormalize(b *testing.B) {
	text := benchText(b, 4<<10)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		normalize.Normalize(text)
	}
}

func BenchmarkStageTokenize(b *testing.B) {
	d := defaultDetector(b)
	text := normalize.Normalize(benchText(b, 4<<10)).S
	var ids []int32
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		ids = d.Tokenizer().IDs(text, ids[:0])
	}
}

func BenchmarkStageFeaturize(b *testing.B) {
	d := defaultDetector(b)
	text := normalize.Normalize(benchText(b, 4<<10)).S
	ids := d.Tokenizer().IDs(text, nil)
	var v features.Vector
	var stats []float64
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		v.Reset()
		stats = d.Extractor().Extract(text, ids, &v, stats)
	}
}

func BenchmarkScore(b *testing.B) {
	d := defaultDetector(b)
	for _, size := range []struct {
		name string
		n    int
	}{{"1KB", 1 << 10}, {"4KB", 4 << 10}, {"16KB", 16 << 10}, {"64KB", 64 << 10}, {"1MB", 1 << 20}} {
		text := benchText(b, size.n)
		b.Run(size.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				d.Score(text)
			}
		})
	}
}

// BenchmarkScoreOnly is Score without reasons on a short text: the per-text
// cost of bulk scoring (`slopguard score`, `eval`).
func BenchmarkScoreOnly(b *testing.B) {
	d := defaultDetector(b)
	text := benchText(b, 300)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		d.ScoreOnly(text)
	}
}

// BenchmarkScoreFlagged is Score on machine-like text, which gets the full
// explanation (as does any text not judged human) (phrase and sentence-construction reasons with spans): the
// cost of a flag in check, the GitHub App and the Discord bot.
func BenchmarkScoreFlagged(b *testing.B) {
	d := defaultDetector(b)
	data, err := os.ReadFile("testdata/golden/agent_pr.txt")
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{4 << 10, 64 << 10} {
		text := strings.Repeat(string(data)+"\n", n/len(data)+1)[:n]
		// Every verdict but human gets the phrase reasons. The 64 KB text
		// (the PR repeated) is unsure rather than flagged: repetition and
		// length calibration pull its score down.
		if d.Score(text).Verdict == detector.Human {
			b.Fatalf("the %d-byte text is judged human: the benchmark would not explain it", n)
		}
		b.Run(fmt.Sprintf("%dKB", n>>10), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				d.Score(text)
			}
		})
	}
}
