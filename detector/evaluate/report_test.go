package evaluate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/detector/dataset"
)

var update = flag.Bool("update", false, "rewrite golden files")

// synthetic returns a fixed set of samples: a matched two-label source, a
// human-only and a machine-only source, ties, Unsure verdicts and every
// length bucket.
func synthetic() Scores {
	var s Scores
	add := func(n int, machine bool, cat, gen, src string, length int, score func(i int) float64) {
		dir := "chat"
		if cat != "chat" {
			dir = "pr"
		}
		for i := range n {
			sc := score(i)
			v := detector.Human
			switch {
			case length < 20:
				v = detector.Unsure
			case sc >= 0.8:
				v = detector.Machine
			case sc > 0.4:
				v = detector.Unsure
			}
			s = append(s, Sample{Score: sc, Machine: machine, Verdict: v, Category: cat, Generator: gen, Source: src, Dir: dir, Length: length + 37*i})
		}
	}
	add(40, false, "review", "", "aidev_review", 50, func(i int) float64 { return float64(i%10) / 20 })
	add(30, true, "review", "bot|x", "aidev_review", 120, func(i int) float64 { return 0.35 + float64(i%13)/20 })
	add(25, false, "chat", "", "topical_chat", 10, func(i int) float64 { return float64(i%5) / 10 })
	add(25, true, "chat", "persona-llm", "persona_chat", 400, func(i int) float64 { return 0.9 })
	add(5, true, "qa", "", "hc3", 1200, func(i int) float64 { return 0.5 })
	return s
}

func TestMarkdownGolden(t *testing.T) {
	t.Parallel()
	r := NewReport(synthetic(), "test-model-1", 0.8, "dev", "homoglyph")
	var buf bytes.Buffer
	if err := r.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "report.golden.md")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("markdown differs from %s (run go test -update after checking):\ngot:\n%s", golden, got)
	}
}

func TestReportGroups(t *testing.T) {
	t.Parallel()
	r := NewReport(synthetic(), "m", 0.8, "dev", "")
	var names []string
	for _, m := range r.BySource {
		names = append(names, m.Group)
	}
	if got, want := strings.Join(names, ","), "aidev_review,hc3,persona_chat,topical_chat"; got != want {
		t.Errorf("got sources %s, want %s", got, want)
	}
	for _, m := range r.ByGenerator {
		if m.Humans != 0 {
			t.Errorf("generator %s: got %d humans, want machine text only", m.Group, m.Humans)
		}
	}
	if g := r.ByGenerator[0].Group; g != "(unknown)" {
		t.Errorf("got first generator %q, want (unknown) for machine text without one", g)
	}
	var sum int
	for _, m := range r.ByLength {
		sum += m.N
	}
	if sum != r.Overall.N {
		t.Errorf("length buckets hold %d samples, want all %d", sum, r.Overall.N)
	}
	if !strings.Contains(r.Summary(), "| review ") {
		t.Errorf("summary lacks the review row:\n%s", r.Summary())
	}
}

// fakeScorer scores a text by a function and records what it saw.
type fakeScorer struct {
	score func(string) detector.Result
	mu    sync.Mutex
	seen  []string
}

func (f *fakeScorer) Score(text string) detector.Result {
	f.mu.Lock()
	f.seen = append(f.seen, text)
	f.mu.Unlock()
	return f.score(text)
}
func (f *fakeScorer) Threshold() float64 { return 0.7 }
func (f *fakeScorer) Version() string    { return "fake-1" }

func records() []dataset.Record {
	return []dataset.Record{
		{Text: "a plain human sentence", Label: "human", Kind: "review", File: "f1", Line: 1},
		{Text: "Certainly! Here is a concise summary.", Label: "machine", Kind: "review", Generator: "g", File: "f1", Line: 2},
		{Text: "ok", Label: "human", Domain: "chat", File: "f2", Line: 1},
		{Text: "As an AI language model, I think so.", Label: "machine", Domain: "chat", Generator: "g", File: "f3", Line: 1},
	}
}

