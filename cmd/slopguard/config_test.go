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
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"example server config", []string{"config", "validate", filepath.Join("..", "..", "config", "slopguard.example.yml")}, 0, "valid server config", ""},
		{"policy", []string{"config", "validate", write("policy.yml", "mode: observe\n")}, 0, "valid repository policy", ""},
		{"bad policy", []string{"config", "validate", write("bad.yml", "mode: loud\nlabels: x\n")}, 1, "", `unknown mode "loud"`},
		{"bad server config", []string{"config", "validate", write("server.yml", "listen: ''\ngithub: {workers: 0}\n")}, 1, "", "github.workers"},
		{"missing file", []string{"config", "validate", filepath.Join(dir, "nope.yml")}, 2, "", "read"},
		{"no file", []string{"config", "validate"}, 2, "", "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
			if got := run(context.Background(), e, tt.args); got != tt.wantCode {
				t.Fatalf("got exit %d, want %d (stderr %q)", got, tt.wantCode, errOut.String())
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
