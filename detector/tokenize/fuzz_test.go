package tokenize

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzIDs checks that IDs never panics, returns ids in range that spell the
// text, and, for valid UTF-8 without chunked words, agrees with Encode.
func FuzzIDs(f *testing.F) {
	for _, s := range edgeTexts {
		f.Add(s)
	}
	tk := smallTokenizer(f)
	f.Fuzz(func(t *testing.T, text string) {
		ids := tk.IDs(text, nil)
		for _, id := range ids {
			if id < 0 || int(id) >= tk.VocabSize() {
				t.Fatalf("id %d out of range [0, %d)", id, tk.VocabSize())
			}
		}
		if got, want := spelled(tk, ids), wantSpelled(text); got != want {
			t.Fatalf("ids spell %q, want %q", got, want)
		}
		if !utf8.ValidString(text) || hasLongWord(text) || len(text) > 1<<12 {
			return
		}
		want, err := tk.Encode(text)
		if err != nil {
			return // a library failure; IDs still answered above
		}
		if !slices.Equal(ids, want) {
			t.Fatalf("IDs = %v, Encode = %v", ids, want)
		}
	})
}
