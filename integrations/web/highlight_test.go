package web

import (
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector"
)

func TestHighlight(t *testing.T) {
	text := "héllo wörld, say hi"
	m := func(w float64, spans ...detector.Span) detector.Reason {
		return detector.Reason{Text: "r", Weight: w, Spans: spans}
	}
	tests := []struct {
		name    string
		reasons []detector.Reason
		// want lists the segments as text|dir|strength, plain ones as text.
		want []string
	}{
		{"no reasons", nil, []string{"héllo wörld, say hi"}},
		{"one machine span", []detector.Reason{m(0.6, detector.Span{Start: 0, End: 6})}, []string{"héllo|machine|3", " wörld, say hi"}},
		{"a human one, weak", []detector.Reason{m(-0.1, detector.Span{Start: 19, End: 21})}, []string{"héllo wörld, say ", "hi|human|1"}},
		{"overlap sums the weights", []detector.Reason{m(0.3, detector.Span{Start: 0, End: 13}), m(-0.5, detector.Span{Start: 7, End: 13})},
			[]string{"héllo |machine|2", "wörld|human|2", ", say hi"}},
		{"a span inside a letter widens", []detector.Reason{m(0.2, detector.Span{Start: 2, End: 3})}, []string{"h", "é|machine|2", "llo wörld, say hi"}},
		{"spans outside the text are dropped", []detector.Reason{m(1, detector.Span{Start: 50, End: 60}), m(1, detector.Span{Start: 5, End: 2}), m(1, detector.Span{Start: -3, End: 0})},
			[]string{"héllo wörld, say hi"}},
		{"a span past the end is cut", []detector.Reason{m(1, detector.Span{Start: 19, End: 99})}, []string{"héllo wörld, say ", "hi|machine|3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var joined strings.Builder
			for _, s := range Highlight(text, tt.reasons) {
				joined.WriteString(s.Text)
				if s.Marked {
					got = append(got, s.Text+"|"+s.Dir+"|"+itoa(s.Strength))
				} else {
					got = append(got, s.Text)
				}
			}
			if joined.String() != text {
				t.Errorf("segments join to %q, want the text", joined.String())
			}
			if strings.Join(got, "¦") != strings.Join(tt.want, "¦") {
				t.Errorf("Highlight = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestShowText(t *testing.T) {
	got := string(showText("a<b>\u202ec&\"d\u2069"))
	want := `a&lt;b&gt;<span class="ctl" title="a hidden direction control character (RLO) was here">[RLO]</span>c&amp;&#34;d<span class="ctl" title="a hidden direction control character (PDI) was here">[PDI]</span>`
	if got != want {
		t.Errorf("showText = %s\nwant %s", got, want)
	}
	if got := plainText("x\u202ey"); got != "x\uFFFDy" {
		t.Errorf("plainText = %q", got)
	}
}

func TestShortTitle(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"short", "Fix the parser", 80, "Fix the parser"},
		{"empty", "", 80, ""},
		{"exactly max", "abcde", 5, "abcde"},
		{"cut", "abcdef", 5, "abcde…"},
		{"white space and line breaks made one space", "  Fix\n\tthe   parser \r\n", 80, "Fix the parser"},
		{"cut on a rune boundary", "ünïcödé 🚀🚀🚀", 9, "ünïcödé 🚀…"},
		{"combining text is cut by runes", "e\u0301e\u0301e\u0301", 3, "e\u0301e…"},
		{"invalid UTF-8 counts a byte a rune", "ab\xffcd", 3, "ab\xff…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := shortTitle(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("shortTitle(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}
