package tokenize

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/model"
	"github.com/sugarme/tokenizer/model/bpe"
	"github.com/sugarme/tokenizer/pretokenizer"
)

// UnkToken is the unknown token. Every vocabulary has it (id 256), but a
// byte-level vocabulary holds all 256 byte symbols, so the model never
// needs it; it is there so the library's missing-unk panic cannot happen.
const UnkToken = "<unk>"

const (
	numBytes   = 256
	unkID      = numBytes  // ids 0..255 are the byte symbols, 256 is UnkToken
	firstMerge = unkID + 1 // the first id a merge can make
)

// byteSym[b] is the library's byte-level symbol for byte b ('Ġ' for ' ').
var byteSym = func() (t [numBytes]string) {
	for b := range numBytes {
		t[b] = pretokenizer.BytesChar[uint8(b)]
	}
	return t
}()

// Tokenizer is a trained byte-level BPE tokeniser. It is read-only after
// Train or Unmarshal except for its internal word cache, and safe for
// concurrent use.
type Tokenizer struct {
	merges [][2]int32 // in rank order; the whole trained state
	tokens []string   // id → byte-level token text
	raw    []string   // id → the bytes the token stands for
	model  *bpe.BPE   // the library's model built from tokens and merges
	// mergeTable is the model's merges in a flat table, for mergeIDs.
	mergeTable mergeTable
	lib        *tokenizer.Tokenizer

	knownWords []string   // most frequent training words, in stored order
	known      knownTable // read-only once built: raw word → ids
	cache      wordCache
}

// newTokenizer builds a Tokenizer from merges in rank order. Token texts are
// derived: ids 0..255 are the byte symbols, 256 is UnkToken and each merge
// makes the concatenation of its two tokens, reusing the id of an identical
// token made earlier. It reports invalid merges as errors.
func newTokenizer(merges [][2]int32) (*Tokenizer, error) {
	tokens := make([]string, firstMerge, firstMerge+len(merges))
	raw := make([]string, firstMerge, firstMerge+len(merges))
	copy(tokens, byteSym[:])
	for b := range numBytes {
		raw[b] = string([]byte{byte(b)})
	}
	tokens[unkID], raw[unkID] = UnkToken, UnkToken
	vocab := make(model.Vocab, cap(tokens))
	for id, s := range tokens {
		vocab[s] = id
	}
	ranks := make(bpe.Merges, len(merges))
	for rank, m := range merges {
		a, b := m[0], m[1]
		if a < 0 || b < 0 || int(a) >= len(tokens) || int(b) >= len(tokens) || a == unkID || b == unkID {
			return nil, fmt.Errorf("merge %d: token ids (%d, %d) out of range", rank, a, b)
		}
		pair := bpe.Pair{C1: int(a), C2: int(b)}
		if _, dup := ranks[pair]; dup {
			return nil, fmt.Errorf("merge %d: duplicate pair (%d, %d)", rank, a, b)
		}
		s := tokens[a] + tokens[b]
		if s == UnkToken {
			return nil, fmt.Errorf("merge %d: makes the unknown token", rank)
		}
		id, ok := vocab[s]
		if !ok {
			id = len(tokens)
			tokens = append(tokens, s)
			raw = append(raw, raw[a]+raw[b])
			vocab[s] = id
		}
		ranks[pair] = bpe.PairVal{Rank: rank, NewId: id}
	}

	builder := bpe.NewBpeBuilder()
	builder.VocabAndMerges(vocab, ranks)
	builder.UnkToken(UnkToken)
	// The library's own word cache must exist (a nil one panics) but is
	// redundant behind ours: keep it tiny instead of its 10000-entry default.
	builder.CacheCapacity(1)
	m, err := builder.Build()
	if err != nil {
		return nil, fmt.Errorf("build bpe model: %w", err)
	}
	lib := tokenizer.NewTokenizer(m)
	lib.WithPreTokenizer(pretokenizer.NewByteLevel()) // AddPrefixSpace: true

	t := &Tokenizer{merges: merges, tokens: tokens, raw: raw, model: m, lib: lib, mergeTable: newMergeTable(*m.Merges)}
	t.cache.init(cacheSize)
	return t, nil
}

