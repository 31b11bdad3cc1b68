package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/features"
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

// TestChooseThresholdSetByNamesTheBindingBound checks that the bound named
// is the one the threshold sits on: a source whose humans score high, the
// pooled bound when no source needs more, or the cap.
func TestChooseThresholdSetByNamesTheBindingBound(t *testing.T) {
	t.Parallel()
	type group struct {
		file string
		p    float64
		n    int
	}
	tests := []struct {
		name   string
		humans []group
		want   string
	}{
		// 2 of formal's 100 humans score high: 2% > 1% in the source, but
		// 0.5% of the 400 pooled.
		{"a source's high-scoring humans", []group{{"quiet", 0.1, 300}, {"formal", 0.2, 98}, {"formal", 0.97, 2}}, "formal"},
		// One high text in each of two sources: 1% in each, 1% pooled.
		{"pooled when each source is within its bound", []group{{"a", 0.1, 99}, {"a", 0.8, 1}, {"b", 0.1, 99}, {"b", 0.8, 1}}, setByPooled},
		{"a source too small to bound is not named", []group{{"quiet", 0.1, 300}, {"tiny", 0.99, 3}}, setByPooled},
		{"the cap", []group{{"odd", 0.9995, 40}}, setByLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hold []*example
			var probs []float64
			for _, g := range tt.humans {
				for range g.n {
					hold = append(hold, &example{rec: dataset.Record{File: g.file}})
					probs = append(probs, g.p)
				}
			}
			thr, got := chooseThresholdSetBy(probs, hold, 0.005, 0.01)
			if got != tt.want {
				t.Errorf("set by %q (threshold %v), want %q", got, thr, tt.want)
			}
			if thr != chooseThreshold(probs, hold, 0.005, 0.01) {
				t.Errorf("chooseThresholdSetBy %v differs from chooseThreshold", thr)
			}
		})
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

func vec(idx []uint32, val []float32) features.Vector { return features.Vector{Idx: idx, Val: val} }

func TestDiffVectors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		a, b    features.Vector
		wantIdx []uint32
		wantVal []float32
	}{
		{"disjoint", vec([]uint32{1, 5}, []float32{1, 2}), vec([]uint32{3}, []float32{4}), []uint32{1, 3, 5}, []float32{1, -4, 2}},
		{"shared index subtracts", vec([]uint32{2, 7}, []float32{3, 1}), vec([]uint32{2, 9}, []float32{1, 1}), []uint32{2, 7, 9}, []float32{2, 1, -1}},
		{"equal values cancel", vec([]uint32{4}, []float32{0.5}), vec([]uint32{4}, []float32{0.5}), nil, nil},
		{"empty a", vec(nil, nil), vec([]uint32{0, 8}, []float32{1, 2}), []uint32{0, 8}, []float32{-1, -2}},
		{"empty b", vec([]uint32{6}, []float32{3}), vec(nil, nil), []uint32{6}, []float32{3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d features.Vector
			diffVectors(&d, &tt.a, &tt.b)
			if !slices.Equal(d.Idx, tt.wantIdx) || !slices.Equal(d.Val, tt.wantVal) {
				t.Errorf("a − b = %v %v, want %v %v", d.Idx, d.Val, tt.wantIdx, tt.wantVal)
			}
		})
	}
}

func ex(file, group, label string, id string, weight float64, idx uint32) *example {
	e := &example{rec: dataset.Record{File: file, Group: group, Label: label, ID: id, Text: id}, weight: weight}
	if label == dataset.LabelMachine {
		e.y = 1
	}
	e.vec = vec([]uint32{idx}, []float32{1})
	return e
}

func TestMatchedPairs(t *testing.T) {
	t.Parallel()
	fit := []*example{
		ex("qa", "q1", "human", "h1", 1, 1),
		ex("qa", "q1", "machine", "m1", 1, 2),
		ex("qa", "q1", "machine", "m2", 1, 3),
		ex("qa", "q1", "machine", "m3", 1, 4),
		ex("qa", "q2", "machine", "m4", 1, 5), // no human answer: no pair
		ex("pr", "q1", "human", "h2", 1, 6),   // same group name, other file: not matched with qa
		ex("feedback", "f", "machine", "fb", 1, 7),
		ex("feedback", "f", "human", "fb2", 1, 8),
	}
	if got := matchedPairs(fit, Options{}); got != nil {
		t.Fatalf("PairWeight 0 gave %d pairs, want none", len(got))
	}
	opts := Options{PairWeight: 0.5, MaxPairsPerGroup: 2, Seed: 1}
	pairs := matchedPairs(fit, opts)
	if len(pairs) != 2 {
		t.Fatalf("got %d pairs, want 2 (three machine answers to q1, capped at 2)", len(pairs))
	}
	var total float64
	for _, p := range pairs {
		total += p.weight
		// Every pair is one machine feature (+1) minus the human one (index 1).
		if len(p.diff.Idx) != 2 || p.diff.Idx[0] != 1 || p.diff.Val[0] != -1 || p.diff.Val[1] != 1 || p.diff.Idx[1] < 2 || p.diff.Idx[1] > 4 {
			t.Errorf("pair diff %v %v, want the q1 human (index 1) subtracted from a q1 machine answer (2–4)", p.diff.Idx, p.diff.Val)
		}
	}
	// The pairs weigh PairWeight times the fit examples (8 of weight 1).
	if math.Abs(total-0.5*8) > 1e-9 {
		t.Errorf("pairs weigh %v in all, want %v", total, 0.5*8)
	}
}

