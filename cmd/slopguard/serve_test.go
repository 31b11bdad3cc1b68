package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeStartsAndStops(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	envVars := map[string]string{
		"SLOPGUARD_DATABASE_URL":          filepath.Join(t.TempDir(), "slopguard.db"),
		"SLOPGUARD_GITHUB_APP_ID":         "1234",
		"SLOPGUARD_GITHUB_PRIVATE_KEY":    string(pemKey),
		"SLOPGUARD_GITHUB_WEBHOOK_SECRET": "s3cret",
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // start, then shut down at once
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return envVars[k] }}
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
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return envVars[k] }}
	if got := run(context.Background(), e, []string{"serve", "--listen", taken.Addr().String()}); got != 1 {
		t.Fatalf("got exit %d, want 1 (stderr %s)", got, errOut.String())
	}
	if !strings.Contains(errOut.String(), "listen") || strings.Contains(errOut.String(), "serving") {
		t.Errorf("got stderr %q, want a listen error before anything started", errOut.String())
	}
}
