package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
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

// TestMetricsOnASeparateListener: with metrics_listen set, /metrics is
// served there (an address kept off the internet) and not on the public
// listener that takes GitHub's webhooks.
func TestMetricsOnASeparateListener(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfgPath := writeFile(t, dir, "slopguard.yml", "metrics_listen: 127.0.0.1:0\n")
	n := &notifier{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	lw := startServe(ctx, n, cfgPath, githubAppEnv(t, dir), done)
	addrs := regexp.MustCompile(`msg=serving addr=(\S+) metrics_addr=(\S+)`)
	var m []string
	waitFor(t, n, "serve to listen", func() bool {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d before listening:\n%s", code, lw)
		default:
		}
		m = addrs.FindStringSubmatch(lw.String())
		return m != nil
	})
	get := func(addr, path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatalf("GET %s%s: %v", addr, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(m[2], "/metrics"); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics listener /metrics: %d, want 200 with the metrics", code)
	}
	if code, _ := get(m[1], "/metrics"); code != http.StatusNotFound {
		t.Errorf("public listener /metrics: %d, want 404", code)
	}
	if code, _ := get(m[1], "/healthz"); code != 200 {
		t.Errorf("public listener /healthz: %d, want 200", code)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d:\n%s", code, lw)
	}
}
