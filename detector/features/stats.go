package features

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Stat is one document-level statistic of style or structure. Its value is
// read against bin edges learned from the training data, and the bin it falls
// in is one feature, so the linear model can learn a non-linear response.
type Stat struct {
	// Name is the stable identifier used in model files and reasons.
	Name string
	// Family is the reason family: "structure" or "style".
	Family string
	// Low and High describe, for people, a value below or above the usual range.
	Low, High string
	value     func(d *Doc) float64
}

// Doc holds what the statistics read, computed once per text.
type Doc struct {
	Text  string
	Words []string // lower-cased word-like runs of letters, digits and apostrophes
	// wordHashes holds each word's hash, in Words order, for the word
	// n-gram features and the lexical diversity; maskHashes the hash of
	// each word's masked form (see maskedWord).
	wordHashes, maskHashes []uint64
	Sentences              []int // word counts per sentence
	Lines                  []string
	Letters                int
	Runes                  int
	Latin                  int // Latin-script letters
	Upper                  int // upper-case letters
	Digits                 int
	Emoji                  int
	ascii                  [128]int              // count of each ASCII rune
	special                [len(specialList)]int // counts of specialList's runes
	// LetterWords counts the words with a letter in them, FunctionWords
	// those of them that are common English function words.
	LetterWords, FunctionWords int
	classCounts                [numClasses]int
	contractions               int // words with an apostrophe, longer than 2 bytes
	wordRunes                  int // runes in Words
	// Sentence starts: letters that begin a sentence, and the lower-case ones.
	sentenceStarts, lowerStarts int
	// Mid-sentence words (not after . ! ? :) starting with a letter, and the
	// capitalised ones.
	midWords, midCaps int
	numbers           wordNumbers // storage for the lexical diversity
	// Scratch kept between texts: the text's shape and each shape byte's
	// offset (see Doc.shape; shapeDone once made for this text, with
	// capitals folded or not), and the words' byte ranges (Occurrences).
	shapeBytes             []byte
	shapeAt                []int32
	shapeDone, shapeFolded bool
	wordSpans              [][2]int
}

// specialList holds the non-ASCII runes whose counts statistics read.
var specialList = [...]rune{'—', '–', '“', '”', '‘', '’', '…'}

func specialIndex(r rune) int {
	for i, c := range specialList {
		if c == r {
			return i
		}
	}
	return -1
}

// count returns how many runes of the text are in set.
func (d *Doc) count(set string) int {
	n := 0
	for _, r := range set {
		if r < 128 {
			n += d.ascii[r]
		} else {
			if i := specialIndex(r); i >= 0 {
				n += d.special[i]
			}
		}
	}
	return n
}

// NewDoc splits a normalised text into words, sentences and lines, and
// counts in the same pass everything the statistics read rune by rune.
func NewDoc(text string) *Doc {
	d := new(Doc)
	d.Parse(text)
	return d
}

