package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/model"
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

func TestFitCalibrationSeparable(t *testing.T) {
	t.Parallel()
	var zs, ys []float64
	var runes []int
	for i := 0; i < 20; i++ {
		zs = append(zs, -2-float64(i)/10, 2+float64(i)/10)
		ys = append(ys, 0, 1)
		runes = append(runes, 50+i, 500+i)
	}
	for _, withLength := range []bool{false, true} {
		cal := fitCalibration(zs, runes, ys, withLength)
		for _, x := range []float64{cal.A, cal.B, cal.C, cal.D} {
			if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 100 {
				t.Fatalf("length terms %v: calibration %+v on separable scores: want finite parameters", withLength, cal)
			}
		}
		if !withLength && (cal.C != 0 || cal.D != 0) {
			t.Errorf("calibration without length terms has C=%v D=%v", cal.C, cal.D)
		}
		if p := cal.Prob(3, 500); p < 0.9 || p >= 1 {
			t.Errorf("length terms %v: P(machine | z=3) = %v, want in [0.9, 1)", withLength, p)
		}
		if p := cal.Prob(-3, 50); p > 0.1 || p <= 0 {
			t.Errorf("length terms %v: P(machine | z=-3) = %v, want in (0, 0.1]", withLength, p)
		}
	}
}

// TestFitCalibrationLearnsLengthScale builds held-out scores whose scale
// grows with length for the same evidence, as summing more features does:
// the fitted D must shrink long texts' scores, and the length terms must
// beat plain Platt scaling on log-loss.
func TestFitCalibrationLearnsLengthScale(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	var zs, ys []float64
	var runes []int
	for range 4000 {
		n := 20 + r.IntN(3000)
		y := float64(r.IntN(2))
		evidence := 2*y - 1 + r.NormFloat64() // the same for every length
		zs = append(zs, evidence*math.Log1p(float64(n)))
		ys = append(ys, y)
		runes = append(runes, n)
	}
	plain := fitCalibration(zs, runes, ys, false)
	withLength := fitCalibration(zs, runes, ys, true)
	if withLength.D >= 0 {
		t.Errorf("D = %v, want negative: long texts' raw scores run larger", withLength.D)
	}
	loss := func(c model.Calibration) float64 {
		var sum float64
		for i, z := range zs {
			p := c.Prob(z, runes[i])
			if ys[i] == 1 {
				sum -= math.Log(p)
			} else {
				sum -= math.Log(1 - p)
			}
		}
		return sum / float64(len(zs))
	}
	if lp, ll := loss(plain), loss(withLength); ll >= lp {
		t.Errorf("log-loss with length terms %v, without %v: want lower with", ll, lp)
	}
}

func TestSolve(t *testing.T) {
	t.Parallel()
	m := [][]float64{{0, 2, 1}, {1, 1, 1}, {2, 1, 0}} // needs pivoting
	x, ok := solve(m, []float64{5, 4, 4})             // x = (1, 2, 1)
	if !ok {
		t.Fatal("solve: singular")
	}
	for i, want := range []float64{1, 2, 1} {
		if math.Abs(x[i]-want) > 1e-12 {
			t.Fatalf("solve = %v, want [1 2 1]", x)
		}
	}
	if _, ok := solve([][]float64{{1, 2}, {2, 4}}, []float64{1, 2}); ok {
		t.Error("solve accepted a singular matrix")
	}
}

// pairedHoldout is 20 held-out human texts and 20 machine texts of source
// file, each label's texts all the same.
func pairedHoldout(file, human, machine string) []*example {
	var hold []*example
	for i := 0; i < 20; i++ {
		hold = append(hold,
			&example{rec: dataset.Record{File: file, ID: fmt.Sprint("h", i), Text: human}, y: 0},
			&example{rec: dataset.Record{File: file, ID: fmt.Sprint("m", i), Text: machine}, y: 1})
	}
	return hold
}

// attackCheck measures each evasion on the held-out texts: a scorer that
// only sees capital letters is blind to lower-casing (every machine text
// drops below the threshold) and unmoved by ASCII punctuation.
func TestAttackCheck(t *testing.T) {
	t.Parallel()
	hold := pairedHoldout("s", "plain words here", "Shouting Words — Here")
	capitals := func(text string) float64 {
		if strings.ContainsFunc(text, unicode.IsUpper) {
			return 0.9
		}
		return 0.1
	}
	opts := DefaultOptions()
	opts.Workers = 2
	got := attackCheck(context.Background(), hold, capitals, 0.5, opts)
	for _, name := range checkedAttacks {
		for _, k := range []string{"_auroc", "_fpr_threshold", "_tpr_threshold"} {
			if _, ok := got[name+k]; !ok {
				t.Errorf("no %s%s", name, k)
			}
		}
	}
	if got["lowercase_tpr_threshold"] != 0 || got["lowercase_auroc"] != 0.5 {
		t.Errorf("lowercase: TPR %v, AUROC %v; want 0 and 0.5", got["lowercase_tpr_threshold"], got["lowercase_auroc"])
	}
	if got["punctuation_tpr_threshold"] != 1 || got["punctuation_fpr_threshold"] != 0 {
		t.Errorf("punctuation: TPR %v, FPR %v; want 1 and 0", got["punctuation_tpr_threshold"], got["punctuation_fpr_threshold"])
	}
}

