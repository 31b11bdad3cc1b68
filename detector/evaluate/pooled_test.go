package evaluate

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"

	"github.com/slopguard/slopguard/detector"
)

// TestPooledThresholdIsDeployable checks that the pooled 1% threshold the
// Markdown report prints keeps FPR at or below 1% when used as printed: it
// is rounded up, never below the human score it must stay above.
func TestPooledThresholdIsDeployable(t *testing.T) {
	t.Parallel()
	// k = 1 for 100 humans: 0.99 may be flagged, 0.98764 may not; rounding
	// the cut to nearest at four decimals (0.9876) would flag it.
	var s Scores
	for _, x := range []float64{0.99, 0.98764} {
		s = append(s, Sample{Score: x, Verdict: detector.Human, Category: "c"})
	}
	for len(s) < 100 {
		s = append(s, Sample{Score: 0.1, Verdict: detector.Human, Category: "c"})
	}
	for _, x := range []float64{0.995, 0.9877, 0.5} {
		s = append(s, Sample{Score: x, Machine: true, Verdict: detector.Machine, Category: "c"})
	}
	r := NewReport(s, "m", 0.8, "dev", "")
	var buf bytes.Buffer
	if err := r.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`1% FPR is reached flagging scores at or above ([0-9.]+) \(FPR ([0-9.]+)%`).FindStringSubmatch(buf.String())
	if m == nil {
		t.Fatalf("no pooled threshold sentence in:\n%s", buf.String())
	}
	printed, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	if fpr, _ := s.RatesAt(printed); fpr > 0.01 {
		t.Errorf("report says 1%% FPR at or above %s; flagging at %s gives FPR %.2f%%", m[1], m[1], 100*fpr)
	}
}