// Parse is NewDoc into d, reusing d's storage: d's previous contents are
// gone, and slices returned before alias the new ones.
func (d *Doc) Parse(text string) {
	*d = Doc{Text: text, Words: d.Words[:0], wordHashes: d.wordHashes[:0], maskHashes: d.maskHashes[:0], Sentences: d.Sentences[:0], Lines: d.Lines[:0], numbers: d.numbers,
		shapeBytes: d.shapeBytes[:0], shapeAt: d.shapeAt[:0], wordSpans: d.wordSpans[:0]}
	for {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			d.Lines = append(d.Lines, text)
			break
		}
		d.Lines = append(d.Lines, text[:i])
		text = text[i+1:]
	}
	text = d.Text
	wordStart := -1
	sentenceWords := 0
	endSentence := func() {
		if sentenceWords > 0 {
			d.Sentences = append(d.Sentences, sentenceWords)
			sentenceWords = 0
		}
	}
	// The word in progress: whether it is all ASCII, holds an upper-case
	// ASCII letter, a letter, an apostrophe. An ASCII word takes the fast
	// path (addASCIIWord), its lower-case form cut from lowered, the text
	// with its ASCII letters lower-cased, made at the first capital.
	wordASCII, wordUpper, wordLetter, wordApos := true, false, false, false
	lowered := ""
	atStart := true  // no letter since the start or a sentence end
	inField := false // inside a run of non-space runes
	prevEnd := true  // the last run of non-space runes ended a sentence or a label
	var last rune    // the last non-space rune
	for i, r := range text {
		d.Runes++
		if r < 128 {
			d.ascii[r]++
		} else if i := specialIndex(r); i >= 0 {
			d.special[i]++
		} else if r >= 0x1F300 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF {
			d.Emoji++
		}
		var upper, letter, space, digit, latin, lower bool // lower: ASCII only
		if r < utf8.RuneSelf {
			p := asciiProps[r]
			upper, letter, space = p&propUpper != 0, p&propLetter != 0, p&propSpace != 0
			digit, latin, lower = p&propDigit != 0, p&propLatin != 0, p&propLower != 0
		} else {
			upper, letter, space = unicode.IsUpper(r), unicode.IsLetter(r), unicode.IsSpace(r)
			digit = unicode.IsDigit(r)
			latin = letter && unicode.Is(unicode.Latin, r)
		}
		if upper {
			d.Upper++
		}
		if digit {
			d.Digits++
		}
		if letter {
			d.Letters++
			if latin {
				d.Latin++
			}
		}
		// Sentence starts: the first letter after a sentence end, skipping
		// spaces and opening punctuation.
		switch {
		case atStart && letter:
			d.sentenceStarts++
			if lower || r >= utf8.RuneSelf && unicode.IsLower(r) {
				d.lowerStarts++
			}
			atStart = false
		case r == '.' || r == '!' || r == '?' || r == '\n':
			atStart = true
		case !space && !isStartPunct(r):
			atStart = false
		}
		// Space-separated fields that start a word in mid-sentence.
		if space {
			if inField {
				prevEnd = strings.ContainsRune(".!?:", last)
				inField = false
			}
		} else {
			if !inField && !prevEnd && letter {
				d.midWords++
				if upper {
					d.midCaps++
				}
			}
			inField, last = true, r
		}
		if letter || digit || r == '\'' || r == '’' { // isWordRune, inlined
			if wordStart < 0 {
				wordStart = i
				wordASCII, wordUpper, wordLetter, wordApos = true, false, false, false
			}
			wordASCII = wordASCII && r < utf8.RuneSelf
			wordUpper = wordUpper || upper
			wordLetter = wordLetter || letter
			wordApos = wordApos || r == '\''
			continue
		}
		if wordStart >= 0 {
			if wordASCII {
				if wordUpper && lowered == "" {
					lowered = lowerASCII(text)
				}
				w := text[wordStart:i]
				if wordUpper {
					w = lowered[wordStart:i]
				}
				d.addASCIIWord(w, wordLetter, wordApos)
			} else {
				d.addWord(strings.ToLower(text[wordStart:i]))
			}
			sentenceWords++
			wordStart = -1
		}
		switch r {
		case '.', '!', '?', '\n':
			endSentence()
		}
	}
	if wordStart >= 0 {
		if wordASCII {
			w := text[wordStart:]
			if wordUpper {
				if lowered == "" {
					lowered = lowerASCII(text)
				}
				w = lowered[wordStart:]
			}
			d.addASCIIWord(w, wordLetter, wordApos)
		} else {
			d.addWord(strings.ToLower(text[wordStart:]))
		}
		sentenceWords++
	}
	endSentence()
}

// lowerASCII returns s with its ASCII letters lower-cased: byte offsets
// stay, and on an ASCII word it is what strings.ToLower gives.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Properties of the ASCII runes, for Parse's fast path: asciiProps[r] has
// propUpper when unicode.IsUpper(r), and so on. It is built with the
// unicode functions themselves, so both paths agree.
const (
	propUpper = 1 << iota
	propLetter
	propSpace
	propDigit
	propLatin // a letter of the Latin script
	propLower // a lower-case letter
)

var asciiProps = func() (t [utf8.RuneSelf]uint8) {
	for r := range rune(utf8.RuneSelf) {
		set := func(p uint8, ok bool) {
			if ok {
				t[r] |= p
			}
		}
		letter := unicode.IsLetter(r)
		set(propUpper, unicode.IsUpper(r))
		set(propLetter, letter)
		set(propSpace, unicode.IsSpace(r))
		set(propDigit, unicode.IsDigit(r))
		set(propLatin, letter && unicode.Is(unicode.Latin, r))
		set(propLower, letter && unicode.IsLower(r))
	}
	return t
}()

