package tokenize

import (
	"os"
	"slices"
	"testing"

	"github.com/slopguard/slopguard/detector/model"
)

// TestMergeMatchesLibrary checks the cold path against the library's own
// merge on every known word of the shipped model (65,536 words whose ids the
// library computed at training) and on the committed fixture's words.
func TestMergeMatchesLibrary(t *testing.T) {
	data, err := os.ReadFile("../default.model")
	if err != nil {
		t.Fatal(err)
	}
	f, err := model.Read(data)
	if err != nil {
		t.Skipf("shipped model does not load (%v); nothing to compare", err)
	}
	tok, err := Unmarshal(f.Tokenizer)
	if err != nil {
		t.Fatal(err)
	}
	fixture, err := os.ReadFile("testdata/fixture.txt")
	if err != nil {
		t.Fatal(err)
	}
	words := append([]string(nil), tok.knownWords...)
	tok.Words(string(fixture), func(start, end int) { words = append(words, string(fixture[start:end])) })
	mismatches := 0
	for _, w := range words {
		if len(w) > maxWordBytes {
			continue
		}
		want := tok.modelIDs(w, nil)
		if got := mergeIDs(&tok.mergeTable, w, nil); !slices.Equal(got, want) {
			if mismatches++; mismatches <= 5 {
				t.Errorf("word %q: merge gives %v, library %v", w, got, want)
			}
		}
	}
	if mismatches > 0 {
		t.Errorf("%d of %d words differ", mismatches, len(words))
	}
	t.Logf("%d words compared", len(words))
}
