// Package attack perturbs text the way people evade detectors, so an
// evaluation can measure how much a perturbation costs. Every function is
// deterministic for a given seed. The first three leave the text's look
// unchanged for a human reader; the other four change it visibly but cost
// the writer nothing and keep every word readable.
//
//	homoglyph    Latin letters replaced by Cyrillic or Greek look-alikes (a → а U+0430)
//	zerowidth    invisible characters (U+200B, U+200C, U+2060, U+FEFF) inserted between letters
//	whitespace   doubled spaces, no-break spaces, tabs, trailing spaces and CRLF line ends
//	lowercase    every letter lower-cased
//	case         a few letters' case flipped at random ("tHe")
//	typo         adjacent letters inside words swapped ("teh")
//	punctuation  typographic dashes, quotes and ellipses replaced by their ASCII forms
package attack

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The rates Apply uses.
const (
	// DefaultHomoglyphRate is the share of replaceable letters Apply swaps.
	DefaultHomoglyphRate = 0.15
	// DefaultZeroWidthRate is the share of letter pairs Apply splits.
	DefaultZeroWidthRate = 0.15
	// DefaultCaseRate is the share of letters whose case Apply flips.
	DefaultCaseRate = 0.05
	// DefaultTypoRate is the share of adjacent letter pairs Apply swaps:
	// about one typo in every eight to ten words.
	DefaultTypoRate = 0.02
)

// homoglyphs maps Latin letters to look-alikes in other scripts.
var homoglyphs = map[rune][]rune{
	'a': {'\u0430'},           // Cyrillic a
	'c': {'\u0441', '\u03f2'}, // Cyrillic es, Greek lunate sigma
	'e': {'\u0435'},           // Cyrillic ie
	'i': {'\u0456'},           // Cyrillic Byelorussian-Ukrainian i
	'j': {'\u0458'},           // Cyrillic je
	'o': {'\u043e', '\u03bf'}, // Cyrillic o, Greek omicron
	'p': {'\u0440', '\u03c1'}, // Cyrillic er, Greek rho
	's': {'\u0455'},           // Cyrillic dze
	'v': {'\u03bd'},           // Greek nu
	'x': {'\u0445', '\u03c7'}, // Cyrillic ha, Greek chi
	'y': {'\u0443'},           // Cyrillic u
	'A': {'\u0410', '\u0391'},
	'B': {'\u0412', '\u0392'},
	'C': {'\u0421'},
	'E': {'\u0415', '\u0395'},
	'H': {'\u041d', '\u0397'},
	'I': {'\u0406', '\u0399'},
	'J': {'\u0408'},
	'K': {'\u041a', '\u039a'},
	'M': {'\u041c', '\u039c'},
	'N': {'\u039d'},
	'O': {'\u041e', '\u039f'},
	'P': {'\u0420', '\u03a1'},
	'S': {'\u0405'},
	'T': {'\u0422', '\u03a4'},
	'X': {'\u0425', '\u03a7'},
	'Y': {'\u04ae', '\u03a5'},
	'Z': {'\u0396'},
}

// zeroWidth are the invisible characters ZeroWidth inserts.
var zeroWidth = []rune{'\u200b', '\u200c', '\u2060', '\ufeff'}

// newRand returns the generator for one seed.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x736c6f70677561))
}

// Homoglyph replaces each Latin letter that has a look-alike with
// probability rate (0..1) by one of its Cyrillic or Greek look-alikes.
func Homoglyph(text string, rate float64, seed uint64) string {
	r := newRand(seed)
	var b strings.Builder
	b.Grow(len(text) + len(text)/4)
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRuneInString(text[i:])
		if alts, ok := homoglyphs[c]; ok && r.Float64() < rate {
			b.WriteRune(alts[r.IntN(len(alts))])
		} else {
			b.WriteString(text[i : i+size]) // invalid bytes stay as they were
		}
		i += size
	}
	return b.String()
}

// ZeroWidth inserts, with probability rate (0..1), one invisible character
// between each pair of adjacent letters.
func ZeroWidth(text string, rate float64, seed uint64) string {
	r := newRand(seed)
	var b strings.Builder
	b.Grow(len(text) + len(text)/4)
	prevLetter := false
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRuneInString(text[i:])
		letter := unicode.IsLetter(c)
		if letter && prevLetter && r.Float64() < rate {
			b.WriteRune(zeroWidth[r.IntN(len(zeroWidth))])
		}
		b.WriteString(text[i : i+size])
		prevLetter = letter
		i += size
	}
	return b.String()
}

