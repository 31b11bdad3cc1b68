// Package features turns a normalised text and its token ids into a sparse
// feature vector for the linear model.
//
// These groups of features share one weight vector of length Dim():
//
//	token n-grams   token unigrams and bigrams, hashed into 2^HashBits buckets
//	char n-grams    byte CharMin- to CharMax-grams (4-grams in the shipped model)
//	                of the lower-cased text (digits folded to 0),
//	                hashed into the same buckets with another seed
//	word n-grams    unigrams and bigrams of lower-cased words, likewise
//	masked n-grams  2- to 4-grams of the words with every word that is not a
//	                function word replaced by its length class ("the [4-6] of
//	                [7-9]"), likewise: how sentences are built, not what they
//	                are about, which carries over to topics and sources the
//	                training data lacks
//	shape n-grams   ShapeMin- to ShapeMax-grams of the text's shape (runs of
//	                letters, capitals and digits one byte each, punctuation,
//	                spaces and line breaks kept; see Shape), when ShapeMax > 0:
//	                layout and punctuation without the words, likewise
//	statistics      each Stat's value falls into one of StatBins bins learned from
//	                training data; the bin is a one-hot feature after the buckets
//
// With Config.Presence (the default) every distinct n-gram of a group adds
// 1/sqrt(N) to its bucket once, N being the number of distinct n-grams of
// its group in the text, however often it occurs: a word the subject
// repeats weighs no more than one used once, and long and short texts have
// comparable norms. Without it every occurrence adds 1/sqrt(N), N counting
// occurrences. Either way cost is linear in length (repeats are found with
// a hash set, not by sorting).
// Each statistic's one-hot feature has value 1/sqrt(len(Stats)); with
// Config.LMStats, the LMStats follow Stats with the same value.
package features

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"
)

// Config fixes the shape of the feature space; it is stored in the model file.
type Config struct {
	// Hashing is the version of the hashing scheme; a model is only valid
	// with the scheme it was trained with (see CurrentHashing).
	Hashing      int  `json:"hashing"`
	HashBits     int  `json:"hash_bits"`
	CharMin      int  `json:"char_min"`
	CharMax      int  `json:"char_max"`
	StatBins     int  `json:"stat_bins"`
	TokenBigrams bool `json:"token_bigrams"`
	// WordNgrams adds hashed unigrams and bigrams of lower-cased words.
	WordNgrams bool `json:"word_ngrams,omitempty"`
	// MaskedNgrams, when 2 or more, adds hashed 2- to MaskedNgrams-grams of
	// the masked word sequence: function words kept, every other word
	// replaced by its length class. They carry syntax without topic.
	MaskedNgrams int `json:"masked_ngrams,omitempty"`
	// FoldMixedCase rewrites every ASCII word whose case is mixed to the
	// nearest plain form: all capitals when most letters are capitals
	// ("HTmL"), else Title case when the first letter is one ("ThIs",
	// "GitHub" → "Github"), else lower case ("tHe"). Random case flips
	// inside words then change nothing.
	FoldMixedCase bool `json:"fold_mixed_case,omitempty"`
	// WordScale and MaskedScale multiply the values of the word n-grams and
	// of the masked n-grams (0 means 1). With every weight capped, a scale
	// below 1 caps how far a group can move a score: a way to trust what a
	// text is about (its words) less than how it is built.
	WordScale   float64 `json:"word_scale,omitempty"`
	MaskedScale float64 `json:"masked_scale,omitempty"`
	// LMStats adds the LMStats after Stats: statistics of token surprisal
	// under two token-bigram models, one fitted on human and one on
	// machine texts, which the model file then carries.
	LMStats bool `json:"lm_stats,omitempty"`
	// Presence counts each n-gram once per text, whatever its number of
	// occurrences: every distinct n-gram of a family adds 1/sqrt(the
	// family's number of distinct n-grams). A word the subject repeats
	// then weighs no more than one used once.
	Presence bool `json:"presence,omitempty"`
	// ShapeMin and ShapeMax, when ShapeMax is 1 or more, add the ShapeMin-
	// to ShapeMax-grams of the text's shape (see Shape): how a text is laid
	// out and punctuated (list markers, emphasis, capitals after a colon),
	// without any of its words.
	ShapeMin int `json:"shape_min,omitempty"`
	ShapeMax int `json:"shape_max,omitempty"`
	// ShapeFoldCase gives capitals the shape of lower-case letters, so
	// that lower-casing a text leaves its shape unchanged.
	ShapeFoldCase bool `json:"shape_fold_case,omitempty"`
}

// scaleOr1 returns x, or 1 when x is 0 (not set).
func scaleOr1(x float64) float64 {
	if x == 0 {
		return 1
	}
	return x
}

// Prepare is the last step of normalisation that depends on the model:
// with FoldMixedCase, mixed-case ASCII words get their plain form. Byte
// offsets are unchanged, so offset maps into the original text stay valid.
func (c Config) Prepare(text string) string {
	if !c.FoldMixedCase {
		return text
	}
	var b []byte // a copy, made at the first change
	for i := 0; i < len(text); {
		if !isASCIILetter(text[i]) {
			i++
			continue
		}
		j := i
		upper := 0
		for j < len(text) && isASCIILetter(text[j]) {
			if text[j] <= 'Z' {
				upper++
			}
			j++
		}
		n := j - i
		title := upper == 1 && text[i] <= 'Z'
		if upper > 0 && upper < n && !title {
			if b == nil {
				b = []byte(text)
			}
			for k := i; k < j; k++ {
				toUpper := 2*upper > n || k == i && text[i] <= 'Z'
				switch {
				case toUpper && b[k] >= 'a':
					b[k] -= 'a' - 'A'
				case !toUpper && b[k] <= 'Z':
					b[k] += 'a' - 'A'
				}
			}
		}
		i = j
	}
	if b == nil {
		return text
	}
	return string(b)
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// DefaultConfig is the configuration the shipped model is trained with.
func DefaultConfig() Config {
	return Config{Hashing: CurrentHashing, HashBits: 20, CharMin: 4, CharMax: 4, StatBins: 8, TokenBigrams: true, WordNgrams: true, MaskedNgrams: 4, FoldMixedCase: true, Presence: true, ShapeMin: 3, ShapeMax: 6, ShapeFoldCase: true}
}

// CurrentHashing is the hashing scheme this build computes. Version 2 hashes
// character n-grams with Fibonacci hashing and adds word n-grams.
const CurrentHashing = 2

// Validate checks the configuration is one this package can use.
func (c Config) Validate() error {
	switch {
	case c.Hashing != CurrentHashing:
		return fmt.Errorf("features hashed with scheme %d, this build computes scheme %d: retrain the model", c.Hashing, CurrentHashing)
	case c.HashBits < 8 || c.HashBits > 24:
		return fmt.Errorf("hash_bits %d out of range 8..24", c.HashBits)
	case c.CharMin < 1 || c.CharMax > 8 || c.CharMin > c.CharMax:
		return fmt.Errorf("char n-gram range %d..%d invalid", c.CharMin, c.CharMax)
	case c.StatBins < 2 || c.StatBins > 64:
		return fmt.Errorf("stat_bins %d out of range 2..64", c.StatBins)
	case c.MaskedNgrams < 0 || c.MaskedNgrams == 1 || c.MaskedNgrams > 6:
		return fmt.Errorf("masked_ngrams %d: want 0 (off) or 2..6", c.MaskedNgrams)
	case c.ShapeMax != 0 && (c.ShapeMin < 1 || c.ShapeMax > 8 || c.ShapeMin > c.ShapeMax):
		return fmt.Errorf("shape n-gram range %d..%d invalid: want 0 (off) or 1..8", c.ShapeMin, c.ShapeMax)
	case !(c.WordScale >= 0 && c.WordScale <= 8) || !(c.MaskedScale >= 0 && c.MaskedScale <= 8):
		return fmt.Errorf("word_scale %g, masked_scale %g: want 0..8", c.WordScale, c.MaskedScale)
	}
	return nil
}

// Seeds separate the feature groups inside the shared hash space.
const (
	seedToken  uint64 = 0x9e3779b97f4a7c15
	seedBigram uint64 = 0xc2b2ae3d27d4eb4f
	seedChar   uint64 = 0x165667b19e3779f9
	seedWord   uint64 = 0x27d4eb2f165667c5
	seedMasked uint64 = 0x94d049bb133111eb
	seedShape  uint64 = 0xd6e8feb86659fd93
)

// wordHash is FNV-1a of a word, seeded.
func wordHash(w string) uint64 {
	h := seedWord
	for i := 0; i < len(w); i++ {
		h = (h ^ uint64(w[i])) * 0x100000001b3
	}
	return h
}

// Extractor maps texts to feature vectors. It is read-only after
// construction and safe for concurrent use.
type Extractor struct {
	cfg   Config
	mask  uint64
	shift uint        // 64 - HashBits
	edges [][]float64 // per stat, StatBins-1 ascending edges
	stats []Stat      // Stats, then LMStats when cfg.LMStats
	lm    *LMPair     // with cfg.LMStats
}

// StatsFor returns the statistics a configuration computes, in order:
// Stats, followed by LMStats when LMStats is set.
func StatsFor(cfg Config) []Stat {
	if !cfg.LMStats {
		return Stats
	}
	return append(slices.Clip(Stats), LMStats...)
}

// NewExtractor builds an extractor; edges holds, for each statistic of
// StatsFor(cfg) in order, StatBins-1 ascending bin edges (see LearnEdges).
// A configuration with LMStats needs NewExtractorLM.
func NewExtractor(cfg Config, edges [][]float64) (*Extractor, error) {
	return NewExtractorLM(cfg, edges, nil)
}

// NewExtractorLM is NewExtractor with the language models the LMStats
// read; lm must be nil unless cfg.LMStats is set.
func NewExtractorLM(cfg Config, edges [][]float64, lm *LMPair) (*Extractor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case cfg.LMStats && lm == nil:
		return nil, errors.New("lm_stats is set but there are no language models")
	case !cfg.LMStats && lm != nil:
		return nil, errors.New("language models given but lm_stats is not set")
	}
	stats := StatsFor(cfg)
	if len(edges) != len(stats) {
		return nil, fmt.Errorf("have edges for %d statistics, want %d", len(edges), len(stats))
	}
	for i, e := range edges {
		if len(e) != cfg.StatBins-1 {
			return nil, fmt.Errorf("statistic %s: have %d edges, want %d", stats[i].Name, len(e), cfg.StatBins-1)
		}
		for j := range e {
			if math.IsNaN(e[j]) || j > 0 && e[j] < e[j-1] {
				return nil, fmt.Errorf("statistic %s: edges not ascending", stats[i].Name)
			}
		}
	}
	return &Extractor{cfg: cfg, mask: 1<<uint(cfg.HashBits) - 1, shift: 64 - uint(cfg.HashBits), edges: edges, stats: stats, lm: lm}, nil
}

