package main

import (
	"bytes"
	"context"
	"errors"
	"io"
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
			e := &env{stdin: pr, stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
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
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	if code := run(context.Background(), e, nil); code != 2 || out.Len() != 0 || !strings.Contains(errOut.String(), "serve") {
		t.Errorf("no command: exit %d, stdout %q, stderr %d bytes; want 2, nothing on stdout, the help on stderr", code, out.String(), errOut.Len())
	}
	out.Reset()
	if code := run(context.Background(), e, []string{"help"}); code != 0 || !strings.Contains(out.String(), "serve") {
		t.Errorf("help: exit %d, want 0 with the help on stdout", code)
	}
}
