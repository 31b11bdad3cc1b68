package web

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slopguard/slopguard/detector"
)

// FuzzRender checks that any text with any spans renders: the segments
// put the text back together, and the page writes no tag the text held.
func FuzzRender(f *testing.F) {
	f.Add("héllo <b>wörld</b>\u202e!", 0, 3, 2, 9)
	f.Add("</pre><script>alert(1)</script>", 6, 14, -4, 100)
	f.Add("\xff\xfe broken \u2066utf8", 1, 2, 3, 4)
	f.Fuzz(func(t *testing.T, text string, a, b, c, d int) {
		reasons := []detector.Reason{
			{Text: "r1 <i>", Weight: 0.4, Spans: []detector.Span{{Start: a, End: b}}},
			{Text: "r2", Weight: -0.7, Spans: []detector.Span{{Start: c, End: d}, {Start: a, End: d}}},
		}
		segs := Highlight(text, reasons)
		var joined strings.Builder
		for _, s := range segs {
			joined.WriteString(s.Text)
			if s.Marked && utf8.ValidString(text) && !utf8.ValidString(s.Text) {
				t.Fatalf("a mark cuts a character: %q", s.Text)
			}
		}
		if joined.String() != text {
			t.Fatalf("segments join to %q, want %q", joined.String(), text)
		}
		var buf bytes.Buffer
		if err := WriteReport(&buf, "t", "s", 0.5, []ReportItem{{Name: text, Text: text, Checked: true, Result: detector.Result{Score: 0.5, Reasons: reasons}}}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, bad := range []string{"<script", "<b>", "<i>", "\u202e", "\u2066"} {
			if strings.Contains(out, bad) {
				t.Fatalf("the report holds %q from the text", bad)
			}
		}
	})
}
