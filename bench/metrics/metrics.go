// Package metrics computes the accuracy figures of the benchmark report from
// scores and labels, where a higher score means "more likely machine".
//
// AUROC is the Mann–Whitney statistic: the probability that a random machine
// document scores above a random human one, ties counting one half,
//
//	AUROC = (Σ rank(machine) − m(m+1)/2) / (m·h)
//
// with mid-ranks for ties, m machine and h human documents.
//
// TPR at a maximum FPR f is read off the empirical ROC without interpolation:
// the threshold t is the lowest score such that at most ⌊f·h⌋ human documents
// score strictly above it, a document is called machine when its score is
// strictly above t, and TPR is the share of machine documents called machine.
// With fewer than 1/f human documents no false positive is allowed at all.
package metrics

import (
	"math"
	"sort"
)

// AUROC returns the area under the ROC curve, or NaN when either class is empty.
func AUROC(scores []float64, machine []bool) float64 {
	type pair struct {
		s float64
		m bool
	}
	ps := make([]pair, len(scores))
	var nm, nh float64
	for i, s := range scores {
		ps[i] = pair{s, machine[i]}
		if machine[i] {
			nm++
		} else {
			nh++
		}
	}
	if nm == 0 || nh == 0 {
		return math.NaN()
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].s < ps[j].s })
	var rankSum float64
	for i := 0; i < len(ps); {
		j := i
		for j < len(ps) && ps[j].s == ps[i].s {
			j++
		}
		mid := float64(i+j+1) / 2 // mean of ranks i+1 … j
		for k := i; k < j; k++ {
			if ps[k].m {
				rankSum += mid
			}
		}
		i = j
	}
	return (rankSum - nm*(nm+1)/2) / (nm * nh)
}

// TPRAtFPR returns the true-positive rate at false-positive rate at most
// maxFPR and the threshold that achieves it (see the package doc). Both are
// NaN when either class is empty.
func TPRAtFPR(scores []float64, machine []bool, maxFPR float64) (tpr, threshold float64) {
	var human []float64
	for i, s := range scores {
		if !machine[i] {
			human = append(human, s)
		}
	}
	if len(human) == 0 || len(human) == len(scores) {
		return math.NaN(), math.NaN()
	}
	threshold = Threshold(human, maxFPR)
	return RateAbove(scores, machine, true, threshold), threshold
}

// Threshold returns the lowest score t such that at most ⌊maxFPR·len(human)⌋
// of the human scores are strictly above t.
func Threshold(human []float64, maxFPR float64) float64 {
	h := append([]float64(nil), human...)
	sort.Sort(sort.Reverse(sort.Float64Slice(h)))
	allowed := int(math.Floor(maxFPR*float64(len(h)) + 1e-9))
	if allowed >= len(h) {
		return math.Inf(-1)
	}
	return h[allowed]
}

// RateAbove returns the share of documents of the given class (machine or
// not) whose score is strictly above t, or NaN when there are none.
func RateAbove(scores []float64, machine []bool, class bool, t float64) float64 {
	var n, above float64
	for i, s := range scores {
		if machine[i] != class {
			continue
		}
		n++
		if s > t {
			above++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return above / n
}
