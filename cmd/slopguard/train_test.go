package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/detector/train"
	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/sqlstore"
)

// TestTrainChecksOutBeforeTraining: a model that cannot be written is
// reported before minutes of training, not after.
func TestTrainChecksOutBeforeTraining(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := writeJSONL(t, "d.jsonl", trainRecords(40, "train", ""))
	tests := []struct {
		name, out, want string
	}{
		{"missing folder", filepath.Join(dir, "nope", "model.bin"), "does not exist"},
		{"a folder", dir, "is a folder"},
		{"a file as the folder", filepath.Join(data, "model.bin"), "is not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := auditRun(t, nil, "train", "--quiet", "--data", data, "--out", tt.out)
			if code != 2 || !strings.Contains(errOut, tt.want) || strings.Contains(errOut, "training on") {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q before training", code, errOut, tt.want)
			}
		})
	}
}

// trainRecords returns n labelled records of split (no split field when
// split is ""), each its own group, alternately human and machine unless
// label names one.
func trainRecords(n int, split, label string) []map[string]any {
	human := []string{"lol yeah that broke for me too", "idk, tried it twice and it still crashes", "ok so i poked at it again", "ugh this again, fixed it locally though"}
	machine := []string{"This change improves the robustness of the implementation.", "Additionally, it ensures consistent handling of edge cases.", "The refactoring enhances maintainability and readability.", "Furthermore, comprehensive tests have been added."}
	recs := make([]map[string]any, n)
	for i := range recs {
		l := label
		if l == "" {
			l = []string{"human", "machine"}[i%2]
		}
		text := fmt.Sprintf("%s and %s, run %d", human[i%4], human[(i/2)%4], i)
		if l == "machine" {
			text = fmt.Sprintf("%s %s Iteration %d.", machine[i%4], machine[(i/2)%4], i)
		}
		recs[i] = map[string]any{"text": text, "label": l, "id": fmt.Sprintf("%s-%d", l, i)}
		if split != "" {
			recs[i]["split"] = split
		}
	}
	return recs
}

// trainData writes n records of split, both labels, and returns the path.
func trainData(t *testing.T, n int, split string) string {
	t.Helper()
	return writeJSONL(t, "data.jsonl", trainRecords(n, split, ""))
}

// smallTrainFlags keep a test training run small and quick.
var smallTrainFlags = []string{"--quiet", "--hash-bits", "12", "--vocab", "300", "--epochs", "2"}

// trainArgs is `train` with smallTrainFlags and then args.
func trainArgs(args ...string) []string {
	return append(append([]string{"train"}, smallTrainFlags...), args...)
}

// readCard decodes the JSON model card beside a model file.
func readCard(t *testing.T, model string) train.Card {
	t.Helper()
	data, err := os.ReadFile(strings.TrimSuffix(model, filepath.Ext(model)) + ".card.json")
	if err != nil {
		t.Fatal(err)
	}
	var c train.Card
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTrainPathsAfterFlags gives data paths after --data and flags after
// them: every path is read and every flag applies.
func TestTrainPathsAfterFlags(t *testing.T) {
	t.Parallel()
	humans := writeJSONL(t, "humans.jsonl", trainRecords(100, "train", "human"))
	machines := writeJSONL(t, "machines.jsonl", trainRecords(100, "train", "machine"))
	out := filepath.Join(t.TempDir(), "x.bin")
	code, stdout, errOut := auditRun(t, nil, append([]string{"train", "--data", humans, machines, "--out", out}, smallTrainFlags...)...)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	if !strings.Contains(errOut, "training on 200 records") {
		t.Errorf("stderr %q: want both files' 200 records trained on", errOut)
	}
	if !strings.Contains(stdout, "wrote "+out) {
		t.Errorf("stdout %q: want the model written to %s", stdout, out)
	}
	if got := readCard(t, out).Training.Settings["hash_bits"]; got != "12" {
		t.Errorf("hash_bits = %s, want 12 from the flag after the paths", got)
	}
}

// TestTrainSourceFactor scales one of two equal human sources three times
// the other: the card's weight shares and settings must say so.
func TestTrainSourceFactor(t *testing.T) {
	t.Parallel()
	plain := writeJSONL(t, "plain.jsonl", trainRecords(100, "train", "human"))
	heavy := writeJSONL(t, "heavy.jsonl", trainRecords(100, "train", "human"))
	machines := writeJSONL(t, "machines.jsonl", trainRecords(100, "train", "machine"))
	out := filepath.Join(t.TempDir(), "m.bin")
	code, _, errOut := auditRun(t, nil, trainArgs("--data", plain, "--data", heavy, "--data", machines, "--no-dev", "--out", out, "--source-factor", "heavy=3")...)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	card := readCard(t, out)
	share := map[string]float64{}
	for _, s := range card.Training.Sources {
		share[s.File] = s.Weight
	}
	if share["plain"] != 0.125 || share["heavy"] != 0.375 || share["machines"] != 0.5 {
		t.Errorf("weight shares %v, want plain 0.125, heavy 0.375, machines 0.5", share)
	}
	if got, want := card.Training.Settings["source_factors"], "heavy=3, synthetic_persona_chat_messages=0.5, topical_chat_messages=0.5"; got != want {
		t.Errorf("source_factors setting %q, want %q", got, want)
	}
}

// TestTrainSourceFactorUnknownSource: a factor naming no source of the
// training data (a typo, or the file name with its extension) changes
// nothing, yet the model card's source_factors setting lists it as applied.
// It must be refused before training.
func TestTrainSourceFactorUnknownSource(t *testing.T) {
	t.Parallel()
	data := writeJSONL(t, "heavy.jsonl", trainRecords(100, "train", ""))
	tests := []struct{ name, factor string }{
		{"file name with its extension", "heavy.jsonl=3"},
		{"misspelt source", "haevy=3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "m.bin")
			code, _, errOut := auditRun(t, nil, trainArgs("--data", data, "--no-dev", "--out", out, "--source-factor", tt.factor)...)
			if code != 2 || !strings.Contains(errOut, tt.factor) {
				t.Errorf("exit %d, stderr %q; want exit 2 naming %q", code, errOut, tt.factor)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("model written with an unknown source factor; card source_factors = %q", readCard(t, out).Training.Settings["source_factors"])
			}
		})
	}
}

// TestTrainName checks --name reaches the model and its card, and that the
// default keeps the shipped model's name.
func TestTrainName(t *testing.T) {
	t.Parallel()
	data := trainData(t, 200, "train")
	date := time.Now().UTC().Format("20060102")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"default", nil, "slopguard-default-"},
		{"custom", []string{"--name", "slopguard-octo"}, "slopguard-octo-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "m.bin")
			code, _, errOut := auditRun(t, nil, trainArgs(append([]string{"--data", data, "--no-dev", "--out", out}, tt.args...)...)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, errOut)
			}
			det, err := detector.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			// The date is the day training finished, which a run at midnight may pass.
			if got := det.Version(); !strings.HasPrefix(got, tt.want) || len(got) != len(tt.want)+len(date) {
				t.Errorf("model name %q, want %sYYYYMMDD", got, tt.want)
			}
			if got := readCard(t, out).Name; got != det.Version() {
				t.Errorf("card name %q, model name %q: want the same", got, det.Version())
			}
		})
	}
}

