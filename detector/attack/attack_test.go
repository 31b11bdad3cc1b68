package attack

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

const sample = "Hello World! This pull request improves the parser.\nIt also adds tests, " +
	"fixes a typo and removes dead code.\r\nSee the summary below for details. "

var long = strings.Repeat(sample, 40)

// unHomoglyph maps every look-alike back to its Latin letter.
func unHomoglyph(s string) string {
	back := map[rune]rune{}
	for latin, alts := range homoglyphs {
		for _, a := range alts {
			back[a] = latin
		}
	}
	return strings.Map(func(r rune) rune {
		if l, ok := back[r]; ok {
			return l
		}
		return r
	}, s)
}

func dropZeroWidth(s string) string {
	return strings.Map(func(r rune) rune {
		for _, z := range zeroWidth {
			if r == z {
				return -1
			}
		}
		return r
	}, s)
}

// sortedRunes is s's runes in order: what a typo (a swap) keeps.
func sortedRunes(s string) string {
	rs := []rune(s)
	slices.Sort(rs)
	return string(rs)
}

func TestApplyDeterministicAndReversible(t *testing.T) {
	t.Parallel()
	undo := map[string]func(string) string{
		"homoglyph":  unHomoglyph,
		"zerowidth":  dropZeroWidth,
		"whitespace": func(s string) string { return strings.Join(strings.Fields(s), " ") },
		"typo":       sortedRunes,
		"case":       strings.ToLower,
	}
	for _, name := range []string{"homoglyph", "zerowidth", "whitespace", "typo", "case"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, err := Apply(name, long, 7)
			if err != nil {
				t.Fatalf("got err %v, want nil", err)
			}
			b, _ := Apply(name, long, 7)
			c, _ := Apply(name, long, 8)
			if a != b {
				t.Error("got different outputs for the same seed, want equal")
			}
			if a == c {
				t.Error("got equal outputs for different seeds, want different")
			}
			if a == long {
				t.Error("got the text unchanged, want a perturbation")
			}
			want := undo[name](long)
			if got := undo[name](a); got != want {
				t.Errorf("undoing the attack: got %q…, want %q…", got[:80], want[:80])
			}
		})
	}
}

// The attacks without randomness: the same output whatever the seed, and
// an output the attack leaves as it is (they are idempotent).
func TestUnseededAttacks(t *testing.T) {
	t.Parallel()
	text := "“Great question!” — it’s simple… Let’s see: 3 − 2 = 1, OK? ÉTÉ ‘quoted’ – done\xff"
	tests := []struct {
		name, want string
	}{
		{"lowercase", "“great question!” — it’s simple… let’s see: 3 − 2 = 1, ok? été ‘quoted’ – done\xff"},
		{"punctuation", `"Great question!" - it's simple... Let's see: 3 - 2 = 1, OK? ÉTÉ 'quoted' - done` + "\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := Apply(tt.name, text, 1)
			if err != nil {
				t.Fatal(err)
			}
			if a != tt.want {
				t.Errorf("got %q, want %q", a, tt.want)
			}
			if b, _ := Apply(tt.name, text, 2); b != a {
				t.Errorf("seed 2 gave %q, want the same as seed 1", b)
			}
			if again, _ := Apply(tt.name, a, 1); again != a {
				t.Errorf("applied twice: got %q, want %q", again, a)
			}
		})
	}
}

func TestTypoSwapsOnlyLettersInsideWords(t *testing.T) {
	t.Parallel()
	out := Typo(long, 1, 3)
	if len(out) != len(long) {
		t.Fatalf("got %d bytes, want %d", len(out), len(long))
	}
	inWords := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	}
	got, want := inWords(out), inWords(long)
	if len(got) != len(want) {
		t.Fatalf("got %d words, want %d: a swap crossed a word boundary", len(got), len(want))
	}
	changed := 0
	for i := range got {
		if sortedRunes(got[i]) != sortedRunes(want[i]) {
			t.Fatalf("word %d: got %q from %q, want the same letters", i, got[i], want[i])
		}
		if got[i] != want[i] {
			changed++
		}
	}
	if changed == 0 {
		t.Error("rate 1 changed no word")
	}
	if got := Typo("ab cd", 0, 1); got != "ab cd" {
		t.Errorf("rate 0: got %q", got)
	}
}

func TestHomoglyphRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rate     float64
		min, max float64
	}{{0, 0, 0}, {0.15, 0.10, 0.20}, {0.5, 0.44, 0.56}, {1, 1, 1}}
	eligible := 0
	for _, c := range long {
		if _, ok := homoglyphs[c]; ok {
			eligible++
		}
	}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			out := Homoglyph(long, tt.rate, 1)
			swapped := 0
			for _, c := range out {
				if c > unicode.MaxASCII {
					swapped++
				}
			}
			got := float64(swapped) / float64(eligible)
			if got < tt.min || got > tt.max {
				t.Errorf("rate %v: got %.3f of letters swapped, want %v..%v", tt.rate, got, tt.min, tt.max)
			}
		})
	}
}

func TestZeroWidthOnlyBetweenLetters(t *testing.T) {
	t.Parallel()
	out := []rune(ZeroWidth(long, 1, 3))
	inserted := 0
	for i, r := range out {
		if dropZeroWidth(string(r)) != "" {
			continue
		}
		inserted++
		if i == 0 || i == len(out)-1 || !unicode.IsLetter(out[i-1]) || !unicode.IsLetter(out[i+1]) {
			t.Fatalf("got a zero-width character at rune %d not between letters", i)
		}
	}
	if inserted == 0 {
		t.Error("got no insertions at rate 1, want some")
	}
	if got := ZeroWidth("ab", 0, 3); got != "ab" {
		t.Errorf("rate 0: got %q, want %q", got, "ab")
	}
}

func TestWhitespaceShape(t *testing.T) {
	t.Parallel()
	out := Whitespace(long, 5)
	if strings.Count(out, "\r\n") != strings.Count(long, "\n") {
		t.Errorf("got %d CRLF, want every one of the %d line ends", strings.Count(out, "\r\n"), strings.Count(long, "\n"))
	}
	if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Error("got a bare LF, want CRLF only")
	}
	for _, want := range []string{"  ", "\u00a0", "\t"} {
		if !strings.Contains(out, want) {
			t.Errorf("got no %q in the output, want some", want)
		}
	}
	if !strings.HasSuffix(out, " ") {
		t.Error("got no trailing space, want one")
	}
}

func TestInvalidUTF8Kept(t *testing.T) {
	t.Parallel()
	in := "ab\xffcd\xfe"
	for _, name := range []string{"homoglyph", "zerowidth", "lowercase", "case", "typo", "punctuation"} {
		out, _ := Apply(name, in, 1)
		if !strings.Contains(out, "\xff") || !strings.Contains(out, "\xfe") {
			t.Errorf("%s: got %q, want the invalid bytes kept", name, out)
		}
	}
	if out := Whitespace(in, 1); !strings.HasPrefix(out, in) {
		t.Errorf("whitespace: got %q, want it to start with %q", out, in)
	}
}

func TestApplyNames(t *testing.T) {
	t.Parallel()
	if _, err := Apply("paraphrase", "x", 1); err == nil || !strings.Contains(err.Error(), "homoglyph") {
		t.Errorf("got err %v, want unknown attack listing the names", err)
	}
	if got, _ := Apply("", "x", 1); got != "x" {
		t.Errorf("got %q for no attack, want the text unchanged", got)
	}
	if !Valid("zerowidth") || Valid("bogus") {
		t.Error("got wrong Valid answers")
	}
}

func TestCaseRate(t *testing.T) {
	t.Parallel()
	letters := 0
	for _, c := range long {
		if unicode.IsLetter(c) {
			letters++
		}
	}
	tests := []struct{ rate, min, max float64 }{{0, 0, 0}, {0.05, 0.03, 0.07}, {1, 1, 1}}
	for _, tt := range tests {
		out := []rune(Case(long, tt.rate, 9))
		flipped := 0
		for i, c := range []rune(long) {
			if out[i] != c {
				flipped++
			}
		}
		if got := float64(flipped) / float64(letters); got < tt.min || got > tt.max {
			t.Errorf("rate %v: got %.3f of letters flipped, want %v..%v", tt.rate, got, tt.min, tt.max)
		}
	}
}