// Stats returns the statistics this extractor computes, in order (shared;
// do not modify).
func (e *Extractor) Stats() []Stat { return e.stats }

// Config returns the extractor's configuration.
func (e *Extractor) Config() Config { return e.cfg }

// Edges returns the statistics' bin edges (shared; do not modify).
func (e *Extractor) Edges() [][]float64 { return e.edges }

// Buckets is the number of hashed n-gram features.
func (e *Extractor) Buckets() int { return 1 << uint(e.cfg.HashBits) }

// Dim is the length of the weight vector.
func (e *Extractor) Dim() int { return e.Buckets() + len(e.stats)*e.cfg.StatBins }

// StatFeature returns the feature index of bin b of statistic s.
func (e *Extractor) StatFeature(s, b int) int { return e.Buckets() + s*e.cfg.StatBins + b }

// Vector is a sparse feature vector; an index may repeat, values add up.
type Vector struct {
	Idx []uint32
	Val []float32
	// seen is presence's scratch hash set, kept between texts.
	seen []uint32
}

// Reset empties v, keeping its storage.
func (v *Vector) Reset() { v.Idx, v.Val = v.Idx[:0], v.Val[:0] }

// grow makes room for n more entries.
func (v *Vector) grow(n int) {
	v.Idx = slices.Grow(v.Idx, n)
	v.Val = slices.Grow(v.Val, n)
}

func (v *Vector) add(i uint32, x float32) {
	v.Idx = append(v.Idx, i)
	v.Val = append(v.Val, x)
}

// Compact sums repeated indices and sorts by index (used in training, where
// vectors are stored and revisited).
func (v *Vector) Compact() {
	if len(v.Idx) == 0 {
		return
	}
	order := make([]int, len(v.Idx))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return v.Idx[order[a]] < v.Idx[order[b]] })
	idx := make([]uint32, 0, len(order))
	val := make([]float32, 0, len(order))
	for _, o := range order {
		if n := len(idx); n > 0 && idx[n-1] == v.Idx[o] {
			val[n-1] += v.Val[o]
			continue
		}
		idx = append(idx, v.Idx[o])
		val = append(val, v.Val[o])
	}
	v.Idx, v.Val = idx, val
	v.seen = nil // a stored vector needs no scratch
}

func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// TokenHash is the bucket of a token unigram.
func (e *Extractor) TokenHash(id int32) uint32 {
	return uint32(mix(seedToken^uint64(uint32(id))) & e.mask)
}

