package moderation

import (
	"strconv"
	"testing"

	"github.com/slopguard/slopguard/detector"
)

// TestDefaultsAgreeWithTheShippedModel: with the embedded model (whatever
// its threshold after retraining), the default policy has two tiers —
// enforce acts strictly above where flag does — a policy that only raises
// the flag threshold is valid, and its enforce threshold follows it.
func TestDefaultsAgreeWithTheShippedModel(t *testing.T) {
	t.Parallel()
	det, err := detector.Default()
	if err != nil {
		t.Fatalf("load the embedded model: %v", err)
	}
	model := det.Threshold()
	def := DefaultPolicy()
	if err := def.Validate(); err != nil {
		t.Fatalf("default policy: %v", err)
	}
	flag, enforce := def.Threshold(model), def.EnforceThreshold(model)
	if flag != model || !(enforce > flag) || enforce > 1 {
		t.Errorf("model %.4f: default flag %.4f, enforce %.4f; want flag = model < enforce <= 1", model, flag, enforce)
	}
	stricter := (model + 1) / 2
	p, err := ParsePolicy([]byte("threshold: " + ftoa(stricter) + "\n"))
	if err != nil {
		t.Fatalf("a policy raising only the flag threshold to %s: %v", ftoa(stricter), err)
	}
	if got := p.EnforceThreshold(model); !(got > p.Threshold(model)) {
		t.Errorf("flag %s: enforce %.4f, want above the flag threshold", ftoa(stricter), got)
	}
	// An explicit enforce threshold below an explicit flag one is still an error.
	if _, err := ParsePolicy([]byte("threshold: 0.99\nenforce:\n  threshold: 0.95\n")); err == nil {
		t.Error("enforce.threshold 0.95 under threshold 0.99: got no error")
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }
