package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/integrations/jsonl"
)

// scoreTestdata holds the score line format's fixtures, kept beside the
// package that writes the format.
var scoreTestdata = filepath.Join("..", "..", "integrations", "jsonl", "testdata", "score")

// TestScoreCLI runs `slopguard score` in-process with the embedded model.
// It pins the shape of every line (the input's fields in order, then score
// in [0,1] and a valid verdict), not the model's scores, which change with
// every retraining.
func TestScoreCLI(t *testing.T) {
	t.Parallel()
	input := filepath.Join(scoreTestdata, "input.jsonl")
	var stdout, stderr bytes.Buffer
	e := testEnv(strings.NewReader(`{"from":"stdin","text":"hello there"}`+"\n"), &stdout, &stderr, nil)
	if code := run(context.Background(), e, []string{"score", input, "--model", "", "--", "-"}); code != 0 {
		t.Fatalf("got exit %d (stderr %q), want 0", code, stderr.String())
	}
	want, err := os.ReadFile(filepath.Join(scoreTestdata, "output.golden.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	// Reading a named file, error messages start with its name.
	want = bytes.ReplaceAll(want, []byte(`"error":"`), []byte(`"error":"`+input+`: `))
	wantLines := append(strings.Split(strings.TrimSuffix(string(want), "\n"), "\n"),
		`{"from":"stdin","text":"hello there","score":0,"verdict":"human"}`)
	gotLines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(gotLines) != len(wantLines) {
		t.Fatalf("got %d lines, want %d:\n%s", len(gotLines), len(wantLines), stdout.String())
	}
	for i := range wantLines {
		if got, want := stripScore(t, gotLines[i]), stripScore(t, wantLines[i]); got != want {
			t.Errorf("line %d: got %s, want %s (score and verdict values ignored)", i+1, got, want)
		}
	}
}

// stripScore checks a success line's score and verdict and blanks their
// values, keeping the field order.
func stripScore(t *testing.T, line string) string {
	t.Helper()
	fields, err := jsonl.ParseObject([]byte(line))
	if err != nil {
		t.Fatalf("output %s: %v", line, err)
	}
	for i, f := range fields {
		switch f.Key {
		case "score":
			var s float64
			if err := json.Unmarshal(f.Value, &s); err != nil || s < 0 || s > 1 {
				t.Errorf("output %s: got score %s, want a number in [0,1]", line, f.Value)
			}
			fields[i].Value = json.RawMessage(`"?"`)
		case "verdict":
			var v detector.Verdict
			if err := json.Unmarshal(f.Value, &v); err != nil {
				t.Errorf("output %s: got verdict %s, want human, unsure or machine", line, f.Value)
			}
			fields[i].Value = json.RawMessage(`"?"`)
		}
	}
	return strings.TrimSuffix(string(jsonl.WriteObject(fields, nil)), "\n")
}

func TestScoreParseArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args      []string
		wantPos   string
		wantModel string
	}{
		{[]string{"a", "--model", "m", "b"}, "a,b", "m"},
		{[]string{"--model=m", "a", "-", "b"}, "a,-,b", "m"},
		{[]string{"a", "--", "--model", "b"}, "a,--model,b", ""},
		{nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			model := fs.String("model", "", "")
			pos, err := parseFlags(fs, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(pos, ","); got != tt.wantPos || *model != tt.wantModel {
				t.Errorf("got %q model %q, want %q model %q", got, *model, tt.wantPos, tt.wantModel)
			}
		})
	}
}
