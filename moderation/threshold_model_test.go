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

// TestShippedKindThresholdsReachTheSurfaces: the pipeline scores each item
// with its kind, so a Discord message is flagged at the shipped model's
// chat threshold and a pull request at the model's threshold for PRs (its
// own, or the default when it has none), and a score between the two flags
// the message only.
func TestShippedKindThresholdsReachTheSurfaces(t *testing.T) {
	t.Parallel()
	det, err := detector.Default()
	if err != nil {
		t.Fatalf("load the embedded model: %v", err)
	}
	chat, def := det.ThresholdFor(string(KindMessage)), det.Threshold()
	prThreshold := det.ThresholdFor(string(KindPullRequest))
	if !(chat < def && chat < prThreshold) {
		t.Skipf("the embedded model has no chat threshold below its default and PR ones (%.4f, %.4f, %.4f)", chat, def, prThreshold)
	}
	p := &Pipeline{Scorer: det}
	text := "Sure! Here is a concise overview of the steps you can follow to resolve the issue."
	msg, err := p.Check(t.Context(), Item{Platform: Discord, Kind: KindMessage, ID: "m1", Body: text})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := p.Check(t.Context(), Item{Platform: GitHub, Kind: KindPullRequest, ID: "pr/1", Title: "Fix", Body: text})
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.ModelThreshold(def); got != chat {
		t.Errorf("message threshold %.4f, want the chat threshold %.4f", got, chat)
	}
	if got := pr.ModelThreshold(def); got != prThreshold {
		t.Errorf("pull request threshold %.4f, want the model's for PRs %.4f", got, prThreshold)
	}
	// A score between the two thresholds: the message is flagged, the PR not.
	between := (chat + min(def, prThreshold)) / 2
	msg.Score, msg.CannotJudge = between, false
	pr.Score, pr.CannotJudge = between, false
	if o := ScoreOutcome(ModeFlag, msg, ResolveThresholds(0, 0, msg.ModelThreshold(def))); !o.Flagged {
		t.Errorf("a message scoring %.4f is not flagged at the chat threshold %.4f", between, chat)
	}
	if o := DefaultPolicy().Outcome(pr, def); o.Flagged {
		t.Errorf("a pull request scoring %.4f is flagged under the PR threshold %.4f", between, prThreshold)
	}
}
