package normalize

import (
	"math/rand"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		stats          Stats
	}{
		{"empty", "", "", Stats{}},
		{"plain ascii", "Hello, world.\nSecond line.", "Hello, world.\nSecond line.", Stats{}},

		// Homoglyphs.
		{"cyrillic a in latin word", "pаypal", "paypal", Stats{Homoglyphs: 1}},
		{"several in one word", "Ехаmрlе", "Example", Stats{Homoglyphs: 5}},
		{"greek capitals in latin word", "ΗΕLLO", "HELLO", Stats{Homoglyphs: 2}},
		{"greek omicron and nu", "gοοd νalue", "good value", Stats{Homoglyphs: 3}},
		{"whole words swapped in latin text", "This іѕ а test", "This is a test", Stats{Homoglyphs: 3}},
		{"transparent word at the edge", "а test", "a test", Stats{Homoglyphs: 1}},
		{"mixed word keeps other cyrillic", "pаyмent", "payмent", Stats{Homoglyphs: 1}},
		{"folded letter recomposed with its mark", "tо\u0323p", "tọp", Stats{Homoglyphs: 1}},
		{"precomposed yo", "Bёrlin", "Bërlin", Stats{Homoglyphs: 1}},
		{"russian kept", "Москва — столица России.", "Москва — столица России.", Stats{}},
		{"russian word of look-alikes kept", "оса и сор", "оса и сор", Stats{}},
		{"lone russian a kept", "мама а папа", "мама а папа", Stats{}},
		{"look-alikes alone kept", "а", "а", Stats{}},
		{"between latin and russian kept", "test а Москва", "test а Москва", Stats{}},
		{"greek kept", "Ελληνικά κείμενα, ο νόμος.", "Ελληνικά κείμενα, ο νόμος.", Stats{}},
		{"digits do not make latin", "ос 123", "ос 123", Stats{}},

		// Invisible characters.
		{"zero width space", "pay\u200bpal", "paypal", Stats{Invisible: 1}},
		{"bidi override and pop", "abc\u202edef\u202c", "abcdef", Stats{Invisible: 2}},
		{"bidi isolates and marks", "\u2066a\u2069\u200eb\u200f", "ab", Stats{Invisible: 4}},
		{"soft hyphen", "co\u00adoperate", "cooperate", Stats{Invisible: 1}},
		{"byte order mark", "\ufeffhello", "hello", Stats{Invisible: 1}},
		{"word joiner and invisible times", "a\u2060b\u2062c", "abc", Stats{Invisible: 2}},
		{"mongolian vowel separator and arabic letter mark", "a\u180eb\u061cc", "abc", Stats{Invisible: 2}},
		{"tag characters", "hi\U000E0001\U000E0068\U000E0069", "hi", Stats{Invisible: 3}},
		{"hangul filler", "a\u3164b", "ab", Stats{Invisible: 1}},
		{"controls", "a\x00b\x1bc\x7fd\u0080", "abcd", Stats{Invisible: 4}},
		{"zwj in latin word", "pa\u200dy\u200cpal", "paypal", Stats{Invisible: 2}},
		{"zwj in emoji sequence kept", "👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧", Stats{}},
		{"zwj after emoji presentation selector kept", "🏳\ufe0f\u200d🌈", "🏳\ufe0f\u200d🌈", Stats{}},
		{"zwnj in persian kept", "می\u200cخواهم", "می\u200cخواهم", Stats{}},
		{"zwj before a space removed", "👨\u200d x", "👨 x", Stats{Invisible: 1}},
		{"arabic number sign kept", "\u0600١٢", "\u0600١٢", Stats{}},
		{"removal before nfkc", "e\u200b\u0301", "é", Stats{Invisible: 1, Compat: 1}},
		{"control removal before nfkc", "e\x00\u0301", "é", Stats{Invisible: 1, Compat: 1}},

		// Invalid UTF-8.
		{"invalid byte", "a\xffb", "a\ufffdb", Stats{InvalidBytes: 1}},
		{"truncated sequence", "ab\xe2\x82", "ab\ufffd", Stats{InvalidBytes: 2}},
		{"lone continuation bytes", "\x80\x80", "\ufffd", Stats{InvalidBytes: 2}},
		{"surrogate encoding", "a\xed\xa0\x80", "a\ufffd", Stats{InvalidBytes: 3}},
		{"replacement char kept", "a\ufffdb", "a\ufffdb", Stats{}},

		// Whitespace.
		{"run of spaces", "a   b", "a b", Stats{Whitespace: 2}},
		{"tab", "a\tb", "a b", Stats{Whitespace: 1}},
		{"space and tab", "a \t b", "a b", Stats{Whitespace: 2}},
		{"nbsp and em space", "a\u00a0\u2003b", "a b", Stats{Compat: 2, Whitespace: 1}},
		{"ogham space mark", "a\u1680b", "a b", Stats{Whitespace: 1}},
		{"trailing spaces on a line", "a  \nb", "a\nb", Stats{Whitespace: 2}},
		{"indentation kept as one space", "a\n    b", "a\n b", Stats{Whitespace: 3}},
		{"crlf", "a\r\nb", "a\nb", Stats{Whitespace: 1}},
		{"lone cr", "a\rb", "a\nb", Stats{Whitespace: 1}},
		{"line and paragraph separators", "a\u2028b\u2029c\u0085d", "a\nb\nc\nd", Stats{Whitespace: 3}},
		{"blank line kept", "a\n\nb", "a\n\nb", Stats{}},
		{"three newlines become two", "a\n\n\nb", "a\n\nb", Stats{Whitespace: 1}},
		{"many crlf", "a\r\n\r\n\r\n\r\nb", "a\n\nb", Stats{Whitespace: 4}},
		{"blank lines with spaces", "a \n \n\n  b", "a\n\n b", Stats{Whitespace: 4}},
		{"trim", " \n\t a b \n ", "a b", Stats{Whitespace: 7}},
		{"only whitespace", " \r\n\t ", "", Stats{Whitespace: 4}},

		// NFKC.
		{"ligature", "ﬁne", "fine", Stats{Compat: 1}},
		{"fullwidth", "ｆｕｌｌ", "full", Stats{Compat: 4}},
		{"math bold", "𝐛𝐨𝐥𝐝", "bold", Stats{Compat: 4}},
		{"math script h", "\u210eello", "hello", Stats{Compat: 1}},
		{"superscript", "x²", "x2", Stats{Compat: 1}},
		{"composition", "e\u0301", "é", Stats{Compat: 1}},
		{"circled digit", "①", "1", Stats{Compat: 1}},
		{"roman numeral", "Ⅻ", "XII", Stats{Compat: 1}},
		{"diaeresis expands to space and mark", "a\u00a8", "a \u0308", Stats{Compat: 1}},
		{"already nfc", "café", "café", Stats{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := checkInvariants(t, tt.in)
			if got.S != tt.want {
				t.Errorf("Normalize(%q).S = %q, want %q", tt.in, got.S, tt.want)
			}
			if got.Stats != tt.stats {
				t.Errorf("Normalize(%q).Stats = %+v, want %+v", tt.in, got.Stats, tt.stats)
			}
		})
	}
}

