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
		if utf8.ValidString(text) {
			checkSpans(t, tk, text, ids)
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

// checkSpans checks that Spans gives the ids IDs gives, each with an
// in-bounds byte range, in text order, and that the ids of each range
// spell the text of that range.
func checkSpans(t *testing.T, tk *Tokenizer, text string, ids []int32) {
	t.Helper()
	got, spans := tk.Spans(text, nil, nil)
	if !slices.Equal(got, ids) || len(spans) != len(ids) {
		t.Fatalf("Spans gave %d ids and %d spans, IDs %d ids", len(got), len(spans), len(ids))
	}
	for i := 0; i < len(spans); {
		sp := spans[i]
		if sp[0] < 0 || sp[1] > len(text) || sp[0] >= sp[1] || i > 0 && sp[0] < spans[i-1][1] && sp != spans[i-1] {
			t.Fatalf("span %d %v out of order or bounds (text of %d bytes)", i, sp, len(text))
		}
		j := i
		for j < len(spans) && spans[j] == sp {
			j++
		}
		// The first word of a text carries the virtual prefix space.
		if got, want := spelled(tk, ids[i:j]), text[sp[0]:sp[1]]; got != want && got != " "+want {
			t.Fatalf("tokens of span %v spell %q, the span is %q", sp, got, want)
		}
		i = j
	}
}
