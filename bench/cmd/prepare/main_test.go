package main

import (
	"testing"
	"unicode/utf8"
)

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		n        int
	}{
		{"no placeholder here", "no placeholder here", 0},
		{"try [<-CODE->] then", "try then", 1},
		{"see [<-LINK->]\nand [<-CODE->]  done", "see and done", 2},
		{"[<-CODE->]", "", 1},
		{"a [<-code->] b", "a [<-code->] b", 0}, // only the corpus's upper-case placeholders
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, n := mask(tt.in)
			if got != tt.want || n != tt.n {
				t.Errorf("mask(%q) = %q, %d; want %q, %d", tt.in, got, n, tt.want, tt.n)
			}
		})
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	texts := []string{"héllo wörld", "ünïcode"}
	for _, n := range []int{1, 2, 3, 7, 100, 1000} {
		got := build(texts, n)
		if len(got) > n || len(got) < n-utf8.UTFMax+1 {
			t.Errorf("build(%d) has %d bytes, want %d or just under", n, len(got), n)
		}
		if !utf8.ValidString(got) {
			t.Errorf("build(%d) = %q, not valid UTF-8", n, got)
		}
	}
}
