package tokenize

import (
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector/model"
)

// storedKnown decodes the known-word section of a tokenizer blob on its own
// (no table involved): the words and ids as the blob stores them, in order.
func storedKnown(tb testing.TB, blob []byte) ([]string, [][]int32) {
	tb.Helper()
	rest := blob[len(magic) : len(blob)-4]
	next := func() uint64 {
		v, n := binary.Uvarint(rest)
		if n <= 0 {
			tb.Fatal("truncated blob")
		}
		rest = rest[n:]
		return v
	}
	next() // version
	for range 2 * next() {
		next() // merges
	}
	n := next()
	words, ids := make([]string, 0, n), make([][]int32, 0, n)
	for range n {
		size := next()
		words = append(words, string(rest[:size]))
		rest = rest[size:]
		w := make([]int32, next())
		for i := range w {
			w[i] = int32(next())
		}
		ids = append(ids, w)
	}
	return words, ids
}

// shippedTokenizer returns the tokenizer of the shipped model and its blob,
// skipping the test when the model does not load.
func shippedTokenizer(t *testing.T) (*Tokenizer, []byte) {
	t.Helper()
	data, err := os.ReadFile("../default.model")
	if err != nil {
		t.Fatal(err)
	}
	f, err := model.Read(data)
	if err != nil {
		t.Skipf("shipped model does not load (%v)", err)
	}
	tok, err := Unmarshal(f.Tokenizer)
	if err != nil {
		t.Fatal(err)
	}
	return tok, f.Tokenizer
}

// checkKnown checks that the table gives every stored word its stored ids,
// appended after what dst held, and holds nothing else.
func checkKnown(t *testing.T, tk *Tokenizer, words []string, ids [][]int32) {
	t.Helper()
	if got, want := tk.known.len(), len(words); got != want {
		t.Errorf("table holds %d words, want %d", got, want)
	}
	if !slices.Equal(tk.knownWords, words) {
		t.Error("knownWords differ from the stored order")
	}
	prefix := []int32{-1, -2}
	bad := 0
	for i, w := range words {
		got, ok := tk.known.appendIDs(w, slices.Clone(prefix))
		if !ok || !slices.Equal(got[:2], prefix) || !slices.Equal(got[2:], ids[i]) {
			if bad++; bad <= 5 {
				t.Errorf("word %q: got %v %v, want %v", w, got, ok, ids[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d known words wrong", bad, len(words))
	}
}

func TestKnownTableShippedModel(t *testing.T) {
	t.Parallel()
	tk, blob := shippedTokenizer(t)
	words, ids := storedKnown(t, blob)
	checkKnown(t, tk, words, ids)
	t.Logf("%d known words, %d slots, %d arena bytes", len(words), len(tk.known.slots), len(tk.known.arena))
}

func TestKnownTableTrained(t *testing.T) {
	t.Parallel()
	tk := smallTokenizer(t)
	words := tk.knownWords
	ids := make([][]int32, len(words))
	for i, w := range words {
		ids[i] = tk.modelIDs(w, nil) // what Train stored
	}
	checkKnown(t, tk, words, ids)
	back, err := Unmarshal(mustMarshal(t, tk))
	if err != nil {
		t.Fatal(err)
	}
	checkKnown(t, back, words, ids)
	if w, i := storedKnown(t, mustMarshal(t, tk)); !slices.Equal(w, words) || !slices.EqualFunc(i, ids, slices.Equal) {
		t.Error("MarshalBinary does not store the known words and their ids in order")
	}
}

func TestKnownTableMisses(t *testing.T) {
	t.Parallel()
	tk := smallTokenizer(t)
	known := make(map[string]bool)
	for _, w := range tk.knownWords {
		known[w] = true
	}
	misses := []string{"", "\x00", strings.Repeat("a", maxWordBytes), strings.Repeat(" the", 25),
		strings.Repeat("e", 255), strings.Repeat("e", 256), strings.Repeat("x", 1<<12)}
	for _, w := range tk.knownWords {
		misses = append(misses, w+"\x00", "\x00"+w, w[:len(w)-1], w+w, strings.ToUpper(w))
	}
	checked := 0
	for _, w := range misses {
		if known[w] {
			continue
		}
		checked++
		dst := []int32{7}
		if got, ok := tk.known.appendIDs(w, dst); ok || !slices.Equal(got, dst) {
			t.Errorf("%q: got %v %v, want a miss", w, got, ok)
		}
	}
	if checked < len(tk.knownWords) {
		t.Errorf("checked %d misses, want more", checked)
	}
	var empty knownTable
	if _, ok := empty.appendIDs("the", nil); ok {
		t.Error("empty table: got a hit")
	}
}

func TestKnownTableGrowAndDuplicates(t *testing.T) {
	t.Parallel()
	var k knownTable // zero value: grows from nothing
	const n = 5000
	word := func(i int) string { return fmt.Sprintf("w%d", i*7919) }
	for i := range n {
		if !k.insert(word(i), []int32{int32(i), int32(i >> 3)}) {
			t.Fatalf("insert %d failed", i)
		}
		if 2*k.len() > len(k.slots) {
			t.Fatalf("%d words in %d slots: load above 1/2", k.len(), len(k.slots))
		}
	}
	if k.insert(word(42), []int32{1}) {
		t.Error("duplicate insert succeeded")
	}
	long := strings.Repeat("z", maxWordBytes)
	if !k.insert(long, []int32{'z'}) {
		t.Error("insert of a longest word failed")
	}
	for i := range n {
		if got, ok := k.appendIDs(word(i), nil); !ok || !slices.Equal(got, []int32{int32(i), int32(i >> 3)}) {
			t.Fatalf("word %d: got %v %v", i, got, ok)
		}
	}
	if got, ok := k.appendIDs(long, nil); !ok || !slices.Equal(got, []int32{'z'}) {
		t.Errorf("longest word: got %v %v", got, ok)
	}
}

// TestHashWordReadsEveryByte checks that changing any one byte, or the
// length, of words up to 40 bytes changes the hash (all lengths exercise
// each tail case of hashWord).
func TestHashWordReadsEveryByte(t *testing.T) {
	t.Parallel()
	base := []byte("The quick brown fox jumps over the lazy dog")
	seen := make(map[uint64]string)
	for n := 0; n <= 40; n++ {
		w := string(base[:n])
		if prev, dup := seen[hashWord(w)]; dup {
			t.Errorf("%q and %q hash alike", w, prev)
		}
		seen[hashWord(w)] = w
		for i := range n {
			b := []byte(w)
			b[i] ^= 1
			if hashWord(string(b)) == hashWord(w) {
				t.Errorf("len %d: flipping byte %d leaves the hash", n, i)
			}
		}
	}
	if hashWord("hello") != hashWord(strings.Clone("hello")) {
		t.Error("hash depends on more than the bytes")
	}
}