func keywordScore(text string) detector.Result {
	switch {
	case len(text) < 5:
		return detector.Result{Score: 0.5, Verdict: detector.Unsure}
	case strings.ContainsAny(text, "!,"):
		return detector.Result{Score: 0.9, Verdict: detector.Machine}
	default:
		return detector.Result{Score: 0.1, Verdict: detector.Human}
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	f := &fakeScorer{score: keywordScore}
	var last int
	rep, err := Run(context.Background(), f, records(), Options{Workers: 3, Split: "dev", Progress: func(done, total int) { last = done }})
	if err != nil {
		t.Fatalf("got err %v, want nil", err)
	}
	if rep.Model != "fake-1" || rep.Threshold != 0.7 || rep.Split != "dev" {
		t.Errorf("got header %q %v %q, want fake-1 0.7 dev", rep.Model, rep.Threshold, rep.Split)
	}
	o := rep.Overall
	if o.N != 4 || o.Humans != 2 || o.Machines != 2 || o.AUROC != 1 || o.FPR != 0 || o.TPR != 1 || o.Unsure != 0.25 {
		t.Errorf("got overall %+v, want n 4 (2/2), AUROC 1, FPR 0, TPR 1, unsure 0.25", o)
	}
	for i, s := range rep.Samples {
		if want := records()[i]; s.Source != want.File || s.Machine != want.Machine() {
			t.Errorf("sample %d: got %s/%v, want %s/%v (input order)", i, s.Source, s.Machine, want.File, want.Machine())
		}
	}
	if last != 4 {
		t.Errorf("got last progress %d, want 4", last)
	}
}

func TestRunAttacksBothLabels(t *testing.T) {
	t.Parallel()
	f := &fakeScorer{score: keywordScore}
	if _, err := Run(context.Background(), f, records(), Options{Attack: "zerowidth", Seed: 1}); err != nil {
		t.Fatalf("got err %v, want nil", err)
	}
	changed := 0
	for _, s := range f.seen {
		if strings.ContainsAny(s, "\u200b\u200c\u2060\ufeff") {
			changed++
		}
	}
	// "ok" has one letter pair; at rate 0.15 it may stay as is.
	if changed < 3 {
		t.Errorf("got %d of 4 texts perturbed, want at least the 3 long ones (human and machine)", changed)
	}
	g := &fakeScorer{score: keywordScore}
	if _, err := Run(context.Background(), g, records(), Options{Attack: "zerowidth", Seed: 1, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(sortedCopy(f.seen), "\n") != strings.Join(sortedCopy(g.seen), "\n") {
		t.Error("got different perturbations with a different worker count, want the same")
	}
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	t.Run("unknown attack", func(t *testing.T) {
		t.Parallel()
		_, err := Run(context.Background(), &fakeScorer{score: keywordScore}, records(), Options{Attack: "paraphrase"})
		if err == nil || !strings.Contains(err.Error(), "unknown attack") {
			t.Errorf("got err %v, want unknown attack", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := Run(ctx, &fakeScorer{score: keywordScore}, records(), Options{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got err %v, want context.Canceled", err)
		}
	})
	t.Run("panicking scorer", func(t *testing.T) {
		t.Parallel()
		f := &fakeScorer{score: func(s string) detector.Result {
			if s == "ok" {
				panic("boom")
			}
			return keywordScore(s)
		}}
		_, err := Run(context.Background(), f, records(), Options{})
		if err == nil || !strings.Contains(err.Error(), "f2:1") || !strings.Contains(err.Error(), "boom") {
			t.Errorf("got err %v, want the panic reported with f2:1", err)
		}
	})
}

func TestWriteFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		samples Scores
	}{
		{"synthetic", synthetic()},
		{"all tied (stub detector)", func() Scores {
			s := synthetic()
			for i := range s {
				s[i].Score, s[i].Verdict = 0.5, detector.Unsure
			}
			return s
		}()},
		{"empty", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "out")
			if err := NewReport(tt.samples, "m", 0.8, "dev", "").WriteFiles(dir); err != nil {
				t.Fatalf("got err %v, want nil", err)
			}
			for _, name := range []string{"roc.png", "hist.png"} {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 2000 {
					t.Errorf("%s: got %d bytes without a PNG header, want a PNG", name, len(b))
				}
			}
			js, err := os.ReadFile(filepath.Join(dir, "report.json"))
			var decoded struct {
				Overall struct {
					N     int
					AUROC *float64
				}
			}
			if err != nil || json.Unmarshal(js, &decoded) != nil || decoded.Overall.N != len(tt.samples) {
				t.Errorf("report.json: got %.60q… (err %v), want the report with n %d", js, err, len(tt.samples))
			}
			md, err := os.ReadFile(filepath.Join(dir, "report.md"))
			if err != nil || !bytes.HasPrefix(md, []byte("# slopguard evaluation")) {
				t.Errorf("report.md: got %q… err %v, want the report", md[:min(len(md), 40)], err)
			}
			html, err := os.ReadFile(filepath.Join(dir, "report.html"))
			if err != nil {
				t.Fatal(err)
			}
			// The plots are inline; the file may load nothing else.
			if n := bytes.Count(html, []byte(`src="data:image/png;base64,`)); n < 2 {
				t.Errorf("report.html has %d inline plots, want at least roc and hist", n)
			}
			if !bytes.Contains(html, []byte(`content="default-src &#39;none&#39;; img-src data:;`)) || bytes.Contains(html, []byte("<script")) || bytes.Contains(html, []byte("://")) {
				t.Errorf("report.html: want a CSP allowing only inline images and its stylesheet, no script, no link out")
			}
		})
	}
}

func TestMetricsJSON(t *testing.T) {
	t.Parallel()
	m := Compute("topical_chat", scores([]float64{0.1, 0.2}, nil))
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("got err %v, want nil (NaN must become null)", err)
	}
	want := `{"group":"topical_chat","n":2,"humans":2,"machines":0,"auroc":null,` +
		`"at_fpr_1pct":{"threshold":null,"fpr":null,"tpr":null},"at_fpr_5pct":{"threshold":null,"fpr":null,"tpr":null},` +
		`"fpr":0,"tpr":null,"unsure":0}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}
