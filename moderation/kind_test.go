package moderation

import (
	"testing"

	"github.com/slopguard/slopguard/detector"
)

// kindScorer scores every text score, with a default threshold and lower
// thresholds for some kinds, as a detector with kind thresholds does.
type kindScorer struct {
	score float64
	def   float64
	kinds map[string]float64
}

func (k *kindScorer) Threshold() float64 { return k.def }

func (k *kindScorer) ThresholdFor(kind string) float64 {
	if t, ok := k.kinds[kind]; ok {
		return t
	}
	return k.def
}

func (k *kindScorer) ScoreKind(text, kind string) detector.Result {
	v := detector.Unsure
	if k.score >= k.ThresholdFor(kind) {
		v = detector.Machine
	}
	return detector.Result{Score: k.score, Verdict: v}
}

func (k *kindScorer) Score(text string) detector.Result { return k.ScoreKind(text, "") }

func (k *kindScorer) Version() string { return "kinds" }

// plainScorer is a Scorer without kinds.
type plainScorer struct{ textScorer }

func (plainScorer) Version() string { return "plain" }

func TestPipelineUsesTheItemKindsThreshold(t *testing.T) {
	t.Parallel()
	sc := &kindScorer{score: 0.97, def: 0.99, kinds: map[string]float64{"pr": 0.96}}
	tests := []struct {
		name          string
		scorer        Scorer
		kind          Kind
		policy        Policy
		kindThreshold float64
		verdict       detector.Verdict
		flagged       bool
		threshold     float64
	}{
		{"pr at its own threshold", sc, KindPullRequest, Policy{}, 0.96, detector.Machine, true, 0.96},
		{"comment at the default", sc, KindComment, Policy{}, 0, detector.Unsure, false, 0.99},
		{"the policy's threshold wins", sc, KindPullRequest, Policy{FlagThreshold: 0.98}, 0.96, detector.Machine, false, 0.98},
		{"a scorer without kinds", &plainScorer{textScorer{score: 0.97}}, KindPullRequest, Policy{}, 0, detector.Unsure, false, 0.99},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Pipeline{Scorer: tt.scorer}
			v, err := p.Check(t.Context(), Item{Kind: tt.kind, ID: "pr/1", Body: "some text"})
			if err != nil {
				t.Fatal(err)
			}
			if v.KindThreshold != tt.kindThreshold {
				t.Errorf("KindThreshold %v, want %v", v.KindThreshold, tt.kindThreshold)
			}
			if _, ok := tt.scorer.(*kindScorer); ok && v.Verdict != tt.verdict {
				t.Errorf("verdict %v, want %v", v.Verdict, tt.verdict)
			}
			d := tt.policy.Decide(v, 0.99)
			if d.Flagged != tt.flagged || d.Threshold != tt.threshold {
				t.Errorf("Decide: flagged %v at %v, want %v at %v", d.Flagged, d.Threshold, tt.flagged, tt.threshold)
			}
			o := tt.policy.Outcome(v, 0.99)
			if want := DefaultEnforceThreshold(tt.threshold); o.EnforceThreshold != want {
				t.Errorf("Outcome: enforce threshold %v, want %v", o.EnforceThreshold, want)
			}
		})
	}
}