func TestNormalizeSharesUnchangedInput(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"plain text", "Москва и café", "a\n\nb"} {
		got := Normalize(in)
		if got.S != in || got.runs != nil {
			t.Errorf("Normalize(%q) = %q with %d runs, want the input back with none", in, got.S, len(got.runs))
		}
		if got.Stats.Changed() {
			t.Errorf("Normalize(%q).Stats.Changed() = true, want false", in)
		}
	}
}

func TestNormalizeTruncates(t *testing.T) {
	t.Parallel()
	in := strings.Repeat("a", MaxInput+3)
	got := Normalize(in)
	if len(got.S) != MaxInput || got.Stats.Truncated != 3 {
		t.Errorf("len(S) = %d, Truncated = %d; want %d, 3", len(got.S), got.Stats.Truncated, MaxInput)
	}
}

func TestOriginal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in   string
		start, end int
		wantA      int
		wantB      int
	}{
		{"identity", "hello", 1, 3, 1, 3},
		{"clamped", "hello", -5, 100, 0, 5},
		{"end before start", "hello", 3, 1, 3, 3},
		{"after collapsed spaces", "a   b", 2, 3, 4, 5},
		{"the kept space", "a   b", 1, 2, 1, 2},
		{"across collapsed spaces", "a   b", 0, 3, 0, 5},
		{"part of a ligature", "ﬁne", 1, 2, 0, 3},
		{"after a ligature", "ﬁne", 2, 4, 3, 5},
		{"folded letter", "pаypal", 1, 2, 1, 3},
		{"word with folded letter", "pаypal", 0, 6, 0, 7},
		{"skips removed characters at the edges", "\u200ba\u200bb\u200b", 1, 2, 7, 8},
		{"covers removed characters inside", "\u200ba\u200bb\u200b", 0, 2, 3, 8},
		{"repaired byte", "a\xffb", 1, 4, 1, 2},
		{"crlf", "a\r\nb", 1, 2, 1, 3},
		{"after trimmed leading space", "  a  b  ", 0, 1, 2, 3},
		{"empty span at end", "  a  ", 1, 1, 3, 3},
		{"empty span inside", "a   b", 2, 2, 4, 4},
		{"empty result", "   ", 0, 0, 0, 0},
		{"nfkc expansion", "x\ufdfay", 1, 4, 1, 4},
		{"fullwidth word", "ｆｕｌｌ!", 1, 3, 3, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := Normalize(tt.in)
			a, b := n.Original(tt.start, tt.end)
			if a != tt.wantA || b != tt.wantB {
				t.Errorf("Normalize(%q).Original(%d, %d) = %d, %d; want %d, %d (S = %q)",
					tt.in, tt.start, tt.end, a, b, tt.wantA, tt.wantB, n.S)
			}
		})
	}
}

