package train

import (
	"math"
	"testing"

	"github.com/slopguard/slopguard/detector/dataset"
)

func TestQuantileAbove(t *testing.T) {
	t.Parallel()
	xs := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95}
	tests := []struct {
		rate      float64
		wantAbove int // how many xs may be >= the threshold
	}{{0, 0}, {0.1, 1}, {0.25, 2}, {1, 10}}
	for _, tt := range tests {
		thr := quantileAbove(xs, tt.rate)
		above := 0
		for _, x := range xs {
			if x >= thr {
				above++
			}
		}
		if above != tt.wantAbove {
			t.Errorf("rate %v: threshold %v leaves %d at or above, want %d", tt.rate, thr, above, tt.wantAbove)
		}
	}
}

func TestChooseThresholdBoundsEachMeasurableSource(t *testing.T) {
	t.Parallel()
	var hold []*example
	var probs []float64
	add := func(file string, y float64, p float64, n int) {
		for i := 0; i < n; i++ {
			hold = append(hold, &example{rec: dataset.Record{File: file}, y: y})
			probs = append(probs, p)
		}
	}
	add("quiet", 0, 0.1, 200)
	add("formal", 0, 0.2, 95)
	add("formal", 0, 0.97, 5) // 5% of this source's humans score high
	add("tiny", 0, 0.99, 3)   // too few humans to bound on their own
	add("bots", 1, 0.99, 100)
	thr := chooseThreshold(probs, hold, 0.05, 0.01)
	if thr <= 0.97 {
		t.Errorf("threshold %v lets 5%% of the formal source through, want > 0.97", thr)
	}
	if thr > 0.99 {
		t.Errorf("threshold %v was pushed by a 3-text source, want <= 0.99", thr)
	}
}

func TestFitPlattSeparable(t *testing.T) {
	t.Parallel()
	var hold []*example
	var zs []float64
	for i := 0; i < 20; i++ {
		hold = append(hold, &example{y: 0}, &example{y: 1})
		zs = append(zs, -2-float64(i)/10, 2+float64(i)/10)
	}
	cal := fitPlatt(zs, hold)
	if math.IsNaN(cal.A) || math.IsInf(cal.A, 0) || cal.A <= 0 || cal.A > 100 {
		t.Fatalf("calibration %+v on separable scores: want a finite positive slope", cal)
	}
	if p := cal.Prob(3); p < 0.9 || p >= 1 {
		t.Errorf("P(machine | z=3) = %v, want in [0.9, 1)", p)
	}
	if p := cal.Prob(-3); p > 0.1 || p <= 0 {
		t.Errorf("P(machine | z=-3) = %v, want in (0, 0.1]", p)
	}
}
