package web

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenshots is where TestScreenshots writes its PNGs (make screenshots).
var screenshots = flag.String("screenshots", "", "write screenshots of the pages into this `DIR`")

// chromiumPath finds a Chromium to drive: $SLOPGUARD_CHROMIUM, else
// chromium (Debian's package) or another Chrome on PATH. Without one the
// test is skipped, except in CI (CI=true), where it fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SLOPGUARD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium on PATH (apt-get install chromium, or set SLOPGUARD_CHROMIUM): the browser tests need one"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// browser is a headless Chromium and what its pages reported.
type browser struct {
	ctx context.Context
	// messages receives every console message: calls, exceptions and the
	// browser's log, where CSP violations go.
	messages chan chromedp.ConsoleMessage
	seq      int
}

// newBrowser starts a headless Chromium with a fresh profile, isolated
// from the network except the loopback servers the tests start.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	b := &browser{ctx: ctx, messages: make(chan chromedp.ConsoleMessage, 256)}
	console := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range console {
			if err != nil {
				return
			}
			b.messages <- m
		}
	}()
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc(); <-done })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

// take returns the console errors, exceptions and security messages
// (CSP violations) since the last call. It writes a marker to the console
// and reads up to it, so nothing the page reported before is missed.
func (b *browser) take(t *testing.T) []string {
	t.Helper()
	b.seq++
	marker := fmt.Sprintf("slopguard-test-barrier-%d", b.seq)
	if err := chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void](`console.log("`+marker+`")`)); err != nil {
		t.Fatalf("console marker: %v", err)
	}
	var problems []string
	for {
		select {
		case m := <-b.messages:
			if m.Type == chromedp.ConsoleLog && m.Text == marker {
				return problems
			}
			if m.Type == chromedp.ConsoleError || m.IsException() || m.Source == "security" {
				problems = append(problems, m.String()+" ("+m.URL+")")
			}
		case <-b.ctx.Done():
			t.Fatalf("waiting for the console: %v", b.ctx.Err())
		}
	}
}

// load opens url and waits until the page and its images have loaded.
func (b *browser) load(t *testing.T, url string) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(url),
		chromedp.Poll[chromedp.Void](`document.readyState === "complete"`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("load %s: %v", url, err)
	}
}

