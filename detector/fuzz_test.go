package detector_test

import (
	"math"
	"testing"
	"unicode/utf8"

	"github.com/slopguard/slopguard/detector"
)

// FuzzScoreDefault runs arbitrary text through normalise → tokenise → score on the
// embedded model (FuzzScore uses a tiny one). Properties: Score never panics and never reports an
// internal error, the score is a probability, the verdict is one of the
// three, and every reason's spans are ordered byte ranges inside the text
// that start and end on UTF-8 boundaries.
func FuzzScoreDefault(f *testing.F) {
	d, err := detector.Default()
	if err != nil {
		f.Skipf("embedded model does not load: %v", err)
	}
	for _, s := range []string{
		"",
		"In today's fast-paced world, it is important to note that delving into this tapestry is crucial.",
		"lol no, I wrote this on my phone on the bus and the build is still broken",
		"ﬁ ＡＢＣ ᴀʙᴄ Ｉｎ ｔｏｄａｙ＇ｓ",
		"a\u0301\u0301\u0301\u0301 e\u200b\u200bx\ufeff",
		"\xff\xfe\xfd invalid \xc3",
		"\r\n\r\n\t\t  \u2028\u2029",
		"😀😀😀 👩‍👩‍👧‍👦 🇫🇷",
		"The the the the the the the the the the the the the the the the the the the the.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		res := d.Score(text)
		if res.Score < 0 || res.Score > 1 || math.IsNaN(res.Score) {
			t.Fatalf("got score %v, want within [0, 1]", res.Score)
		}
		switch res.Verdict {
		case detector.Human, detector.Unsure, detector.Machine:
		default:
			t.Fatalf("got verdict %v, want human, unsure or machine", res.Verdict)
		}
		if len(res.Note) >= len("internal error") && res.Note[:len("internal error")] == "internal error" {
			t.Fatalf("Score recovered a panic: %s", res.Note)
		}
		for _, r := range res.Reasons {
			for _, sp := range r.Spans {
				if sp.Start < 0 || sp.Start > sp.End || sp.End > len(text) {
					t.Fatalf("reason %q: span %v outside the text of %d bytes", r.Signal, sp, len(text))
				}
				if !boundary(text, sp.Start) || !boundary(text, sp.End) {
					t.Fatalf("reason %q: span %v splits a UTF-8 sequence", r.Signal, sp)
				}
			}
		}
	})
}

// boundary reports whether i is not inside a valid multi-byte UTF-8 sequence.
func boundary(s string, i int) bool {
	if i == 0 || i == len(s) {
		return true
	}
	// Inside a valid sequence only if a valid rune starting before i covers i.
	for j := max(0, i-utf8.UTFMax+1); j < i; j++ {
		r, n := utf8.DecodeRuneInString(s[j:])
		if r != utf8.RuneError && j+n > i {
			return false
		}
	}
	return true
}
