package tokenize

// This file is the cold path of IDs: the BPE merge of a word that is neither
// a stored known word nor in the cache. It runs the library model's own merge
// table (bpe.BPE.Merges) through the same algorithm as the library's
// bpe.Word.MergeAll without dropout, with the same priority-queue discipline
// (a binary heap ordered by rank only, pushed and popped in the same order,
// so equal ranks resolve exactly as there). What it leaves out is the
// math/rand source the library seeds for every word, which only dropout reads
// and which cost more than the merge itself. The ids are checked against the
// library's own Tokenize on every test corpus and by FuzzIDs.

import "github.com/sugarme/tokenizer/model/bpe"

// symbol is one node of the word's doubly linked list of symbols.
type symbol struct {
	c, prev, next int
	alive         bool
}

// pendingMerge is a queued merge of the symbol at pos with its successor.
type pendingMerge struct {
	pos, rank, newID int
}

// mergeHeap is a binary min-heap by rank with the exact sift rules of the
// heap the library uses, so ties pop in the same order.
type mergeHeap []pendingMerge

// push returns h with m added (h's storage is reused when it has room).
func (h mergeHeap) push(m pendingMerge) mergeHeap {
	s := append(h, m)
	i := len(s) - 1
	for i > 0 {
		parent := (i - 1) >> 1
		if s[parent].rank <= s[i].rank {
			break
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
	return s
}

// pop returns h without its top, and the top, or false when h is empty.
func (h mergeHeap) pop() (mergeHeap, pendingMerge, bool) {
	s := h
	if len(s) == 0 {
		return s, pendingMerge{}, false
	}
	top := s[0]
	last := len(s) - 1
	s[0], s[last] = s[last], s[0]
	s = s[:last]
	i := 0
	for {
		left := i<<1 + 1
		if left >= len(s) {
			break
		}
		smaller := left
		if right := left + 1; right < len(s) && s[left].rank > s[right].rank {
			smaller = right
		}
		if s[i].rank <= s[smaller].rank {
			break
		}
		s[i], s[smaller] = s[smaller], s[i]
		i = smaller
	}
	return s, top, true
}

// stackWord is the longest word whose merge needs no heap allocation.
const stackWord = 32

// mergeIDs appends the ids of word w (raw bytes, at most maxChunk of them).
func mergeIDs(merges bpe.Merges, w string, dst []int32) []int32 {
	n := len(w)
	if n == 0 {
		return dst
	}
	// Most words are short: their symbols and queue live on the stack.
	var symBuf [stackWord]symbol
	var queueBuf [stackWord]pendingMerge
	syms, queue := symBuf[:0], mergeHeap(queueBuf[:0])
	if n > stackWord {
		syms, queue = make([]symbol, 0, n), make(mergeHeap, 0, n)
	}
	syms = syms[:n]
	for i := range n {
		syms[i] = symbol{c: int(w[i]), prev: i - 1, next: i + 1, alive: true}
	}
	syms[n-1].next = -1
	for i := 0; i < n-1; i++ {
		if m, ok := merges[bpe.Pair{C1: syms[i].c, C2: syms[i+1].c}]; ok {
			queue = queue.push(pendingMerge{pos: i, rank: m.Rank, newID: m.NewId})
		}
	}
	for {
		var top pendingMerge
		var ok bool
		queue, top, ok = queue.pop()
		if !ok {
			break
		}
		cur := &syms[top.pos]
		if !cur.alive || cur.next == -1 {
			continue
		}
		nextPos := cur.next
		right := syms[nextPos]
		m, ok := merges[bpe.Pair{C1: cur.c, C2: right.c}]
		if !ok || m.NewId != top.newID {
			continue // an expired entry
		}
		cur.c = top.newID
		cur.next = right.next
		syms[nextPos].alive = false
		if right.next > -1 && right.next < n {
			syms[right.next].prev = top.pos
		}
		if cur.prev >= 0 {
			if m, ok := merges[bpe.Pair{C1: syms[cur.prev].c, C2: cur.c}]; ok {
				queue = queue.push(pendingMerge{pos: cur.prev, rank: m.Rank, newID: m.NewId})
			}
		}
		if next := cur.next; next > -1 && next < n {
			if m, ok := merges[bpe.Pair{C1: cur.c, C2: syms[next].c}]; ok {
				queue = queue.push(pendingMerge{pos: top.pos, rank: m.Rank, newID: m.NewId})
			}
		}
	}
	for _, s := range syms {
		if s.alive {
			dst = append(dst, int32(s.c))
		}
	}
	return dst
}
