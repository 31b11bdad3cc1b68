package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

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

// TestDashboardAuthorFilterStaysText: the author filter is cut to 100 bytes
// on a character boundary, and bytes that are not UTF-8 are dropped: the
// page stays valid UTF-8, and PostgreSQL, which refuses invalid UTF-8 in a
// query parameter, is never sent any.
func TestDashboardAuthorFilterStaysText(t *testing.T) {
	f := newFixture(t)
	for _, author := range []string{strings.Repeat("a", 99) + "é", "bob%ff%fe"} {
		res, body := get(t, f.srv, f.scopePath()+"&author="+url.QueryEscape(author))
		if author == "bob%ff%fe" {
			res, body = get(t, f.srv, f.scopePath()+"&author="+author)
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("author %q: status %d", author, res.StatusCode)
		}
		if !utf8.ValidString(body) {
			i := strings.Index(body, `name="author"`)
			t.Errorf("author %q: the page is not valid UTF-8: %q", author, body[i:min(i+160, len(body))])
		}
	}
}

// TestDashboardFilterKeepsTheWindow: filtering the recent decisions keeps
// the days the dashboard was opened with.
func TestDashboardFilterKeepsTheWindow(t *testing.T) {
	f := newFixture(t)
	_, body := get(t, f.srv, f.scopePath()+"&days=7")
	form := body[strings.Index(body, `<form class="filters"`):]
	form = form[:strings.Index(form, "</form>")]
	if !strings.Contains(form, `name="days" value="7"`) {
		t.Errorf("the filter form drops days=7:\n%s", form)
	}
}
