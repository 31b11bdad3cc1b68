package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector"
)

// TestReportHostileFields: every string of a report that can come from the
// checked repository (a file name in an error, a skip reason quoting one,
// a note) is escaped and shows its direction controls as marks, as the
// inputs' names and texts are.
func TestReportHostileFields(t *testing.T) {
	t.Parallel()
	const evil = "docs/\u202egnp.exe</p><script>alert(1)</script>.md"
	var buf bytes.Buffer
	err := WriteReport(&buf, "slopguard check", "2 inputs \u2066"+evil, 0.5, []ReportItem{
		{Name: evil, Err: "open " + evil + ": permission denied"},
		{Name: evil, Skipped: "binary file " + evil},
		{Name: evil, Text: "hello", Checked: true, Result: detector.Result{Score: 0.1, Note: "scored " + evil}},
	})
	if err != nil {
		t.Fatal(err)
	}
	body := buf.String()
	for _, bad := range []string{"<script", "\u202e", "\u2066"} {
		if strings.Contains(body, bad) {
			t.Errorf("report contains %q", bad)
		}
	}
}
