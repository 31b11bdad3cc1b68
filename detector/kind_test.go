package detector_test

import (
	"os"
	"testing"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/detector/model"
)

// kindText is judgeable and scores between the embedded model's human and
// machine thresholds, so a lower threshold for one kind changes its verdict.
const kindText = "This PR refactors the configuration loader. It also adds unit tests to check the new behaviour " +
	"across environments, and updates the docs."

// withKindThresholds returns the embedded model with kt as its kind thresholds.
func withKindThresholds(t *testing.T, kt map[string]float64) *detector.Detector {
	t.Helper()
	data, err := os.ReadFile("default.model")
	if err != nil {
		t.Fatal(err)
	}
	f, err := model.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	f.Header.KindThresholds = kt
	data, err = f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	d, err := detector.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestScoreKindUsesTheKindsThreshold(t *testing.T) {
	t.Parallel()
	plain := withKindThresholds(t, nil)
	base := plain.Score(kindText)
	h := plain.Header().Thresholds
	if base.CannotJudge || base.Score <= h.Human || base.Score >= h.Machine {
		t.Fatalf("kindText scores %v (%v), want a judgeable score in (%v, %v): pick another text", base.Score, base.Verdict, h.Human, h.Machine)
	}
	d := withKindThresholds(t, map[string]float64{model.KindGroupPR: base.Score})
	tests := []struct {
		kind      string
		threshold float64
		verdict   detector.Verdict
	}{
		{"pr", base.Score, detector.Machine},
		{"pr_title", base.Score, detector.Machine},
		{"comment", h.Machine, detector.Unsure},
		{"", h.Machine, detector.Unsure},
		{"file", h.Machine, detector.Unsure},
	}
	for _, tt := range tests {
		if got := d.ThresholdFor(tt.kind); got != tt.threshold {
			t.Errorf("ThresholdFor(%q) = %v, want %v", tt.kind, got, tt.threshold)
		}
		for name, r := range map[string]detector.Result{"ScoreKind": d.ScoreKind(kindText, tt.kind), "ScoreOnlyKind": d.ScoreOnlyKind(kindText, tt.kind)} {
			if r.Score != base.Score || r.Verdict != tt.verdict {
				t.Errorf("%s(%q): score %v verdict %v, want %v %v", name, tt.kind, r.Score, r.Verdict, base.Score, tt.verdict)
			}
		}
	}
	// Score and Threshold are the default's, as before kind thresholds.
	if r := d.Score(kindText); r.Verdict != base.Verdict || d.Threshold() != h.Machine {
		t.Errorf("Score gives %v at threshold %v, want %v at %v", r.Verdict, d.Threshold(), base.Verdict, h.Machine)
	}
	// A model file without kind thresholds scores every kind as before.
	for _, kind := range []string{"pr", "commit", "message", ""} {
		if r := plain.ScoreKind(kindText, kind); r.Verdict != base.Verdict || plain.ThresholdFor(kind) != h.Machine {
			t.Errorf("model without kind thresholds, kind %q: %v at %v, want %v at %v", kind, r.Verdict, plain.ThresholdFor(kind), base.Verdict, h.Machine)
		}
	}
}
