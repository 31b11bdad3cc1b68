package train

import (
	"math"
	"slices"
	"testing"

	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/features"
)

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
