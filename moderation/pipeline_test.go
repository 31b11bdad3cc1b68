package moderation

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slopguard/slopguard/detector"
)

func TestVerdictFlagged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		res       detector.Result
		threshold float64
		want      bool
	}{
		{"machine above threshold", detector.Result{Score: 0.995, Verdict: detector.Machine}, 0.99, true},
		{"machine below a stricter threshold", detector.Result{Score: 0.995, Verdict: detector.Machine}, 0.999, false},
		{"score exactly at threshold", detector.Result{Score: 0.9, Verdict: detector.Unsure}, 0.9, true},
		// Between the model's thresholds: a lower threshold someone chose flags it.
		{"unsure band above a lowered threshold", detector.Result{Score: 0.94, Verdict: detector.Unsure}, 0.9, true},
		{"unsure band below threshold", detector.Result{Score: 0.94, Verdict: detector.Unsure}, 0.99, false},
		// A text the model cannot judge is never flagged, whatever its score.
		{"cannot judge", detector.Result{Score: 0.97, Verdict: detector.Unsure, CannotJudge: true}, 0.5, false},
		{"human verdict under a very low threshold", detector.Result{Score: 0.3, Verdict: detector.Human}, 0.2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := (Verdict{Result: tt.res}).Flagged(tt.threshold); got != tt.want {
				t.Errorf("Flagged(%v) of %+v = %v, want %v", tt.threshold, tt.res, got, tt.want)
			}
		})
	}
}

// countingScorer records how many Score calls overlap.
type countingScorer struct {
	mu        sync.Mutex
	now, peak int
}

func (c *countingScorer) Score(string) detector.Result {
	c.mu.Lock()
	c.now++
	c.peak = max(c.peak, c.now)
	c.mu.Unlock()
	time.Sleep(5 * time.Millisecond)
	c.mu.Lock()
	c.now--
	c.mu.Unlock()
	return detector.Result{}
}

func (c *countingScorer) Version() string { return "test" }

func TestPipelineSlotsBoundConcurrency(t *testing.T) {
	t.Parallel()
	sc := &countingScorer{}
	p := &Pipeline{Scorer: sc, Slots: NewSlots(2)}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := p.Check(t.Context(), Item{ID: "x"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if sc.peak > 2 {
		t.Errorf("%d texts scored at once, want at most 2", sc.peak)
	}
	// A full pipeline gives up when the caller does.
	full := &Pipeline{Scorer: sc, Slots: NewSlots(1)}
	full.Slots <- struct{}{}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := full.Check(ctx, Item{ID: "y"}); err == nil {
		t.Error("Check with every slot taken and a cancelled context: got nil error")
	}
}

func TestReasonTextsDropQuotesUnlessTextIsKept(t *testing.T) {
	t.Parallel()
	rs := []detector.Reason{
		{Text: `the wording "jordan.mcallister" is more common in generated text`},
		{Text: `its sentence construction is more typical of generated text, e.g. "I'm Jordan (jordan"`},
		{Text: "sentences start with capitals"},
		{Text: fmt.Sprintf("e.g. %q", `he said "secret words here" to`)},
	}
	got := ReasonTexts(rs, false)
	want := []string{
		`the wording "…" is more common in generated text`,
		`its sentence construction is more typical of generated text, e.g. "…"`,
		"sentences start with capitals",
		`e.g. "…"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("ReasonTexts(…, false) =\n%q\nwant\n%q", got, want)
	}
	if got := ReasonTexts(rs, true); got[0] != rs[0].Text {
		t.Errorf("ReasonTexts(…, true) changed a reason: %q", got[0])
	}
}