// addKnown records the ids of a frequent word for the lock-free hot path,
// copying them into the known-word table. It checks that ids are in range
// and spell w exactly.
func (t *Tokenizer) addKnown(w string, ids []int32) error {
	if w == "" || len(w) > maxWordBytes {
		return fmt.Errorf("known word of %d bytes", len(w))
	}
	rest := w
	for _, id := range ids {
		if id < 0 || int(id) >= len(t.tokens) || id == unkID {
			return fmt.Errorf("known word %q: token id %d out of range", w, id)
		}
		if !strings.HasPrefix(rest, t.raw[id]) {
			return fmt.Errorf("known word %q: ids do not spell it", w)
		}
		rest = rest[len(t.raw[id]):]
	}
	if rest != "" || len(ids) == 0 {
		return fmt.Errorf("known word %q: ids do not spell it", w)
	}
	if !t.known.insert(w, ids) {
		if _, dup := t.known.appendIDs(w, nil); dup {
			return fmt.Errorf("known word %q twice", w)
		}
		return fmt.Errorf("known word %q: known words too large", w)
	}
	t.knownWords = append(t.knownWords, w)
	return nil
}

// VocabSize returns the number of token ids, UnkToken included; every id
// IDs returns is below it.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// Token returns the text of token id as readable UTF-8: byte-level symbols
// are decoded to the bytes they stand for, and a token holding part of a
// multi-byte character shows that part as U+FFFD.
func (t *Tokenizer) Token(id int32) (string, bool) {
	if id < 0 || int(id) >= len(t.tokens) {
		return "", false
	}
	return strings.ToValidUTF8(t.raw[id], "\uFFFD"), true
}

// IDs appends the token ids of text to dst and returns it. It is the fast
// path: a hand-written pre-tokeniser that splits exactly as the library's
// ByteLevel pre-tokeniser, then per word a read-only map, a bounded shared
// cache and, on a miss, the library model's Tokenize. Words longer than
// 100 bytes are tokenised in 100-byte chunks. Invalid UTF-8 is read as the
// library reads it, each invalid byte as U+FFFD. IDs never panics: a panic
// inside the library is recovered and that word gets its byte ids.
func (t *Tokenizer) IDs(text string, dst []int32) []int32 {
	return t.ids(text, dst, nil)
}

// Spans is IDs that also appends to spans, for each token, the byte range
// of the text it was read from: its pre-token, or the 100-byte chunk of a
// longer one. Ranges refer to text as given, which must be valid UTF-8
// (invalid bytes are read as U+FFFD and would shift them).
func (t *Tokenizer) Spans(text string, dst []int32, spans [][2]int) ([]int32, [][2]int) {
	dst = t.ids(text, dst, &spans)
	return dst, spans
}

// ids is IDs, appending each token's byte range to *spans when spans is
// not nil.
func (t *Tokenizer) ids(text string, dst []int32, spans *[][2]int) []int32 {
	text = fixUTF8(text)
	var key [maxWordBytes]byte
	scan(text, func(prefixed bool, start, end int) {
		chunks(text, prefixed, start, end, func(prefixed bool, start, end int) {
			w := text[start:end]
			if prefixed {
				key[0] = ' '
				n := copy(key[1:], w)
				w = string(key[:1+n]) // small; only the first word of a text
			}
			before := len(dst)
			dst = t.wordIDs(w, dst)
			if spans != nil {
				for range len(dst) - before {
					*spans = append(*spans, [2]int{start, end})
				}
			}
		})
	})
	return dst
}

// wordIDs appends the ids of one raw word of at most maxWordBytes bytes.
func (t *Tokenizer) wordIDs(w string, dst []int32) []int32 {
	h := hashWord(w)
	if out, ok := t.known.appendHashed(w, h, dst); ok {
		return out
	}
	if ids, ok := t.cache.get(w, h); ok {
		return append(dst, ids...)
	}
	ids := mergeIDs(&t.mergeTable, w, nil)
	t.cache.put(strings.Clone(w), h, ids)
	return append(dst, ids...)
}

// modelIDs appends the library model's ids for one raw word, falling back
// to byte ids if the library panics or fails.
func (t *Tokenizer) modelIDs(w string, dst []int32) (out []int32) {
	var sym strings.Builder
	sym.Grow(2 * len(w))
	for i := 0; i < len(w); i++ {
		sym.WriteString(byteSym[w[i]])
	}
	defer func() {
		if recover() != nil {
			out = appendByteIDs(dst, w)
		}
	}()
	toks, err := t.model.Tokenize(sym.String())
	if err != nil {
		return appendByteIDs(dst, w)
	}
	for _, tok := range toks {
		id := int32(tok.Id)
		if tok.Id < 0 || tok.Id >= len(t.tokens) {
			return appendByteIDs(dst, w)
		}
		dst = append(dst, id)
	}
	return dst
}

