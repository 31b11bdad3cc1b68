package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTemp writes data to a file named name in a fresh temporary
// directory and returns its path.
func writeTemp(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadYAML loads yml (no file at all when it is empty) with env as the
// environment.
func loadYAML(t *testing.T, yml string, env map[string]string) (Config, error) {
	t.Helper()
	path := ""
	if yml != "" {
		path = writeTemp(t, "c.yml", yml)
	}
	return Load(path, func(k string) string { return env[k] })
}

// checkErr fails t unless err mentions every one of want, or, with no want
// (or only ""), unless err is nil. It reports whether an error was wanted,
// so the caller stops there.
func checkErr(t *testing.T, err error, want ...string) bool {
	t.Helper()
	want = slices.DeleteFunc(slices.Clone(want), func(w string) bool { return w == "" })
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		return false
	}
	if err == nil {
		t.Fatalf("got no error, want one mentioning %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("got error %q, want it to mention %q", err, w)
		}
	}
	return true
}