// Whitespace disturbs spacing without changing the words: each space
// becomes, with probability 0.15, two spaces, 0.10 a no-break space (U+00A0)
// and 0.05 a tab; each line end becomes CRLF and gets trailing spaces with
// probability 0.3; the text ends with one to three trailing spaces.
func Whitespace(text string, seed uint64) string {
	r := newRand(seed)
	var b strings.Builder
	b.Grow(len(text) + len(text)/4)
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch c {
		case ' ':
			switch p := r.Float64(); {
			case p < 0.15:
				b.WriteString("  ")
			case p < 0.25:
				b.WriteRune('\u00a0')
			case p < 0.30:
				b.WriteByte('\t')
			default:
				b.WriteByte(' ')
			}
		case '\r':
			// Dropped: every '\n' is written as "\r\n" below.
			if i < len(text) && text[i] == '\n' {
				continue
			}
			b.WriteByte('\r')
		case '\n':
			if r.Float64() < 0.3 {
				b.WriteString(strings.Repeat(" ", 1+r.IntN(3)))
			}
			b.WriteString("\r\n")
		default:
			if c == utf8.RuneError && size == 1 {
				b.WriteByte(text[i-1]) // keep invalid bytes as they were
				continue
			}
			b.WriteRune(c)
		}
	}
	b.WriteString(strings.Repeat(" ", 1+r.IntN(3)))
	return b.String()
}

// mapRunes replaces each rune c of text by f(c), in order; invalid bytes
// are kept as they were.
func mapRunes(text string, f func(c rune) rune) string {
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRuneInString(text[i:])
		if c == utf8.RuneError && size == 1 {
			b.WriteByte(text[i])
		} else {
			b.WriteRune(f(c))
		}
		i += size
	}
	return b.String()
}

// Lowercase lower-cases every letter; invalid bytes are kept as they were.
func Lowercase(text string) string { return mapRunes(text, unicode.ToLower) }

// Case flips the case of each letter that has both cases with
// probability rate (0..1).
func Case(text string, rate float64, seed uint64) string {
	r := newRand(seed)
	return mapRunes(text, func(c rune) rune {
		switch {
		case unicode.IsUpper(c) && unicode.ToLower(c) != c && r.Float64() < rate:
			return unicode.ToLower(c)
		case unicode.IsLower(c) && unicode.ToUpper(c) != c && r.Float64() < rate:
			return unicode.ToUpper(c)
		}
		return c
	})
}

// Typo swaps, with probability rate (0..1), each pair of adjacent letters
// inside a word ("the" → "teh"); a swapped letter is not swapped again.
func Typo(text string, rate float64, seed uint64) string {
	r := newRand(seed)
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRuneInString(text[i:])
		if c == utf8.RuneError && size == 1 {
			b.WriteByte(text[i])
			i++
			continue
		}
		if unicode.IsLetter(c) && i+size < len(text) {
			next, nsize := utf8.DecodeRuneInString(text[i+size:])
			if unicode.IsLetter(next) && next != c && r.Float64() < rate {
				b.WriteRune(next)
				b.WriteRune(c)
				i += size + nsize
				continue
			}
		}
		b.WriteRune(c)
		i += size
	}
	return b.String()
}

// asciiPunctuation maps typographic punctuation to what a keyboard types.
var asciiPunctuation = strings.NewReplacer(
	"\u2014", "-", "\u2013", "-", "\u2212", "-", // em dash, en dash, minus sign
	"\u2018", "'", "\u2019", "'", "\u201c", `"`, "\u201d", `"`,
	"\u2026", "...",
)

// Punctuation replaces typographic dashes, quotes and ellipses by their
// ASCII forms, as a writer removing the usual tells of generated text would.
func Punctuation(text string) string { return asciiPunctuation.Replace(text) }

// Names lists the attacks Apply knows, in a stable order.
func Names() []string {
	return []string{"homoglyph", "zerowidth", "whitespace", "lowercase", "case", "typo", "punctuation"}
}

// Apply runs the named attack at its default rate. The empty name and
// "none" return the text unchanged.
func Apply(name, text string, seed uint64) (string, error) {
	switch name {
	case "", "none":
		return text, nil
	case "homoglyph":
		return Homoglyph(text, DefaultHomoglyphRate, seed), nil
	case "zerowidth":
		return ZeroWidth(text, DefaultZeroWidthRate, seed), nil
	case "whitespace":
		return Whitespace(text, seed), nil
	case "lowercase":
		return Lowercase(text), nil
	case "case":
		return Case(text, DefaultCaseRate, seed), nil
	case "typo":
		return Typo(text, DefaultTypoRate, seed), nil
	case "punctuation":
		return Punctuation(text), nil
	default:
		return "", fmt.Errorf("unknown attack %q (want %s)", name, strings.Join(Names(), ", "))
	}
}

// Valid reports whether Apply knows name.
func Valid(name string) bool {
	_, err := Apply(name, "", 0)
	return err == nil
}