// addWord records one lower-cased word and the classes it belongs to.
func (d *Doc) addWord(w string) {
	apos := strings.IndexByte(w, '\'') >= 0 || strings.Contains(w, "’")
	d.record(w, utf8.RuneCountInString(w), strings.IndexFunc(w, unicode.IsLetter) >= 0, apos)
}

// addASCIIWord is addWord for an ASCII word already lower-cased, whose
// letter and apostrophe Parse saw while reading it.
func (d *Doc) addASCIIWord(w string, letter, apos bool) {
	d.record(w, len(w), letter, apos)
}

// record is addWord with the word's rune count, whether it holds a letter
// and whether it holds an apostrophe.
func (d *Doc) record(w string, runes int, letter, apos bool) {
	h := wordHash(w)
	d.Words = append(d.Words, w)
	d.wordHashes = append(d.wordHashes, h)
	d.wordRunes += runes
	if len(w) > 2 && apos {
		d.contractions++
	}
	var c uint8
	if letter {
		d.LetterWords++
		if len(w) <= maxClassWord {
			c = classOf(w, h)
		}
	}
	d.maskHashes = append(d.maskHashes, maskedWord(h, runes, letter, c&classFunction != 0))
	if c&classFunction != 0 {
		d.FunctionWords++
	}
	for i := range numClasses {
		if c&(1<<i) != 0 {
			d.classCounts[i]++
		}
	}
}

// maskedWord is the hash of a word's masked form: a function word stays
// itself (its hash h); any other word becomes its length class, and a word
// without letters (a number) one class of its own. Masked n-grams see how
// sentences are built, not what they are about.
func maskedWord(h uint64, runes int, letter, function bool) uint64 {
	switch {
	case function:
		return h
	case !letter:
		return maskClass[0]
	case runes <= 3:
		return maskClass[1]
	case runes <= 6:
		return maskClass[2]
	case runes <= 9:
		return maskClass[3]
	}
	return maskClass[4]
}

// maskClass holds the hashes of the masked forms of non-function words.
var maskClass = [5]uint64{wordHash("\x00#"), wordHash("\x00short"), wordHash("\x00medium"), wordHash("\x00long"), wordHash("\x00verylong")}

