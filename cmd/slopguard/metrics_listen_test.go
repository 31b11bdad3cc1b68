package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMetricsOnASeparateListener: with metrics_listen set, /metrics is
// served there (an address kept off the internet) and not on the public
// listener that takes GitHub's webhooks.
func TestMetricsOnASeparateListener(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "slopguard.yml")
	if err := os.WriteFile(cfgPath, []byte("metrics_listen: 127.0.0.1:0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	envVars := map[string]string{
		"SLOPGUARD_DATABASE_URL":          filepath.Join(dir, "slopguard.db"),
		"SLOPGUARD_GITHUB_APP_ID":         "1234",
		"SLOPGUARD_GITHUB_PRIVATE_KEY":    string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
		"SLOPGUARD_GITHUB_WEBHOOK_SECRET": "s3cret",
	}
	n := &notifier{}
	lw := &logWatch{n: n}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: lw, getenv: func(k string) string { return envVars[k] }}
	go func() {
		done <- run(ctx, e, []string{"serve", "--config", cfgPath, "--listen", "127.0.0.1:0"})
		n.poke()
	}()
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
