package dataset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeDataFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestByteOrderMarkKeepsTheFirstRecord(t *testing.T) {
	dir := t.TempDir()
	p := writeDataFile(t, dir, "bom.jsonl", "\ufeff{\"text\":\"first\",\"label\":\"human\",\"split\":\"dev\"}\n{\"text\":\"second\",\"label\":\"machine\",\"split\":\"dev\"}\n")
	recs, err := Read([]string{p}, nil)
	if err != nil || len(recs) != 2 {
		t.Errorf("BOM file: got %d records, err %v; want 2 records, nil", len(recs), err)
	}
}

func TestCRLFLongLinesAndInvalidUTF8(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("x", 17<<20)
	content := "{\"text\":\"a\",\"label\":\"human\"}\r\n" +
		"{\"text\":\"" + long + "\",\"label\":\"machine\"}\r\n" +
		"{\"text\":\"bad \xff\xfe utf8\",\"label\":\"human\"}\r\n"
	p := writeDataFile(t, dir, "x.jsonl", content)
	recs, err := Read([]string{p}, nil)
	if err != nil || len(recs) != 3 {
		t.Fatalf("got %d, %v", len(recs), err)
	}
	if len(recs[1].Text) != len(long) || recs[2].Text != "bad \ufffd\ufffd utf8" || recs[2].Line != 3 {
		t.Errorf("got %d %q %d", len(recs[1].Text), recs[2].Text, recs[2].Line)
	}
}

func TestNestedDirectories(t *testing.T) {
	dir := t.TempDir()
	writeDataFile(t, dir, "a/b/c.jsonl", "{\"text\":\"a\",\"label\":\"human\"}\n")
	writeDataFile(t, dir, "a/notes.txt", "junk\n")
	writeDataFile(t, dir, "a/x.jsonl.bak", "junk\n")
	writeDataFile(t, dir, "z.jsonl", "{\"text\":\"b\",\"label\":\"human\"}\n")
	recs, err := Read([]string{dir}, nil)
	if err != nil || len(recs) != 2 || recs[0].File != "c" || recs[0].Dir != "b" {
		t.Errorf("got %+v %v", recs, err)
	}
	var bad *BadLinesError
	_ = errors.As(err, &bad)
}

// Sampling spread: records without ids (or with sequential ids).
func TestLimitPerFileSpreadsWithoutIDs(t *testing.T) {
	for _, withID := range []bool{false, true} {
		var recs []Record
		for i := 1; i <= 10000; i++ {
			r := Record{File: "f", Line: i}
			if withID {
				r.ID = fmt.Sprintf("id-%d", i)
			}
			recs = append(recs, r)
		}
		got := LimitPerFile(recs, 500)
		dec := make([]int, 10)
		for _, r := range got {
			dec[(r.Line-1)/1000]++
		}
		t.Logf("withID=%v kept %d deciles %v", withID, len(got), dec)
		for _, d := range dec {
			if d < 25 || d > 75 {
				t.Errorf("withID=%v: deciles %v, want about 50 each", withID, dec)
				break
			}
		}
	}
}

// A --data directory given through a symlink (e.g. a data dir linked into the checkout).
func TestSymlinkedDataDirectory(t *testing.T) {
	dir := t.TempDir()
	writeDataFile(t, dir, "real/pr/a.jsonl", "{\"text\":\"a\",\"label\":\"human\"}\n")
	link := filepath.Join(dir, "data")
	if err := os.Symlink(filepath.Join(dir, "real"), link); err != nil {
		t.Fatal(err)
	}
	recs, err := Read([]string{link}, nil)
	if err != nil || len(recs) != 1 {
		t.Errorf("Read(symlink to dir): got %d records, err %v; want 1, nil", len(recs), err)
	}
}

// A file named relative to the working directory.
func TestDirOfARelativeFile(t *testing.T) {
	dir := t.TempDir()
	writeDataFile(t, dir, "pr/a.jsonl", "{\"text\":\"a\",\"label\":\"human\"}\n")
	t.Chdir(filepath.Join(dir, "pr"))
	recs, err := Read([]string{"a.jsonl"}, nil)
	if err != nil || len(recs) != 1 || recs[0].Dir != "pr" {
		t.Errorf("got Dir %q (err %v), want \"pr\"", recs[0].Dir, err)
	}
	recs, _ = Read([]string{"."}, nil)
	if recs[0].Dir != "pr" {
		t.Errorf("Read(\".\"): got Dir %q, want \"pr\"", recs[0].Dir)
	}
}

// The same file reached twice (a directory and a file inside it).
func TestOverlappingPathsReadOnce(t *testing.T) {
	dir := t.TempDir()
	p := writeDataFile(t, dir, "pr/a.jsonl", "{\"text\":\"a\",\"label\":\"human\"}\n")
	recs, err := Read([]string{dir, p}, nil)
	if err != nil || len(recs) != 1 {
		t.Errorf("got %d records (err %v), want the file's 1 record once", len(recs), err)
	}
}

// Two files with the same base name in different directories.
func TestSameBaseNameInTwoDirectories(t *testing.T) {
	dir := t.TempDir()
	var a, b string
	for i := 0; i < 10; i++ {
		a += "{\"text\":\"a\",\"label\":\"human\"}\n"
		b += "{\"text\":\"b\",\"label\":\"machine\"}\n"
	}
	writeDataFile(t, dir, "pr/x.jsonl", a)
	writeDataFile(t, dir, "qa/x.jsonl", b)
	recs, _ := Read([]string{dir}, nil)
	got := LimitPerFile(recs, 5)
	if len(got) != 10 {
		t.Errorf("LimitPerFile(5) over two files: got %d records, want 5 of each = 10", len(got))
	}
}