// ratio is n/of, or 0 when of is 0.
func ratio(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

func perChar(d *Doc, n int) float64 {
	if d.Runes == 0 {
		return 0
	}
	return 1000 * float64(n) / float64(d.Runes)
}

func perWord(d *Doc, n int) float64 {
	if len(d.Words) == 0 {
		return 0
	}
	return 100 * float64(n) / float64(len(d.Words))
}

func countLines(d *Doc, pred func(string) bool) int {
	n := 0
	for _, l := range d.Lines {
		if pred(strings.TrimSpace(l)) {
			n++
		}
	}
	return n
}

func fracLines(d *Doc, pred func(string) bool) float64 {
	nonEmpty := 0
	for _, l := range d.Lines {
		if strings.TrimSpace(l) != "" {
			nonEmpty++
		}
	}
	if nonEmpty == 0 {
		return 0
	}
	return float64(countLines(d, pred)) / float64(nonEmpty)
}

// Word classes: each word list is one bit, so a word is looked up once.
const (
	classFirstPerson = 1 << iota
	classSecondPerson
	classHedge
	classConnective
	classFunction
	numClasses = 5
)

var wordClasses = map[string]uint8{}

// maxClassWord is the length in bytes of the longest word in wordClasses.
var maxClassWord int

func addClass(bit uint8, words ...string) {
	for _, w := range words {
		wordClasses[w] |= bit
		maxClassWord = max(maxClassWord, len(w))
	}
}

// classSlot is one slot of classTable.
type classSlot struct {
	hash  uint64
	word  string
	class uint8
}

// classTable holds wordClasses by wordHash, open-addressed with linear
// probing and at most a quarter full: Parse looks up nearly every word,
// and the hash is already computed.
var classTable []classSlot

// buildClassTable fills classTable from wordClasses.
func buildClassTable() {
	size := 64
	for size < 4*len(wordClasses) {
		size *= 2
	}
	classTable = make([]classSlot, size)
	for w, c := range wordClasses {
		h := wordHash(w)
		i := h & uint64(size-1)
		for classTable[i].word != "" {
			i = (i + 1) & uint64(size-1)
		}
		classTable[i] = classSlot{hash: h, word: w, class: c}
	}
}

// classOf is wordClasses[w], for w whose wordHash is h.
func classOf(w string, h uint64) uint8 {
	mask := uint64(len(classTable) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &classTable[i]
		if s.word == "" {
			return 0
		}
		if s.hash == h && s.word == w {
			return s.class
		}
	}
}

func init() {
	addClass(classFirstPerson, "i", "i'm", "i've", "i'd", "i'll", "me", "my", "mine", "myself", "i’m", "i’ve")
	addClass(classSecondPerson, "you", "your", "yours", "you're", "you’re", "yourself")
	addClass(classHedge, "maybe", "probably", "guess", "think", "kinda", "sorta", "idk", "imo", "afaik", "btw", "lol", "tbh", "though", "anyway", "pretty")
	addClass(classConnective, "additionally", "furthermore", "moreover", "overall", "ensure", "ensures", "ensuring", "comprehensive", "various", "however", "therefore", "thus", "enhance", "enhances", "robust", "seamless", "seamlessly", "leverage", "leverages", "crucial", "essential", "significant", "significantly", "key", "potential", "specific", "proper", "properly")
	addClass(classFunction, strings.Fields(`the a an and or but if of to in on at for with from by as is are was were be been
		it its this that these those there here not no do does did have has had will would can could should
		i you he she we they me my your our their them us his her what which who when where why how all any
		so than then too very just also into about up out over more most some such only own same other`)...)
	buildClassTable()
}

// IsFunctionWord reports whether the lower-cased word w is a function word
// or a personal pronoun ("the", "and", "you", "i'm"): words that say how a
// sentence is built, not what it is about.
func IsFunctionWord(w string) bool {
	return wordClasses[w]&(classFunction|classFirstPerson|classSecondPerson) != 0
}

// countClass returns how many of the document's words are in the class bit.
func countClass(d *Doc, bit uint8) int {
	for i := range numClasses {
		if bit == 1<<i {
			return d.classCounts[i]
		}
	}
	return 0
}

// Stats lists every statistic in a fixed order; a model file records the
// names it was trained with, and loading fails if they differ.
var Stats = []Stat{
	{Name: "log_length", Family: "style", Low: "the text is very short", High: "the text is long",
		value: func(d *Doc) float64 { return math.Log1p(float64(d.Runes)) }},
	{Name: "sentence_length_mean", Family: "style", Low: "sentences are short", High: "sentences are long",
		value: func(d *Doc) float64 { m, _ := meanStd(d.Sentences); return m }},
	{Name: "sentence_length_spread", Family: "style", Low: "sentence lengths are unusually even", High: "sentence lengths vary a lot",
		value: func(d *Doc) float64 {
			if len(d.Sentences) < 3 {
				return -1
			}
			m, s := meanStd(d.Sentences)
			if m == 0 {
				return 0
			}
			return s / m
		}},
	{Name: "word_length_mean", Family: "style", Low: "words are short", High: "words are long",
		value: func(d *Doc) float64 {
			if len(d.Words) == 0 {
				return 0
			}
			return float64(d.wordRunes) / float64(len(d.Words))
		}},
	{Name: "lexical_diversity", Family: "style", Low: "words repeat a lot", High: "vocabulary is varied",
		value: func(d *Doc) float64 { return d.numbers.movingTTR(d.wordHashes, 50) }},
	{Name: "contractions", Family: "style", Low: "few contractions (it's, don't)", High: "many contractions (it's, don't)",
		value: func(d *Doc) float64 { return perWord(d, d.contractions) }},
	{Name: "first_person", Family: "style", Low: "little first-person voice", High: "much first-person voice (I, my)",
		value: func(d *Doc) float64 { return perWord(d, countClass(d, classFirstPerson)) }},
	{Name: "second_person", Family: "style", Low: "little second-person address", High: "much second-person address (you, your)",
		value: func(d *Doc) float64 { return perWord(d, countClass(d, classSecondPerson)) }},
	{Name: "informal_markers", Family: "style", Low: "no informal hedges (maybe, I guess, btw)", High: "informal hedges (maybe, I guess, btw)",
		value: func(d *Doc) float64 { return perWord(d, countClass(d, classHedge)) }},
	{Name: "formal_connectives", Family: "style", Low: "few formal connectives", High: "many formal connectives and intensifiers (additionally, ensure, comprehensive)",
		value: func(d *Doc) float64 { return perWord(d, countClass(d, classConnective)) }},
	{Name: "commas", Family: "style", Low: "few commas", High: "many commas",
		value: func(d *Doc) float64 { return perWord(d, d.count(",")) }},
	{Name: "colons_semicolons", Family: "style", Low: "no colons or semicolons", High: "many colons and semicolons",
		value: func(d *Doc) float64 { return perWord(d, d.count(":;")) }},
	{Name: "dashes", Family: "style", Low: "no dashes", High: "many dashes (—, –)",
		value: func(d *Doc) float64 { return perWord(d, d.count("—–")) }},
	{Name: "exclamations_questions", Family: "style", Low: "no exclamation or question marks", High: "many exclamation or question marks",
		value: func(d *Doc) float64 { return perWord(d, d.count("!?")) }},
	{Name: "parentheses", Family: "style", Low: "no parentheses", High: "many parentheses",
		value: func(d *Doc) float64 { return perWord(d, d.count("()")) }},
	{Name: "curly_quotes", Family: "style", Low: "straight quotes", High: "typographic quotes (“ ” ’)",
		value: func(d *Doc) float64 { return perChar(d, d.count("“”‘’")) }},
	{Name: "ellipses", Family: "style", Low: "no trailing dots (...)", High: "trailing dots (...)",
		value: func(d *Doc) float64 { return perWord(d, strings.Count(d.Text, "..")+strings.Count(d.Text, "…")) }},
	{Name: "uppercase", Family: "style", Low: "little capitalisation", High: "much capitalisation",
		value: func(d *Doc) float64 {
			if d.Letters == 0 {
				return 0
			}
			return float64(d.Upper) / float64(d.Letters)
		}},
	{Name: "lowercase_sentence_starts", Family: "style", Low: "sentences start with capitals", High: "sentences often start in lower case",
		value: func(d *Doc) float64 { return ratio(d.lowerStarts, d.sentenceStarts) }},
	{Name: "digits", Family: "style", Low: "no digits", High: "many digits",
		value: func(d *Doc) float64 { return perChar(d, d.Digits) }},
	{Name: "emoji", Family: "style", Low: "no emoji", High: "emoji",
		value: func(d *Doc) float64 { return perChar(d, d.Emoji) }},
	{Name: "ends_with_punctuation", Family: "style", Low: "the text ends without punctuation", High: "the text ends with punctuation",
		value: func(d *Doc) float64 {
			t := strings.TrimRight(d.Text, " \n")
			if t == "" {
				return 0
			}
			r, _ := utf8.DecodeLastRuneInString(t)
			if strings.ContainsRune(".!?:)`", r) {
				return 1
			}
			return 0
		}},
	{Name: "line_count", Family: "structure", Low: "a single line", High: "many lines",
		value: func(d *Doc) float64 { return math.Log1p(float64(len(d.Lines))) }},
	{Name: "blank_line_paragraphs", Family: "structure", Low: "no paragraph breaks", High: "many paragraph breaks",
		value: func(d *Doc) float64 { return perChar(d, strings.Count(d.Text, "\n\n")) }},
	{Name: "headings", Family: "structure", Low: "no headings", High: "Markdown headings",
		value: func(d *Doc) float64 {
			return fracLines(d, func(l string) bool { return strings.HasPrefix(l, "#") && strings.Contains(l, "# ") })
		}},
	{Name: "bullet_lines", Family: "structure", Low: "no bulleted lists", High: "many bulleted list lines",
		value: func(d *Doc) float64 {
			return fracLines(d, func(l string) bool {
				return strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "* ") || strings.HasPrefix(l, "• ")
			})
		}},
	{Name: "numbered_lines", Family: "structure", Low: "no numbered lists", High: "many numbered list lines",
		value: func(d *Doc) float64 { return fracLines(d, isNumbered) }},
	{Name: "bold_spans", Family: "structure", Low: "no bold text", High: "much **bold** text",
		value: func(d *Doc) float64 { return perWord(d, strings.Count(d.Text, "**")/2) }},
	{Name: "inline_code", Family: "structure", Low: "no inline code", High: "much `inline code`",
		value: func(d *Doc) float64 { return perWord(d, strings.Count(d.Text, "`")/2) }},
	{Name: "code_blocks", Family: "structure", Low: "no code blocks", High: "fenced code blocks",
		value: func(d *Doc) float64 { return float64(strings.Count(d.Text, "```") / 2) }},
	{Name: "links", Family: "structure", Low: "no links", High: "links",
		value: func(d *Doc) float64 {
			return perWord(d, strings.Count(d.Text, "http://")+strings.Count(d.Text, "https://"))
		}},
	{Name: "label_colon_lines", Family: "structure", Low: "no 'Label: text' lines", High: "many lines of the form 'Label: text'",
		value: func(d *Doc) float64 { return fracLines(d, isLabelLine) }},
	{Name: "title_case_words", Family: "style", Low: "few Capitalised Words mid-sentence", High: "many Capitalised Words mid-sentence",
		value: func(d *Doc) float64 { return ratio(d.midCaps, d.midWords) }},
}

