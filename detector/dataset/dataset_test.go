package dataset

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestReadDirectory(t *testing.T) {
	t.Parallel()
	recs, err := Read([]string{"testdata/dir"}, nil)
	var bad *BadLinesError
	if !errors.As(err, &bad) {
		t.Fatalf("got err %v, want a *BadLinesError", err)
	}
	if bad.Count != 3 {
		t.Errorf("got %d bad lines, want 3 (%v)", bad.Count, bad)
	}
	wantBad := []int{4, 5, 6}
	for i, bl := range bad.First {
		if bl.Line != wantBad[i] {
			t.Errorf("bad line %d: got line %d, want %d", i, bl.Line, wantBad[i])
		}
	}
	want := []Record{
		{Text: "lol same", Label: "human", Domain: "chat", ID: "a1", Split: "dev", Group: "c-1", File: "a_set", Dir: "dir", Line: 1},
		{Text: "no newline at end", Label: "human", ID: "a2", Split: "train", Group: "a2", File: "a_set", Dir: "dir", Line: 2},
		{Text: "Fix the build on Windows", Label: "human", Kind: "pr_title", ID: "b1", Split: "dev", Group: "acme/widgets", File: "b_set", Dir: "dir", Line: 1},
		{Text: "This PR refactors the parser.", Label: "machine", Kind: "pr", Generator: "agent-x", ID: "42", Split: "train", Group: "42", File: "b_set", Dir: "dir", Line: 3},
		{Text: "Great question! Here is a summary.", Label: "machine", Domain: "qa", Generator: "gpt", ID: "b6", Split: "dev", Group: "q-7", File: "b_set", Dir: "dir", Line: 7},
		{Text: "Nested file.", Label: "machine", ID: "c1", Split: "dev", Source: "x/y@1:z", Group: "c1", File: "c_set", Dir: "sub", Line: 1},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("got\n%+v\nwant\n%+v", recs, want)
	}
}

func TestReadFilterAndFiles(t *testing.T) {
	t.Parallel()
	recs, err := Read([]string{"testdata/dir/sub/c_set.jsonl", "testdata/dir/a_set.jsonl"}, SplitFilter("dev"))
	if err != nil {
		t.Fatalf("got err %v, want nil", err)
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	if got, want := strings.Join(ids, ","), "c1,a1"; got != want {
		t.Errorf("got ids %s, want %s", got, want)
	}
}

func TestReadMissing(t *testing.T) {
	t.Parallel()
	_, err := Read([]string{"testdata/nope"}, nil)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got err %v, want not-exist", err)
	}
	empty := t.TempDir()
	if _, err := Read([]string{empty}, nil); err == nil || !strings.Contains(err.Error(), "no *.jsonl") {
		t.Errorf("got err %v, want no *.jsonl files", err)
	}
}

func TestReadLongLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	long := strings.Repeat("x", 3<<20)
	body := `{"text":"` + long + `","label":"machine"}` + "\n" + `{"text":"short","label":"human"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "long.jsonl"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	recs, err := Read([]string{dir}, nil)
	if err != nil {
		t.Fatalf("got err %v, want nil", err)
	}
	if len(recs) != 2 || len(recs[0].Text) != len(long) || recs[1].Text != "short" {
		t.Errorf("got %d records (first text %d bytes), want 2 with the long text intact", len(recs), len(recs[0].Text))
	}
}

func TestCategoryAndMachine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r       Record
		cat     string
		machine bool
	}{
		{Record{Kind: "pr", Domain: "qa", Label: "machine"}, "pr", true},
		{Record{Domain: "qa", Label: "human"}, "qa", false},
		{Record{Label: "human"}, "other", false},
	}
	for _, tt := range tests {
		t.Run(tt.cat, func(t *testing.T) {
			if got := Category(tt.r); got != tt.cat {
				t.Errorf("got category %q, want %q", got, tt.cat)
			}
			if got := tt.r.Machine(); got != tt.machine {
				t.Errorf("got Machine() %v, want %v", got, tt.machine)
			}
		})
	}
}

func TestLimitPerFile(t *testing.T) {
	t.Parallel()
	var recs []Record
	for i := range 50 {
		recs = append(recs, Record{File: "a", ID: string(rune('A' + i%26)), Line: i + 1})
	}
	recs = append(recs, Record{File: "b", ID: "only", Line: 1})
	got := LimitPerFile(recs, 10)
	counts := map[string]int{}
	last := 0
	for _, r := range got {
		counts[r.File]++
		if r.File == "a" {
			if r.Line <= last {
				t.Errorf("order not preserved: line %d after %d", r.Line, last)
			}
			last = r.Line
		}
	}
	if counts["a"] != 10 || counts["b"] != 1 {
		t.Errorf("got counts %v, want a:10 b:1", counts)
	}
	if again := LimitPerFile(recs, 10); !reflect.DeepEqual(again, got) {
		t.Error("got a different sample on the second call, want the same")
	}
	if all := LimitPerFile(recs, 0); len(all) != len(recs) {
		t.Errorf("got %d records for n=0, want all %d", len(all), len(recs))
	}
}

// TestReadSharedData reads the project's full labelled data when it sits
// beside the repository.
func TestReadSharedData(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("skipping: %s not present (%v)", dir, err)
	}
	start := time.Now()
	recs, err := Read([]string{dir}, nil)
	if err != nil {
		t.Fatalf("got err %v, want nil", err)
	}
	t.Logf("read %d records in %v", len(recs), time.Since(start))
	if len(recs) < 100000 {
		t.Errorf("got %d records, want over 100000", len(recs))
	}
	files := map[string]bool{}
	for _, r := range recs {
		files[r.File] = true
		if r.Split != "train" && r.Split != "dev" {
			t.Fatalf("%s:%d: got split %q, want train or dev", r.File, r.Line, r.Split)
		}
		if r.Group == "" {
			t.Fatalf("%s:%d: empty group", r.File, r.Line)
		}
	}
	// Every JSONL file under the data folder yields records, however many
	// files the data has today.
	var onDisk int
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".jsonl") {
			onDisk++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	if onDisk == 0 || len(files) != onDisk {
		t.Errorf("got records from %d source files, want all %d JSONL files", len(files), onDisk)
	}
}

func TestReadJSONL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []Record
		badLine []int // lines reported in the *BadLinesError, nil for no error
	}{
		{
			name: "records and blank lines",
			in:   "{\"text\":\"a\",\"label\":\"human\"}\n\n  \n{\"text\":\"b\",\"label\":\"machine\",\"id\":\"x\"}\n",
			want: []Record{
				{Text: "a", Label: "human", Line: 1},
				{Text: "b", Label: "machine", ID: "x", Group: "x", Line: 4},
			},
		},
		{
			name:    "bad line is named",
			in:      "{\"text\":\"a\",\"label\":\"human\"}\nnot json\n{\"text\":\"c\"}\n",
			want:    []Record{{Text: "a", Label: "human", Line: 1}},
			badLine: []int{2, 3},
		},
		{
			name: "byte-order mark and no final newline",
			in:   "\ufeff{\"text\":\"a\",\"label\":\"human\",\"note\":\"kept\"}",
			want: []Record{{Text: "a", Label: "human", Note: "kept", Line: 1}},
		},
		{
			name: "empty",
			in:   "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadJSONL(strings.NewReader(tt.in), "input")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("records:\n got %+v\nwant %+v", got, tt.want)
			}
			var bad *BadLinesError
			switch {
			case tt.badLine == nil && err != nil:
				t.Errorf("error = %v, want nil", err)
			case tt.badLine != nil && !errors.As(err, &bad):
				t.Errorf("error = %v, want a *BadLinesError", err)
			case tt.badLine != nil:
				var lines []int
				for _, bl := range bad.First {
					lines = append(lines, bl.Line)
					if bl.File != "input" {
						t.Errorf("bad line names %q, want the stream's name %q", bl.File, "input")
					}
				}
				if bad.Count != len(tt.badLine) || !reflect.DeepEqual(lines, tt.badLine) {
					t.Errorf("bad lines: count %d at %v, want %v", bad.Count, lines, tt.badLine)
				}
				if !strings.Contains(err.Error(), "input:2:") {
					t.Errorf("error %q does not name line 2", err)
				}
			}
		})
	}
}

func TestEncoder(t *testing.T) {
	t.Parallel()
	recs := []Record{
		// Every field, HTML-like text and a group of its own.
		{Text: "a <b> & \"c\"\nü 🚀", Label: "machine", Kind: "pr", Domain: "code", Generator: "gpt",
			Source: "x/y", ID: "7", Split: "dev", Group: "octo/repo", Note: "why", File: "f", Dir: "d", Line: 9},
		// Only text and label; a group equal to the id is not written.
		{Text: "", Label: "human", ID: "k", Group: "k"},
		{Text: "t", Label: "human"},
	}
	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	want := `{"text":"a <b> & \"c\"\nü 🚀","label":"machine","kind":"pr","domain":"code","generator":"gpt","source":"x/y","id":"7","split":"dev","group":"octo/repo","note":"why"}
{"text":"","label":"human","id":"k"}
{"text":"t","label":"human"}
`
	if buf.String() != want {
		t.Errorf("encoded:\n%s\nwant:\n%s", buf.String(), want)
	}
	// Read gives the records back, less where they were read from.
	got, err := ReadJSONL(&buf, "encoded")
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		recs[i].File, recs[i].Dir, recs[i].Line = "", "", i+1
	}
	if !reflect.DeepEqual(got, recs) {
		t.Errorf("read back:\n got %+v\nwant %+v", got, recs)
	}
}
