package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnseenUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	noMarkers := filepath.Join(dir, "doc.md")
	if err := os.WriteFile(noMarkers, []byte("# no sections\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := writeJSONL(t, "d.jsonl", trainRecords(20, "train", ""))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no data", []string{"unseen", "--loo"}, "--data is required"},
		{"no benchmark", []string{"unseen", "--data", data}, "give --loo, --lofo or both"},
		{"lofo without families", []string{"unseen", "--data", data, "--lofo"}, "--lofo needs --families"},
		{"missing families file", []string{"unseen", "--data", data, "--lofo", "--families", filepath.Join(dir, "none.tsv")}, "read families"},
		{"bad train flag", []string{"unseen", "--data", data, "--loo", "--max-weight", "0"}, "--max-weight must be above 0"},
		{"update without a section", []string{"unseen", "--data", data, "--loo", "--update", noMarkers}, "no \"<!-- loo:begin -->\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, errOut := auditRun(t, nil, tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tt.want)
			}
		})
	}
}