// fixUTF8 replaces each invalid byte of s by U+FFFD, as ranging over a
// string does (and so as the library does).
func fixUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		b.WriteRune(r)
	}
	return b.String()
}

func appendByteIDs(dst []int32, w string) []int32 {
	for i := 0; i < len(w); i++ {
		dst = append(dst, int32(w[i]))
	}
	return dst
}

// Encode returns the ids of text through the library's full
// tokenizer.Tokenizer.Encode (ByteLevel pre-tokeniser with AddPrefixSpace,
// then the BPE model), with no chunking of long words. It is the reference
// IDs is tested against, far slower; a panic inside the library is returned
// as an error.
func (t *Tokenizer) Encode(text string) (ids []int32, err error) {
	defer func() {
		if r := recover(); r != nil {
			ids, err = nil, fmt.Errorf("tokenize: library panic: %v", r)
		}
	}()
	enc, err := t.lib.EncodeSingle(text)
	if err != nil {
		return nil, fmt.Errorf("tokenize: %w", err)
	}
	ids = make([]int32, len(enc.Ids))
	for i, id := range enc.Ids {
		ids[i] = int32(id)
	}
	return ids, nil
}

// Words calls fn with the byte offsets of each pre-token of text, in
// order: the words IDs tokenises (before chunking). The virtual prefix
// space is not part of any span; spans cover text without gaps.
func (t *Tokenizer) Words(text string, fn func(start, end int)) {
	scan(text, func(_ bool, start, end int) { fn(start, end) })
}

// Binary encoding (all integers unsigned varints):
//
//	magic "SGBPE" | version
//	merge count | (left id, right id) per merge, in rank order
//	known-word count | (byte length, bytes, id count, ids) per word
//	CRC-32 (IEEE, 4 bytes big-endian) of all before it
//
// The vocabulary is implied by the merges (see newTokenizer). Known words
// are the most frequent training words with their ids as the library model
// tokenises them, stored so that loading needs no tokenising (the library
// costs ~10µs per word); Unmarshal checks that their ids spell them.
const (
	magic         = "SGBPE"
	formatVersion = 1
)

// MarshalBinary encodes the tokenizer compactly: its merges in rank order,
// from which Unmarshal rebuilds the vocabulary. Equal tokenizers encode to
// equal bytes.
func (t *Tokenizer) MarshalBinary() ([]byte, error) {
	buf := make([]byte, 0, len(magic)+8+4*len(t.merges)+4)
	buf = append(buf, magic...)
	buf = binary.AppendUvarint(buf, formatVersion)
	buf = binary.AppendUvarint(buf, uint64(len(t.merges)))
	for _, m := range t.merges {
		buf = binary.AppendUvarint(buf, uint64(m[0]))
		buf = binary.AppendUvarint(buf, uint64(m[1]))
	}
	buf = binary.AppendUvarint(buf, uint64(len(t.knownWords)))
	var ids []int32
	for _, w := range t.knownWords {
		buf = binary.AppendUvarint(buf, uint64(len(w)))
		buf = append(buf, w...)
		ids, _ = t.known.appendIDs(w, ids[:0])
		buf = binary.AppendUvarint(buf, uint64(len(ids)))
		for _, id := range ids {
			buf = binary.AppendUvarint(buf, uint64(id))
		}
	}
	return binary.BigEndian.AppendUint32(buf, crc32.ChecksumIEEE(buf)), nil
}

// maxMerges bounds the merge count a blob may declare.
const maxMerges = 1 << 20