// alphabet mixes everything Normalize treats specially.
var alphabet = []string{
	"a", "b", "x", "The", "pal", " ", " ", "  ", "\t", "\n", "\n\n\n", "\r", "\r\n", "\u00a0", "\u2003",
	"\u2028", "\u0085", "а", "е", "о", "с", "і", "Е", "ё", "м", "Москва", "Α", "ο", "ν", "λόγος",
	"\u0301", "\u0323", "\u0308", "\u034f", "\u200b", "\u200c", "\u200d", "\u202e", "\ufeff",
	"\u00ad", "\U000E0068", "\x00", "\x7f", "\u0080", "\xff", "\xc3", "\xe2\x82", "ﬁ", "ｆ", "𝐛",
	"²", "\u00a8", "\ufdfa", "👨", "🏳", "\ufe0f", "می", "क", "\u094d", "\u3164", "가", "\u1100",
	"\u1161", "\uff9e", "ｶ", "1", "①", ".", "-",
}

func randomText(rng *rand.Rand, n int) string {
	var sb strings.Builder
	for range n {
		sb.WriteString(alphabet[rng.Intn(len(alphabet))])
	}
	return sb.String()
}

// TestOriginalProperty checks over random inputs that every rune of S maps
// back to input bytes that explain it: they normalise to that rune, or fold
// into it, or are the whitespace or bad bytes it stands for.
func TestOriginalProperty(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(1))
	for range 3000 {
		in := randomText(rng, rng.Intn(16))
		got := checkInvariants(t, in)
		for i, r := range got.S {
			j := i + utf8.RuneLen(r)
			a, b := got.Original(i, j)
			if !explains(in[a:b], r) {
				t.Fatalf("Normalize(%q).S = %q: rune %q at %d maps to %q, which does not explain it",
					in, got.S, r, i, in[a:b])
			}
		}
	}
}

