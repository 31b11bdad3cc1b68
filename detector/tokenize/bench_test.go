package tokenize

import (
	"os"
	"strings"
	"testing"
)

// benchSetup returns a tokenizer and English prose documents to tokenise:
// an 8000 vocabulary trained on ../shared/data and about 256 KB of its
// general dev texts (news, stories, essays) when present, else the fixture
// tokenizer and the paragraphs of testdata/prose.txt. It also returns their
// total size.
func benchSetup(b *testing.B) (*Tokenizer, []string, int64) {
	b.Helper()
	var tk *Tokenizer
	var docs []string
	if _, err := os.Stat(sharedData); err != nil {
		b.Logf("no %s: fixture tokenizer on testdata/prose.txt", sharedData)
		tk, docs = smallTokenizer(b), strings.Split(mustRead(b, "testdata/prose.txt"), "\n\n")
	} else {
		var err error
		tk, err = Train(sharedTexts(b, "*/*.jsonl", "train", 2000), TrainOptions{VocabSize: 8000})
		if err != nil {
			b.Fatal(err)
		}
		docs = sharedTexts(b, "general/*.jsonl", "dev", 1000)
	}
	var size int64
	for i, d := range docs {
		if size += int64(len(d)); size > 1<<18 {
			docs = docs[:i+1]
			break
		}
	}
	return tk, docs, size
}

func BenchmarkIDs(b *testing.B) {
	tk, docs, size := benchSetup(b)
	var ids []int32
	for _, d := range docs {
		ids = tk.IDs(d, ids[:0]) // warm the cache, as a running service would
	}
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		for _, d := range docs {
			ids = tk.IDs(d, ids[:0])
		}
	}
}

func BenchmarkIDsCold(b *testing.B) {
	tk, docs, size := benchSetup(b)
	blob := mustMarshal(b, tk)
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		fresh, err := Unmarshal(blob) // empty cache: only the stored known words
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, d := range docs {
			fresh.IDs(d, nil)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	tk, docs, size := benchSetup(b)
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		for _, d := range docs {
			if _, err := tk.Encode(d); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	tk, _, _ := benchSetup(b)
	blob := mustMarshal(b, tk)
	b.SetBytes(int64(len(blob)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Unmarshal(blob); err != nil {
			b.Fatal(err)
		}
	}
}
