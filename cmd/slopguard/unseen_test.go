package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSpliceTablesReadsFilesWhenWriting checks that the tables go into the
// files as they are when the folds end: text edited in the meantime (here,
// everything outside the sections) is kept, and a section not run is left
// alone.
func TestSpliceTablesReadsFilesWhenWriting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "evaluation.md")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("# before\n<!-- loo:begin -->\nold loo\n<!-- loo:end -->\n<!-- lofo:begin -->\nold lofo\n<!-- lofo:end -->\n")
	// An edit made while the folds ran.
	write("# edited during the run\n<!-- loo:begin -->\nold loo\n<!-- loo:end -->\n<!-- lofo:begin -->\nold lofo\n<!-- lofo:end -->\nnew paragraph\n")
	var stderr bytes.Buffer
	if err := spliceTables(&env{stderr: &stderr}, []string{path}, map[string]string{"loo": "new loo table\n"}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "# edited during the run\n<!-- loo:begin -->\nnew loo table\n<!-- loo:end -->\n<!-- lofo:begin -->\nold lofo\n<!-- lofo:end -->\nnew paragraph\n"
	if string(got) != want {
		t.Errorf("file after splicing:\n%s\nwant:\n%s", got, want)
	}
	if !bytes.Contains(stderr.Bytes(), []byte("updated "+path)) {
		t.Errorf("stderr %q does not say the file was updated", stderr.String())
	}
}
