package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/sqlstore"
)

// What the command tests share: running the CLI in-process, fixture files
// and stores, and waiting on a running server's logs.

// testEnv is an env reading stdin and writing to stdout and stderr, with
// only vars as the environment.
func testEnv(stdin io.Reader, stdout, stderr io.Writer, vars map[string]string) *env {
	return &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: func(k string) string { return vars[k] }}
}

// auditDB creates a SQLite database in a temp dir, lets seed fill it, and
// returns its path.
func auditDB(t *testing.T, seed func(s store.Store)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "slopguard.db")
	s, err := sqlstore.Open(t.Context(), sqlstore.SQLite, path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer s.Close()
	if seed != nil {
		seed(s)
	}
	return path
}

// auditRun runs the CLI in-process with only vars as the environment.
func auditRun(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := testEnv(strings.NewReader(""), &out, &errOut, vars)
	code = run(context.Background(), e, args)
	return code, out.String(), errOut.String()
}

// writeFile writes text to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeJSONL writes records, then raw lines, to name in a new temp dir
// and returns the file's path.
func writeJSONL(t *testing.T, name string, recs []map[string]any, raw ...string) string {
	t.Helper()
	var b strings.Builder
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	for _, line := range raw {
		b.WriteString(line + "\n")
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// notifier wakes waiters whenever something they may wait for changed.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func (n *notifier) changed() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

func (n *notifier) poke() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
}

// waitFor waits until cond holds, re-checking it on every change.
func waitFor(t *testing.T, n *notifier, what string, cond func() bool) {
	t.Helper()
	timeout := time.NewTimer(60 * time.Second)
	defer timeout.Stop()
	for {
		ch := n.changed()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-timeout.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// logWatch is a replica's stderr that wakes waiters on every line.
type logWatch struct {
	n   *notifier
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf.Write(p)
	l.mu.Unlock()
	l.n.poke()
	return len(p), nil
}

// lines counts the log lines containing every one of parts.
func (l *logWatch) lines(parts ...string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range strings.Split(l.buf.String(), "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			n++
		}
	}
	return n
}

func (l *logWatch) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// githubAppEnv is the environment of a GitHub App server storing in a SQLite
// file under dir, with a fresh private key and the webhook secret "s3cret".
func githubAppEnv(t *testing.T, dir string) map[string]string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"SLOPGUARD_DATABASE_URL":          filepath.Join(dir, "slopguard.db"),
		"SLOPGUARD_GITHUB_APP_ID":         "1234",
		"SLOPGUARD_GITHUB_PRIVATE_KEY":    string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
		"SLOPGUARD_GITHUB_WEBHOOK_SECRET": "s3cret",
	}
}

// startServe runs `slopguard serve --config cfgPath` on a loopback port
// until ctx ends, with only vars as the environment, and sends its exit code
// to exits. Its stderr is the returned logWatch, which pokes n on every line,
// as does the exit.
func startServe(ctx context.Context, n *notifier, cfgPath string, vars map[string]string, exits chan<- int) *logWatch {
	lw := &logWatch{n: n}
	e := testEnv(strings.NewReader(""), io.Discard, lw, vars)
	go func() {
		exits <- run(ctx, e, []string{"serve", "--config", cfgPath, "--listen", "127.0.0.1:0"})
		n.poke()
	}()
	return lw
}