// explains reports whether the input bytes orig can have become rune r.
func explains(orig string, r rune) bool {
	if strings.ContainsRune(orig, r) {
		return true
	}
	if r == utf8.RuneError {
		return !utf8.ValidString(orig) || strings.ContainsRune(orig, r)
	}
	if r == '\n' {
		return strings.ContainsAny(orig, "\n\r\u0085\u2028\u2029")
	}
	var clean strings.Builder
	for _, c := range orig {
		if c != utf8.RuneError && !removed(c) {
			clean.WriteRune(c)
		}
	}
	n := norm.NFKC.String(clean.String())
	if r == ' ' && strings.IndexFunc(n, unicode.IsSpace) >= 0 {
		return true
	}
	if strings.ContainsRune(n, r) {
		return true
	}
	var folded strings.Builder
	for _, c := range n {
		if f := foldOf(c); f != "" {
			folded.WriteString(f)
		} else {
			folded.WriteRune(c)
		}
	}
	return strings.ContainsRune(norm.NFKC.String(folded.String()), r) ||
		strings.ContainsRune(norm.NFKC.String(norm.NFD.String(folded.String())), r)
}

func TestIdempotentRandom(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(2))
	for range 3000 {
		checkInvariants(t, randomText(rng, rng.Intn(40)))
	}
}

// TestRulesClosedUnderNFKC checks the properties that make Normalize
// idempotent although removal runs before NFKC: NFKC never produces a
// character that would be removed, never takes a rune out of the joiner
// context, and the homoglyph table maps to NFKC-normal Latin.
func TestRulesClosedUnderNFKC(t *testing.T) {
	t.Parallel()
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) || invisible(r) || r == zwj || r == zwnj {
			continue
		}
		n := norm.NFKC.String(string(r))
		if n == string(r) {
			continue
		}
		for _, c := range n {
			if removed(c) {
				t.Errorf("NFKC(%U) = %q holds %U, which is removed", r, n, c)
			}
			if joinerContext(r) && !joinerContext(c) {
				t.Errorf("NFKC(%U) = %q holds %U, outside the joiner context", r, n, c)
			}
		}
	}
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		pr := norm.NFKC.PropertiesString(string(r))
		if joinerContext(r) && pr.CCC() == 0 && pr.LeadCCC() != 0 {
			t.Errorf("%U is in the joiner context, a starter, but decomposes to a non-starter", r)
		}
	}
	for _, h := range homoglyphs {
		if !unicode.In(h.from, unicode.Cyrillic, unicode.Greek) {
			t.Errorf("homoglyph %U is neither Cyrillic nor Greek", h.from)
		}
		if !norm.NFKC.IsNormalString(h.to) {
			t.Errorf("homoglyph %U folds to %q, which is not NFKC", h.from, h.to)
		}
		for _, c := range h.to {
			if !unicode.Is(unicode.Latin, c) {
				t.Errorf("homoglyph %U folds to %q, which is not Latin", h.from, h.to)
			}
		}
		if got := foldOf(h.from); got != h.to {
			t.Errorf("foldOf(%U) = %q, want %q", h.from, got, h.to)
		}
	}
}

// TestHomoglyphTableDocumented checks that the package documentation lists
// every entry of the table, and nothing else.
func TestHomoglyphTableDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatalf("read doc.go: %v", err)
	}
	want := make(map[string]bool)
	for _, h := range homoglyphs {
		want[string(h.from)+"→"+h.to] = true
	}
	got := make(map[string]bool)
	for _, f := range strings.Fields(string(doc)) {
		if strings.Contains(f, "→") {
			got[f] = true
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("doc.go does not list %s", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("doc.go lists %s, which is not in the table", k)
		}
	}
}

// removed reports whether pass A may remove c.
func removed(c rune) bool {
	if c < utf8.RuneSelf {
		return !plainASCII(byte(c))
	}
	return invisible(c) || c == zwj || c == zwnj
}

func TestRuneFloor(t *testing.T) {
	t.Parallel()
	s := "aé€😀" // 1, 2, 3 and 4 bytes: starts at 0, 1, 3, 6; length 10
	tests := []struct{ i, want int }{
		{0, 0}, {1, 1}, {2, 1}, {3, 3}, {4, 3}, {5, 3}, {6, 6}, {7, 6}, {9, 6}, {10, 10}, {12, 12},
	}
	for _, tt := range tests {
		if got := RuneFloor(s, tt.i); got != tt.want {
			t.Errorf("RuneFloor(%q, %d) = %d, want %d", s, tt.i, got, tt.want)
		}
	}
}
