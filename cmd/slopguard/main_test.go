package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCtxReaderPassesDataThrough(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("some text on standard input\n", 10000)
	got, err := io.ReadAll(&ctxReader{ctx: context.Background(), r: strings.NewReader(text)})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != text {
		t.Errorf("got %d bytes, want the %d bytes written", len(got), len(text))
	}
}

// TestStdinReadStopsOnInterrupt runs commands reading a pipe that never
// delivers anything, as `sleep 600 | slopguard check -` does, and cancels
// their context the way the first SIGINT does: each must return promptly.
func TestStdinReadStopsOnInterrupt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"check", []string{"check", "-"}, 2},
		{"check JSONL", []string{"check", "--jsonl", "-"}, 2},
		{"score", []string{"score"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pr, pw := io.Pipe()
			t.Cleanup(func() { pw.Close() })
			var out, errOut bytes.Buffer
			e := testEnv(pr, &out, &errOut, nil)
			ctx, cancel := context.WithCancelCause(context.Background())
			done := make(chan int, 1)
			go func() { done <- run(ctx, e, tt.args) }()
			time.Sleep(50 * time.Millisecond)
			cancel(errors.New("interrupt signal received"))
			select {
			case code := <-done:
				if code != tt.wantCode {
					t.Errorf("got exit code %d, want %d", code, tt.wantCode)
				}
				if !strings.Contains(errOut.String(), "interrupted: interrupt signal received") || strings.Count(errOut.String(), "\n") != 1 {
					t.Errorf("got stderr %q, want one line saying it was interrupted", errOut.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatal("still reading standard input 10s after the interrupt")
			}
		})
	}
}

// TestNoCommandIsAUsageError: `slopguard` alone exits 2 with the help on
// stderr, as a missing command is a usage error; `slopguard help` exits 0.
func TestNoCommandIsAUsageError(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	e := testEnv(strings.NewReader(""), &out, &errOut, nil)
	if code := run(context.Background(), e, nil); code != 2 || out.Len() != 0 || !strings.Contains(errOut.String(), "serve") {
		t.Errorf("no command: exit %d, stdout %q, stderr %d bytes; want 2, nothing on stdout, the help on stderr", code, out.String(), errOut.Len())
	}
	out.Reset()
	if code := run(context.Background(), e, []string{"help"}); code != 0 || !strings.Contains(out.String(), "serve") {
		t.Errorf("help: exit %d, want 0 with the help on stdout", code)
	}
}

