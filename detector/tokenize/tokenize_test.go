package tokenize

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite testdata/tokens.golden")

// sharedData is the labelled data beside the repository, absent on a fresh clone.
const sharedData = "../../../shared/data"

var fixtureFiles = []string{"testdata/fixture.txt", "testdata/prose.txt"}

// fixtureTexts returns each committed fixture whole, by paragraph and by line.
func fixtureTexts(tb testing.TB) []string {
	tb.Helper()
	var texts []string
	for _, name := range fixtureFiles {
		b, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		s := string(b)
		texts = append(texts, s)
		texts = append(texts, strings.Split(s, "\n\n")...)
		texts = append(texts, strings.Split(s, "\n")...)
	}
	return texts
}

// fixtureTokenizer is a small vocabulary trained on the fixtures, shared by
// the tests (it is read-only).
var fixtureTokenizer = sync.OnceValues(func() (*Tokenizer, error) {
	var texts []string
	for _, name := range fixtureFiles {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		texts = append(texts, strings.Split(string(b), "\n\n")...)
	}
	return Train(texts, TrainOptions{VocabSize: 600, MinFrequency: 2})
})

func smallTokenizer(tb testing.TB) *Tokenizer {
	tb.Helper()
	tk, err := fixtureTokenizer()
	if err != nil {
		tb.Fatalf("train fixture tokenizer: %v", err)
	}
	return tk
}

// sharedTexts reads up to perFile texts of the given split from each JSONL
// file matching glob under ../shared/data, skipping the test when it is
// absent.
func sharedTexts(tb testing.TB, glob, split string, perFile int) []string {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(sharedData, glob))
	if len(files) == 0 {
		tb.Skipf("no labelled data in %s (fresh clone): skipping", sharedData)
	}
	var texts []string
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<26)
		n := 0
		for n < perFile && sc.Scan() {
			var rec struct{ Text, Split string }
			if json.Unmarshal(sc.Bytes(), &rec) != nil || rec.Split != split {
				continue
			}
			texts = append(texts, rec.Text)
			n++
		}
		f.Close()
	}
	return texts
}

// hasLongWord reports whether IDs would chunk a word of text.
func hasLongWord(text string) bool {
	long := false
	scan(text, func(prefixed bool, start, end int) {
		if end-start > maxWordBytes || prefixed && end-start >= maxWordBytes {
			long = true
		}
	})
	return long
}

// edgeTexts are inputs at the corners of the pre-tokeniser.
var edgeTexts = []string{
	"", " ", "  ", "\n", " \n", "\n ", "a", " a", "  a", "a ", "a  ", "\ta", "\t\tx\t",
	"'", "'s", " 's", "''s", "'sa", "it's", "don't", "I'LL", "'re'", "'ve", "'m'd", "'ll", "'l",
	"!'s", "a'b", "x\vy", "x\u00a0y", " \u00a0", "\u00a0a", "1a", "a1", "½x", "٣٤", "e\u0301", "\u0301",
	"line\r\nnext", "\r", "\f", "💻", " 👍🏽", "中文", "שלום", "a,b", " ,", ",,", " \t x", "x \t",
	"\ufffd", "end.", strings.Repeat("a", 99), strings.Repeat("a", 100), strings.Repeat(" ", 5),
}

func TestIDsMatchEncode(t *testing.T) {
	t.Parallel()
	tk := smallTokenizer(t)
	texts := append(fixtureTexts(t), edgeTexts...)
	checked := 0
	for i, text := range texts {
		if hasLongWord(text) {
			continue
		}
		checked++
		want, err := tk.Encode(text)
		if err != nil {
			t.Fatalf("Encode(%q): %v", text, err)
		}
		if got := tk.IDs(text, nil); !slices.Equal(got, want) {
			t.Errorf("text %d %q:\n got %v\nwant %v", i, text, got, want)
		}
	}
	if checked < len(texts)/2 {
		t.Errorf("compared %d of %d texts, want most", checked, len(texts))
	}
}

