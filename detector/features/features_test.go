package features

import (
	"math"
	"slices"
	"testing"
)

func statByName(t *testing.T, name string) int {
	t.Helper()
	for i, s := range Stats {
		if s.Name == name {
			return i
		}
	}
	t.Fatalf("no statistic %q", name)
	return -1
}

func TestNewDoc(t *testing.T) {
	t.Parallel()
	d := NewDoc("I don't know. Maybe it's the cache?\n- first item\n- second one")
	if got, want := len(d.Words), 11; got != want {
		t.Errorf("got %d words %q, want %d", got, d.Words, want)
	}
	if got, want := d.Sentences, []int{3, 4, 2, 2}; !slices.Equal(got, want) {
		t.Errorf("got sentences %v, want %v", got, want)
	}
	if d.LetterWords != 11 || d.FunctionWords != 2 { // "i", "the"
		t.Errorf("got %d letter words, %d function words", d.LetterWords, d.FunctionWords)
	}
	if d.Latin != d.Letters {
		t.Errorf("got %d Latin of %d letters, want all", d.Latin, d.Letters)
	}
}

func TestStatValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, stat string
		want             float64
	}{
		{"bullet lines", "Intro\n- a\n- b\n* c", "bullet_lines", 0.75},
		{"headings", "## Summary\ntext\n### Testing\nmore", "headings", 0.5},
		{"numbered", "1. one\n2. two\nthree", "numbered_lines", 2.0 / 3},
		{"contractions per 100 words", "it's fine and don't worry about it", "contractions", 100 * 2.0 / 7},
		{"first person", "I think my code is fine", "first_person", 100 * 2.0 / 6},
		{"dashes", "one — two – three", "dashes", 100 * 2.0 / 3},
		{"ends with punctuation", "done.", "ends_with_punctuation", 1},
		{"ends without", "done", "ends_with_punctuation", 0},
		{"lower-case starts", "yes. no. Maybe.", "lowercase_sentence_starts", 2.0 / 3},
		{"uniform sentences", "a b c. d e f. g h i.", "sentence_length_spread", 0},
		{"too few sentences", "a b c. d e f.", "sentence_length_spread", -1},
		{"code blocks", "```go\nx\n```\ntext\n```\ny\n```", "code_blocks", 2},
		{"lexical diversity", "a a a a", "lexical_diversity", 0.25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := StatValues(NewDoc(tt.text), nil)[statByName(t, tt.stat)]
			if math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("%s(%q) = %v, want %v", tt.stat, tt.text, got, tt.want)
			}
		})
	}
}

func TestMovingTTRIsWindowed(t *testing.T) {
	t.Parallel()
	var words []uint64
	for i := 0; i < 200; i++ {
		words = append(words, wordHash([]string{"a", "b", "c", "d"}[i%4]))
	}
	if got := movingTTR(words, 50); math.Abs(got-4.0/50) > 1e-9 {
		t.Errorf("movingTTR of a 4-word cycle = %v, want %v", got, 4.0/50)
	}
}

func TestLearnEdgesAndBin(t *testing.T) {
	t.Parallel()
	col := []float64{0, 0, 0, 0, 0, 0, 1, 2, 3, 4}
	edges := LearnEdges([][]float64{col}, 4)[0]
	if len(edges) != 3 {
		t.Fatalf("got %d edges, want 3", len(edges))
	}
	for i := 1; i < len(edges); i++ {
		if edges[i] < edges[i-1] {
			t.Fatalf("edges %v not ascending", edges)
		}
	}
	cfg := DefaultConfig()
	cfg.StatBins = 4
	all := make([][]float64, len(Stats))
	for i := range all {
		all[i] = edges
	}
	e, err := NewExtractor(cfg, all)
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi := e.Bin(0, 0), e.Bin(0, 10); lo >= hi || hi != 3 {
		t.Errorf("bins of 0 and 10: %d, %d; want low < high = 3", lo, hi)
	}
}

