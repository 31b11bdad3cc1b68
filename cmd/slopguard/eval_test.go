package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvalCLI runs `slopguard eval` in-process with the embedded model on a
// small labelled set. It pins the command's plumbing (split filter,
// attack, limit, files written, summary rows and counts), not the model's
// metrics, which change with every retraining; detector/evaluate tests the
// metrics with fixed scores.
func TestEvalCLI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		head  string // in the summary's first line
		wantN string // the start of the "all" row, spaces collapsed
	}{
		{"dev split", []string{"--data", "testdata/eval"}, "split dev, attack none", "| all | 8 | 4 | 4 |"},
		{"all splits, attacked", []string{"--split", "all", "--attack", "homoglyph", "testdata/eval/set_b.jsonl", "--data", "testdata/eval/set_a.jsonl"}, "split all, attack homoglyph", "| all | 10 | 5 | 5 |"},
		{"limited", []string{"--data", "testdata/eval", "--limit-per-file", "1"}, "split dev", "| all | 2 |"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "report")
			var stdout, stderr bytes.Buffer
			e := testEnv(strings.NewReader(""), &stdout, &stderr, nil)
			args := append([]string{"eval", "--out", out}, tt.args...)
			if code := run(context.Background(), e, args); code != 0 {
				t.Fatalf("got exit %d (stderr %q), want 0", code, stderr.String())
			}
			if summary := strings.Join(strings.Fields(stdout.String()), " "); !strings.Contains(summary, tt.wantN) {
				t.Errorf("summary lacks %q:\n%s", tt.wantN, stdout.String())
			}
			if first, _, _ := strings.Cut(stdout.String(), "\n"); !strings.Contains(first, tt.head) {
				t.Errorf("got summary header %q, want it to contain %q", first, tt.head)
			}
			for _, name := range []string{"report.md", "report.json", "roc.png", "hist.png"} {
				if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
					t.Errorf("%s: got %v, want a non-empty file", name, err)
				}
			}
			if !strings.Contains(stderr.String(), "warning: 1 bad line(s) skipped") {
				t.Errorf("stderr %q lacks the bad-line warning", stderr.String())
			}
		})
	}
}