func TestMatchedOrderTakesGroupsInTurn(t *testing.T) {
	t.Parallel()
	var hum, mach []*example
	for _, g := range []string{"a", "b", "c"} {
		for i := range 3 {
			id := g + string(rune('0'+i))
			hum = append(hum, ex("qa", g, "human", "h"+id, 1, 0))
			mach = append(mach, ex("qa", g, "machine", "m"+id, 1, 0))
		}
	}
	h, m := matchedOrder(hum, "1"), matchedOrder(mach, "1")
	groups := func(xs []*example) []string {
		var out []string
		for _, e := range xs {
			out = append(out, e.rec.Group)
		}
		return out
	}
	gh, gm := groups(h), groups(m)
	if !slices.Equal(gh, gm) {
		t.Errorf("the labels take groups in different orders: %v and %v", gh, gm)
	}
	first := gh[:3]
	slices.Sort(first)
	if !slices.Equal(first, []string{"a", "b", "c"}) {
		t.Errorf("the first three texts come from groups %v, want one of each", gh[:3])
	}
}

func TestRobustWeightsFavourTheWorstSource(t *testing.T) {
	t.Parallel()
	fit := []*example{
		ex("easy", "", "human", "e1", 1, 0),
		ex("hard", "", "human", "h1", 3, 0),
		ex("bots", "", "machine", "b1", 2, 0),
	}
	r := newRobustWeights(fit)
	r.add(0, 0.1)
	r.add(1, 1.0)
	r.add(2, 0.5)
	r.update(1)
	easy, hard, bots := r.mult[r.group[0]], r.mult[r.group[1]], r.mult[r.group[2]]
	if hard <= easy {
		t.Errorf("multipliers easy %v, hard %v: want the source with the higher loss to gain weight", easy, hard)
	}
	// Each label's total weight is unchanged.
	if got := easy*1 + hard*3; math.Abs(got-4) > 1e-9 {
		t.Errorf("human weight %v after the update, want 4", got)
	}
	if math.Abs(bots-1) > 1e-9 {
		t.Errorf("the only machine source's multiplier is %v, want 1", bots)
	}
	if r.count[0] != 0 || r.lossSum[1] != 0 {
		t.Error("the update did not reset the epoch's sums")
	}
}

func TestMineHardExamplesWeighsTheHumansAModelTakesForMachines(t *testing.T) {
	t.Parallel()
	// Feature 1 is written by machines, feature 2 by people; the "hard"
	// people use feature 1. Every group has one of each, so both halves
	// learn the same thing.
	var fit []*example
	for g := range 20 {
		group := fmt.Sprint("g", g)
		fit = append(fit,
			ex("qa", group, "machine", "m"+group, 1, 1),
			ex("qa", group, "human", "easy"+group, 1, 2),
			ex("qa", group, "human", "hard"+group, 1, 1))
	}
	opts := DefaultOptions()
	opts.Progress = nil
	opts.HardHumanBoost = 4
	if err := mineHardExamples(context.Background(), fit, 4, opts); err != nil {
		t.Fatal(err)
	}
	var human float64
	for _, e := range fit {
		switch {
		case e.y == 1 && e.weight != 1:
			t.Errorf("machine text %s has weight %v, want 1 (HardMachineBoost is 0)", e.rec.ID, e.weight)
		case e.y == 0:
			human += e.weight
		}
	}
	if math.Abs(human-40) > 1e-9 {
		t.Errorf("human texts weigh %v in all, want the 40 they weighed before", human)
	}
	easy, hard := fit[1].weight, fit[2].weight
	if hard < 2*easy {
		t.Errorf("a hard human text weighs %v and an easy one %v: want the hard one at least twice the easy one", hard, easy)
	}
}

// TestPrepTextAugments checks the lower-casing and typo augmentations: off
// at rate 0, on every text at rate 1, a stable share in between, and the
// same choice and the same typos for the same record every time.
func TestPrepTextAugments(t *testing.T) {
	// Long enough for the typo attack's default rate to swap letters.
	text := strings.TrimSpace(strings.Repeat("The Quick brown Fox jumps over the lazy Dog, twice. ", 10))
	tests := []struct {
		name        string
		lower, typo float64
		check       func(got string) bool
	}{
		{"off", 0, 0, func(got string) bool { return got == text }},
		{"lower-case every text", 1, 0, func(got string) bool { return got == strings.ToLower(text) }},
		{"typos in every text", 0, 1, func(got string) bool {
			return got != text && len(got) == len(text) && sortedBytes(got) == sortedBytes(text)
		}},
		{"both", 1, 1, func(got string) bool {
			return got != strings.ToLower(text) && sortedBytes(got) == sortedBytes(strings.ToLower(text))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.FlattenRate = 0
			opts.LowercaseRate, opts.TypoRate = tt.lower, tt.typo
			rec := dataset.Record{Text: text, File: "f", ID: "1"}
			got := prepText(text, rec, opts, true)
			if !tt.check(got) {
				t.Errorf("prepText = %q", got)
			}
			if again := prepText(text, rec, opts, true); again != got {
				t.Errorf("not deterministic: %q then %q", got, again)
			}
		})
	}
	opts := DefaultOptions()
	opts.FlattenRate, opts.LowercaseRate, opts.TypoRate = 0, 1, 1
	if got := prepText(text, dataset.Record{Text: text, File: "f", ID: "1"}, opts, false); got != text {
		t.Errorf("held-out text augmented: %q", got)
	}
	opts.LowercaseRate, opts.TypoRate = 0.2, 0
	lowered := 0
	const n = 2000
	for i := range n {
		rec := dataset.Record{Text: text, File: "f", ID: fmt.Sprint(i)}
		if prepText(text, rec, opts, true) == strings.ToLower(text) {
			lowered++
		}
	}
	if share := float64(lowered) / n; math.Abs(share-0.2) > 0.03 {
		t.Errorf("lower-cased %.3f of the texts at rate 0.2", share)
	}
}

// sortedBytes returns s's bytes in order: letter swaps keep it.
func sortedBytes(s string) string {
	b := []byte(s)
	slices.Sort(b)
	return string(b)
}

func TestBalanceFamiliesEvensOutFamilies(t *testing.T) {
	families := map[string]string{"gpt-4": "openai", "gpt-3.5": "openai", "llama-3": "meta"}
	// Six openai texts, two meta texts and one from a generator no family
	// names, every one weighing 1.
	gens := []string{"gpt-4", "gpt-4", "gpt-4", "gpt-3.5", "gpt-3.5", "gpt-3.5", "llama-3", "llama-3", "mystery"}
	tests := []struct {
		alpha float64
		want  map[string]float64 // family → its share of the total weight
	}{
		{0, map[string]float64{"openai": 6.0 / 9, "meta": 2.0 / 9, "mystery": 1.0 / 9}},
		{1, map[string]float64{"openai": 1.0 / 3, "meta": 1.0 / 3, "mystery": 1.0 / 3}},
		{0.5, func() map[string]float64 {
			a, b, c := math.Sqrt(6), math.Sqrt(2), 1.0
			return map[string]float64{"openai": a / (a + b + c), "meta": b / (a + b + c), "mystery": c / (a + b + c)}
		}()},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.alpha), func(t *testing.T) {
			var g []*example
			for _, gen := range gens {
				g = append(g, &example{rec: dataset.Record{Generator: gen}, y: 1, weight: 1})
			}
			if tc.alpha > 0 {
				balanceFamilies(g, tc.alpha, families)
			}
			got := map[string]float64{}
			var total float64
			for _, e := range g {
				f, ok := families[e.rec.Generator]
				if !ok {
					f = e.rec.Generator
				}
				got[f] += e.weight
				total += e.weight
			}
			if math.Abs(total-float64(len(gens))) > 1e-9 {
				t.Errorf("total weight %v, want %d (kept)", total, len(gens))
			}
			for f, share := range tc.want {
				if math.Abs(got[f]/total-share) > 1e-9 {
					t.Errorf("family %s: share %.4f, want %.4f", f, got[f]/total, share)
				}
			}
		})
	}
	t.Run("one family", func(t *testing.T) {
		g := []*example{{rec: dataset.Record{Generator: "gpt-4"}, weight: 2}, {rec: dataset.Record{Generator: "gpt-3.5"}, weight: 3}}
		balanceFamilies(g, 1, families)
		if g[0].weight != 2 || g[1].weight != 3 {
			t.Errorf("weights %v, %v: a source of one family keeps its weights", g[0].weight, g[1].weight)
		}
	})
}
