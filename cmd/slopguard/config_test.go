package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	app := write("app.yml", "github:\n  app_id: 12345\n")
	secrets := map[string]string{"SLOPGUARD_GITHUB_PRIVATE_KEY": "key", "SLOPGUARD_GITHUB_WEBHOOK_SECRET": "secret"}
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"example server config", []string{"config", "validate", filepath.Join("..", "..", "config", "slopguard.example.yml")}, nil, 0, "valid server config", ""},
		{"policy", []string{"config", "validate", write("policy.yml", "mode: observe\n")}, nil, 0, "valid repository policy", ""},
		{"bad policy", []string{"config", "validate", write("bad.yml", "mode: loud\nlabels: x\n")}, nil, 2, "", `unknown mode "loud"`},
		{"bad server config", []string{"config", "validate", write("server.yml", "listen: ''\ngithub: {workers: 0}\n")}, nil, 2, "", "listen: must not be empty; github.workers"},
		{"app ID with its secrets in the environment", []string{"config", "validate", app}, secrets, 0, "valid server config", ""},
		{"app ID without its secrets", []string{"config", "validate", app}, nil, 2, "", "SLOPGUARD_GITHUB_PRIVATE_KEY_FILE must be set when the App ID is; github: SLOPGUARD_GITHUB_WEBHOOK_SECRET"},
		{"missing file", []string{"config", "validate", filepath.Join(dir, "nope.yml")}, nil, 2, "", "no such file or directory"},
		{"no file", []string{"config", "validate"}, nil, 2, "", "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return tt.env[k] }}
			if got := run(context.Background(), e, tt.args); got != tt.wantCode {
				t.Fatalf("got exit %d, want %d (stderr %q)", got, tt.wantCode, errOut.String())
			}
			if tt.wantCode != 0 && strings.Count(errOut.String(), "\n") != 1 {
				t.Errorf("got stderr %q, want one line", errOut.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("got stdout %q, want %q", out.String(), tt.wantOut)
			}
			if !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("got stderr %q, want %q", errOut.String(), tt.wantErr)
			}
		})
	}
}

func TestConfigHelpExitsZero(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"config", "-h"}, {"config", "validate", "-h"}} {
		code, out, errOut := auditRun(t, nil, args...)
		if code != 0 || !strings.Contains(out, "usage: slopguard config validate FILE") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 0 and the usage", args, code, out, errOut)
		}
	}
}