func TestIDsMatchEncodeSharedData(t *testing.T) {
	t.Parallel()
	train := sharedTexts(t, "*/*.jsonl", "train", 250)
	dev := sharedTexts(t, "*/*.jsonl", "dev", 300)
	tk, err := Train(train, TrainOptions{VocabSize: 4000})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	var checked, skipped, bytes int
	for _, text := range dev {
		if time.Now().After(deadline) {
			break
		}
		if hasLongWord(text) {
			skipped++
			continue
		}
		want, err := tk.Encode(text)
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		if got := tk.IDs(text, nil); !slices.Equal(got, want) {
			t.Errorf("dev text of %d bytes: ids differ from Encode\n got %v\nwant %v", len(text), got, want)
		}
		checked++
		bytes += len(text)
	}
	t.Logf("IDs == Encode on %d dev texts (%d KB); %d with words over %d bytes excluded", checked, bytes>>10, skipped, maxWordBytes)
	if checked < 100 {
		t.Errorf("compared %d dev texts, want at least 100", checked)
	}
}

// spelled returns the bytes the ids stand for.
func spelled(tk *Tokenizer, ids []int32) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(tk.raw[id])
	}
	return b.String()
}

// wantSpelled is what ids of text spell: the text as the library reads it
// (invalid bytes as U+FFFD), with the prefix space.
func wantSpelled(text string) string {
	text = fixUTF8(text)
	if text != "" && text[0] != ' ' {
		return " " + text
	}
	return text
}

func TestIDsLongWords(t *testing.T) {
	t.Parallel()
	tk := smallTokenizer(t)
	tests := []struct {
		name string
		text string
	}{
		{"letters", strings.Repeat("abc", 1<<20)},
		{"newlines", strings.Repeat("\n", 1<<20)},
		{"cjk", strings.Repeat("缓存", 1<<18)},
		{"emoji after prefix", strings.Repeat("👍", 1<<16)},
		{"punctuation", strings.Repeat("=-", 1<<19)},
		{"invalid utf-8", strings.Repeat("\xff\xfe", 1<<16)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids := tk.IDs(tc.text, nil)
			if got, want := spelled(tk, ids), wantSpelled(tc.text); got != want {
				t.Errorf("ids spell %d bytes, want %d", len(got), len(want))
			}
		})
	}
}

