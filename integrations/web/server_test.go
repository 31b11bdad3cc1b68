package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slopguard/slopguard/store"
)

// get serves one request and returns the response and its body.
func get(t *testing.T, h http.Handler, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	res := rec.Result()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// tamper changes one query parameter of a link.
func tamper(t *testing.T, link, key, value string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestLinks(t *testing.T) {
	f := newFixture(t)
	valid := f.decisionPath(f.slopID)
	scope := f.scopePath()
	expired := f.signer.DecisionPath(f.slopID, testNow.Add(-time.Second).Unix())
	expiredScope := f.signer.ScopePath("github", "octo/repo", testNow.Unix())
	sig := func(link string) string {
		u, _ := url.Parse(link)
		return u.Query().Get("sig")
	}
	flipped := []byte(sig(valid))
	flipped[3] ^= 1
	tests := []struct {
		name   string
		target string
		status int
	}{
		{"decision", valid, http.StatusOK},
		{"dashboard", scope, http.StatusOK},
		{"days chart", strings.Replace(scope, "/dashboard?", "/dashboard/days.svg?", 1), http.StatusOK},
		{"scores chart", strings.Replace(scope, "/dashboard?", "/dashboard/scores.svg?", 1), http.StatusOK},
		{"expired decision", expired, http.StatusGone},
		{"expired dashboard", expiredScope, http.StatusGone},
		{"signature flipped", tamper(t, valid, "sig", string(flipped)), http.StatusForbidden},
		{"signature missing", tamper(t, valid, "sig", ""), http.StatusForbidden},
		{"expiry moved later", tamper(t, valid, "exp", strconv.FormatInt(testNow.Add(48*time.Hour).Unix(), 10)), http.StatusForbidden},
		{"expiry not a number", tamper(t, valid, "exp", "soon"), http.StatusForbidden},
		{"another decision", strings.Replace(valid, "/d/"+strconv.FormatInt(f.slopID, 10), "/d/"+strconv.FormatInt(f.mixedID, 10), 1), http.StatusForbidden},
		{"another scope", tamper(t, scope, "scope", "octo/other"), http.StatusForbidden},
		{"another platform", tamper(t, scope, "platform", "discord"), http.StatusForbidden},
		{"scope signature on a decision", "/d/" + strconv.FormatInt(f.slopID, 10) + "?exp=" + strconv.FormatInt(testNow.Add(time.Hour).Unix(), 10) + "&sig=" + sig(scope), http.StatusForbidden},
		{"decision signature on a scope", tamper(t, scope, "sig", sig(valid)), http.StatusForbidden},
		{"another server's key", otherSigner(t).DecisionPath(f.slopID, testNow.Add(time.Hour).Unix()), http.StatusForbidden},
		{"item", f.signer.ItemPath("github", "octo/repo", "pr/12", testNow.Add(time.Hour).Unix()), http.StatusOK},
		{"another item", tamper(t, f.signer.ItemPath("github", "octo/repo", "pr/12", testNow.Add(time.Hour).Unix()), "item", "pr/13"), http.StatusForbidden},
		{"item expired", f.signer.ItemPath("github", "octo/repo", "pr/12", testNow.Unix()), http.StatusGone},
		{"item fields shifted", f.signer.ItemPath("github", "octo/repo\x00pr", "12", testNow.Add(time.Hour).Unix()), http.StatusForbidden},
		{"item never checked", f.signer.ItemPath("github", "octo/repo", "pr/999", testNow.Add(time.Hour).Unix()), http.StatusNotFound},
		{"decision pruned", f.signer.DecisionPath(99999, testNow.Add(time.Hour).Unix()), http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := get(t, f.srv, tt.target)
			if res.StatusCode != tt.status {
				t.Fatalf("GET %s: status %d, want %d\n%s", tt.target, res.StatusCode, tt.status, body)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
				t.Errorf("Content-Security-Policy = %q, want default-src 'none' and no script source", csp)
			}
			if rp := res.Header.Get("Referrer-Policy"); rp != "no-referrer" {
				t.Errorf("Referrer-Policy = %q, want no-referrer", rp)
			}
			if tt.status != http.StatusOK && strings.Contains(body, "octo/repo") {
				t.Errorf("a refused page shows the scope:\n%s", body)
			}
		})
	}
}

func otherSigner(t *testing.T) *Signer {
	s, err := NewSigner([]byte("another-server-secret-0123456789abcdef"), "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignerURLs(t *testing.T) {
	if _, err := NewSigner([]byte("short"), "", time.Hour); err == nil {
		t.Error("NewSigner with a 5-byte key: got nil error")
	}
	if _, err := NewSigner(testKey, "", 0); err == nil {
		t.Error("NewSigner with no ttl: got nil error")
	}
	local, err := NewSigner(testKey, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if u := local.DecisionURL(5); u != "" {
		t.Errorf("DecisionURL without a public URL = %q, want none", u)
	}
	if u := local.ScopeURL("github", "a/b"); u != "" {
		t.Errorf("ScopeURL without a public URL = %q, want none", u)
	}
	if u := local.LocalDecisionURL(5); !strings.HasPrefix(u, "/d/5?") {
		t.Errorf("LocalDecisionURL = %q, want a path", u)
	}
	var none *Signer
	if u := none.DecisionURL(5); u != "" {
		t.Errorf("nil Signer DecisionURL = %q, want none", u)
	}
	pub, err := NewSigner(testKey, "https://sg.example.org/base/", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	u := pub.ScopeURL("github", "octo/repo")
	if !strings.HasPrefix(u, "https://sg.example.org/base/dashboard?") || !strings.Contains(u, "scope=octo%2Frepo") {
		t.Errorf("ScopeURL = %q", u)
	}
	if u := pub.DecisionURL(0); u != "" {
		t.Errorf("DecisionURL(0) = %q, want none", u)
	}
}

func TestDecisionPage(t *testing.T) {
	f := newFixture(t)
	res, body := get(t, f.srv, f.decisionPath(f.slopID))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{
		`<mark class="hl machine`, `tabindex="0"`, `role="tooltip"`, "comprehensive",
		`<p class="item-title"><bdi>About pr/12</bdi></p>`, // title
		"slopguard-default", "check_run, label, comment", // model, actions
		"checked again", "appeal", "confirmed: slop", // history
		`href="https://github.com/octo/repo/pull/12"`,
		`/assets/style.css?v=` + cssVersion,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("decision page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Errorf("decision page has a script or an inline style")
	}
	if !strings.Contains(body, "a repository or server may set its own") {
		t.Errorf("without a policy source the page should give the model's threshold")
	}
	withPolicy, err := New(Options{Store: f.st, Scorer: testDetector(t), Signer: f.signer, Now: func() time.Time { return testNow },
		Policy: func(_ context.Context, platform, scope string) (Policy, error) {
			return Policy{Mode: "enforce", Threshold: 0.9, Source: platform + " " + scope + ":.github/slopguard.yml"}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, pol := get(t, withPolicy, f.decisionPath(f.slopID)); !strings.Contains(pol, "enforce, flags at 90%") || !strings.Contains(pol, "github octo/repo:.github/slopguard.yml") || !strings.Contains(pol, `thr p18`) {
		t.Errorf("the page does not show the scope's policy and its threshold on the meter")
	}
	_, mixed := get(t, f.srv, f.decisionPath(f.mixedID))
	if !strings.Contains(mixed, `<mark class="hl human`) || !strings.Contains(mixed, `<mark class="hl machine`) {
		t.Errorf("the mixed text's page lacks marks of both directions")
	}
	_, hidden := get(t, f.srv, f.decisionPath(f.hiddenID))
	if strings.Contains(hidden, "<mark") || !strings.Contains(hidden, "store_text: false") {
		t.Errorf("a decision without text: want no marks and the store_text note")
	}
}

func TestDashboardPage(t *testing.T) {
	f := newFixture(t)
	_, body := get(t, f.srv, f.scopePath())
	for _, want := range []string{"octo/repo", "/dashboard/days.svg?", "/dashboard/scores.svg?", `data-verdict="machine"`, `data-verdict="human"`, "pr/14", "1 confirmed · 1 overturned"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	// pr/12's appeal was answered by a maintainer; pr/14's was not.
	if n := strings.Count(body, "<h2>Pending appeals</h2>"); n != 1 {
		t.Fatalf("dashboard has %d appeal sections", n)
	}
	appeals := body[strings.Index(body, "<h2>Pending appeals</h2>"):]
	appeals = appeals[:strings.Index(appeals, "</table>")]
	if !strings.Contains(appeals, "pr/14") || strings.Contains(appeals, "pr/12<") {
		t.Errorf("pending appeals: want pr/14 only:\n%s", appeals)
	}
	if !strings.Contains(body, `<a href="/d/`) || !strings.Contains(body, "<td><bdi>About pr/14</bdi></td>") {
		t.Errorf("recent decisions lack their titles")
	}
	_, humans := get(t, f.srv, f.scopePath()+"&verdict=human&kind=issue&author=bob")
	table := humans[strings.Index(humans, `<table id="recent-table">`):]
	table = table[:strings.Index(table, "</table>")]
	if strings.Contains(table, `data-verdict="machine"`) || strings.Contains(table, ">alice<") || !strings.Contains(table, ">bob<") {
		t.Errorf("filtered list (human, issue, bob) shows other rows:\n%s", table)
	}
	res, svg := get(t, f.srv, strings.Replace(f.scopePath(), "/dashboard?", "/dashboard/days.svg?", 1))
	if ct := res.Header.Get("Content-Type"); ct != "image/svg+xml" || !strings.Contains(svg, "<svg") || strings.Contains(svg, "<script") {
		t.Errorf("days chart: content type %q, body starts %.80q", ct, svg)
	}
}

// hostile is text written to break out of the page.
const hostile = "</pre><script>alert(1)</script>\" onmouseover=\"alert(2)\" '><img src=x onerror=alert(3)>\n" +
	"total: 100\u202e0001 :latot\u202c and \u2066isolated\u2069 {{.Secret}} &amp; <!-- -->"

func TestHostileText(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	big := strings.Repeat(hostile+" Certainly! This comprehensive change ensures a seamless experience. ", 1<<20/len(hostile)+1)
	for _, tt := range []struct {
		name string
		text string
	}{{"short", hostile + "\nCertainly! This comprehensive change ensures a seamless experience for users."}, {"1 MB", big}} {
		t.Run(tt.name, func(t *testing.T) {
			id, err := f.st.RecordDecision(ctx, store.Decision{Platform: "github", Scope: `o/"><script>alert(4)</script>`, ItemID: "pr/<b>1</b>",
				ItemURL: "javascript:alert(5)", Author: "\u202eevil\"><svg onload=alert(6)>", Verdict: "machine", Score: 0.99, Title: hostile + tt.text,
				Reasons: []string{`the wording "<script>" is more common`}, Model: testDetector(t).Version(), Actions: []string{"comment"}, Text: tt.text})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			res, body := get(t, f.srv, f.decisionPath(id))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			t.Logf("%s: %d bytes of page in %v", tt.name, len(body), time.Since(start))
			for _, bad := range []string{"<script", "<img", "<svg", "javascript:", "\u202e", "\u2066", "<b>1</b>", `" onmouseover="`} {
				if strings.Contains(body, bad) {
					t.Errorf("page contains %q unescaped", bad)
				}
			}
			for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "[RLO]", "[LRI]", "{{.Secret}}"} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			// The title, hostile and long, is escaped and cut short.
			head := body[strings.Index(body, `<p class="item-title">`):]
			head = head[:strings.Index(head, "</p>")]
			if !strings.Contains(head, "&lt;/pre&gt;&lt;script&gt;") || !strings.HasSuffix(head, "…</bdi>") || strings.Contains(head, "\u202e") {
				t.Errorf("title not escaped or not shortened: %.300q", head)
			}
			if n := len([]rune(head)); n > pageTitleRunes*8 {
				t.Errorf("title shown with %d runes, want it shortened to %d runes before escaping", n, pageTitleRunes)
			}
		})
	}
}