func TestExtractNorms(t *testing.T) {
	t.Parallel()
	cfg := Config{Hashing: CurrentHashing, HashBits: 12, CharMin: 3, CharMax: 5, StatBins: 2, TokenBigrams: true, WordNgrams: true}
	edges := make([][]float64, len(Stats))
	for i := range edges {
		edges[i] = []float64{0}
	}
	e, err := NewExtractor(cfg, edges)
	if err != nil {
		t.Fatal(err)
	}
	text := "hello world, hello again"
	ids := []int32{5, 6, 7, 5}
	var v Vector
	e.Extract(text, ids, &v, nil)
	// Each group's occurrences carry 1/sqrt(N): the squares sum to 1 per group.
	var sum float64
	for _, x := range v.Val {
		sum += float64(x) * float64(x)
	}
	if math.Abs(sum-4) > 1e-4 {
		t.Errorf("sum of squared values %v, want 4 (tokens, chars, words, statistics)", sum)
	}
	for _, i := range v.Idx {
		if int(i) >= e.Dim() {
			t.Fatalf("index %d outside %d dimensions", i, e.Dim())
		}
	}
	v.Compact()
	for i := 1; i < len(v.Idx); i++ {
		if v.Idx[i] <= v.Idx[i-1] {
			t.Fatalf("Compact left indices unsorted or repeated: %v", v.Idx)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	bad := []Config{
		{Hashing: 1, HashBits: 20, CharMin: 3, CharMax: 5, StatBins: 8},
		{Hashing: CurrentHashing, HashBits: 30, CharMin: 3, CharMax: 5, StatBins: 8},
		{Hashing: CurrentHashing, HashBits: 20, CharMin: 5, CharMax: 3, StatBins: 8},
		{Hashing: CurrentHashing, HashBits: 20, CharMin: 3, CharMax: 5, StatBins: 1},
		{Hashing: CurrentHashing, HashBits: 20, CharMin: 3, CharMax: 5, StatBins: 8, MaskedNgrams: 1},
		{Hashing: CurrentHashing, HashBits: 20, CharMin: 3, CharMax: 5, StatBins: 8, MaskedNgrams: 9},
		{Hashing: CurrentHashing, HashBits: 20, CharMin: 3, CharMax: 5, StatBins: 8, WordScale: -1},
		{Hashing: CurrentHashing, HashBits: 20, CharMin: 3, CharMax: 5, StatBins: 8, MaskedScale: 9},
	}
	for _, c := range bad {
		if c.Validate() == nil {
			t.Errorf("Validate(%+v) = nil, want an error", c)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
}

// TestMaskedNgramsIgnoreTopic checks the masked n-grams see the sentence's
// frame, not its content: texts that differ only in content words of the
// same length class get the same features; another function word changes
// them.
func TestMaskedNgramsIgnoreTopic(t *testing.T) {
	t.Parallel()
	cfg := Config{Hashing: CurrentHashing, HashBits: 16, CharMin: 3, CharMax: 5, StatBins: 2, MaskedNgrams: 3}
	edges := make([][]float64, len(Stats))
	for i := range edges {
		edges[i] = []float64{0}
	}
	e, err := NewExtractor(cfg, edges)
	if err != nil {
		t.Fatal(err)
	}
	masked := func(text string) Vector {
		var v Vector
		e.addMaskedNgrams(NewDoc(text).maskHashes, cfg.MaskedNgrams, &v)
		v.Compact()
		return v
	}
	base := masked("The cat sat on the mat, and it was 42 times happier than before.")
	tests := []struct {
		name, text string
		same       bool
	}{
		{"other content words", "The dog ran on the rug, and it was 17 times brighter than before.", true},
		{"case does not matter", "THE COW SAT ON THE HAY, AND IT WAS 99 TIMES SADDEST THAN BEFORE.", true},
		{"another function word", "The cat sat by the mat, and it was 42 times happier than before.", false},
		{"a longer content word", "The elephant sat on the mat, and it was 42 times happier than before.", false},
	}
	for _, tt := range tests {
		v := masked(tt.text)
		same := slices.Equal(v.Idx, base.Idx) && slices.Equal(v.Val, base.Val)
		if same != tt.same {
			t.Errorf("%s: same features = %v, want %v", tt.name, same, tt.same)
		}
	}
	if len(base.Idx) == 0 {
		t.Fatal("no masked n-grams")
	}
	var none Vector
	e.addMaskedNgrams(NewDoc("hello").maskHashes, 3, &none)
	if len(none.Idx) != 0 {
		t.Errorf("one word gave %d masked n-grams, want none", len(none.Idx))
	}
}

func TestPrepareFoldsMixedCase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		fold           bool
	}{
		{"off", "tHe GitHub", "tHe GitHub", false},
		{"mixed words to their plain form", "tHe ThIs GitHub iPhone HTmL heLLo", "the This Github iphone HTML hello", true},
		{"lower, Title and CAPITALS kept", "the The THE I a HTML Go", "the The THE I a HTML Go", true},
		{"words end at non-letters", "foo_Bar x2Y McDonald's", "foo_Bar x2Y Mcdonald's", true},
		{"non-ASCII untouched", "ÉtÉ über Straße", "ÉtÉ über Straße", true},
		{"empty", "", "", true},
	}
	for _, tt := range tests {
		got := Config{FoldMixedCase: tt.fold}.Prepare(tt.in)
		if got != tt.want {
			t.Errorf("%s: Prepare(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
		if len(got) != len(tt.in) {
			t.Errorf("%s: length %d, want %d (offsets must not move)", tt.name, len(got), len(tt.in))
		}
	}
}

// Prepare runs on every text the shipped model scores, and the detector
// maps reasons back to the original text by byte offset: it must keep the
// length, change only the case of ASCII letters, and be stable.
func FuzzPrepare(f *testing.F) {
	for _, s := range []string{"tHe ThIs GitHub iPhone HTmL", "ÉtÉ x2Y McDonald's", "\xff aB\xc3", ""} {
		f.Add(s)
	}
	on := Config{FoldMixedCase: true}
	f.Fuzz(func(t *testing.T, text string) {
		if got := (Config{}).Prepare(text); got != text {
			t.Fatalf("off: Prepare(%q) = %q", text, got)
		}
		got := on.Prepare(text)
		if len(got) != len(text) {
			t.Fatalf("Prepare(%q) = %q: length %d, want %d", text, got, len(got), len(text))
		}
		for i := 0; i < len(text); i++ {
			if a, b := text[i], got[i]; a != b && (!isASCIILetter(a) || a|0x20 != b|0x20) {
				t.Fatalf("Prepare(%q) = %q: byte %d changed from %q to %q", text, got, i, a, b)
			}
		}
		if again := on.Prepare(got); again != got {
			t.Fatalf("Prepare(%q) = %q, but Prepare of that = %q", text, got, again)
		}
	})
}

// TestGroupScales: a group's scale multiplies its values and nothing else's.
func TestGroupScales(t *testing.T) {
	t.Parallel()
	cfg := Config{Hashing: CurrentHashing, HashBits: 16, CharMin: 3, CharMax: 5, StatBins: 2, WordNgrams: true}
	edges := make([][]float64, len(Stats))
	for i := range edges {
		edges[i] = []float64{0}
	}
	text := "the parser now checks every field of the request"
	sum := func(c Config) float64 {
		e, err := NewExtractor(c, edges)
		if err != nil {
			t.Fatal(err)
		}
		var v Vector
		e.Extract(text, nil, &v, nil)
		var s float64
		for _, x := range v.Val {
			s += float64(x)
		}
		return s
	}
	plain := sum(cfg)
	half := cfg
	half.WordScale = 0.5
	noWords := cfg
	noWords.WordNgrams = false
	words := plain - sum(noWords)
	if got := plain - sum(half); words <= 0 || got < 0.49*words || got > 0.51*words {
		t.Errorf("word scale 0.5 removed %.4f of the words' %.4f", got, words)
	}
}

func TestShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text  string
		fold  bool
		shape string
		at    []int32
	}{
		{"", false, "", nil},
		{"Hello, GitHub: 42", false, "Aa, AaAa: 0", []int32{0, 1, 5, 6, 7, 8, 10, 11, 13, 14, 15}},
		{"Hello, GitHub: 42", true, "a, a: 0", []int32{0, 5, 6, 7, 13, 14, 15}},
		{"- **ok**\n", false, "- **a**\n", []int32{0, 1, 2, 3, 4, 6, 7, 8}},
		{"café 3.14", false, "au 0.0", []int32{0, 3, 5, 6, 7, 8}},
		{"API", false, "A", []int32{0}},
		{"API", true, "a", []int32{0}},
	}
	for _, tt := range tests {
		shape, at := Shape(tt.text, tt.fold, nil, nil)
		if string(shape) != tt.shape || !slices.Equal(at, tt.at) {
			t.Errorf("Shape(%q) = %q %v, want %q %v", tt.text, shape, at, tt.shape, tt.at)
		}
	}
}