// BigramHash is the bucket of a token bigram.
func (e *Extractor) BigramHash(a, b int32) uint32 {
	return uint32(mix(seedBigram^(uint64(uint32(a))<<32|uint64(uint32(b)))) & e.mask)
}

// foldTable maps every byte to its folded form for the character n-grams:
// ASCII letters lower-cased, digits folded to '0'.
var foldTable = func() (t [256]byte) {
	for i := range t {
		c := byte(i)
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c >= '0' && c <= '9':
			c = '0'
		}
		t[i] = c
	}
	return t
}()

// CharNgrams calls fn for every byte n-gram of text, with its bucket and the
// byte offset where it starts.
func (e *Extractor) CharNgrams(text string, fn func(bucket uint32, start, n int)) {
	byteNgrams(e, text, seedChar, &foldTable, e.cfg.CharMin, e.cfg.CharMax, fn)
}

// addCharNgrams adds every byte n-gram of text to v with value x: the same
// buckets as CharNgrams, without a call per n-gram (the scoring hot path).
func (e *Extractor) addCharNgrams(text string, v *Vector, x float32) {
	v.grow(e.charNgramCount(len(text)))
	addByteNgrams(e, text, seedChar, &foldTable, e.cfg.CharMin, e.cfg.CharMax, v, x)
}

// byteNgrams calls fn with the bucket of every lo- to hi-gram of the bytes
// of s, each byte mapped through fold, the hash started at seed, and with
// its first byte's index and its length. The character and the shape
// n-grams are both such sequences.
func byteNgrams[S ~string | ~[]byte](e *Extractor, s S, seed uint64, fold *[256]byte, lo, hi int, fn func(bucket uint32, i, n int)) {
	for i := 0; i+lo <= len(s); i++ {
		h := seed
		for n := 1; n <= hi && i+n <= len(s); n++ {
			h = (h ^ uint64(fold[s[i+n-1]])) * 0x100000001b3
			if n >= lo {
				fn(e.charBucket(h, n), i, n)
			}
		}
	}
}

// addByteNgrams adds the buckets byteNgrams yields to v with value x,
// without a call per n-gram (the scoring hot path).
func addByteNgrams[S ~string | ~[]byte](e *Extractor, s S, seed uint64, fold *[256]byte, lo, hi int, v *Vector, x float32) {
	for i := 0; i+lo <= len(s); i++ {
		h := seed
		for n := 1; n <= hi && i+n <= len(s); n++ {
			h = (h ^ uint64(fold[s[i+n-1]])) * 0x100000001b3
			if n >= lo {
				v.add(e.charBucket(h, n), x)
			}
		}
	}
}

// addMaskedNgrams adds the 2- to maxN-grams of the masked word sequence.
func (e *Extractor) addMaskedNgrams(masked []uint64, maxN int, v *Vector) {
	x := maskedValue(len(masked), maxN) * float32(scaleOr1(e.cfg.MaskedScale))
	e.maskedNgrams(masked, maxN, func(b uint32, _, _ int) { v.add(b, x) })
}

// maskedValue is the value each masked n-gram adds: 1/sqrt of how many
// 2- to maxN-grams a sequence of n masked words has (0 when none).
func maskedValue(n, maxN int) float32 {
	total := 0
	for k := 2; k <= maxN; k++ {
		total += max(0, n-k+1)
	}
	if total == 0 {
		return 0
	}
	return float32(1 / math.Sqrt(float64(total)))
}

// maskedNgrams calls fn with the bucket of every 2- to maxN-gram of the
// masked word sequence, its first word's index and its length in words.
func (e *Extractor) maskedNgrams(masked []uint64, maxN int, fn func(bucket uint32, i, n int)) {
	for i := range masked {
		h := seedMasked
		for n := 1; n <= maxN && i+n <= len(masked); n++ {
			h = (h ^ masked[i+n-1]) * 0x100000001b3
			if n >= 2 {
				fn(uint32(mix(h^uint64(n))&e.mask), i, n)
			}
		}
	}
}

// charBucket is the bucket of a character n-gram of n bytes with hash h:
// Fibonacci hashing, the top bits of one multiplication.
func (e *Extractor) charBucket(h uint64, n int) uint32 {
	return uint32((h ^ uint64(n)) * 0x9e3779b97f4a7c15 >> e.shift)
}

// charNgramCount is the number of n-grams CharNgrams yields for a text of n bytes.
func (e *Extractor) charNgramCount(n int) int { return ngramCount(n, e.cfg.CharMin, e.cfg.CharMax) }

