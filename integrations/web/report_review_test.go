package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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

// countingScorer counts the texts scored through it.
type countingScorer struct {
	Scorer
	n atomic.Int32
}

func (c *countingScorer) Score(text string) detector.Result {
	c.n.Add(1)
	return c.Scorer.Score(text)
}

// TestPagesScoreWithinTheirSlots: a decision page scores its text again to
// place the marks, and a link in a public comment lets anyone ask for it as
// often as they like. Those scorings share a bounded number of slots, so a
// flood of page views cannot take the CPU the webhooks' scoring needs: a
// request that gives up waiting for a slot gets the page without marks.
func TestPagesScoreWithinTheirSlots(t *testing.T) {
	f := newFixture(t)
	sc := &countingScorer{Scorer: testDetector(t)}
	srv, err := New(Options{Store: f.st, Scorer: sc, Signer: f.signer, Now: func() time.Time { return testNow }, ScoringWait: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	for range cap(srv.scoring) {
		srv.scoring <- struct{}{} // every slot busy
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, f.decisionPath(f.slopID), nil))
	if rec.Code != http.StatusOK || sc.n.Load() != 0 {
		t.Fatalf("all slots busy: status %d, %d texts scored; want the page, none scored", rec.Code, sc.n.Load())
	}
	if body := rec.Body.String(); !strings.Contains(body, "busy") || strings.Contains(body, `aria-describedby=`) {
		t.Errorf("all slots busy: want the page to say so, without marks")
	}
	for range cap(srv.scoring) {
		<-srv.scoring
	}
	if res, _ := get(t, srv, f.decisionPath(f.slopID)); res.StatusCode != http.StatusOK || sc.n.Load() != 1 {
		t.Errorf("a free slot: status %d, %d texts scored; want the page, one scored", res.StatusCode, sc.n.Load())
	}
}
