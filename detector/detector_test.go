package detector_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/features"
	"github.com/slopguard/slopguard/detector/train"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	tinyOnce sync.Once
	tinyDet  *detector.Detector
	tinyErr  error
)

// tinyOptions are training options for the few dozen fixture texts: a small
// feature space and vocabulary, and a large hold-out so both labels are in it.
func tinyOptions(epochs int) train.Options {
	opts := train.DefaultOptions()
	opts.Features = features.Config{Hashing: features.CurrentHashing, HashBits: 14, CharMin: 3, CharMax: 5, StatBins: 4, TokenBigrams: true}
	opts.VocabSize = 400
	opts.HoldoutFraction = 0.3
	opts.Epochs = epochs
	opts.Workers = 2
	return opts
}

// tinyDetector trains a small model on the committed fixture texts, so the
// tests pin the whole pipeline without depending on the shipped model.
func tinyDetector(t testing.TB) *detector.Detector {
	t.Helper()
	tinyOnce.Do(func() {
		recs, err := dataset.Read([]string{"testdata/tiny.jsonl"}, nil)
		if err != nil {
			tinyErr = err
			return
		}
		opts := tinyOptions(20)
		opts.Name = "tiny"
		res, err := train.Train(context.Background(), recs, opts)
		if err != nil {
			tinyErr = err
			return
		}
		data, err := res.File.Marshal()
		if err != nil {
			tinyErr = err
			return
		}
		tinyDet, tinyErr = detector.Load(data)
	})
	if tinyErr != nil {
		t.Fatalf("train tiny model: %v", tinyErr)
	}
	return tinyDet
}

func TestGoldenScores(t *testing.T) {
	d := tinyDetector(t)
	paths, err := filepath.Glob("testdata/golden/*.txt")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			text, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			res := d.Score(string(text))
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(p, ".txt") + ".golden"
			if *update {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			var w detector.Result
			if err := json.Unmarshal(want, &w); err != nil {
				t.Fatal(err)
			}
			if res.Verdict != w.Verdict || res.Note != w.Note || len(res.Reasons) != len(w.Reasons) || abs(res.Score-w.Score) > 1e-6 {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
			for i := range res.Reasons {
				if i < len(w.Reasons) && (res.Reasons[i].Signal != w.Reasons[i].Signal || abs(res.Reasons[i].Weight-w.Reasons[i].Weight) > 1e-3) {
					t.Errorf("reason %d: got %+v, want %+v", i, res.Reasons[i], w.Reasons[i])
				}
			}
		})
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestTinyModelSeparatesFixtures(t *testing.T) {
	d := tinyDetector(t)
	machine := d.Score("This change ensures comprehensive validation and enhances the overall robustness of the configuration loader. Additionally, it improves maintainability.")
	human := d.Score("yeah no idea why it broke, i just reverted it and moved on tbh")
	if machine.Score <= human.Score {
		t.Errorf("machine-style text scored %.3f, human-style %.3f: want machine > human", machine.Score, human.Score)
	}
}

func TestUnjudgeableTextsAreUnsure(t *testing.T) {
	d := tinyDetector(t)
	tests := []struct {
		name, text, note string
	}{
		{"empty", "", "too short"},
		{"short", "lgtm thanks", "too short"},
		{"only invisible", "\u200b\u200b\u200b", "too short"},
		{"russian", "Спасибо за исправление, я проверил его на своей машине, и всё работает как надо, можно сливать.", "script"},
		{"german", "Vielen Dank für die Korrektur. Ich habe sie auf meinem Rechner geprüft und alles funktioniert wie erwartet, die Tests laufen durch und der Build ist grün, wir können zusammenführen.", "English"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := d.Score(tt.text)
			if res.Verdict != detector.Unsure || !res.CannotJudge || !strings.Contains(res.Note, tt.note) {
				t.Errorf("got verdict %v cannot_judge %v note %q, want unsure, cannot_judge, a note containing %q", res.Verdict, res.CannotJudge, res.Note, tt.note)
			}
		})
	}
	// An English text of fair length is judged, whatever its verdict.
	if res := d.Score("Thanks for the fix. I tested it on my machine and everything works as expected, the tests pass and the build is green, so we can merge it."); res.CannotJudge {
		t.Errorf("an English sentence got cannot_judge (note %q)", res.Note)
	}
}

func TestHostileInputsAreBounded(t *testing.T) {
	d := tinyDetector(t)
	tests := []struct {
		name    string
		text    string
		sampled bool
	}{
		{"invalid utf-8", "this is \xff\xfe not valid \xc3 utf-8 at all, but it should still be scored fine", false},
		{"one 10 MB word", strings.Repeat("a", 10<<20), true},
		{"100k newlines", strings.Repeat("\n", 100000) + "hello there friends", true},
		{"combining marks", "e" + strings.Repeat("\u0301", 1<<20), true},
		{"nul bytes", "abc\x00def ghi jkl mno pqr", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := d.Score(tt.text)
			if res.Sampled != tt.sampled {
				t.Errorf("Sampled = %v, want %v", res.Sampled, tt.sampled)
			}
			if res.Score < 0 || res.Score > 1 {
				t.Errorf("score %v out of [0,1]", res.Score)
			}
			for _, r := range res.Reasons {
				for _, s := range r.Spans {
					if s.Start < 0 || s.End > len(tt.text) || s.Start > s.End {
						t.Errorf("span %+v outside the %d-byte text", s, len(tt.text))
					}
				}
			}
		})
	}
}

