package metrics

import (
	"math"
	"testing"
)

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-9
}

func TestAUROC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		scores  []float64
		machine []bool
		want    float64
	}{
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 1},
		{"inverted", []float64{0.9, 0.8, 0.2, 0.1}, []bool{false, false, true, true}, 0},
		{"all tied", []float64{0.5, 0.5, 0.5, 0.5}, []bool{false, true, false, true}, 0.5},
		// pairs (m,h): (0.4,0.1)=1 (0.4,0.4)=½ (0.4,0.6)=0 (0.7,·)=1+1+1 → 4.5/6
		{"ties and order", []float64{0.1, 0.4, 0.6, 0.4, 0.7}, []bool{false, false, false, true, true}, 4.5 / 6},
		{"one class", []float64{0.1, 0.2}, []bool{true, true}, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := AUROC(tt.scores, tt.machine); !near(got, tt.want) {
				t.Errorf("AUROC = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTPRAtFPR(t *testing.T) {
	t.Parallel()
	// 200 humans scoring 0.000, 0.005, …, 0.995; 1% of 200 = 2 may be above t.
	var scores []float64
	var machine []bool
	for i := range 200 {
		scores = append(scores, float64(i)/200)
		machine = append(machine, false)
	}
	// machines: 0.99 (above t=0.985), 0.985 (not strictly above), 0.5, 1.0
	for _, s := range []float64{0.99, 0.985, 0.5, 1.0} {
		scores = append(scores, s)
		machine = append(machine, true)
	}
	tests := []struct {
		name          string
		maxFPR        float64
		wantTPR, want float64
	}{
		{"1%", 0.01, 0.5, 0.985},
		{"0% allows no false positive", 0, 0.25, 0.995},
		{"100% calls everything above the lowest", 1, 1, math.Inf(-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tpr, th := TPRAtFPR(scores, machine, tt.maxFPR)
			if !near(tpr, tt.wantTPR) || !(near(th, tt.want) || th == tt.want) {
				t.Errorf("TPRAtFPR(%v) = %v at %v, want %v at %v", tt.maxFPR, tpr, th, tt.wantTPR, tt.want)
			}
			if fpr := RateAbove(scores, machine, false, th); fpr > tt.maxFPR+1e-12 {
				t.Errorf("FPR at threshold %v = %v, want ≤ %v", th, fpr, tt.maxFPR)
			}
		})
	}
}

func TestTPRAtFPROneClass(t *testing.T) {
	t.Parallel()
	tpr, th := TPRAtFPR([]float64{0.3, 0.4}, []bool{false, false}, 0.01)
	if !math.IsNaN(tpr) || !math.IsNaN(th) {
		t.Errorf("TPRAtFPR on humans only = %v at %v, want NaN at NaN", tpr, th)
	}
}
