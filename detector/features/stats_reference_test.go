package features

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The statistics below are counted inside NewDoc's single pass. These are
// their plain definitions, one pass each, which the fast versions must
// match exactly.

func refLowerStarts(text string) float64 {
	starts, lower := 0, 0
	atStart := true
	for _, r := range text {
		if atStart && unicode.IsLetter(r) {
			starts++
			if unicode.IsLower(r) {
				lower++
			}
			atStart = false
			continue
		}
		if r == '.' || r == '!' || r == '?' || r == '\n' {
			atStart = true
		} else if !unicode.IsSpace(r) && !isStartPunct(r) {
			atStart = false
		}
	}
	return ratio(lower, starts)
}

func refTitleCaseRate(text string) float64 {
	words, caps := 0, 0
	prevEnd := true
	for _, f := range strings.Fields(text) {
		r, _ := utf8.DecodeRuneInString(f)
		if !prevEnd && unicode.IsLetter(r) {
			words++
			if unicode.IsUpper(r) {
				caps++
			}
		}
		last, _ := utf8.DecodeLastRuneInString(f)
		prevEnd = strings.ContainsRune(".!?:", last)
	}
	return ratio(caps, words)
}

func refMovingTTR(words []string, w int) float64 {
	if len(words) == 0 {
		return 0
	}
	if len(words) <= w {
		seen := map[string]bool{}
		for _, x := range words {
			seen[x] = true
		}
		return float64(len(seen)) / float64(len(words))
	}
	total := 0.0
	for i := 0; i+w <= len(words); i++ {
		seen := map[string]bool{}
		for _, x := range words[i : i+w] {
			seen[x] = true
		}
		total += float64(len(seen))
	}
	return total / float64(len(words)-w+1) / float64(w)
}

func refContractions(d *Doc) float64 {
	n := 0
	for _, w := range d.Words {
		if strings.ContainsAny(w, "'’") && len(w) > 2 {
			n++
		}
	}
	return perWord(d, n)
}

func refWordLengthMean(d *Doc) float64 {
	n := 0
	for _, w := range d.Words {
		n += utf8.RuneCountInString(w)
	}
	return ratio(n, len(d.Words))
}

// randomText strings together pieces chosen to hit every branch: sentence
// ends, opening punctuation, non-ASCII spaces and letters, apostrophes,
// invalid UTF-8.
func randomText(r *rand.Rand) string {
	pieces := []string{"a", "B", "é", "É", "ß", "Ω", "ж", "1", " ", "  ", "\n", "\t", "\u00a0", "\u2003", ".", "!", "?", ":", ",",
		"'", "’", "\"", "(", "*", "#", "-", "`", "don't", "It’s", "Hello", "world", "…", "—", "\xff", "😀", "x:", "e.g."}
	var b strings.Builder
	for range r.IntN(40) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

func TestSinglePassStatsMatchDefinitions(t *testing.T) {
	t.Parallel()
	texts := []string{
		"", " ", "hello", "Hello World. this is it! ok?\nnew line",
		"I said: Yes. We Went To The Store", "- item one\n- Item Two\n\n# Heading",
		"(quoted) \"Start\" *bold* and `code`", "Ünïcödé Wörds. élan Vital",
		"don't won't it’s I'm o'clock 'tis", "a\u00a0B\u2003C\u0085d",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		texts = append(texts, randomText(r))
	}
	var reused Doc // Parse must leave nothing behind from the previous text
	for _, text := range texts {
		d := NewDoc(text)
		reused.Parse(text)
		if got, want := StatValues(&reused, nil), StatValues(d, nil); !slices.Equal(got, want) || !slices.Equal(reused.Words, d.Words) || !slices.Equal(reused.Lines, d.Lines) {
			t.Fatalf("a reused Doc differs from a new one on %q:\n%v\n%v", text, got, want)
		}
		checks := []struct {
			stat      string
			got, want float64
		}{
			{"lowercase_sentence_starts", Stats[statByName(t, "lowercase_sentence_starts")].value(d), refLowerStarts(text)},
			{"title_case_words", Stats[statByName(t, "title_case_words")].value(d), refTitleCaseRate(text)},
			{"contractions", Stats[statByName(t, "contractions")].value(d), refContractions(d)},
			{"word_length_mean", Stats[statByName(t, "word_length_mean")].value(d), refWordLengthMean(d)},
			{"lexical_diversity(w=5)", movingTTR(d.wordHashes, 5), refMovingTTR(d.Words, 5)},
		}
		for _, c := range checks {
			if math.Abs(c.got-c.want) > 1e-12 { // MATTR sums windows in another order

				t.Fatalf("%s of %q = %v, want %v", c.stat, text, c.got, c.want)
			}
		}
	}
}

// movingTTR is wordNumbers.movingTTR with storage of its own.
func movingTTR(words []uint64, w int) float64 {
	var n wordNumbers
	return n.movingTTR(words, w)
}

// TestClassOfAgreesWithMap checks the flat class table against the word
// lists it is built from, and that other words have no class.
func TestClassOfAgreesWithMap(t *testing.T) {
	for w, c := range wordClasses {
		if got := classOf(w, wordHash(w)); got != c {
			t.Errorf("classOf(%q) = %b, want %b", w, got, c)
		}
	}
	for _, w := range []string{"", "they're", "ensured", "iam", "you’", "the ", "The"} {
		if got := classOf(w, wordHash(w)); got != wordClasses[w] {
			t.Errorf("classOf(%q) = %b, want %b", w, got, wordClasses[w])
		}
	}
}
