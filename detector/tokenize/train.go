package tokenize

import (
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// TrainOptions configures Train. Zero fields take the defaults below.
type TrainOptions struct {
	// VocabSize is the number of token ids wanted, the 256 byte symbols and
	// UnkToken included (default 8000). Training stops earlier when no pair
	// occurs MinFrequency times.
	VocabSize int
	// MinFrequency is the least count a pair needs to be merged (default 2).
	MinFrequency int
	// MaxWords caps the distinct words fed to the trainer, most frequent
	// first, ties by byte order (default 50000).
	MaxWords int
}

func (o TrainOptions) withDefaults() TrainOptions {
	if o.VocabSize <= 0 {
		o.VocabSize = 8000
	}
	if o.MinFrequency <= 0 {
		o.MinFrequency = 2
	}
	if o.MaxWords <= 0 {
		o.MaxWords = 50000
	}
	return o
}

// Train learns a byte-level BPE vocabulary from texts, which the caller has
// already normalised. It splits texts into words exactly as IDs does (in
// parallel over all cores), keeps the MaxWords most frequent, and learns
// merges from their counts. The result depends only on texts and opts:
// training twice gives identical MarshalBinary bytes. Train writes nothing
// to stdout or stderr.
func Train(texts []string, opts TrainOptions) (*Tokenizer, error) {
	opts = opts.withDefaults()
	if opts.VocabSize <= firstMerge {
		return nil, fmt.Errorf("tokenize: vocab size %d leaves no room for merges (minimum %d)", opts.VocabSize, firstMerge+1)
	}
	counts := countWords(texts)
	if len(counts) == 0 {
		return nil, errors.New("tokenize: no words to train on")
	}
	words := topWords(counts, opts.MaxWords)
	merges := learnMerges(words, opts.VocabSize-firstMerge, int64(opts.MinFrequency))
	t, err := newTokenizer(merges)
	if err != nil {
		return nil, fmt.Errorf("tokenize: trained merges: %w", err)
	}
	if err := t.storeKnown(words[:min(len(words), knownWords)]); err != nil {
		return nil, fmt.Errorf("tokenize: %w", err)
	}
	return t, nil
}

// knownWords is how many of the most frequent training words a Tokenizer
// stores with their ids (about 10 bytes each in the blob).
const knownWords = 1 << 16

// storeKnown tokenises words with the library model, in parallel, and
// records them as known words in order.
func (t *Tokenizer) storeKnown(words []wordCount) error {
	ids := make([][]int32, len(words))
	t.known = newKnownTable(len(words))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(words); i += workers {
				ids[i] = t.modelIDs(words[i].word, nil)
			}
		}()
	}
	wg.Wait()
	for i, wc := range words {
		if err := t.addKnown(wc.word, ids[i]); err != nil {
			return err
		}
	}
	return nil
}

// countWords counts the pre-token chunks of texts (as IDs sees them, the
// virtual prefix space included) in parallel.
func countWords(texts []string) map[string]int64 {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(texts)))
	parts := make([]map[string]int64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := make(map[string]int64)
			for i := w; i < len(texts); i += workers {
				text := fixUTF8(texts[i])
				scan(text, func(prefixed bool, start, end int) {
					chunks(text, prefixed, start, end, func(prefixed bool, start, end int) {
						if prefixed {
							m[" "+text[start:end]]++
							return
						}
						if c, ok := m[text[start:end]]; ok {
							m[text[start:end]] = c + 1
							return
						}
						// Own the key: a substring would pin the whole text.
						m[string([]byte(text[start:end]))] = 1
					})
				})
			}
			parts[w] = m
		}()
	}
	wg.Wait()
	total := parts[0]
	for _, m := range parts[1:] {
		for k, c := range m {
			total[k] += c
		}
	}
	return total
}

type wordCount struct {
	word  string
	count int64
}

// topWords returns the n most frequent words, ties broken by byte order.
func topWords(counts map[string]int64, n int) []wordCount {
	words := make([]wordCount, 0, len(counts))
	for w, c := range counts {
		words = append(words, wordCount{w, c})
	}
	slices.SortFunc(words, func(a, b wordCount) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		return cmp.Compare(a.word, b.word)
	})
	return words[:min(n, len(words))]
}

// pairKey packs a symbol pair.
type pairKey uint64

func mkPair(a, b int32) pairKey       { return pairKey(uint64(uint32(a))<<32 | uint64(uint32(b))) }
func (p pairKey) split() (a, b int32) { return int32(p >> 32), int32(uint32(p)) }

// pairItem is a heap entry; entries go stale as counts change and are
// checked against the live count when popped.
type pairItem struct {
	pair  pairKey
	count int64
}

type pairHeap []pairItem

