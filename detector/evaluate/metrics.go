package evaluate

import (
	"math"
	"sort"

	"github.com/slopguard/slopguard/detector"
)

// Sample is one scored record: the detector's output, the record's label
// and the attributes reports break results down by.
type Sample struct {
	// Score is the detector's probability that the text is machine-generated.
	Score float64
	// Machine is the label: true for machine-generated text.
	Machine bool
	// Verdict is the detector's verdict; only Machine counts as flagged.
	Verdict detector.Verdict
	// Category is the record's kind, else domain, else "other".
	Category string
	// Generator names the model that wrote a machine text ("" for humans).
	Generator string
	// Source is the base name of the file the record came from.
	Source string
	// Dir is the name of the directory holding that file ("pr", "general", …).
	Dir string
	// Length is the length of the unperturbed text in characters (runes).
	Length int
}

// Flagged reports whether the detector said Machine. An Unsure verdict is
// not a flag, whatever the score.
func (s Sample) Flagged() bool { return s.Verdict == detector.Machine }

// Scores is a set of samples to compute metrics on.
type Scores []Sample

// Counts returns the number of human and machine samples.
func (s Scores) Counts() (humans, machines int) {
	for _, x := range s {
		if x.Machine {
			machines++
		} else {
			humans++
		}
	}
	return humans, machines
}

// AUROC is the area under the ROC curve: the probability that a random
// machine text scores above a random human text, ties counting one half.
// It is computed exactly as the Mann–Whitney U statistic over mid-ranks,
//
//	AUROC = (R_m − n_m(n_m+1)/2) / (n_m · n_h)
//
// where R_m is the sum of the machine samples' ranks in ascending score
// order, tied scores sharing the mean of their ranks. It is NaN unless
// both labels are present.
func (s Scores) AUROC() float64 {
	nh, nm := s.Counts()
	if nh == 0 || nm == 0 {
		return math.NaN()
	}
	sorted := s.sortedScores(false)
	rankSum := 0.0
	for i := 0; i < len(sorted); {
		j := i
		machines := 0
		for j < len(sorted) && sorted[j].score == sorted[i].score {
			if sorted[j].machine {
				machines++
			}
			j++
		}
		// Ranks i+1 … j share their mean.
		rankSum += float64(machines) * float64(i+1+j) / 2
		i = j
	}
	m := float64(nm)
	return (rankSum - m*(m+1)/2) / (m * float64(nh))
}

// Point is one operating point: texts scoring at or above Threshold are
// flagged, giving false-positive rate FPR on human text and true-positive
// rate TPR on machine text.
type Point struct {
	Threshold float64
	FPR       float64
	TPR       float64
}

// TPRAtFPR returns the operating point with the highest TPR whose FPR does
// not exceed target (0..1), with the threshold chosen on the human scores.
//
// There is no interpolation between ROC points: with n_h human samples at
// most k = ⌊target·n_h⌋ may be flagged, so the threshold is set just above
// the (k+1)-th highest human score and the reported FPR is the one actually
// reached, which may be below target (always, when scores tie or n_h is
// small). It is the point a deployed threshold could achieve on this data.
// All fields are NaN unless both labels are present.
func (s Scores) TPRAtFPR(target float64) Point {
	nh, nm := s.Counts()
	if nh == 0 || nm == 0 {
		return Point{math.NaN(), math.NaN(), math.NaN()}
	}
	humans := make([]float64, 0, nh)
	for _, x := range s {
		if !x.Machine {
			humans = append(humans, x.Score)
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(humans)))
	k := int(math.Floor(target*float64(nh) + 1e-9))
	if k >= nh {
		lowest := math.Inf(1)
		for _, x := range s {
			lowest = math.Min(lowest, x.Score)
		}
		return Point{Threshold: lowest, FPR: 1, TPR: 1}
	}
	threshold := math.Nextafter(humans[k], math.Inf(1))
	fpr, tpr := s.RatesAt(threshold)
	return Point{Threshold: threshold, FPR: fpr, TPR: tpr}
}

// RatesAt returns the false-positive rate on human text and the
// true-positive rate on machine text when every sample scoring at or above
// threshold is flagged. A rate is NaN when its label is absent.
func (s Scores) RatesAt(threshold float64) (fpr, tpr float64) {
	var fp, tp int
	for _, x := range s {
		if x.Score >= threshold {
			if x.Machine {
				tp++
			} else {
				fp++
			}
		}
	}
	nh, nm := s.Counts()
	return ratio(fp, nh), ratio(tp, nm)
}

// VerdictRates returns the false-positive and true-positive rates when
// exactly the samples with a Machine verdict are flagged, and the share of
// samples with an Unsure verdict. A rate is NaN when its label is absent.
func (s Scores) VerdictRates() (fpr, tpr, unsure float64) {
	var fp, tp, u int
	for _, x := range s {
		if x.Verdict == detector.Unsure {
			u++
		}
		if !x.Flagged() {
			continue
		}
		if x.Machine {
			tp++
		} else {
			fp++
		}
	}
	nh, nm := s.Counts()
	return ratio(fp, nh), ratio(tp, nm), ratio(u, len(s))
}

// ROC returns the ROC curve from (0,0) to (1,1): one point per distinct
// score, taken in descending order. It is nil unless both labels are present.
func (s Scores) ROC() []Point {
	nh, nm := s.Counts()
	if nh == 0 || nm == 0 {
		return nil
	}
	sorted := s.sortedScores(true)
	pts := []Point{{Threshold: math.Inf(1)}}
	fp, tp := 0, 0
	for i := 0; i < len(sorted); {
		j := i
		for j < len(sorted) && sorted[j].score == sorted[i].score {
			if sorted[j].machine {
				tp++
			} else {
				fp++
			}
			j++
		}
		pts = append(pts, Point{Threshold: sorted[i].score, FPR: float64(fp) / float64(nh), TPR: float64(tp) / float64(nm)})
		i = j
	}
	return pts
}

type scoreLabel struct {
	score   float64
	machine bool
}

// sortedScores returns the scores sorted ascending, or descending when desc.
func (s Scores) sortedScores(desc bool) []scoreLabel {
	out := make([]scoreLabel, len(s))
	for i, x := range s {
		score := x.Score
		if math.IsNaN(score) {
			// NaN compares unequal to everything, which would break the
			// sort and the tie runs; a score that is not a number ranks lowest.
			score = math.Inf(-1)
		}
		out[i] = scoreLabel{score, x.Machine}
	}
	sort.Slice(out, func(i, j int) bool {
		if desc {
			return out[i].score > out[j].score
		}
		return out[i].score < out[j].score
	})
	return out
}

func ratio(num, den int) float64 {
	if den == 0 {
		return math.NaN()
	}
	return float64(num) / float64(den)
}