func TestIDsAppends(t *testing.T) {
	t.Parallel()
	tk := smallTokenizer(t)
	dst := []int32{-7}
	got := tk.IDs("hello world", dst)
	want := append([]int32{-7}, tk.IDs("hello world", nil)...)
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestIDsConcurrent(t *testing.T) {
	t.Parallel()
	tk, err := Unmarshal(mustMarshal(t, smallTokenizer(t))) // fresh, cold cache
	if err != nil {
		t.Fatal(err)
	}
	texts := fixtureTexts(t)
	want := make([][]int32, len(texts))
	for i, s := range texts {
		want[i] = smallTokenizer(t).IDs(s, nil)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 3 * len(texts) {
				i := (k + g*7) % len(texts)
				if got := tk.IDs(texts[i], nil); !slices.Equal(got, want[i]) {
					errs <- fmt.Sprintf("goroutine %d text %d: got %v, want %v", g, i, got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestWords(t *testing.T) {
	t.Parallel()
	tk := smallTokenizer(t)
	tests := []struct {
		text string
		want []string
	}{
		{"", nil},
		{"Hello world", []string{"Hello", " world"}},
		{"It's 42, isn't it?", []string{"It", "'s", " 42", ",", " isn", "'t", " it", "?"}},
		{"\n\nHi  there\t!", []string{"\n\n", "Hi", " ", " there", "\t", "!"}},
		{" lead", []string{" lead"}},
		{"a  \n b", []string{"a", "  \n", " b"}},
		{"x\vy", []string{"x", "\vy"[:1], "y"}},
		{"x'sa ''s", []string{"x", "'s", "a", " ''", "s"}},
		{"'sa", []string{"'", "sa"}}, // the virtual prefix space takes the apostrophe
		{"café\u0301", []string{"café", "\u0301"}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.text), func(t *testing.T) {
			var got []string
			last := 0
			tk.Words(tc.text, func(start, end int) {
				if start != last || end <= start {
					t.Errorf("span [%d,%d) after %d: want contiguous non-empty spans", start, end, last)
				}
				last = end
				got = append(got, tc.text[start:end])
			})
			if last != len(tc.text) {
				t.Errorf("spans end at %d, want %d", last, len(tc.text))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestToken(t *testing.T) {
	t.Parallel()
	tk := smallTokenizer(t)
	the := tk.IDs("the", nil)
	tests := []struct {
		name string
		id   int32
		want string
		ok   bool
	}{
		{"space byte", ' ', " ", true},
		{"newline byte", '\n', "\n", true},
		{"letter", 'a', "a", true},
		{"lead byte of a multi-byte rune", 0xe4, "\ufffd", true},
		{"unknown token", unkID, UnkToken, true},
		{"merged word", the[0], " the", len(the) == 1},
		{"negative", -1, "", false},
		{"past the end", int32(tk.VocabSize()), "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tk.Token(tc.id)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Token(%d) = %q, %v; want %q, %v", tc.id, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func mustMarshal(tb testing.TB, tk *Tokenizer) []byte {
	tb.Helper()
	b, err := tk.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestTrainDeterministic(t *testing.T) {
	t.Parallel()
	texts := fixtureTexts(t)
	for i := range texts {
		// Shuffle-free variety: same multiset of texts in a different order
		// must not matter either.
		if i%2 == 1 {
			texts[i], texts[i-1] = texts[i-1], texts[i]
		}
	}
	a, err := Train(texts, TrainOptions{VocabSize: 700})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(texts)
	b, err := Train(texts, TrainOptions{VocabSize: 700})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mustMarshal(t, a), mustMarshal(t, b)) {
		t.Error("training twice on the same texts gave different tokenizers")
	}
	if !bytes.Equal(mustMarshal(t, a), mustMarshal(t, a)) {
		t.Error("MarshalBinary is not stable")
	}
}

func TestTrainDeterministicSharedData(t *testing.T) {
	t.Parallel()
	texts := sharedTexts(t, "*/*.jsonl", "train", 150)
	opts := TrainOptions{VocabSize: 2000, MaxWords: 20000}
	a, err := Train(texts, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(texts, opts)
	if err != nil {
		t.Fatal(err)
	}
	if ba, bb := mustMarshal(t, a), mustMarshal(t, b); !bytes.Equal(ba, bb) {
		t.Errorf("two trainings differ: %d and %d bytes", len(ba), len(bb))
	}
	if got, want := a.VocabSize(), opts.VocabSize; got != want {
		t.Errorf("VocabSize() = %d, want %d", got, want)
	}
}

func TestTrainErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		texts []string
		opts  TrainOptions
	}{
		{"no texts", nil, TrainOptions{}},
		{"only empty texts", []string{"", ""}, TrainOptions{}},
		{"vocab too small", []string{"hello"}, TrainOptions{VocabSize: firstMerge}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Train(tc.texts, tc.opts); err == nil {
				t.Error("got nil error, want one")
			}
		})
	}
}

func TestTrainStopsAtMinFrequency(t *testing.T) {
	t.Parallel()
	tk, err := Train([]string{"abc abc xyz"}, TrainOptions{VocabSize: 1000, MinFrequency: 2})
	if err != nil {
		t.Fatal(err)
	}
	// " abc" occurs twice: merges " a", " ab", " abc" (or equivalent), nothing from xyz.
	if got, want := tk.VocabSize(), firstMerge+3; got != want {
		t.Errorf("VocabSize() = %d, want %d", got, want)
	}
	if got := tk.IDs("abc", nil); len(got) != 1 {
		t.Errorf("IDs(abc) = %v, want one token", got)
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	tk := smallTokenizer(t)
	blob := mustMarshal(t, tk)
	back, err := Unmarshal(blob)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mustMarshal(t, back), blob) {
		t.Error("Marshal(Unmarshal(b)) != b")
	}
	if got, want := back.VocabSize(), tk.VocabSize(); got != want {
		t.Errorf("VocabSize() = %d, want %d", got, want)
	}
	for _, text := range append(fixtureTexts(t), edgeTexts...) {
		if got, want := back.IDs(text, nil), tk.IDs(text, nil); !slices.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", text, got, want)
		}
	}
}

// reseal replaces the checksum of a blob body.
func reseal(body []byte) []byte {
	b := slices.Clone(body)
	return binaryAppendCRC(b)
}

func TestUnmarshalErrors(t *testing.T) {
	t.Parallel()
	blob := mustMarshal(t, smallTokenizer(t))
	body := blob[:len(blob)-4]
	tiny := func(parts ...uint64) []byte { // magic, version 1, then parts
		b := []byte(magic)
		for _, p := range append([]uint64{formatVersion}, parts...) {
			b = binaryAppendUvarint(b, p)
		}
		return reseal(b)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "bad magic"},
		{"bad magic", append([]byte("XXBPE"), blob[5:]...), "bad magic"},
		{"wrong version", reseal(append([]byte(magic), binaryAppendUvarint(nil, 2)...)), "unsupported format version 2"},
		{"flipped byte", append(append(slices.Clone(body[:40]), body[40]^0x10), blob[41:]...), "checksum"},
		{"trailing bytes", reseal(append(slices.Clone(body), 0)), "trailing"},
		{"merge id out of range", tiny(1, 300, 1, 0), "out of range"},
		{"merge uses unk", tiny(1, unkID, 1, 0), "out of range"},
		{"duplicate merge", tiny(2, 97, 98, 97, 98, 0), "duplicate"},
		{"huge merge count", tiny(1 << 40), "too large"},
		{"known word misspelled", tiny(0, 1, 2, 'h', 'i', 2, 'h', 'o'), "do not spell"},
		{"known word id past vocab", tiny(0, 1, 1, 'h', 1, 5000), "out of range"},
		{"known word too long", tiny(0, 1, 200), "bad length"},
		{"known word twice", tiny(0, 2, 1, 'h', 1, 'h', 1, 'h', 1, 'h'), "twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Unmarshal(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
	t.Run("every truncation", func(t *testing.T) {
		for n := range len(blob) {
			if _, err := Unmarshal(blob[:n]); err == nil {
				t.Fatalf("Unmarshal of %d of %d bytes: got nil error", n, len(blob))
			}
		}
	})
	t.Run("sealed truncations", func(t *testing.T) {
		// A truncated body with a valid checksum must still be an error.
		for n := len(magic) + 1; n < len(body); n += 41 {
			if _, err := Unmarshal(reseal(body[:n])); err == nil {
				t.Fatalf("sealed body of %d of %d bytes: got nil error", n, len(body))
			}
		}
	})
}

func TestGolden(t *testing.T) {
	t.Parallel()
	tk := smallTokenizer(t)
	blob := mustMarshal(t, tk)
	var out bytes.Buffer
	fmt.Fprintf(&out, "# tokenizer trained on %s, VocabSize 600, MinFrequency 2\n", strings.Join(fixtureFiles, " + "))
	fmt.Fprintf(&out, "# vocab %d, merges %d, known words %d, blob %d bytes, sha256 %x\n",
		tk.VocabSize(), len(tk.merges), len(tk.knownWords), len(blob), sha256.Sum256(blob))
	inputs := append(strings.Split(mustRead(t, "testdata/fixture.txt"), "\n")[:12],
		"The river was low that summer.", "Tokenisation isn't magic — it's bookkeeping 👍", "缓存 שלום 42")
	for _, in := range inputs {
		fmt.Fprintf(&out, "\n== %q\n", in)
		for i, id := range tk.IDs(in, nil) {
			tok, _ := tk.Token(id)
			if i > 0 {
				out.WriteByte(' ')
			}
			fmt.Fprintf(&out, "%d:%q", id, tok)
		}
		out.WriteByte('\n')
	}
	const golden = "testdata/tokens.golden"
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("tokens differ from %s (go test -update to accept):\n%s", golden, out.String())
	}
}

func mustRead(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestFixUTF8(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"ok", "ok"},
		{"a\xffb", "a\ufffdb"},
		{"\xff\xfe", "\ufffd\ufffd"},
		{"\xe4\xb8", "\ufffd\ufffd"},
	}
	for _, tc := range tests {
		if got := fixUTF8(tc.in); got != tc.want || !utf8.ValidString(got) {
			t.Errorf("fixUTF8(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