// ngramCount is the number of lo- to hi-grams of a sequence of n items.
func ngramCount(n, lo, hi int) int {
	total := 0
	for k := lo; k <= hi; k++ {
		if n >= k {
			total += n - k + 1
		}
	}
	return total
}

// StatValues computes every statistic of a document, in Stats order. It
// uses storage kept in d, so one Doc must not be given to two goroutines at
// once.
func StatValues(d *Doc, dst []float64) []float64 {
	dst = dst[:0]
	for _, s := range Stats {
		dst = append(dst, s.value(d))
	}
	return dst
}

// Bin returns the bin of statistic s's value x.
func (e *Extractor) Bin(s int, x float64) int {
	return sort.SearchFloat64s(e.edges[s], x+1e-12)
}

// Extract appends the features of a normalised text and its token ids to v
// and returns the statistics' values (reusing stats' storage).
func (e *Extractor) Extract(text string, ids []int32, v *Vector, stats []float64) []float64 {
	return e.ExtractDoc(NewDoc(text), ids, v, stats)
}

// ExtractDoc is Extract for a text already split by NewDoc.
func (e *Extractor) ExtractDoc(d *Doc, ids []int32, v *Vector, stats []float64) []float64 {
	e.addNgrams(d, ids, v)
	stats = e.StatValues(d, ids, stats)
	e.AddStats(stats, v)
	return stats
}

// StatValues computes the statistics of e.Stats() for a document and its
// token ids, reusing dst's storage.
func (e *Extractor) StatValues(d *Doc, ids []int32, dst []float64) []float64 {
	dst = StatValues(d, dst)
	if e.cfg.LMStats {
		dst = e.lm.LMStatValues(ids, dst)
	}
	return dst
}

// ExtractDocStats is ExtractDoc with the statistics' values given (in
// e.Stats() order) instead of computed: training has them already (the
// LMStats of its fitted texts from models that did not see them).
func (e *Extractor) ExtractDocStats(d *Doc, ids []int32, v *Vector, stats []float64) {
	e.addNgrams(d, ids, v)
	e.AddStats(stats, v)
}

// AddStats adds the one-hot bin feature of every statistic's value to v.
func (e *Extractor) AddStats(stats []float64, v *Vector) {
	sx := float32(1 / math.Sqrt(float64(len(Stats))))
	for s, val := range stats {
		v.add(uint32(e.StatFeature(s, e.Bin(s, val))), sx)
	}
}

// presence rewrites the entries v holds from start on (one n-gram family)
// as Config.Presence has them: each bucket once, in the order of its first
// occurrence, with value scale/sqrt(the number of distinct buckets). It
// finds repeats with an open-addressing set, in time linear in the entries.
func (v *Vector) presence(start int, scale float64) {
	n := len(v.Idx) - start
	if n == 0 {
		return
	}
	size := 1 << bits.Len(uint(2*n-1)) // the set is at most half full
	v.seen = slices.Grow(v.seen[:0], size)[:size]
	clear(v.seen)
	mask := uint32(size - 1)
	out := start
	for _, b := range v.Idx[start:] {
		key := b + 1 // 0 marks an empty slot; buckets stay below 2^31
		// Buckets are hashes already: their low bits place them.
		for h := b & mask; ; h = (h + 1) & mask {
			if v.seen[h] == key {
				break
			}
			if v.seen[h] == 0 {
				v.seen[h] = key
				v.Idx[out] = b
				out++
				break
			}
		}
	}
	v.Idx, v.Val = v.Idx[:out], v.Val[:out]
	x := float32(scale / math.Sqrt(float64(out-start)))
	for i := start; i < out; i++ {
		v.Val[i] = x
	}
}