func (h pairHeap) Len() int { return len(h) }
func (h pairHeap) Less(i, j int) bool {
	if h[i].count != h[j].count {
		return h[i].count > h[j].count
	}
	return h[i].pair < h[j].pair // ties: lowest (left, right) ids first
}
func (h pairHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pairHeap) Push(x any)   { *h = append(*h, x.(pairItem)) }
func (h *pairHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// learnMerges runs classic BPE training (Sennrich et al.) over word counts:
// repeatedly merge the most frequent adjacent symbol pair, ties broken by
// the lower (left, right) id pair, until maxMerges merges are made or the
// top pair occurs fewer than minFreq times. Symbols start as bytes (ids
// 0..255); merge i makes token text tokens[left]+tokens[right], reusing the
// id of an identical earlier token (as newTokenizer does when loading).
// Every step is a pure function of the sorted input, so the result is
// deterministic.
func learnMerges(words []wordCount, maxMerges int, minFreq int64) [][2]int32 {
	syms := make([][]int32, len(words))
	counts := pairCounts{n: map[pairKey]int64{}, where: map[pairKey][]int32{}}
	for i, wc := range words {
		s := make([]int32, len(wc.word))
		for j := 0; j < len(wc.word); j++ {
			s[j] = int32(wc.word[j])
		}
		syms[i] = s
		for j := 0; j+1 < len(s); j++ {
			counts.add(mkPair(s[j], s[j+1]), wc.count, int32(i))
		}
	}
	h := make(pairHeap, 0, len(counts.n))
	for p, c := range counts.n {
		h = append(h, pairItem{p, c})
	}
	heap.Init(&h)

	tokens := make([]string, firstMerge, firstMerge+maxMerges)
	for b := range numBytes {
		tokens[b] = string(rune(0)) + string(byte(b)) // raw bytes, tagged to never equal UnkToken
	}
	tokens[unkID] = UnkToken
	ids := make(map[string]int32, cap(tokens))
	for id, s := range tokens {
		ids[s] = int32(id)
	}

	var merges [][2]int32
	merged := make(map[pairKey]bool)
	seen := make([]int, len(words)) // word index → last merge step that visited it
	for len(tokens) < firstMerge+maxMerges && h.Len() > 0 {
		top := heap.Pop(&h).(pairItem)
		live := counts.n[top.pair]
		switch {
		case live == 0:
			continue
		case top.count > live: // stale high: requeue at its live count
			heap.Push(&h, pairItem{top.pair, live})
			continue
		case top.count < live: // a fresher entry with a higher count exists
			continue
		}
		if live < minFreq {
			break
		}
		if merged[top.pair] {
			// Re-formed after its merge through a reused id: the model
			// already ranks this pair; leave these occurrences.
			delete(counts.n, top.pair)
			delete(counts.where, top.pair)
			continue
		}
		merged[top.pair] = true
		a, b := top.pair.split()
		s := tokens[a] + tokens[b][1:]
		id, ok := ids[s]
		if !ok {
			id = int32(len(tokens))
			tokens = append(tokens, s)
			ids[s] = id
		}
		merges = append(merges, [2]int32{a, b})

		step := len(merges)
		counts.changed = counts.changed[:0]
		for _, wi := range counts.where[top.pair] {
			if seen[wi] == step {
				continue
			}
			seen[wi] = step
			syms[wi] = counts.mergeWord(syms[wi], a, b, id, words[wi].count, wi)
		}
		delete(counts.n, top.pair)
		delete(counts.where, top.pair)
		for _, p := range counts.changed {
			if c := counts.n[p]; c > 0 {
				heap.Push(&h, pairItem{p, c})
			}
		}
	}
	return merges
}

// pairCounts holds live pair counts and, per pair, the words it may occur
// in (append-only, possibly stale or repeated).
type pairCounts struct {
	n       map[pairKey]int64
	where   map[pairKey][]int32
	changed []pairKey // pairs whose count grew during the current merge
}

func (pc *pairCounts) add(p pairKey, c int64, word int32) {
	pc.n[p] += c
	if c > 0 {
		pc.where[p] = append(pc.where[p], word)
		pc.changed = append(pc.changed, p)
	}
}

// mergeWord replaces each non-overlapping (a, b) in s, left to right, by id
// and updates the counts of the neighbouring pairs.
func (pc *pairCounts) mergeWord(s []int32, a, b, id int32, c int64, word int32) []int32 {
	out := s[:0]
	for i := 0; i < len(s); {
		if i+1 < len(s) && s[i] == a && s[i+1] == b {
			if len(out) > 0 {
				l := out[len(out)-1]
				pc.add(mkPair(l, a), -c, word)
				pc.add(mkPair(l, id), c, word)
			}
			if i+2 < len(s) {
				r := s[i+2]
				pc.add(mkPair(b, r), -c, word)
				pc.add(mkPair(id, r), c, word)
			}
			out = append(out, id)
			i += 2
			continue
		}
		out = append(out, s[i])
		i++
	}
	return out
}