// TestTrainBadData gives train data it cannot train on: each must be a
// usage error with a one-line message that says what is wrong.
func TestTrainBadData(t *testing.T) {
	t.Parallel()
	devOnly := trainData(t, 76, "dev")
	noSplit := trainData(t, 10, "")
	mixed := writeJSONL(t, "mixed.jsonl", append(trainRecords(5, "dev", ""), append(trainRecords(3, "", ""), trainRecords(2, "test", "")...)...))
	tests := []struct {
		name string
		data string
		want string
	}{
		{"dev only", devOnly, "no split=train records in " + devOnly + " (76 dev, 0 without split)"},
		{"no split", noSplit, "no split=train records in " + noSplit + " (0 dev, 10 without split)"},
		{"other splits", mixed, "(5 dev, 2 test, 3 without split)"},
		{"machine only", writeJSONL(t, "m.jsonl", trainRecords(50, "train", "machine")), "split=train has only machine records (50)"},
		{"human only", writeJSONL(t, "h.jsonl", trainRecords(50, "train", "human")), "split=train has only human records (50)"},
		{"too few groups", trainData(t, 4, "train"), "not enough training data"},
		{"only bad lines", writeJSONL(t, "bad.jsonl", nil, `{"body":"x","label":"human"}`), "no split=train records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "m.bin")
			code, _, errOut := auditRun(t, nil, trainArgs("--data", tt.data, "--out", out)...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tt.want)
			}
			if strings.Contains(errOut, "fraction") {
				t.Errorf("stderr %q suggests a hold-out fraction, which train has no flag for", errOut)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a model was written")
			}
		})
	}
}

// feedbackStore creates a SQLite store named name holding feedback on n
// items, alternately human and machine, and returns its path.
func feedbackStore(t *testing.T, name string, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	s, err := sqlstore.Open(t.Context(), sqlstore.SQLite, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, r := range trainRecords(n, "", "") {
		fb := store.Feedback{Platform: "github", Scope: "octo/repo", ItemID: r["id"].(string), By: "maint", Label: r["label"].(string), Text: r["text"].(string)}
		if _, err := s.AddFeedback(t.Context(), fb); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// TestTrainFeedback adds feedback from JSONL and from stores, whatever
// their file names, and refuses feedback paths that yield nothing.
func TestTrainFeedback(t *testing.T) {
	t.Parallel()
	data := trainData(t, 200, "train")
	exported := writeJSONL(t, "fb.jsonl", trainRecords(6, "train", ""), `{"body":"x","label":"human"}`)
	tests := []struct {
		name     string
		feedback string
		wantCode int
		want     []string
	}{
		{"JSONL with a bad line", exported, 0, []string{"warning: feedback: 1 bad line(s) skipped", "(6 from feedback)"}},
		{"store named .db", feedbackStore(t, "fb.db", 8), 0, []string{"(8 from feedback)"}},
		{"store named .sqlite", feedbackStore(t, "fb.sqlite", 8), 0, []string{"(8 from feedback)"}},
		{"store with no name to go by", feedbackStore(t, "feedback", 8), 0, []string{"(8 from feedback)"}},
		{"only bad lines", writeJSONL(t, "bad.jsonl", nil, `{"body":"x","label":"human"}`, `{"text":"hello","label":"slop"}`), 2,
			[]string{"warning: feedback: 2 bad line(s) skipped", "no records"}},
		{"empty store", feedbackStore(t, "empty.sqlite", 0), 2, []string{"no records"}},
		{"missing file", filepath.Join(t.TempDir(), "nope.jsonl"), 2, []string{"no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "m.bin")
			code, _, errOut := auditRun(t, nil, trainArgs("--data", data, "--no-dev", "--feedback", tt.feedback, "--out", out)...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.wantCode, errOut)
			}
			for _, want := range tt.want {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr %q lacks %q", errOut, want)
				}
			}
		})
	}
}

// TestHelpExitsZero asks each command for help: usage on stderr, exit 0.
func TestHelpExitsZero(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"train", "-h"}, {"train", "--help"}, {"simulate", "-h"}, {"eval", "-h"}, {"audit", "list", "-h"}, {"serve", "-h"}, {"check", "-h"}, {"score", "-h"}, {"loadtest", "-h"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			code, _, errOut := auditRun(t, nil, args...)
			if code != 0 || !strings.Contains(errOut, "Usage") {
				t.Errorf("exit %d, stderr %q; want exit 0 and the usage", code, errOut)
			}
			if strings.Contains(errOut, "help requested") {
				t.Errorf("stderr %q reports help as an error", errOut)
			}
		})
	}
}