// eval evaluates js in the page and decodes its value into T.
func eval[T any](t *testing.T, b *browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// pagesServer serves the fixture's pages, plus a page breaking the CSP to
// prove violations are noticed.
func pagesServer(t *testing.T, f *fixture) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle("/", f.srv)
	mux.HandleFunc("/csp-probe", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
		fmt.Fprint(w, `<!doctype html><title>probe</title><p style="color:red">inline style</p><script>document.title = "ran"</script>`)
	})
	// The self-contained report, served as a file would be: no headers,
	// only its own meta CSP.
	mux.HandleFunc("/report.html", func(w http.ResponseWriter, r *http.Request) {
		d := testDetector(t)
		var items []ReportItem
		for _, name := range []string{"slop.txt", "mixed.txt"} {
			text := readFixture(t, name)
			items = append(items, ReportItem{Name: name, Text: text, Checked: true, Result: d.Score(text)})
		}
		items = append(items, ReportItem{Name: "<script>alert(1)</script>.txt", Skipped: "binary file"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := WriteReport(w, "slopguard check", "3 inputs", d.Threshold(), items); err != nil {
			t.Error(err)
		}
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	f := newFixture(t)
	ts := pagesServer(t, f)

	t.Run("a CSP violation is noticed", func(t *testing.T) {
		b.load(t, ts.URL+"/csp-probe")
		title := eval[string](t, b, `document.title`)
		problems := b.take(t)
		if title == "ran" || len(problems) == 0 {
			t.Fatalf("inline script ran (title %q) or no violation was reported (%v): the checks below could not fail", title, problems)
		}
	})

	t.Run("decision page", func(t *testing.T) {
		b.load(t, ts.URL+f.decisionPath(f.mixedID))
		got := eval[struct {
			Machine, Human, Reasons int
			TipHidden               string
			TextLength              int
		}](t, b, `({
			Machine: document.querySelectorAll("pre.text mark.hl.machine").length,
			Human: document.querySelectorAll("pre.text mark.hl.human").length,
			Reasons: document.querySelectorAll("ol.reasons li").length,
			TipHidden: getComputedStyle(document.querySelector("pre.text mark.hl .tip")).display,
			TextLength: document.querySelector("pre.text").innerText.length,
		})`)
		if got.Machine == 0 || got.Human == 0 || got.Reasons == 0 {
			t.Errorf("marks: %d machine, %d human, %d reasons listed; want some of each", got.Machine, got.Human, got.Reasons)
		}
		if got.TipHidden != "none" {
			t.Errorf("a reason shows before hover or focus (display %q)", got.TipHidden)
		}
		// Tab through the page as a keyboard user would, to the first mark.
		var active string
		for range 40 {
			if err := chromedp.Do(b.ctx, chromedp.KeyEvent("\t")); err != nil {
				t.Fatal(err)
			}
			active = eval[string](t, b, `document.activeElement.matches("mark.hl") ? "mark" : document.activeElement.tagName`)
			if active == "mark" {
				break
			}
		}
		if active != "mark" {
			t.Fatalf("Tab never reached a marked span (last focus %s)", active)
		}
		tip := eval[struct {
			Display, Text string
			Bottom, Top   float64
			Listed        bool
		}](t, b, `(() => { const t = document.activeElement.querySelector(".tip"); const r = t.getBoundingClientRect();
			const listed = [...document.querySelectorAll("ol.reasons li > span:nth-child(2)")].some(li => t.innerText.includes(li.firstChild.textContent.trim()));
			return {Display: getComputedStyle(t).display, Text: t.innerText, Top: r.top, Bottom: r.bottom, Listed: listed}; })()`)
		if tip.Display != "block" || !tip.Listed || tip.Bottom <= tip.Top {
			t.Errorf("focused mark's reason: display %q, %.0f px high, text %q; want it shown with a reason", tip.Display, tip.Bottom-tip.Top, tip.Text)
		}
		if p := b.take(t); len(p) > 0 {
			t.Errorf("the decision page reported problems: %v", p)
		}
	})

	t.Run("dashboard", func(t *testing.T) {
		b.load(t, ts.URL+f.scopePath())
		got := eval[struct {
			Rows, Charts, Appeals int
		}](t, b, `({
			Rows: document.querySelectorAll("#recent-table tbody tr").length,
			Charts: [...document.querySelectorAll("img.chart")].filter(i => i.complete && i.naturalWidth > 0).length,
			Appeals: [...document.querySelectorAll("h2")].find(h => h.textContent === "Pending appeals").nextElementSibling.querySelectorAll("tbody tr").length,
		})`)
		if got.Rows == 0 || got.Charts != 2 || got.Appeals != 1 {
			t.Errorf("dashboard: %d rows, %d charts drawn, %d appeals; want rows, 2 charts and 1 appeal", got.Rows, got.Charts, got.Appeals)
		}
		// The filter form keeps the signed link and narrows the list.
		if err := chromedp.Do(b.ctx,
			chromedp.SetValue(chromedp.CSS(`select[name=verdict]`), "human"),
			chromedp.Click(chromedp.CSS(`form.filters button`)),
		); err != nil {
			t.Fatal(err)
		}
		// The click navigates: ask until the new page, whose URL has the
		// filter, has loaded (a question asked mid-navigation fails).
		loaded := false
		for range 1000 {
			ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`location.search.includes("verdict=human") && document.readyState === "complete"`))
			if loaded = err == nil && ok; loaded || b.ctx.Err() != nil {
				break
			}
		}
		if !loaded {
			t.Fatal("the filtered dashboard never loaded")
		}
		verdicts := eval[[]string](t, b, `[...document.querySelectorAll("#recent-table tbody tr")].map(r => r.dataset.verdict)`)
		if len(verdicts) == 0 || strings.Trim(strings.Join(verdicts, ""), "human") != "" {
			t.Errorf("after filtering on human: verdicts %v", verdicts)
		}
		if p := b.take(t); len(p) > 0 {
			t.Errorf("the dashboard reported problems: %v", p)
		}
	})
	t.Run("check report file", func(t *testing.T) {
		b.load(t, ts.URL+"/report.html")
		got := eval[struct {
			Marks, Sections int
			Background      string
		}](t, b, `({
			Marks: document.querySelectorAll("pre.text mark.hl").length,
			Sections: document.querySelectorAll("section.item-report").length,
			Background: getComputedStyle(document.querySelector("pre.text mark.hl.machine")).backgroundColor,
		})`)
		// The inline stylesheet applies only if the CSP's hash of it is right.
		if got.Marks == 0 || got.Sections != 3 || got.Background == "" || got.Background == "rgba(0, 0, 0, 0)" {
			t.Errorf("report: %d marks, %d sections, mark background %q; want marks, 3 sections and the stylesheet applied", got.Marks, got.Sections, got.Background)
		}
		if p := b.take(t); len(p) > 0 {
			t.Errorf("the report reported problems: %v", p)
		}
	})
}

// TestScreenshots writes PNGs of a decision page (with a reason shown by
// keyboard focus) and a dashboard: make screenshots.
func TestScreenshots(t *testing.T) {
	if *screenshots == "" {
		t.Skip("-screenshots DIR not given (make screenshots)")
	}
	b := newBrowser(t)
	f := newFixture(t)
	ts := pagesServer(t, f)
	shoot := func(name, url string, prepare ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(1200, 900)); err != nil {
			t.Fatal(err)
		}
		b.load(t, url)
		if err := chromedp.Do(b.ctx, prepare...); err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(*screenshots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	focusMark := chromedp.Focus(chromedp.CSS(`pre.text mark.hl.machine.s3`))
	shoot("decision.png", ts.URL+f.decisionPath(f.slopID), focusMark)
	shoot("decision-mixed.png", ts.URL+f.decisionPath(f.mixedID))
	shoot("dashboard.png", ts.URL+f.scopePath())
	if p := b.take(t); len(p) > 0 {
		t.Errorf("pages reported problems: %v", p)
	}
}
