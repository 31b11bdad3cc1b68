package tokenize

import (
	"unicode"
	"unicode/utf8"
)

// maxWordBytes is the longest word handed to the BPE model in one piece.
// Longer words (a 10 MB run of letters, a base64 blob, a long run of
// newlines) are cut into chunks of at most maxWordBytes bytes at rune
// boundaries, each tokenised on its own. The library's merge loop is
// quadratic in the word length; chunking keeps the cost of a text linear.
const maxWordBytes = 100

// Character classes of the library's ByteLevel split pattern
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+
//
// where \s is RE2's ASCII class [\t\n\f\r ].
const (
	classSpace  = iota // \s: tab, newline, form feed, carriage return, space
	classLetter        // \p{L}
	classNumber        // \p{N}
	classOther         // anything else, including invalid UTF-8 (read as U+FFFD)
)

var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := 0; c < utf8.RuneSelf; c++ {
		r := rune(c)
		switch {
		case r == '\t' || r == '\n' || r == '\f' || r == '\r' || r == ' ':
			t[c] = classSpace
		case unicode.IsLetter(r):
			t[c] = classLetter
		case unicode.IsNumber(r):
			t[c] = classNumber
		default:
			t[c] = classOther
		}
	}
	return t
}()

// classAt returns the class of the rune starting at s[i] and its width.
// An invalid byte has width 1 and class classOther, as in package regexp.
func classAt(s string, i int) (class uint8, width int) {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	switch {
	case unicode.IsLetter(r):
		return classLetter, w
	case unicode.IsNumber(r):
		return classNumber, w
	default:
		return classOther, w
	}
}

// runEnd returns the end of the run of runes of class class starting at i.
func runEnd(s string, i int, class uint8) int {
	for i < len(s) {
		c, w := classAt(s, i)
		if c != class {
			break
		}
		i += w
	}
	return i
}

// contraction returns the length of the contraction ('s, 't, 're, 've, 'm,
// 'll, 'd) at s[i], which must be an apostrophe, or 0. The order is the
// pattern's: leftmost-first alternation takes the first that matches.
func contraction(s string, i int) int {
	rest := s[i+1:]
	if len(rest) == 0 {
		return 0
	}
	switch rest[0] {
	case 's', 't', 'm', 'd':
		return 2
	case 'r':
		if len(rest) > 1 && rest[1] == 'e' {
			return 3
		}
	case 'v':
		if len(rest) > 1 && rest[1] == 'e' {
			return 3
		}
	case 'l':
		if len(rest) > 1 && rest[1] == 'l' {
			return 3
		}
	}
	return 0
}

// matchAt returns the end of the pattern's match starting at s[i], or -1
// when no alternative matches there.
func matchAt(s string, i int) int {
	c, w := classAt(s, i)
	switch c {
	case classLetter, classNumber:
		return runEnd(s, i+w, c)
	case classOther:
		if s[i] == '\'' {
			if n := contraction(s, i); n > 0 {
				return i + n
			}
		}
		return runEnd(s, i+w, classOther)
	}
	// A space may lead a letter, number or other run; other \s never match.
	if s[i] != ' ' || i+1 >= len(s) {
		return -1
	}
	c, w = classAt(s, i+1)
	if c == classSpace {
		return -1
	}
	return runEnd(s, i+1+w, c)
}

// scan calls fn for each pre-token of text, in order: the matches of the
// split pattern and the unmatched runs between them (the library's
// IsolatedBehavior). Like the library's ByteLevel pre-tokeniser with
// AddPrefixSpace, a non-empty text that does not start with a space is read
// as if it did; that virtual space belongs to the first pre-token, which fn
// sees with prefixed set. Offsets are into text; every pre-token holds at
// least one byte of text.
func scan(text string, fn func(prefixed bool, start, end int)) {
	if text == "" {
		return
	}
	i, gap := 0, -1
	prefixed := text[0] != ' '
	if prefixed {
		// The virtual space at -1 either leads the first run or opens a gap.
		c, w := classAt(text, 0)
		if c == classSpace {
			gap = 0
		} else {
			i = runEnd(text, w, c)
			fn(true, 0, i)
			prefixed = false
		}
	}
	for i < len(text) {
		end := matchAt(text, i)
		if end < 0 {
			if gap < 0 {
				gap = i
			}
			_, w := classAt(text, i)
			i += w
			continue
		}
		if gap >= 0 {
			fn(prefixed, gap, i)
			gap, prefixed = -1, false
		}
		fn(false, i, end)
		i = end
	}
	if gap >= 0 {
		fn(prefixed, gap, len(text))
	}
}

// chunks calls fn for consecutive pieces of the pre-token text[start:end]
// of at most maxWordBytes bytes (the virtual prefix space counting as one),
// cut at rune starts where possible.
func chunks(text string, prefixed bool, start, end int, fn func(prefixed bool, start, end int)) {
	for {
		limit := maxWordBytes
		if prefixed {
			limit--
		}
		if end-start <= limit {
			fn(prefixed, start, end)
			return
		}
		cut := start + limit
		for k := cut; k > cut-utf8.UTFMax && k > start; k-- {
			if utf8.RuneStart(text[k]) {
				cut = k
				break
			}
		}
		fn(prefixed, start, cut)
		start, prefixed = cut, false
	}
}