// addNgrams adds every hashed n-gram feature of the document to v, one
// family after the other; with Config.Presence each family's repeats are
// folded as soon as it is added.
func (e *Extractor) addNgrams(d *Doc, ids []int32, v *Vector) {
	text := d.Text
	start := len(v.Idx)
	finish := func(scale float64) {
		if e.cfg.Presence {
			v.presence(start, scale)
		}
		start = len(v.Idx)
	}
	if len(ids) > 0 {
		n := len(ids)
		if e.cfg.TokenBigrams {
			n += len(ids) - 1
		}
		x := float32(1 / math.Sqrt(float64(n)))
		for i, id := range ids {
			v.add(e.TokenHash(id), x)
			if e.cfg.TokenBigrams && i > 0 {
				v.add(e.BigramHash(ids[i-1], id), x)
			}
		}
		finish(1)
	}
	if n := e.charNgramCount(len(text)); n > 0 {
		e.addCharNgrams(text, v, float32(1/math.Sqrt(float64(n))))
		finish(1)
	}
	if e.cfg.WordNgrams && len(d.Words) > 0 {
		x := float32(scaleOr1(e.cfg.WordScale) / math.Sqrt(float64(2*len(d.Words)-1)))
		var prev uint64
		for i, h := range d.wordHashes {
			v.add(uint32(mix(h)&e.mask), x)
			if i > 0 {
				v.add(uint32(mix(prev*31+h^seedBigram)&e.mask), x)
			}
			prev = h
		}
		finish(scaleOr1(e.cfg.WordScale))
	}
	if maxN := e.cfg.MaskedNgrams; maxN >= 2 {
		e.addMaskedNgrams(d.maskHashes, maxN, v)
		finish(scaleOr1(e.cfg.MaskedScale))
	}
	if e.cfg.ShapeMax > 0 {
		shape, _ := d.shape(e.cfg.ShapeFoldCase)
		if n := ngramCount(len(shape), e.cfg.ShapeMin, e.cfg.ShapeMax); n > 0 {
			v.grow(n)
			addByteNgrams(e, shape, seedShape, &identity, e.cfg.ShapeMin, e.cfg.ShapeMax, v, float32(1/math.Sqrt(float64(n))))
			finish(1)
		}
	}
}

// shape returns the shape of d.Text (see Shape) and each shape byte's
// offset, computed once per Parse (scoring and explaining a text both read
// it) and valid until the next Parse.
func (d *Doc) shape(foldCase bool) ([]byte, []int32) {
	if !d.shapeDone || d.shapeFolded != foldCase {
		d.shapeBytes, d.shapeAt = Shape(d.Text, foldCase, d.shapeBytes[:0], d.shapeAt[:0])
		d.shapeDone, d.shapeFolded = true, foldCase
	}
	return d.shapeBytes, d.shapeAt
}

// Shape appends to dst the shape of text, one byte per run: a run of
// lower-case ASCII letters is 'a', of capitals 'A', of digits '0', of
// bytes of non-ASCII characters 'u'; every other byte (space, newline,
// punctuation, markup) is itself. "Hello, GitHub: 42 **items**" has the
// shape "Aa, AaAa: 0 **a**"; with foldCase capitals are 'a' too ("a, a: 0
// **a**"). at receives each shape byte's offset in text.
func Shape(text string, foldCase bool, dst []byte, at []int32) ([]byte, []int32) {
	upper := byte('A')
	if foldCase {
		upper = 'a'
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c >= 'a' && c <= 'z':
			c = 'a'
		case c >= 'A' && c <= 'Z':
			c = upper
		case c >= '0' && c <= '9':
			c = '0'
		case c >= 0x80:
			c = 'u'
		default: // never one of the run bytes: 'u' is a letter
			dst = append(dst, c)
			at = append(at, int32(i))
			continue
		}
		if n := len(dst); n > 0 && dst[n-1] == c {
			continue // the run goes on
		}
		dst = append(dst, c)
		at = append(at, int32(i))
	}
	return dst, at
}

// identity maps every byte to itself: shape bytes are hashed as they are.
var identity = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
	}
	return t
}()

// shapeNgrams calls fn with the bucket of every ShapeMin- to
// ShapeMax-gram of shape, its first byte's index and its length.
func (e *Extractor) shapeNgrams(shape []byte, fn func(bucket uint32, i, n int)) {
	byteNgrams(e, shape, seedShape, &identity, e.cfg.ShapeMin, e.cfg.ShapeMax, fn)
}

// LearnEdges picks, for each statistic, bins-1 edges at evenly spaced
// quantiles of its training values (columns of values are per statistic).
// Repeated quantiles collapse, so a mostly-zero statistic gets a bin of its own.
func LearnEdges(values [][]float64, bins int) [][]float64 {
	edges := make([][]float64, len(values))
	for s, col := range values {
		sorted := append([]float64(nil), col...)
		sort.Float64s(sorted)
		e := make([]float64, bins-1)
		for b := 1; b < bins; b++ {
			if len(sorted) == 0 {
				e[b-1] = 0
				continue
			}
			q := sorted[min(len(sorted)-1, b*len(sorted)/bins)]
			e[b-1] = q
		}
		edges[s] = e
	}
	return edges
}
