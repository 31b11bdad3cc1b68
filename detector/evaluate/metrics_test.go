package evaluate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/slopguard/slopguard/detector"
)

const tol = 1e-9

// scores builds samples from human and machine scores.
func scores(humans, machines []float64) Scores {
	var s Scores
	for _, h := range humans {
		s = append(s, Sample{Score: h})
	}
	for _, m := range machines {
		s = append(s, Sample{Score: m, Machine: true})
	}
	return s
}

func close(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) < tol
}

func TestAUROC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		humans, machines []float64
		want             float64
	}{
		{"perfect", []float64{0.1, 0.2}, []float64{0.8, 0.9}, 1},
		{"inverted", []float64{0.8, 0.9}, []float64{0.1, 0.2}, 0},
		{"all tied", []float64{0.5, 0.5, 0.5}, []float64{0.5, 0.5}, 0.5},
		// m=0.4 beats 0.1, ties 0.4, loses to 0.5: 1.5; m=0.8 beats all three: 3. 4.5/6.
		{"one tie", []float64{0.1, 0.4, 0.5}, []float64{0.4, 0.8}, 0.75},
		// m=0.2 ties both humans: 1; m=0.9 beats both: 2. 3/4.
		{"tied block", []float64{0.2, 0.2}, []float64{0.2, 0.9}, 0.75},
		// 3 of 4 pairs won: 0.3>0.1, 0.3<0.6, 0.7>0.1, 0.7>0.6.
		{"interleaved", []float64{0.1, 0.6}, []float64{0.3, 0.7}, 0.75},
		{"no machines", []float64{0.1}, nil, math.NaN()},
		{"no humans", nil, []float64{0.1}, math.NaN()},
		// A NaN score ranks lowest and ties other NaNs: m=NaN ties the
		// human NaN (0.5) and loses to 0.3; m=0.9 beats both. 2.5/4.
		{"NaN scores", []float64{math.NaN(), 0.3}, []float64{math.NaN(), 0.9}, 0.625},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := scores(tt.humans, tt.machines).AUROC(); !close(got, tt.want) {
				t.Errorf("got AUROC %v, want %v", got, tt.want)
			}
		})
	}
}

// TestAUROCMatchesPairs checks the rank formula against counting every
// pair, on data with many ties.
func TestAUROCMatchesPairs(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		var h, m []float64
		for range 1 + r.IntN(60) {
			h = append(h, float64(r.IntN(10))/10)
		}
		for range 1 + r.IntN(60) {
			m = append(m, float64(r.IntN(10)+2)/12)
		}
		wins := 0.0
		for _, x := range m {
			for _, y := range h {
				switch {
				case x > y:
					wins++
				case x == y:
					wins += 0.5
				}
			}
		}
		want := wins / float64(len(h)*len(m))
		if got := scores(h, m).AUROC(); !close(got, want) {
			t.Errorf("trial %d: got AUROC %v, want %v (pairwise)", trial, got, want)
		}
	}
}

func TestTPRAtFPR(t *testing.T) {
	t.Parallel()
	tenHumans := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0}
	machines := []float64{0.55, 0.85, 0.95, 0.95, 1.0}
	tests := []struct {
		name             string
		humans, machines []float64
		target           float64
		wantFPR, wantTPR float64
	}{
		// k=1 human may be flagged: threshold just above 0.9 flags the 1.0
		// human and the three machines above 0.9.
		{"one of ten", tenHumans, machines, 0.1, 0.1, 0.6},
		// k=0: threshold just above the top human (1.0) flags nothing.
		{"none of ten", tenHumans, machines, 0.05, 0, 0},
		// k=3: threshold just above 0.7 flags 0.8, 0.9, 1.0 humans.
		{"three of ten", tenHumans, machines, 0.3, 0.3, 0.8},
		// Ties at the cut: the two 0.9 humans cannot both be flagged with
		// k=1, so neither is and FPR stays below target.
		{"tie at cut", []float64{0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, []float64{0.95, 0.9, 0.5}, 0.1, 0, 1.0 / 3},
		{"everything", tenHumans, machines, 1, 1, 1},
		{"no humans", nil, machines, 0.01, math.NaN(), math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := scores(tt.humans, tt.machines)
			p := s.TPRAtFPR(tt.target)
			if !close(p.FPR, tt.wantFPR) || !close(p.TPR, tt.wantTPR) {
				t.Errorf("got FPR %v TPR %v, want FPR %v TPR %v", p.FPR, p.TPR, tt.wantFPR, tt.wantTPR)
			}
			if math.IsNaN(p.Threshold) {
				return
			}
			if fpr, tpr := s.RatesAt(p.Threshold); !close(fpr, p.FPR) || !close(tpr, p.TPR) {
				t.Errorf("RatesAt(%v): got %v %v, want the point's %v %v", p.Threshold, fpr, tpr, p.FPR, p.TPR)
			}
		})
	}
}

func TestRatesAt(t *testing.T) {
	t.Parallel()
	s := scores([]float64{0.1, 0.5, 0.9, 0.3}, []float64{0.5, 0.2})
	fpr, tpr := s.RatesAt(0.5)
	if !close(fpr, 0.5) || !close(tpr, 0.5) {
		t.Errorf("got FPR %v TPR %v, want 0.5 0.5 (score ≥ threshold is flagged)", fpr, tpr)
	}
	fpr, tpr = scores(nil, []float64{0.7}).RatesAt(0.5)
	if !math.IsNaN(fpr) || !close(tpr, 1) {
		t.Errorf("machine only: got FPR %v TPR %v, want NaN 1", fpr, tpr)
	}
}

func TestVerdictRates(t *testing.T) {
	t.Parallel()
	s := Scores{
		{Score: 0.99, Verdict: detector.Machine},
		{Score: 0.95, Verdict: detector.Unsure}, // high score, not judged: not a flag
		{Score: 0.10, Verdict: detector.Human},
		{Score: 0.99, Machine: true, Verdict: detector.Machine},
		{Score: 0.50, Machine: true, Verdict: detector.Unsure},
	}
	fpr, tpr, unsure := s.VerdictRates()
	if !close(fpr, 1.0/3) || !close(tpr, 0.5) || !close(unsure, 0.4) {
		t.Errorf("got FPR %v TPR %v unsure %v, want 1/3 1/2 0.4", fpr, tpr, unsure)
	}
}

func TestROC(t *testing.T) {
	t.Parallel()
	pts := scores([]float64{0.1, 0.4}, []float64{0.4, 0.8}).ROC()
	want := []Point{{math.Inf(1), 0, 0}, {0.8, 0, 0.5}, {0.4, 0.5, 1}, {0.1, 1, 1}}
	if len(pts) != len(want) {
		t.Fatalf("got %d points %v, want %v", len(pts), pts, want)
	}
	for i := range want {
		if pts[i] != want[i] {
			t.Errorf("point %d: got %v, want %v", i, pts[i], want[i])
		}
	}
}

func TestLengthBucket(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n    int
		want string
	}{{0, "<100"}, {99, "<100"}, {100, "100–299"}, {299, "100–299"}, {300, "300–999"}, {999, "300–999"}, {1000, "≥1000"}, {50000, "≥1000"}}
	for _, tt := range tests {
		if got := LengthBucket(tt.n); got != tt.want {
			t.Errorf("LengthBucket(%d): got %q, want %q", tt.n, got, tt.want)
		}
	}
}