func meanStd(xs []int) (float64, float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	var sum float64
	for _, x := range xs {
		sum += float64(x)
	}
	m := sum / float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (float64(x) - m) * (float64(x) - m)
	}
	return m, math.Sqrt(ss / float64(len(xs)))
}

// wordNumbers is the storage of the lexical diversity (its movingTTR),
// kept in a Doc so that scoring many texts does not allocate it each time.
type wordNumbers struct {
	keys   []uint64 // open addressing: a word hash per slot
	slots  []int32  // the number of the slot's word plus 1; 0 is empty
	ids    []int32  // each word's number
	counts []int32
}

// number numbers the distinct words in order of first appearance, into
// n.ids, and returns how many there are.
func (n *wordNumbers) number(words []uint64) int {
	size, shift := 2, uint(63)
	for size < 2*len(words) {
		size, shift = size<<1, shift-1
	}
	if cap(n.slots) < size {
		n.keys, n.slots = make([]uint64, size), make([]int32, size)
	}
	keys, slots := n.keys[:size], n.slots[:size]
	clear(slots)
	n.ids = slices.Grow(n.ids[:0], len(words))
	distinct := int32(0)
	for _, x := range words {
		i := x * 0x9e3779b97f4a7c15 >> shift
		for slots[i] != 0 && keys[i] != x {
			i = (i + 1) & uint64(size-1)
		}
		if slots[i] == 0 {
			distinct++
			keys[i], slots[i] = x, distinct
		}
		n.ids = append(n.ids, slots[i]-1)
	}
	return int(distinct)
}