// Unmarshal decodes a tokenizer written by MarshalBinary. A truncated,
// corrupt or unknown-version blob is an error.
func Unmarshal(data []byte) (*Tokenizer, error) {
	if len(data) < len(magic)+4 || string(data[:len(magic)]) != magic {
		return nil, errors.New("tokenize: not a tokenizer blob (bad magic)")
	}
	body, sum := data[:len(data)-4], binary.BigEndian.Uint32(data[len(data)-4:])
	rest := body[len(magic):]
	// One string for the whole body: known words are slices of it, not
	// one allocation each, which keeps loading fast.
	bodyStr := string(body)
	next := func(what string) (uint64, error) {
		v, n := binary.Uvarint(rest)
		if n <= 0 {
			return 0, fmt.Errorf("tokenize: truncated blob reading %s", what)
		}
		rest = rest[n:]
		return v, nil
	}
	version, err := next("version")
	if err != nil {
		return nil, err
	}
	if version != formatVersion {
		return nil, fmt.Errorf("tokenize: unsupported format version %d (want %d)", version, formatVersion)
	}
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errors.New("tokenize: checksum mismatch (corrupt or truncated blob)")
	}
	n, err := next("merge count")
	if err != nil {
		return nil, err
	}
	if n > maxMerges || n > uint64(len(rest)) {
		return nil, fmt.Errorf("tokenize: merge count %d too large for blob", n)
	}
	merges := make([][2]int32, n)
	for i := range merges {
		for j := range 2 {
			v, err := next("merge")
			if err != nil {
				return nil, err
			}
			if v > maxMerges+firstMerge {
				return nil, fmt.Errorf("tokenize: merge %d: token id %d out of range", i, v)
			}
			merges[i][j] = int32(v)
		}
	}
	t, err := newTokenizer(merges)
	if err != nil {
		return nil, fmt.Errorf("tokenize: %w", err)
	}
	n, err = next("known-word count")
	if err != nil {
		return nil, err
	}
	if n > uint64(len(rest)) {
		return nil, fmt.Errorf("tokenize: known-word count %d too large for blob", n)
	}
	t.known = newKnownTable(int(min(n, uint64(len(rest)/4)))) // 4+ bytes a word
	t.knownWords = make([]string, 0, n)
	var ids []int32 // scratch: the table copies them
	for i := uint64(0); i < n; i++ {
		size, err := next("known word")
		if err != nil {
			return nil, err
		}
		if size > maxWordBytes || size > uint64(len(rest)) {
			return nil, fmt.Errorf("tokenize: known word %d: bad length %d", i, size)
		}
		off := len(body) - len(rest)
		w := bodyStr[off : off+int(size)]
		rest = rest[size:]
		count, err := next("known word ids")
		if err != nil {
			return nil, err
		}
		if count > size {
			return nil, fmt.Errorf("tokenize: known word %d: %d ids for %d bytes", i, count, size)
		}
		ids = ids[:0]
		for range count {
			id, err := next("known word id")
			if err != nil {
				return nil, err
			}
			ids = append(ids, int32(min(id, maxMerges+firstMerge)))
		}
		if err := t.addKnown(w, ids); err != nil {
			return nil, fmt.Errorf("tokenize: %w", err)
		}
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("tokenize: %d trailing bytes", len(rest))
	}
	return t, nil
}

// cacheSize is the shared word cache's slot count (a power of two).
const cacheSize = 1 << 16

// wordCache is a bounded cache from raw word to ids shared by all
// goroutines, without locks: a direct-mapped table of atomic pointers to
// immutable entries, a word's slot chosen by its hash. A new word takes
// its slot over from the one there before, so the cache never holds more
// than cacheSize words, and a lookup is one load and one string compare.
type wordCache struct {
	slots []atomic.Pointer[cachedWord]
}

// cachedWord is one immutable entry of a wordCache.
type cachedWord struct {
	word string
	ids  []int32
}

// init makes room for size words; size must be a power of two.
func (c *wordCache) init(size int) {
	if size <= 0 || size&(size-1) != 0 {
		panic(fmt.Sprintf("tokenize: word cache size %d is not a power of two", size))
	}
	c.slots = make([]atomic.Pointer[cachedWord], size)
}

// slot returns the slot of a word whose hashWord is h. It takes the hash's
// high bits: the known-word table places words by its low ones.
func (c *wordCache) slot(h uint64) *atomic.Pointer[cachedWord] {
	return &c.slots[(h>>32)&uint64(len(c.slots)-1)]
}

// get returns the cached ids of w, whose hashWord is h.
func (c *wordCache) get(w string, h uint64) ([]int32, bool) {
	if e := c.slot(h).Load(); e != nil && e.word == w {
		return e.ids, true
	}
	return nil, false
}

// put caches ids for w, whose hashWord is h; neither may change afterwards.
func (c *wordCache) put(w string, h uint64, ids []int32) {
	c.slot(h).Store(&cachedWord{word: w, ids: ids})
}
