package tokenize

// This file is the first lookup of IDs: the known words stored in the model,
// held in a flat read-only open-addressing table instead of a Go map. A Go
// map lookup touches its control word, the key's string header, the key's
// bytes, the value's slice header and the ids, each a likely cache miss with
// 65536 entries. Here a lookup hashes the word, probes a slot array of
// small structs comparing the stored hash, then compares the word's bytes
// in the arena and reads its ids right after them: usually two cache lines.

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// knownSlot is one slot of a knownTable. A slot with nids == 0 is empty:
// every known word has at least one id.
type knownSlot struct {
	tag  uint32 // the high 32 bits of the word's hash
	off  uint32 // arena offset of the word's bytes; its ids follow them
	wlen uint8  // word length in bytes, at most maxWordBytes
	nids uint8  // id count, at most the word length
}

// knownTable maps raw words to their ids. Entries are only added (while
// loading or training), never changed or removed, so once built it is
// read-only and safe for concurrent lookups.
type knownTable struct {
	slots []knownSlot // power-of-two length, at most half full
	arena []byte      // per word: its bytes, then its ids as 4-byte little-endian
	n     int         // entries
}

// minKnownSlots is the slot count of a non-empty table at its smallest.
const minKnownSlots = 16

// newKnownTable returns a table with room for hint words before it grows.
func newKnownTable(hint int) knownTable {
	size := minKnownSlots
	for size < 2*hint {
		size <<= 1
	}
	return knownTable{slots: make([]knownSlot, size), arena: make([]byte, 0, hint*16)}
}

// len returns the number of words in the table.
func (k *knownTable) len() int { return k.n }

// appendIDs appends the ids of w to dst and reports whether w is known;
// if not, dst is returned unchanged.
func (k *knownTable) appendIDs(w string, dst []int32) ([]int32, bool) {
	return k.appendHashed(w, hashWord(w), dst)
}

// appendHashed is appendIDs for a word whose hashWord is h.
func (k *knownTable) appendHashed(w string, h uint64, dst []int32) ([]int32, bool) {
	s, ok := k.find(w, h)
	if !ok {
		return dst, false
	}
	start := int(s.off) + int(s.wlen)
	ids := k.arena[start : start+4*int(s.nids)]
	for len(ids) >= 4 {
		dst = append(dst, int32(binary.LittleEndian.Uint32(ids)))
		ids = ids[4:]
	}
	return dst, true
}

// find returns the slot of w, whose hash is h.
func (k *knownTable) find(w string, h uint64) (knownSlot, bool) {
	if len(k.slots) == 0 {
		return knownSlot{}, false
	}
	mask := len(k.slots) - 1
	tag := uint32(h >> 32)
	for i := int(h) & mask; ; i = (i + 1) & mask {
		s := k.slots[i]
		if s.nids == 0 {
			return knownSlot{}, false
		}
		if s.tag == tag && int(s.wlen) == len(w) && string(k.arena[s.off:int(s.off)+len(w)]) == w {
			return s, true
		}
	}
}

// insert adds w with ids, which the caller has validated (1 to 255 ids, w
// of 1 to 255 bytes). It reports false, adding nothing, if w is already
// in the table or the arena would pass 4 GiB.
func (k *knownTable) insert(w string, ids []int32) bool {
	h := hashWord(w)
	if _, dup := k.find(w, h); dup {
		return false
	}
	off := len(k.arena)
	if uint64(off)+uint64(len(w))+4*uint64(len(ids)) > math.MaxUint32 {
		return false
	}
	if 2*(k.n+1) > len(k.slots) {
		k.grow()
	}
	k.arena = append(k.arena, w...)
	for _, id := range ids {
		k.arena = binary.LittleEndian.AppendUint32(k.arena, uint32(id))
	}
	k.place(knownSlot{tag: uint32(h >> 32), off: uint32(off), wlen: uint8(len(w)), nids: uint8(len(ids))}, h)
	k.n++
	return true
}

// place puts s, for a word of hash h, in the first free slot from its home.
func (k *knownTable) place(s knownSlot, h uint64) {
	mask := len(k.slots) - 1
	i := int(h) & mask
	for k.slots[i].nids != 0 {
		i = (i + 1) & mask
	}
	k.slots[i] = s
}

// grow doubles the slot array (or makes the first one) and re-places every
// entry, rehashing its word from the arena.
func (k *knownTable) grow() {
	old := k.slots
	k.slots = make([]knownSlot, max(minKnownSlots, 2*len(old)))
	for _, s := range old {
		if s.nids != 0 {
			k.place(s, hashWord(string(k.arena[s.off:int(s.off)+int(s.wlen)])))
		}
	}
}

// Hash constants (the 64-bit primes of wyhash); fixed, so hashing is
// deterministic across runs and machines.
const (
	hashSeed = 0xa0761d6478bd642f
	hashMul1 = 0xe7037ed1a0b428db
	hashMul2 = 0x8ebc6af09c88c6e3
)

// hashMix multiplies a and b to 128 bits and folds the halves together.
func hashMix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// hashWord is a fast non-cryptographic hash of w in the style of wyhash,
// eight bytes at a time. Only its speed and spread matter: the table
// compares the bytes of every candidate.
func hashWord(w string) uint64 {
	n := uint64(len(w))
	h := hashSeed ^ n*hashMul1
	for len(w) > 8 {
		h = hashMix(h^le64(w), hashMul1)
		w = w[8:]
	}
	// 0 to 8 bytes left: read them as two (possibly overlapping) words.
	var a, b uint64
	switch n := len(w); {
	case n >= 4:
		a, b = le32(w), le32(w[n-4:])
	case n > 0:
		a = uint64(w[0])<<16 | uint64(w[n>>1])<<8 | uint64(w[n-1])
	}
	return hashMix(hashMul1^n, hashMix(a^hashMul2, b^h))
}

// le64 reads the first 8 bytes of s little-endian.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// le32 reads the first 4 bytes of s little-endian.
func le32(s string) uint64 {
	_ = s[3]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}