// An evasion is applied to what the writer wrote: the chat source's
// placeholders are removed first. Lower-cased, "[<-CODE->]" would escape
// prepText's removal and the check would measure the placeholders; and a
// cancelled check reports nothing rather than figures from unscored texts.
func TestAttackCheckEdgeCases(t *testing.T) {
	t.Parallel()
	hold := pairedHoldout("gitter", "see [<-CODE->] and [<-LINK->] here", "generated")
	// Flags the placeholders' arrows (never in prepared text) and the
	// machine texts.
	flags := func(text string) float64 {
		if strings.Contains(text, "<-") || strings.Contains(text, "gen") {
			return 0.9
		}
		return 0.1
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		wantNil bool
	}{
		{"placeholders removed before the evasion", context.Background(), false},
		{"cancelled", cancelled, true},
	}
	for _, tt := range tests {
		opts := DefaultOptions()
		opts.Workers = 2
		got := attackCheck(tt.ctx, hold, flags, 0.5, opts)
		if tt.wantNil {
			if got != nil {
				t.Errorf("%s: got %v, want nil", tt.name, got)
			}
			continue
		}
		for _, name := range checkedAttacks {
			if fpr := got[name+"_fpr_threshold"]; fpr != 0 {
				t.Errorf("%s: %s FPR %v, want 0 (no placeholder left to flag)", tt.name, name, fpr)
			}
		}
	}
}

func TestChooseKindThresholds(t *testing.T) {
	t.Parallel()
	var hold []*example
	var probs []float64
	add := func(file, kind, domain string, y float64, p float64, n int) {
		for i := 0; i < n; i++ {
			hold = append(hold, &example{rec: dataset.Record{File: file, Kind: kind, Domain: domain}, y: y})
			probs = append(probs, p)
		}
	}
	// PR descriptions: humans score low, so the group can flag from 0.7.
	add("prs", "pr", "", 0, 0.2, 300)
	add("prs", "pr", "", 0, 0.6, 2) // 0.66%: above the pooled 0.5%
	add("prs", "pr", "", 1, 0.8, 100)
	// Chat: one source's humans score high, which the group must respect.
	add("slack", "", "chat", 0, 0.1, 250)
	add("irc", "", "chat", 0, 0.3, 95)
	add("irc", "", "chat", 0, 0.95, 5)
	add("bots", "", "chat", 1, 0.99, 50)
	// Commits: too few humans for a rate of 0.5%.
	add("commits", "commit", "", 0, 0.1, 50)
	add("commits", "commit", "", 1, 0.9, 50)
	// Comments: humans only.
	add("comments", "comment", "", 0, 0.1, 500)
	// Commits of a second source: 250 humans in all, but one source has
	// only 60, too few to let the group go below the default.
	add("commits2", "commit", "", 0, 0.1, 190)
	add("commits3", "commit", "", 0, 0.1, 60)
	// A product review is not a code review: default group.
	add("reviews", "", "review", 0, 0.99, 300)
	got := chooseKindThresholds(probs, hold, 0.005, 0.01, 0.98)
	if len(got) != 2 {
		t.Fatalf("thresholds %v, want pr and chat only", got)
	}
	// With a default below the chat group's own threshold, chat stays
	// (a stricter threshold needs no more evidence); with one source short of
	// 100 humans, commits never go below the default.
	if got := chooseKindThresholds(probs, hold, 0.005, 0.01, 0.5); got[model.KindGroupChat] <= 0.95 {
		t.Errorf("chat threshold %v with a default of 0.5, want its own (> 0.95)", got[model.KindGroupChat])
	}
	if thr := got[model.KindGroupPR]; !(thr > 0.6 && thr <= 0.8) {
		t.Errorf("pr threshold %v, want above the highest human (0.6) and at most the machines' 0.8", thr)
	}
	if thr := got[model.KindGroupChat]; !(thr > 0.95 && thr <= 0.99) {
		t.Errorf("chat threshold %v lets 5%% of irc's humans through, want in (0.95, 0.99]", thr)
	}
}
