package evaluate

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/slopguard/slopguard/detector"
)

// kindFake scores every text 0.8 with a default threshold of 0.9 and a
// chat threshold of 0.75, and records the kinds it was asked about.
type kindFake struct {
	mu    sync.Mutex
	kinds map[string]int
}

func (k *kindFake) Score(text string) detector.Result { return k.ScoreOnlyKind(text, "") }
func (k *kindFake) Threshold() float64                { return 0.9 }
func (k *kindFake) Version() string                   { return "kinds-1" }

func (k *kindFake) ThresholdFor(kind string) float64 {
	if kind == "chat" {
		return 0.75
	}
	return 0.9
}

func (k *kindFake) ScoreOnlyKind(text, kind string) detector.Result {
	k.mu.Lock()
	k.kinds[kind]++
	k.mu.Unlock()
	v := detector.Unsure
	if 0.8 >= k.ThresholdFor(kind) {
		v = detector.Machine
	}
	return detector.Result{Score: 0.8, Verdict: v}
}

func TestRunGivesVerdictsAtTheKindsThreshold(t *testing.T) {
	t.Parallel()
	k := &kindFake{kinds: map[string]int{}}
	rep, err := Run(context.Background(), k, records(), Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	// records(): two code reviews (kind group "comment"), two chat texts (domain "chat").
	if k.kinds["comment"] != 2 || k.kinds["chat"] != 2 || len(k.kinds) != 2 {
		t.Errorf("asked about kinds %v, want comment 2 and chat 2", k.kinds)
	}
	for i, s := range rep.Samples {
		want := detector.Unsure
		if records()[i].Domain == "chat" {
			want = detector.Machine
		}
		if s.Verdict != want {
			t.Errorf("sample %d: verdict %v, want %v", i, s.Verdict, want)
		}
	}
	if len(rep.KindThresholds) != 1 || rep.KindThresholds["chat"] != 0.75 {
		t.Errorf("report kind thresholds %v, want chat 0.75 only", rep.KindThresholds)
	}
	if !strings.Contains(rep.Summary(), "threshold 0.900 (chat 0.750)") {
		t.Errorf("summary does not name the chat threshold:\n%s", rep.Summary())
	}
}
