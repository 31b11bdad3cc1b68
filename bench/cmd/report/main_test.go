package main

import (
	"math"
	"testing"
)

func TestParseScore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, line string
		want       float64
		wantErr    bool
	}{
		{"plain number", "0.25", 0.25, false},
		{"slopguard JSON", `{"id":"a","text":"hi","score":0.75,"verdict":"unsure"}`, 0.75, false},
		{"fastText machine first", "__label__machine 0.9 __label__human 0.1", 0.9, false},
		{"fastText human first", "__label__human 0.8 __label__machine 0.2", 0.2, false},
		{"fastText k=1 human only", "__label__human 0.7", 0.3, false},
		{"JSON without score", `{"line":3,"error":"bad"}`, 0, true},
		{"garbage", "n/a", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseScore(tt.line)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseScore(%q) error = %v, want error %v", tt.line, err, tt.wantErr)
			}
			if !tt.wantErr && math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("parseScore(%q) = %v, want %v", tt.line, got, tt.want)
			}
		})
	}
}
