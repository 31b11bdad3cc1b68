package normalize

import "unicode"

// homoglyphs lists the Cyrillic and Greek letters folded to Latin, drawn from
// Unicode's confusables data (UTS #39) for the letters that matter in text.
// Keep it in step with the table in the package documentation; a test checks.
var homoglyphs = []struct {
	from rune
	to   string
}{
	// Cyrillic lower case.
	{'а', "a"}, {'е', "e"}, {'о', "o"}, {'р', "p"}, {'с', "c"}, {'у', "y"},
	{'х', "x"}, {'і', "i"}, {'ј', "j"}, {'ѕ', "s"}, {'ԁ', "d"}, {'ӏ', "l"}, {'һ', "h"},
	{'ԛ', "q"}, {'ԝ', "w"}, {'ү', "y"}, {'ѵ', "v"}, {'ё', "ë"}, {'ї', "ï"}, {'ӧ', "ö"},
	{'ӓ', "ä"},
	// Cyrillic upper case.
	{'А', "A"}, {'В', "B"}, {'Е', "E"}, {'К', "K"}, {'М', "M"}, {'Н', "H"}, {'О', "O"},
	{'Р', "P"}, {'С', "C"}, {'Т', "T"}, {'У', "Y"}, {'Х', "X"}, {'І', "I"}, {'Ј', "J"},
	{'Ѕ', "S"}, {'Ԁ', "D"}, {'Ӏ', "I"}, {'Һ', "H"}, {'Ԛ', "Q"}, {'Ԝ', "W"}, {'Ү', "Y"},
	{'Ѵ', "V"}, {'Ё', "Ë"}, {'Ї', "Ï"}, {'Ӧ', "Ö"}, {'Ӓ', "Ä"},
	// Greek upper case.
	{'Α', "A"}, {'Β', "B"}, {'Ε', "E"}, {'Ζ', "Z"}, {'Η', "H"}, {'Ι', "I"}, {'Κ', "K"},
	{'Μ', "M"}, {'Ν', "N"}, {'Ο', "O"}, {'Ρ', "P"}, {'Τ', "T"}, {'Υ', "Y"}, {'Χ', "X"},
	{'Ϲ', "C"}, {'Ϳ', "J"},
	// Greek lower case.
	{'α', "a"}, {'γ', "y"}, {'ι', "i"}, {'ν', "v"}, {'ο', "o"}, {'ρ', "p"}, {'υ', "u"},
	{'ϲ', "c"}, {'ϳ', "j"},
}

// foldLo and foldHi bound the code points in the homoglyph table.
const (
	foldLo = 0x0370
	foldHi = 0x0530
)

// foldTab is homoglyphs indexed by rune - foldLo.
var foldTab = func() (t [foldHi - foldLo]string) {
	for _, h := range homoglyphs {
		t[h.from-foldLo] = h.to
	}
	return t
}()

// foldOf returns the Latin replacement for a homoglyph, or "".
func foldOf(r rune) string {
	if r < foldLo || r >= foldHi {
		return ""
	}
	return foldTab[r-foldLo]
}

// span is a half-open byte range [start, end).
type span struct{ start, end int }

// wordClass says how a word takes part in homoglyph folding.
type wordClass uint8

const (
	classEdge        wordClass = iota // start or end of the text
	classLatin                        // has a Latin letter
	classTransparent                  // only foldable Cyrillic/Greek letters (plus marks, digits)
	classOther                        // letters, none Latin, some not foldable
)

// mayFold reports whether s holds a lead byte of U+0340–U+053F, the only
// place homoglyphs live. Text without one needs no word analysis.
func mayFold(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0xCD && c <= 0xD4 {
			return true
		}
	}
	return false
}

// foldRanges returns, in order, the byte ranges of s inside which homoglyphs
// are folded: every word with both a Latin letter and a foldable letter, and
// every run of transparent words whose nearest non-transparent words are
// Latin (or the edge of the text, provided one side is Latin).
func foldRanges(s string) []span {
	var (
		out                             []span
		prev                            = classEdge
		pending                         = span{-1, -1}
		inWord                          bool
		start                           int
		letters, latin, foldable, other bool
	)
	resolve := func(next wordClass) {
		if pending.start < 0 {
			return
		}
		okPrev := prev == classLatin || prev == classEdge
		okNext := next == classLatin || next == classEdge
		if okPrev && okNext && (prev == classLatin || next == classLatin) {
			out = appendSpan(out, pending)
		}
		pending = span{-1, -1}
	}
	endWord := func(end int) {
		inWord = false
		switch {
		case !letters:
			return // digits and marks only: ignored
		case latin:
			resolve(classLatin)
			if foldable {
				out = appendSpan(out, span{start, end})
			}
			prev = classLatin
		case foldable && !other:
			if pending.start < 0 {
				pending.start = start
			}
			pending.end = end
		default:
			resolve(classOther)
			prev = classOther
		}
	}
	for i, r := range s {
		if !isWordRune(r) {
			if inWord {
				endWord(i)
			}
			continue
		}
		if !inWord {
			inWord, start = true, i
			letters, latin, foldable, other = false, false, false, false
		}
		switch {
		case r < 0x80:
			if r > '9' { // ASCII letter
				letters, latin = true, true
			}
		case foldOf(r) != "":
			letters, foldable = true, true
		case unicode.IsLetter(r):
			letters = true
			if unicode.Is(unicode.Latin, r) {
				latin = true
			} else {
				other = true
			}
		}
	}
	if inWord {
		endWord(len(s))
	}
	resolve(classEdge)
	return out
}

// appendSpan appends sp to out, merging it with the last span when they touch.
func appendSpan(out []span, sp span) []span {
	if n := len(out); n > 0 && out[n-1].end >= sp.start {
		out[n-1].end = max(out[n-1].end, sp.end)
		return out
	}
	return append(out, sp)
}

// isWordRune reports whether r belongs to a word: a letter, a mark or a digit.
func isWordRune(r rune) bool {
	if r < 0x80 {
		return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}
