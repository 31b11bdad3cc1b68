package tokenize

// This file is the cold path of IDs: the BPE merge of a word that is neither
// a stored known word nor in the cache. It runs the library model's own merge
// table (bpe.BPE.Merges) through the same algorithm as the library's
// bpe.Word.MergeAll without dropout, with the same priority-queue discipline
// (a binary heap ordered by rank only, pushed and popped in the same order,
// so equal ranks resolve exactly as there). What it leaves out is the
// math/rand source the library seeds for every word, which only dropout reads
// and which cost more than the merge itself. The ids are checked against the
// library's own Tokenize on every test corpus and by FuzzIDs. The merge
// table is the library's, copied into a flat open-addressing table keyed by
// the pair packed in one word (a Go map with a two-int key hashed 16 bytes
// per lookup and was most of the merge's time).

import (
	"math/bits"

	"github.com/sugarme/tokenizer/model/bpe"
)

// mergeSlot is one slot of a mergeTable; rank1 == 0 marks it empty.
type mergeSlot struct {
	key   uint64 // the pair: left id << 32 | right id
	rank1 int32  // the merge's rank + 1
	newID int32
}

// mergeTable maps a pair of token ids to its merge: the library model's
// bpe.Merges, read-only once built.
type mergeTable struct {
	slots []mergeSlot // power-of-two length, at most half full
}

// newMergeTable copies merges into a mergeTable.
func newMergeTable(merges bpe.Merges) mergeTable {
	size := 16
	for size < 2*len(merges) {
		size <<= 1
	}
	t := mergeTable{slots: make([]mergeSlot, size)}
	mask := uint64(size - 1)
	for p, v := range merges {
		key := pairKeyOf(p.C1, p.C2)
		i := pairHash(key) & mask
		for t.slots[i].rank1 != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = mergeSlot{key: key, rank1: int32(v.Rank + 1), newID: int32(v.NewId)}
	}
	return t
}

// pairKeyOf packs a pair of token ids into one table key.
func pairKeyOf(a, b int) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// pairHash spreads a packed pair over the table's low bits.
func pairHash(key uint64) uint64 {
	hi, lo := bits.Mul64(key^hashSeed, hashMul1)
	return hi ^ lo
}

// lookup returns the rank and new id of the merge of a and b, if any.
func (t *mergeTable) lookup(a, b int) (rank, newID int, ok bool) {
	key := pairKeyOf(a, b)
	mask := uint64(len(t.slots) - 1)
	for i := pairHash(key) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.rank1 == 0 {
			return 0, 0, false
		}
		if s.key == key {
			return int(s.rank1 - 1), int(s.newID), true
		}
	}
}

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
func mergeIDs(merges *mergeTable, w string, dst []int32) []int32 {
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
		if rank, id, ok := merges.lookup(syms[i].c, syms[i+1].c); ok {
			queue = queue.push(pendingMerge{pos: i, rank: rank, newID: id})
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
		if _, id, ok := merges.lookup(cur.c, right.c); !ok || id != top.newID {
			continue // an expired entry
		}
		cur.c = top.newID
		cur.next = right.next
		syms[nextPos].alive = false
		if right.next > -1 && right.next < n {
			syms[right.next].prev = top.pos
		}
		if cur.prev >= 0 {
			if rank, id, ok := merges.lookup(syms[cur.prev].c, cur.c); ok {
				queue = queue.push(pendingMerge{pos: cur.prev, rank: rank, newID: id})
			}
		}
		if next := cur.next; next > -1 && next < n {
			if rank, id, ok := merges.lookup(cur.c, syms[next].c); ok {
				queue = queue.push(pendingMerge{pos: top.pos, rank: rank, newID: id})
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
