package tokenize

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/sugarme/tokenizer/model/bpe"
)

// TestWordCacheKeepsTheLatestWordOfASlot checks the direct-mapped cache: a
// word is found with its own ids, a word sharing its slot takes the slot
// over, and a word never put is not found.
func TestWordCacheKeepsTheLatestWordOfASlot(t *testing.T) {
	var c wordCache
	c.init(4)
	// Hashes whose bits 32 and up pick the slot: both go to slot 1.
	const h1, h2 = 1 << 32, 5 << 32
	tests := []struct {
		step   string
		put    string
		h      uint64
		ids    []int32
		lookup string
		lh     uint64
		want   []int32
		found  bool
	}{
		{step: "empty", lookup: "cat", lh: h1},
		{step: "put cat", put: "cat", h: h1, ids: []int32{7, 8}, lookup: "cat", lh: h1, want: []int32{7, 8}, found: true},
		{step: "same slot, other word", lookup: "dog", lh: h2},
		{step: "dog takes the slot", put: "dog", h: h2, ids: []int32{9}, lookup: "dog", lh: h2, want: []int32{9}, found: true},
		{step: "cat is gone", lookup: "cat", lh: h1},
	}
	for _, tt := range tests {
		if tt.put != "" {
			c.put(tt.put, tt.h, tt.ids)
		}
		got, ok := c.get(tt.lookup, tt.lh)
		if ok != tt.found || !slices.Equal(got, tt.want) {
			t.Errorf("%s: get(%q) = %v, %v; want %v, %v", tt.step, tt.lookup, got, ok, tt.want, tt.found)
		}
	}
}

// TestWordCacheConcurrent hammers one small cache from several goroutines
// (run with -race): every hit must carry the ids of the word asked for.
func TestWordCacheConcurrent(t *testing.T) {
	var c wordCache
	c.init(8)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				w := fmt.Sprint((i + g) % 50)
				h := hashWord(w)
				want := []int32{int32(len(w)), int32(w[0])}
				if ids, ok := c.get(w, h); ok && !slices.Equal(ids, want) {
					t.Errorf("get(%q) = %v, want %v", w, ids, want)
					return
				}
				c.put(w, h, want)
			}
		}()
	}
	wg.Wait()
}

// TestMergeTableMatchesMerges checks the flat merge table against the map it
// copies, on every pair in it and on pairs not in it.
func TestMergeTableMatchesMerges(t *testing.T) {
	merges := bpe.Merges{}
	for i := range 1000 {
		merges[bpe.Pair{C1: i % 37, C2: i}] = bpe.PairVal{Rank: i, NewId: 1000 + i}
	}
	merges[bpe.Pair{C1: 0, C2: 0}] = bpe.PairVal{Rank: 1000, NewId: 5000} // the pair whose key is 0
	table := newMergeTable(merges)
	for p, v := range merges {
		rank, id, ok := table.lookup(p.C1, p.C2)
		if !ok || rank != v.Rank || id != v.NewId {
			t.Errorf("lookup(%d, %d) = %d, %d, %v; want %d, %d", p.C1, p.C2, rank, id, ok, v.Rank, v.NewId)
		}
	}
	for _, p := range [][2]int{{1, 0}, {36, 35}, {5, 2000}, {1 << 20, 3}} {
		if _, ok := merges[bpe.Pair{C1: p[0], C2: p[1]}]; ok {
			continue
		}
		if _, _, ok := table.lookup(p[0], p[1]); ok {
			t.Errorf("lookup(%d, %d) found a merge that is not there", p[0], p[1])
		}
	}
	empty := newMergeTable(nil)
	if _, _, ok := empty.lookup(1, 2); ok {
		t.Error("empty table found a merge")
	}
}