// TestCommandErrors runs each command with arguments or settings it must
// refuse: it exits 2 for a usage error and 1 for a failure, says why on
// stderr, and writes nothing to stdout.
func TestCommandErrors(t *testing.T) {
	t.Parallel()
	auditDB, _ := auditSeed(t)
	feedbackDB := feedbackSeed(t)
	dir := t.TempDir()
	missingDB := filepath.Join(dir, "nope.db")
	noMarkers := writeFile(t, dir, "doc.md", "# no sections\n")
	data := writeJSONL(t, "d.jsonl", trainRecords(20, "train", ""))
	evalArgs := func(args ...string) []string {
		return append([]string{"eval", "--out", t.TempDir()}, args...)
	}
	tests := []struct {
		name string
		args []string
		vars map[string]string
		code int
		msg  string
	}{
		{"audit/no subcommand", []string{"audit"}, nil, 2, "Usage"},
		{"audit/unknown subcommand", []string{"audit", "grep"}, nil, 2, "unknown subcommand"},
		{"audit/bad format", []string{"audit", "list", "--db", auditDB, "--format", "xml"}, nil, 2, "--format"},
		{"audit/bad verdict", []string{"audit", "list", "--db", auditDB, "--verdict", "slop"}, nil, 2, "--verdict"},
		{"audit/bad since", []string{"audit", "list", "--db", auditDB, "--since", "yesterday"}, nil, 2, "--since"},
		{"audit/bad limit", []string{"audit", "list", "--db", auditDB, "--limit", "0"}, nil, 2, "--limit"},
		{"audit/bad driver", []string{"audit", "list", "--db", auditDB, "--driver", "mysql"}, nil, 2, "--driver"},
		{"audit/missing database is not created", []string{"audit", "list", "--db", missingDB}, nil, 2, "no such file"},
		{"audit/show without id", []string{"audit", "show", "--db", auditDB}, nil, 2, "one decision ID"},
		{"audit/show bad id", []string{"audit", "show", "--db", auditDB, "x"}, nil, 2, "not a positive number"},
		{"audit/show missing id", []string{"audit", "show", "--db", auditDB, "999"}, nil, 1, "decision 999 not found"},
		{"audit/unknown flag", []string{"audit", "list", "--nope"}, nil, 2, "flag provided but not defined"},

		{"eval/no data", evalArgs(), nil, 2, "no data"},
		{"eval/missing data", evalArgs("--data", "testdata/eval/nope"), nil, 2, "nope"},
		{"eval/bad attack", evalArgs("--data", "testdata/eval", "--attack", "paraphrase"), nil, 2, "unknown --attack"},
		{"eval/empty split", evalArgs("--data", "testdata/eval", "--split", "test"), nil, 2, `no records with split "test"`},
		{"eval/negative limit", evalArgs("--data", "testdata/eval", "--limit-per-file", "-1"), nil, 2, "limit-per-file"},

		{"feedback/no subcommand", []string{"feedback"}, nil, 2, "Usage"},
		{"feedback/unknown subcommand", []string{"feedback", "import"}, nil, 2, "unknown subcommand"},
		{"feedback/stray argument", []string{"feedback", "export", "--db", feedbackDB, "extra"}, nil, 2, `feedback export takes no arguments, got "extra"`},
		{"feedback/bad since", []string{"feedback", "export", "--db", feedbackDB, "--since", "later"}, nil, 2, "--since"},
		{"feedback/missing database", []string{"feedback", "export"}, map[string]string{"SLOPGUARD_DATABASE_URL": filepath.Join(dir, "x.db")}, 2, "no such file"},
		{"feedback/unwritable output", []string{"feedback", "export", "--db", feedbackDB, "--out", filepath.Join(dir, "no", "dir", "f.jsonl")}, nil, 1, "export feedback"},

		{"loadtest/rate above max-rate", []string{"loadtest", "--rate", "100", "--max-rate", "10"}, nil, 2, "--max-rate at least --rate"},

		// Every command without positional arguments refuses one in the same words.
		{"serve/stray argument", []string{"serve", "extra"}, nil, 2, `serve takes no arguments, got "extra"`},
		{"simulate/stray argument", []string{"simulate", "extra"}, nil, 2, `simulate takes no arguments, got "extra"`},
		{"loadtest/stray argument", []string{"loadtest", "extra"}, nil, 2, `loadtest takes no arguments, got "extra"`},
		{"audit/list stray argument", []string{"audit", "list", "--db", auditDB, "extra"}, nil, 2, `audit list takes no arguments, got "extra"`},
		{"version/stray argument", []string{"version", "extra"}, nil, 2, `version takes no arguments, got "extra"`},

		{"score/missing file", []string{"score", "testdata/score/nope.jsonl"}, nil, 2, "nope.jsonl"},
		{"score/directory", []string{"score", "testdata"}, nil, 2, "is a directory"},
		{"score/bad flag", []string{"score", "--bogus"}, nil, 2, "bogus"},
		{"score/missing model", []string{"score", "--model", "testdata/score/nope.model"}, nil, 2, "nope.model"},

		{"serve/incomplete GitHub App config", []string{"serve"}, map[string]string{"SLOPGUARD_GITHUB_APP_ID": "1"}, 2, "SLOPGUARD_GITHUB_PRIVATE_KEY"},

		{"train/no data", []string{"train"}, nil, 2, "--data is required"},
		{"train/one-label factor zero", []string{"train", "--data", "x", "--one-label-factor", "0"}, nil, 2, "--one-label-factor must be above 0"},
		{"train/weight cap zero", []string{"train", "--data", "x", "--max-weight", "0"}, nil, 2, "--max-weight must be above 0"},
		{"train/negative l2", []string{"train", "--data", "x", "--l2", "-1"}, nil, 2, "--l2 must not be negative"},
		{"train/unknown flag", []string{"train", "--data", "x", "--bogus"}, nil, 2, "flag provided but not defined"},
		{"train/empty name", []string{"train", "--data", "x", "--name", ""}, nil, 2, "--name"},
		{"train/name with a space", []string{"train", "--data", "x", "--name", "my model"}, nil, 2, "--name"},
		{"train/source factor without =", []string{"train", "--data", "x", "--source-factor", "glimpse"}, nil, 2, "want SOURCE=X"},
		{"train/source factor zero", []string{"train", "--data", "x", "--source-factor", "glimpse=0"}, nil, 2, "want SOURCE=X with X above 0"},
		{"train/source factor not a number", []string{"train", "--data", "x", "--source-factor", "glimpse=lots"}, nil, 2, "want SOURCE=X"},
		{"train/source factor without a name", []string{"train", "--data", "x", "--source-factor", "=2"}, nil, 2, "want SOURCE=X"},

		{"unseen/no data", []string{"unseen", "--loo"}, nil, 2, "--data is required"},
		{"unseen/no benchmark", []string{"unseen", "--data", data}, nil, 2, "give --loo, --lofo or both"},
		{"unseen/lofo without families", []string{"unseen", "--data", data, "--lofo"}, nil, 2, "--lofo needs the generators' families"},
		{"unseen/missing families file", []string{"unseen", "--data", data, "--lofo", "--families", filepath.Join(dir, "none.tsv")}, nil, 2, "read families"},
		{"unseen/bad train flag", []string{"unseen", "--data", data, "--loo", "--max-weight", "0"}, nil, 2, "--max-weight must be above 0"},
		{"unseen/update without a section", []string{"unseen", "--data", data, "--loo", "--update", noMarkers}, nil, 2, "no \"<!-- loo:begin -->\""},
		{"unseen/update without the suffixed section", []string{"unseen", "--data", data, "--loo", "--section-suffix", "-full", "--update", noMarkers}, nil, 2, "no \"<!-- loo-full:begin -->\""},
		{"unseen/bad section suffix", []string{"unseen", "--data", data, "--loo", "--section-suffix", "x -->"}, nil, 2, "--section-suffix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := auditRun(t, tt.vars, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.msg) {
				t.Errorf("got exit %d, stderr %q; want exit %d mentioning %q", code, errOut, tt.code, tt.msg)
			}
			if out != "" {
				t.Errorf("got stdout %q, want nothing", out)
			}
		})
	}
	t.Cleanup(func() {
		if _, err := os.Stat(missingDB); !os.IsNotExist(err) {
			t.Errorf("audit list created %s (stat: %v), want it left absent", missingDB, err)
		}
	})
}