func TestSpansPointAtOriginalText(t *testing.T) {
	d := tinyDetector(t)
	text := "Thіs chаnge ensures comprehensive validation, enhances robustness and ensures maintainability. Additionally, it ensures consistency across modules."
	res := d.Score(text)
	for _, r := range res.Reasons {
		for _, s := range r.Spans {
			frag := text[s.Start:s.End]
			if !utf8.ValidString(frag) || strings.TrimSpace(frag) == "" {
				t.Errorf("reason %q span %+v is %q: want a word of the original", r.Text, s, frag)
			}
		}
	}
}

func TestConcurrentScoringIsConsistent(t *testing.T) {
	d := tinyDetector(t)
	texts := []string{
		"This change ensures comprehensive validation and enhances robustness.",
		"lol no, that's the old api. use the new one",
		strings.Repeat("word ", 5000),
	}
	want := make([]detector.Result, len(texts))
	for i, x := range texts {
		want[i] = d.Score(x)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 20; k++ {
				i := (g + k) % len(texts)
				if got := d.Score(texts[i]); got.Score != want[i].Score || got.Verdict != want[i].Verdict {
					errs <- fmt.Sprintf("text %d: got %v/%v, want %v/%v", i, got.Score, got.Verdict, want[i].Score, want[i].Verdict)
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

// trainTwice trains on the tiny fixture with one worker and with two, opts
// set by set, and fails unless both give the same model file, which it
// returns.
func trainTwice(t *testing.T, set func(*train.Options)) []byte {
	t.Helper()
	recs, err := dataset.Read([]string{"testdata/tiny.jsonl"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out [2][]byte
	for i := range out {
		opts := tinyOptions(3)
		set(&opts)
		opts.Workers = 1 + i // the result must not depend on the number of workers
		res, err := train.Train(context.Background(), recs, opts)
		if err != nil {
			t.Fatal(err)
		}
		res.File.Header.Training.CreatedAt = ""
		res.File.Header.Name = ""
		if out[i], err = res.File.Marshal(); err != nil {
			t.Fatal(err)
		}
	}
	if string(out[0]) != string(out[1]) {
		t.Errorf("two trainings with the same seed gave different model files")
	}
	return out[0]
}

func TestTrainingIsDeterministic(t *testing.T) {
	trainTwice(t, func(opts *train.Options) {
		opts.Features.FoldMixedCase, opts.Features.MaskedNgrams, opts.Features.WordNgrams = true, 3, true // every step the shipped model has
	})
}

func TestTrainRefusesDevRecords(t *testing.T) {
	recs := []dataset.Record{{Text: "x y z w", Label: "human", Split: "dev", File: "f"}}
	if _, err := train.Train(context.Background(), recs, train.DefaultOptions()); err == nil || !strings.Contains(err.Error(), "split") {
		t.Errorf("got %v, want an error about the split", err)
	}
}

func TestDefaultModelLoads(t *testing.T) {
	d, err := detector.Default()
	if err != nil {
		t.Fatalf("embedded model: %v", err)
	}
	if d.Version() == "" || d.Threshold() <= 0.5 || d.Threshold() >= 1 {
		t.Errorf("version %q threshold %v: want a named model with a threshold in (0.5, 1)", d.Version(), d.Threshold())
	}
	res := d.Score("## Summary\n\nThis PR adds comprehensive validation and ensures robust error handling.")
	if res.Score < 0 || res.Score > 1 {
		t.Errorf("score %v out of range", res.Score)
	}
}

func TestLoadRejectsCorruptModels(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("garbage"), []byte("SLOPGRD\x00\x01\x00\x00\x00")} {
		if _, err := detector.Load(data); err == nil {
			t.Errorf("Load(%q) succeeded, want an error", data)
		}
	}
}

func FuzzScore(f *testing.F) {
	f.Add("## Summary\n\nThis PR adds things.")
	f.Add("lol \xff\xfe ok")
	f.Add("Thіs \u200b chаnge")
	f.Add(strings.Repeat("a", 70000))
	f.Fuzz(func(t *testing.T, text string) {
		d := tinyDetector(t)
		res := d.Score(text)
		if res.Score < 0 || res.Score > 1 || res.Verdict < detector.Human || res.Verdict > detector.Machine {
			t.Fatalf("bad result %+v", res)
		}
		for _, r := range res.Reasons {
			for _, s := range r.Spans {
				if s.Start < 0 || s.End > len(text) || s.Start > s.End {
					t.Fatalf("span %+v outside %d-byte text", s, len(text))
				}
			}
		}
	})
}

func TestReasonsQuoteBoundedText(t *testing.T) {
	d := tinyDetector(t)
	long := strings.Repeat("comprehensive", 200)
	text := "This pull request introduces a " + long + " refactor of the parser and ensures robust handling of every edge case in the codebase."
	res := d.Score(text)
	for _, r := range res.Reasons {
		if n := utf8.RuneCountInString(r.Text); n > 300 {
			t.Errorf("reason %q is %d characters long", r.Text[:80], n)
		}
	}
}

func TestLMStatsModel(t *testing.T) {
	data := trainTwice(t, func(opts *train.Options) { opts.Features.LMStats = true })
	d, err := detector.Load(data)
	if err != nil {
		t.Fatalf("load a model with language models: %v", err)
	}
	if n := len(d.Extractor().Stats()); n != len(features.Stats)+len(features.LMStats) {
		t.Errorf("%d statistics, want %d", n, len(features.Stats)+len(features.LMStats))
	}
	text := "This PR adds comprehensive validation and ensures robust error handling. It is important to note the tests."
	a, b := d.Score(text), d.Score(text)
	if a.Score != b.Score || a.Score < 0 || a.Score > 1 {
		t.Errorf("scores %v and %v: want one score in [0, 1]", a.Score, b.Score)
	}
}
