package ci

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
)

// fakeScorer gives fixed results chosen by marker words, with spans that
// point at where those words really are, so location mapping is exercised
// on honest offsets:
//
//	fewer than 5 words       unsure, "too short to judge"
//	"delve"                  machine 0.97: phrasing at each "delve", vocabulary at "tapestry", style (no span), one reason towards human
//	"leverage"               machine 0.92: phrasing at "leverage"
//	"midway"                 unsure 0.80, between the thresholds (judged, not CannotJudge)
//	"robust"                 human 0.60 (flagged only under a low threshold)
//	"PANIC"                  panics
//	anything else            human 0.05 with one reason towards human
type fakeScorer struct{}

func (fakeScorer) Version() string { return "fake-1" }

func spanOf(text, word string) []detector.Span {
	i := strings.Index(text, word)
	if i < 0 {
		return nil
	}
	return []detector.Span{{Start: i, End: i + len(word)}}
}

func (fakeScorer) Score(text string) detector.Result {
	switch {
	case strings.Contains(text, "PANIC"):
		panic("fake scorer asked to panic")
	case len(strings.Fields(text)) < 5:
		return detector.Result{Score: 0.5, Verdict: detector.Unsure, Note: "too short to judge", CannotJudge: true}
	case strings.Contains(text, "delve"):
		return detector.Result{Score: 0.97, Verdict: detector.Machine, Reasons: []detector.Reason{
			{Family: "phrasing", Signal: "phrase.delve", Text: `uses the stock phrase "delve into"`, Weight: 1.4, Spans: spanOf(text, "delve")},
			{Family: "vocabulary", Signal: "word.tapestry", Text: `uses "tapestry" as a metaphor`, Weight: 0.9, Spans: spanOf(text, "tapestry")},
			{Family: "style", Signal: "style.uniform_sentences", Text: "sentences of near-identical length", Weight: 0.4},
			{Family: "characters", Signal: "chars.ascii_only", Text: "plain ASCII punctuation", Weight: -0.3},
		}}
	case strings.Contains(text, "leverage"):
		return detector.Result{Score: 0.92, Verdict: detector.Machine, Reasons: []detector.Reason{
			{Family: "phrasing", Signal: "phrase.leverage", Text: `uses "leverage" as a verb`, Weight: 1.1, Spans: spanOf(text, "leverage")},
		}}
	case strings.Contains(text, "midway"):
		return detector.Result{Score: 0.80, Verdict: detector.Unsure, Note: "between the human and machine thresholds"}
	case strings.Contains(text, "robust"):
		return detector.Result{Score: 0.60, Verdict: detector.Human, Reasons: []detector.Reason{
			{Family: "vocabulary", Signal: "word.robust", Text: `uses "robust"`, Weight: 0.5, Spans: spanOf(text, "robust")},
		}}
	default:
		return detector.Result{Score: 0.05, Verdict: detector.Human, Reasons: []detector.Reason{
			{Family: "style", Signal: "style.varied_sentences", Text: "sentence lengths vary like people's", Weight: -1.2},
		}}
	}
}

// newFakeChecker is the real Pipeline around the fake scorer, at a fixed time.
func newFakeChecker() moderation.Checker {
	return &moderation.Pipeline{Scorer: fakeScorer{}, Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
}

// runFake runs the check over ins with the fake checker and fails the test
// if Run returns an error.
func runFake(t *testing.T, ins []Input, opts Options) *Report {
	t.Helper()
	r, err := Run(context.Background(), newFakeChecker(), ins, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return r
}

// errChecker fails every check.
type errChecker struct{}

func (errChecker) Check(ctx context.Context, it moderation.Item) (moderation.Verdict, error) {
	return moderation.Verdict{}, errors.New("scorer unavailable")
}
