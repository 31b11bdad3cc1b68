package moderation

import (
	"testing"

	"github.com/slopguard/slopguard/detector"
)

func TestVerdictFlagged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		res       detector.Result
		threshold float64
		want      bool
	}{
		{"machine above threshold", detector.Result{Score: 0.995, Verdict: detector.Machine}, 0.99, true},
		{"machine below a stricter threshold", detector.Result{Score: 0.995, Verdict: detector.Machine}, 0.999, false},
		{"score exactly at threshold", detector.Result{Score: 0.9, Verdict: detector.Unsure}, 0.9, true},
		// Between the model's thresholds: a lower threshold someone chose flags it.
		{"unsure band above a lowered threshold", detector.Result{Score: 0.94, Verdict: detector.Unsure}, 0.9, true},
		{"unsure band below threshold", detector.Result{Score: 0.94, Verdict: detector.Unsure}, 0.99, false},
		// A text the model cannot judge is never flagged, whatever its score.
		{"cannot judge", detector.Result{Score: 0.97, Verdict: detector.Unsure, CannotJudge: true}, 0.5, false},
		{"human verdict under a very low threshold", detector.Result{Score: 0.3, Verdict: detector.Human}, 0.2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := (Verdict{Result: tt.res}).Flagged(tt.threshold); got != tt.want {
				t.Errorf("Flagged(%v) of %+v = %v, want %v", tt.threshold, tt.res, got, tt.want)
			}
		})
	}
}