func TestDataLicences(t *testing.T) {
	dir := t.TempDir()
	readme := "# Data\n\n| file | train h/m | licence | what |\n|---|---|---|---|\n" +
		"| pr/a_set.jsonl | 1 / 2 | CC BY 4.0 | agent PRs |\n| qa/b_set.jsonl | 3 / 0 | none stated (B) | answers |\n\n" +
		"| other | table |\n|---|---|\n| c_set.jsonl | x |\n"
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte(readme), 0o644); err != nil {
		t.Fatal(err)
	}
	got := dataLicences([]string{dir, filepath.Join(dir, "missing")})
	want := map[string]string{"a_set": "CC BY 4.0", "b_set": "none stated (B)"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if dataLicences([]string{filepath.Join(dir, "missing")}) != nil {
		t.Error("no README: want nil")
	}
}

func TestReadFamilies(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	write := func(path, body string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, familiesFile), "generator\tfamily\ngpt-4\topenai\n")
	explicit := filepath.Join(other, "mine.tsv")
	write(explicit, "generator\tfamily\ngpt-4\tgpt-4-only\n")
	tests := []struct {
		name string
		data []string
		path string
		want string // gpt-4's family; "" for no map
	}{
		{"found in a data folder", []string{other, dir}, "", "openai"},
		{"an explicit file wins", []string{dir}, explicit, "gpt-4-only"},
		{"none anywhere", []string{other, filepath.Join(dir, "missing")}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readFamilies(tc.data, tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" && got != nil {
				t.Fatalf("got %v, want no map", got)
			}
			if got["gpt-4"] != tc.want {
				t.Errorf("gpt-4's family %q, want %q", got["gpt-4"], tc.want)
			}
		})
	}
	if _, err := readFamilies([]string{dir}, filepath.Join(other, "none.tsv")); err == nil {
		t.Error("a missing --families file: want an error")
	}
}

// TestSpliceTablesReadsFilesWhenWriting checks that the tables go into the
// files as they are when the folds end: text edited in the meantime (here,
// everything outside the sections) is kept, and a section not run is left
// alone.
func TestSpliceTablesReadsFilesWhenWriting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "evaluation.md")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("# before\n<!-- loo:begin -->\nold loo\n<!-- loo:end -->\n<!-- lofo:begin -->\nold lofo\n<!-- lofo:end -->\n")
	// An edit made while the folds ran.
	write("# edited during the run\n<!-- loo:begin -->\nold loo\n<!-- loo:end -->\n<!-- lofo:begin -->\nold lofo\n<!-- lofo:end -->\nnew paragraph\n")
	var stderr bytes.Buffer
	if err := spliceTables(&env{stderr: &stderr}, []string{path}, map[string]string{"loo": "new loo table\n"}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "# edited during the run\n<!-- loo:begin -->\nnew loo table\n<!-- loo:end -->\n<!-- lofo:begin -->\nold lofo\n<!-- lofo:end -->\nnew paragraph\n"
	if string(got) != want {
		t.Errorf("file after splicing:\n%s\nwant:\n%s", got, want)
	}
	if !bytes.Contains(stderr.Bytes(), []byte("updated "+path)) {
		t.Errorf("stderr %q does not say the file was updated", stderr.String())
	}
}

// TestSpliceTablesSuffixedSections: tables of another sample size go to
// their own sections (--section-suffix) and leave the plain ones alone.
func TestSpliceTablesSuffixedSections(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "evaluation.md")
	doc := "<!-- loo:begin -->\nsampled\n<!-- loo:end -->\n<!-- loo-full:begin -->\nold\n<!-- loo-full:end -->\n<!-- lofo-full:begin -->\nold\n<!-- lofo-full:end -->\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	tables := map[string]string{"loo-full": "full loo\n", "lofo-full": "full lofo\n"}
	if err := spliceTables(&env{stderr: io.Discard}, []string{path}, tables); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "<!-- loo:begin -->\nsampled\n<!-- loo:end -->\n<!-- loo-full:begin -->\nfull loo\n<!-- loo-full:end -->\n<!-- lofo-full:begin -->\nfull lofo\n<!-- lofo-full:end -->\n"
	if string(got) != want {
		t.Errorf("file after splicing:\n%s\nwant:\n%s", got, want)
	}
}
