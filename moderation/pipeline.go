package moderation

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/slopguard/slopguard/detector"
)

// Verdict is the detector's Result for one Item, with the model that gave it.
type Verdict struct {
	Item Item `json:"item"`
	detector.Result
	// Disclosure is what the item says about where it came from; nil when
	// it says nothing. See Judge.
	Disclosure   *Disclosure `json:"disclosure,omitempty"`
	ModelVersion string      `json:"model_version"`
	CheckedAt    time.Time   `json:"checked_at"`
	// KindThreshold is the model's own flag threshold for the item's kind
	// when the model has one for it that differs from its default (see
	// detector.Detector.ThresholdFor); 0 otherwise.
	KindThreshold float64 `json:"kind_threshold,omitempty"`
}

// ModelThreshold is the model's own flag threshold for the verdict's item:
// KindThreshold when set, else def (the model's default threshold). A
// policy or server threshold, when set, still replaces it.
func (v Verdict) ModelThreshold(def float64) float64 {
	if v.KindThreshold > 0 {
		return v.KindThreshold
	}
	return def
}

// Flagged reports whether the verdict's score reaches threshold. A text the
// model cannot judge (too short, language not supported) is never flagged,
// whatever its score; an Unsure verdict between the model's own thresholds
// is, when a lower threshold was chosen and the score reaches it.
func (v Verdict) Flagged(threshold float64) bool {
	return FlaggedScore(v.Score, v.CannotJudge, threshold)
}

// Scorer is what the pipeline needs from a detector.
type Scorer interface {
	Score(text string) detector.Result
	Version() string
}

// KindScorer is a Scorer with thresholds per kind of item
// (*detector.Detector): the pipeline scores each item with its Kind, so
// that the verdict and the flag use the threshold for that kind.
type KindScorer interface {
	Scorer
	ScoreKind(text, kind string) detector.Result
	ThresholdFor(kind string) float64
	Threshold() float64
}

// Checker turns an Item into a Verdict; adapters score through it, never by
// calling the detector (they use the detector's Result and Reason types).
type Checker interface {
	Check(ctx context.Context, it Item) (Verdict, error)
}

// Pipeline is the Checker every integration shares.
type Pipeline struct {
	Scorer Scorer
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Slots, when not nil, bounds how many texts are scored at once (its
	// capacity): the GitHub and Discord workers share the CPUs through it.
	Slots chan struct{}
}

// NewSlots returns a Slots channel for n concurrent scorings.
func NewSlots(n int) chan struct{} { return make(chan struct{}, n) }

var _ Checker = (*Pipeline)(nil)

// Check scores the item's text, with its disclosures read by Judge. It
// fails only when ctx is already done.
func (p *Pipeline) Check(ctx context.Context, it Item) (Verdict, error) {
	if err := ctx.Err(); err != nil {
		return Verdict{}, fmt.Errorf("check %s %s: %w", it.Platform, it.ID, err)
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	if p.Slots != nil {
		select {
		case p.Slots <- struct{}{}:
			defer func() { <-p.Slots }()
		case <-ctx.Done():
			return Verdict{}, fmt.Errorf("check %s %s: waiting to score: %w", it.Platform, it.ID, ctx.Err())
		}
	}
	score := p.Scorer.Score
	var kindThreshold float64
	if k, ok := p.Scorer.(KindScorer); ok {
		kind := string(it.Kind)
		score = func(text string) detector.Result { return k.ScoreKind(text, kind) }
		if t := k.ThresholdFor(kind); t != k.Threshold() {
			kindThreshold = t
		}
	}
	res, d := Judge(score, it)
	return Verdict{Item: it, Result: res, Disclosure: d, ModelVersion: p.Scorer.Version(), CheckedAt: now().UTC(), KindThreshold: kindThreshold}, nil
}

// quoted matches a quotation a reason makes from the text ("the wording
// "comprehensive" …", "e.g. "to ensure that the""). Reasons quote with
// Go's %q, so a quote inside the quotation is escaped as \".
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// ReasonTexts returns the reasons' texts for the decision log. Reasons
// quote words and phrases of the text; unless keepQuotes (a server that
// keeps texts), the quotations are replaced by "…", so that the log says
// why without keeping what people wrote.
func ReasonTexts(reasons []detector.Reason, keepQuotes bool) []string {
	out := make([]string, 0, len(reasons))
	for _, r := range reasons {
		text := r.Text
		if !keepQuotes {
			text = quoted.ReplaceAllString(text, `"…"`)
		}
		out = append(out, text)
	}
	return out
}
