package main

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeStartsAndStops(t *testing.T) {
	t.Parallel()
	envVars := githubAppEnv(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // start, then shut down at once
	var out, errOut bytes.Buffer
	e := testEnv(strings.NewReader(""), &out, &errOut, envVars)
	if got := run(ctx, e, []string{"serve", "--listen", "127.0.0.1:0"}); got != 0 {
		t.Fatalf("got exit %d, want 0 (stderr %s)", got, errOut.String())
	}
	logs := errOut.String()
	for _, want := range []string{"github app enabled", "serving", "shutting down"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "s3cret") || strings.Contains(logs, "PRIVATE KEY") {
		t.Errorf("logs contain a secret:\n%s", logs)
	}
}

func TestServeFailsFastOnATakenPort(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	envVars := map[string]string{"SLOPGUARD_DATABASE_URL": filepath.Join(t.TempDir(), "slopguard.db")}
	var out, errOut bytes.Buffer
	e := testEnv(strings.NewReader(""), &out, &errOut, envVars)
	if got := run(context.Background(), e, []string{"serve", "--listen", taken.Addr().String()}); got != 1 {
		t.Fatalf("got exit %d, want 1 (stderr %s)", got, errOut.String())
	}
	if !strings.Contains(errOut.String(), "listen") || strings.Contains(errOut.String(), "serving") {
		t.Errorf("got stderr %q, want a listen error before anything started", errOut.String())
	}
}