// movingTTR is the mean type-token ratio over windows of w words (MATTR),
// which unlike the plain ratio does not fall with length, using n's
// storage. Words are given by their 64-bit hashes.
func (n *wordNumbers) movingTTR(words []uint64, w int) float64 {
	if len(words) == 0 {
		return 0
	}
	// Number the distinct words once, then slide the window over numbers.
	distinctWords := n.number(words)
	ids := n.ids
	if len(words) <= w {
		return float64(distinctWords) / float64(len(words))
	}
	n.counts = slices.Grow(n.counts[:0], distinctWords)[:distinctWords]
	counts := n.counts
	clear(counts)
	distinct := 0
	for _, id := range ids[:w] {
		if counts[id] == 0 {
			distinct++
		}
		counts[id]++
	}
	total := float64(distinct)
	windows := 1
	for i := w; i < len(ids); i++ {
		out := ids[i-w]
		counts[out]--
		if counts[out] == 0 {
			distinct--
		}
		if counts[ids[i]] == 0 {
			distinct++
		}
		counts[ids[i]]++
		total += float64(distinct)
		windows++
	}
	return total / float64(windows) / float64(w)
}

func isNumbered(l string) bool {
	i := 0
	for i < len(l) && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	return i > 0 && i < 4 && i+1 < len(l) && (l[i] == '.' || l[i] == ')') && l[i+1] == ' '
}

func isLabelLine(l string) bool {
	l = strings.TrimLeft(l, "-*• ")
	l = strings.TrimPrefix(l, "**")
	i := strings.Index(l, ":")
	if i <= 0 || i > 40 || i+1 >= len(l) {
		return false
	}
	head := strings.TrimSuffix(l[:i], "**")
	return !strings.Contains(head, "//") && strings.Count(head, " ") <= 4
}

// isStartPunct reports whether r may stand before a sentence's first letter
// (quotes, emphasis, list and heading markers, brackets).
func isStartPunct(r rune) bool {
	switch r {
	case '"', '\'', '*', '_', '#', '-', '>', '`', '(', '[':
		return true
	}
	return false
}
