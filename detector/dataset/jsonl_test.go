package dataset

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

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
