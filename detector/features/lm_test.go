package features

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// lmTestIDs turns space-separated words into token ids, one id per
// distinct word in order of first use; "." gets id 1.
func lmTestIDs(vocab map[string]int32, text string) []int32 {
	var ids []int32
	for _, w := range strings.Fields(text) {
		id, ok := vocab[w]
		if !ok {
			id = int32(len(vocab) + 2)
			vocab[w] = id
		}
		ids = append(ids, id)
	}
	return ids
}

func lmTestPair(t *testing.T) (*LMPair, map[string]int32) {
	t.Helper()
	vocab := map[string]int32{".": 1}
	human := [][]int32{
		lmTestIDs(vocab, "we went down to the river and the dog ran off ."),
		lmTestIDs(vocab, "the dog ran off again so we went home ."),
	}
	machine := [][]int32{
		lmTestIDs(vocab, "it is important to note that the results are robust ."),
		lmTestIDs(vocab, "it is important to ensure that the code is robust ."),
	}
	const size = 64
	enders := make([]bool, size)
	enders[1] = true
	return &LMPair{Human: TrainTokenLM(size, human), Machine: TrainTokenLM(size, machine), Enders: enders}, vocab
}

func meanSurprisal(lm *TokenLM, ids []int32) float64 {
	sum, prev := 0.0, int32(-1)
	for _, id := range ids {
		sum += lm.Surprisal(prev, id)
		prev = id
	}
	return sum / float64(len(ids))
}

func TestTokenLMPrefersItsTrainingText(t *testing.T) {
	t.Parallel()
	p, vocab := lmTestPair(t)
	humanish := lmTestIDs(vocab, "the dog ran off to the river .")
	machinish := lmTestIDs(vocab, "it is important to note that the code is robust .")
	if h, m := meanSurprisal(p.Human, humanish), meanSurprisal(p.Machine, humanish); !(h < m) {
		t.Errorf("human-like text: surprisal %.3f under the human model, %.3f under the machine model; want lower under the human one", h, m)
	}
	if h, m := meanSurprisal(p.Machine, machinish), meanSurprisal(p.Human, machinish); !(h < m) {
		t.Errorf("machine-like text: surprisal %.3f under the machine model, %.3f under the human model; want lower under the machine one", h, m)
	}
	// The likelihood ratio statistic (machine over human) follows.
	hs := p.LMStatValues(humanish, nil)
	ms := p.LMStatValues(machinish, nil)
	if !(ms[4] > 0 && hs[4] < 0) {
		t.Errorf("machine likeness: %.3f for the human-like text, %.3f for the machine-like one; want below and above 0", hs[4], ms[4])
	}
	for _, st := range [][]float64{hs, ms} {
		for i, x := range st {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Errorf("statistic %s is %v", LMStats[i].Name, x)
			}
		}
	}
}

func TestLMStatValuesAreDeterministicAndSurviveEncoding(t *testing.T) {
	t.Parallel()
	p, vocab := lmTestPair(t)
	ids := lmTestIDs(vocab, "we went to the river . it is important to note that the dog ran off . unseen words here .")
	want := p.LMStatValues(ids, nil)
	if len(want) != len(LMStats) {
		t.Fatalf("%d values, want %d", len(want), len(LMStats))
	}
	if again := p.LMStatValues(ids, nil); !slices.Equal(again, want) {
		t.Errorf("second run %v, first %v", again, want)
	}
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	q, err := UnmarshalLMPair(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := q.LMStatValues(ids, nil); !slices.Equal(got, want) {
		t.Errorf("after encoding %v, before %v", got, want)
	}
	if empty := q.LMStatValues(nil, nil); !slices.Equal(empty, make([]float64, len(LMStats))) {
		t.Errorf("no tokens: %v, want zeros", empty)
	}
	for _, bad := range [][]byte{nil, b[:len(b)-1], append(slices.Clone(b), 0)} {
		if _, err := UnmarshalLMPair(bad); err == nil {
			t.Errorf("%d bytes decoded without an error", len(bad))
		}
	}
}

func TestExtractorNeedsLMForLMStats(t *testing.T) {
	t.Parallel()
	p, _ := lmTestPair(t)
	cfg := Config{Hashing: CurrentHashing, HashBits: 8, CharMin: 3, CharMax: 5, StatBins: 2, TokenBigrams: true}
	edges := func(n int) [][]float64 { return slices.Repeat([][]float64{{0}}, n) }
	plain, err := NewExtractor(cfg, edges(len(Stats)))
	if err != nil {
		t.Fatal(err)
	}
	cfg.LMStats = true
	if _, err := NewExtractor(cfg, edges(len(Stats)+len(LMStats))); err == nil {
		t.Error("lm_stats without language models: no error")
	}
	if _, err := NewExtractorLM(cfg, edges(len(Stats)), p); err == nil {
		t.Error("lm_stats with too few edges: no error")
	}
	withLM, err := NewExtractorLM(cfg, edges(len(Stats)+len(LMStats)), p)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := withLM.Dim()-plain.Dim(), len(LMStats)*cfg.StatBins; got != want {
		t.Errorf("lm_stats adds %d dimensions, want %d", got, want)
	}
	var v Vector
	if got := withLM.Extract("Some text. More text.", []int32{2, 3, 1}, &v, nil); len(got) != len(Stats)+len(LMStats) {
		t.Errorf("%d statistics, want %d", len(got), len(Stats)+len(LMStats))
	}
}
