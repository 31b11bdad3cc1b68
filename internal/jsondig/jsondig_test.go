package jsondig

import (
	"encoding/json"
	"testing"
)

func TestDig(t *testing.T) {
	t.Parallel()
	var doc any
	if err := json.Unmarshal([]byte(`{"embeds":[{"title":"Flagged","fields":[{"value":"0.92"}]}],"n":3}`), &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path []any
		want any
	}{
		{"key then index then key", []any{"embeds", 0, "title"}, "Flagged"},
		{"deep", []any{"embeds", 0, "fields", 0, "value"}, "0.92"},
		{"number", []any{"n"}, 3.0},
		{"missing key", []any{"content"}, nil},
		{"index out of range", []any{"embeds", 1}, nil},
		{"negative index", []any{"embeds", -1}, nil},
		{"key on an array", []any{"embeds", "title"}, nil},
		{"index on an object", []any{0}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Dig(doc, tt.path...); got != tt.want {
				t.Errorf("Dig(%v) = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
	if got := Dig(doc); got == nil {
		t.Error("Dig with no path: got nil, want the value itself")
	}
}
