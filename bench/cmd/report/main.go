// Command report reads what bench/run.sh left in its work directory and
// writes the benchmark's Markdown tables.
//
// Usage:
//
//	report -work bench/work -out bench/RESULTS.md
//
// It reads, under -work:
//
//	prepare.json, dev_labels.jsonl   from bench/cmd/prepare
//	run.env                          key=value facts about the run (mode, CPU, versions)
//	<system>.metrics                 key=value timings for fasttext, fasttext_small, sklearn, slopguard
//	<system>.scores                  one score per dev document, in order: a number, a JSON
//	                                 object with "score", or fastText predict-prob output
//	latency.json                     from bench/cmd/latency (slopguard, in-process)
//	fasttext_latency.tsv             size, bytes, ns per document (fastText, differential)
//
// A system whose metrics say status=skipped, or whose scores are missing or
// do not line up with the labels, is shown as skipped with the reason.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/slopguard/slopguard/bench/metrics"
)

// maxFPR is the false-positive rate at which TPR is reported.
const maxFPR = 0.01

// systemNames are the systems in column order; fastText (its default model,
// about 1 GB) is the reference. fasttext_small is the same command with
// -bucket 200000 -dim 50 (40 MB of buckets plus the vocabulary's vectors),
// so its load time is small.
var systemNames = []string{"fasttext", "fasttext_small", "sklearn", "slopguard"}

var titles = map[string]string{
	"fasttext":       "fastText",
	"fasttext_small": "fastText-small",
	"sklearn":        "scikit-learn",
	"slopguard":      "slopguard",
}

// label is one dev document's truth.
type label struct {
	File    string `json:"file"`
	Label   string `json:"label"`
	Bytes   int    `json:"bytes"`
	machine bool
}

// system is one contender's results.
type system struct {
	name    string
	kv      map[string]string
	scores  []float64
	skipped string // reason, empty when the system ran
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fl := flag.NewFlagSet("report", flag.ContinueOnError)
	work := fl.String("work", "bench/work", "work directory of bench/run.sh")
	out := fl.String("out", "bench/RESULTS.md", "Markdown file to write")
	if err := fl.Parse(args); err != nil {
		return err
	}
	labels, err := readLabels(filepath.Join(*work, "dev_labels.jsonl"))
	if err != nil {
		return err
	}
	runEnv, _ := readKV(filepath.Join(*work, "run.env"))
	var systems []*system
	for _, name := range systemNames {
		systems = append(systems, loadSystem(*work, name, len(labels)))
	}
	var b strings.Builder
	writeReport(&b, *work, runEnv, labels, systems)
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	fmt.Fprintf(os.Stderr, "report: wrote %s\n", *out)
	return nil
}

func readLabels(path string) ([]label, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	defer f.Close()
	var labels []label
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l label
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("read labels %s:%d: %w", path, len(labels)+1, err)
		}
		l.machine = l.Label == "machine"
		labels = append(labels, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read labels %s: %w", path, err)
	}
	return labels, nil
}

// readKV reads key=value lines; blank lines and # comments are ignored.
func readKV(path string) (map[string]string, error) {
	kv := map[string]string{}
	data, err := os.ReadFile(path)
	if err != nil {
		return kv, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return kv, nil
}

func loadSystem(work, name string, n int) *system {
	s := &system{name: name}
	kv, err := readKV(filepath.Join(work, name+".metrics"))
	s.kv = kv
	switch {
	case err != nil:
		s.skipped = "not run"
		return s
	case kv["status"] == "skipped":
		s.skipped = kv["reason"]
		if s.skipped == "" {
			s.skipped = "skipped"
		}
		return s
	}
	scores, err := readScores(filepath.Join(work, name+".scores"))
	switch {
	case err != nil:
		s.skipped = err.Error()
	case len(scores) != n:
		s.skipped = fmt.Sprintf("%d scores for %d documents", len(scores), n)
	default:
		s.scores = scores
	}
	return s
}

// readScores reads one score per line in any of the three formats.
func readScores(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read scores: %w", err)
	}
	defer f.Close()
	var scores []float64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		s, err := parseScore(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("read scores %s:%d: %w", path, len(scores)+1, err)
		}
		scores = append(scores, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read scores %s: %w", path, err)
	}
	return scores, nil
}

// parseScore reads a bare number, a JSON object's "score", or P(machine)
// from fastText predict-prob output ("__label__machine 0.9 __label__human 0.1").
func parseScore(line string) (float64, error) {
	line = strings.TrimSpace(line)
	switch {
	case strings.HasPrefix(line, "{"):
		var rec struct {
			Score *float64 `json:"score"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			return 0, err
		}
		if rec.Score == nil {
			return 0, fmt.Errorf("no \"score\" field")
		}
		return *rec.Score, nil
	case strings.HasPrefix(line, "__label__"):
		f := strings.Fields(line)
		for i := 0; i+1 < len(f); i += 2 {
			p, err := strconv.ParseFloat(f[i+1], 64)
			if err != nil {
				return 0, err
			}
			switch f[i] {
			case "__label__machine":
				return p, nil
			case "__label__human":
				if len(f) == 2 {
					return 1 - p, nil
				}
			}
		}
		return 0, fmt.Errorf("no machine probability in %q (run predict-prob with k=2)", line)
	default:
		return strconv.ParseFloat(line, 64)
	}
}

// subset returns the scores and labels of the documents keep selects.
func subset(labels []label, scores []float64, keep func(label) bool) ([]float64, []bool) {
	var s []float64
	var m []bool
	for i, l := range labels {
		if keep(l) {
			s = append(s, scores[i])
			m = append(m, l.machine)
		}
	}
	return s, m
}

func writeReport(w io.Writer, work string, env map[string]string, labels []label, systems []*system) {
	var prep struct {
		DevBytes int `json:"dev_bytes"`
		Train    int `json:"train_docs"`
		Dev      int `json:"dev_docs"`
		OneBytes int `json:"one_doc_bytes"`
	}
	if data, err := os.ReadFile(filepath.Join(work, "prepare.json")); err == nil {
		_ = json.Unmarshal(data, &prep) // missing figures print as 0
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }

	p("# Benchmark results\n\n")
	p("Written by `bench/run.sh` — do not edit by hand. How to read it: docs/benchmarks.md.\n\n")
	p("| run | |\n|---|---|\n")
	for _, k := range []string{"date", "mode", "host", "cpu", "cores", "load at start", "load at end", "fasttext", "sklearn", "slopguard", "go"} {
		if v, ok := env[k]; ok {
			p("| %s | %s |\n", k, mdEscape(v))
		}
	}
	p("| train docs | %d |\n| dev docs | %d (%.2f MB of text) |\n\n", prep.Train, prep.Dev, float64(prep.DevBytes)/1e6)
	for _, s := range systems {
		if s.skipped != "" {
			p("**%s: skipped** — %s\n\n", titles[s.name], mdEscape(s.skipped))
		}
	}

	writeAccuracy(p, labels, systems)
	writeSpeed(p, prep.Dev, prep.DevBytes, prep.OneBytes, systems)
	writeLatency(p, work)

	p("## Commands\n\n")
	for _, s := range systems {
		for _, k := range []string{"train_cmd", "score_cmd"} {
			if v := s.kv[k]; v != "" {
				p("- %s %s: `%s`\n", titles[s.name], strings.TrimSuffix(k, "_cmd"), v)
			}
		}
	}
	p("\n")
}

type printer func(format string, a ...any)

// header writes a table header with one column per system after the given leading columns.
func header(p printer, lead ...string) {
	cols := append([]string(nil), lead...)
	for _, n := range systemNames {
		cols = append(cols, titles[n])
	}
	p("| %s |\n|%s\n", strings.Join(cols, " | "), strings.Repeat("---|", len(cols)))
}

// better says which way a metric improves, for bolding the best value.
type better int

const (
	higher better = iota
	lower
	neither
)

// row writes one metric per system, bolding the best value.
func row(p printer, lead []string, vals []float64, format string, b better) {
	best := math.NaN()
	for _, v := range vals {
		if math.IsNaN(v) || b == neither {
			continue
		}
		if math.IsNaN(best) || (b == lower && v < best) || (b == higher && v > best) {
			best = v
		}
	}
	cells := append([]string(nil), lead...)
	for _, v := range vals {
		switch {
		case math.IsNaN(v):
			cells = append(cells, "—")
		case v == best && countNum(vals) > 1:
			cells = append(cells, "**"+fmt.Sprintf(format, v)+"**")
		default:
			cells = append(cells, fmt.Sprintf(format, v))
		}
	}
	p("| %s |\n", strings.Join(cells, " | "))
}

func countNum(vals []float64) int {
	n := 0
	for _, v := range vals {
		if !math.IsNaN(v) {
			n++
		}
	}
	return n
}

// perSystem evaluates f for each system that ran, NaN for the others.
func perSystem(systems []*system, f func(s *system) float64) []float64 {
	vals := make([]float64, len(systems))
	for i, s := range systems {
		if s.scores == nil {
			vals[i] = math.NaN()
			continue
		}
		vals[i] = f(s)
	}
	return vals
}

func writeAccuracy(p printer, labels []label, systems []*system) {
	all := func(label) bool { return true }
	type source struct {
		file   string
		nh, nm int
	}
	bySource := map[string]*source{}
	for _, l := range labels {
		s := bySource[l.File]
		if s == nil {
			s = &source{file: l.File}
			bySource[l.File] = s
		}
		if l.machine {
			s.nm++
		} else {
			s.nh++
		}
	}
	var both, one []*source
	for _, s := range bySource {
		if s.nh > 0 && s.nm > 0 {
			both = append(both, s)
		} else {
			one = append(one, s)
		}
	}
	sort.Slice(both, func(i, j int) bool { return both[i].file < both[j].file })
	sort.Slice(one, func(i, j int) bool { return one[i].file < one[j].file })
	pooledThreshold := func(s *system) float64 {
		sc, m := subset(labels, s.scores, all)
		_, t := metrics.TPRAtFPR(sc, m, maxFPR)
		return t
	}

	p("## Accuracy on split=dev\n\n")
	p("AUROC and TPR at 1%% FPR; higher is better, best in bold. Sources with both labels are\n")
	p("measured within the source (its own threshold); pooled uses every dev document.\n\n")
	header(p, "source", "human / machine", "metric")
	for _, src := range both {
		in := func(l label) bool { return l.File == src.file }
		lead := []string{name(src.file), fmt.Sprintf("%d / %d", src.nh, src.nm)}
		row(p, append(lead, "AUROC"), perSystem(systems, func(s *system) float64 {
			return metrics.AUROC(subset(labels, s.scores, in))
		}), "%.4f", higher)
		row(p, []string{"", "", "TPR@1%FPR"}, perSystem(systems, func(s *system) float64 {
			tpr, _ := metrics.TPRAtFPR(pick(subset(labels, s.scores, in)))
			return tpr
		}), "%.3f", higher)
	}
	row(p, []string{"**mean of the sources above**", "", "AUROC"}, perSystem(systems, func(s *system) float64 {
		var sum float64
		for _, src := range both {
			sum += metrics.AUROC(subset(labels, s.scores, func(l label) bool { return l.File == src.file }))
		}
		return sum / float64(len(both))
	}), "%.4f", higher)
	nh, nm := 0, 0
	for _, l := range labels {
		if l.machine {
			nm++
		} else {
			nh++
		}
	}
	lead := []string{"**pooled**", fmt.Sprintf("%d / %d", nh, nm)}
	row(p, append(lead, "AUROC"), perSystem(systems, func(s *system) float64 {
		return metrics.AUROC(subset(labels, s.scores, all))
	}), "%.4f", higher)
	row(p, []string{"", "", "TPR@1%FPR"}, perSystem(systems, func(s *system) float64 {
		tpr, _ := metrics.TPRAtFPR(pick(subset(labels, s.scores, all)))
		return tpr
	}), "%.3f", higher)
	row(p, []string{"", "", "threshold"}, perSystem(systems, pooledThreshold), "%.4f", neither)
	p("\n")

	p("### One-label sources at the pooled 1%% FPR threshold\n\n")
	p("These sources have one label, so AUROC is undefined within them. Shown is the share of the\n")
	p("source's documents called machine at each system's pooled threshold (row \"threshold\" above):\n")
	p("for a human-only source that is its false-positive rate (lower is better), for a machine-only\n")
	p("source its true-positive rate (higher is better).\n\n")
	header(p, "source", "docs", "rate")
	for _, src := range one {
		in := func(l label) bool { return l.File == src.file }
		machine := src.nm > 0
		what, n := "FPR", src.nh
		if machine {
			what, n = "TPR", src.nm
		}
		row(p, []string{name(src.file), strconv.Itoa(n), what}, perSystem(systems, func(s *system) float64 {
			sc, m := subset(labels, s.scores, in)
			return metrics.RateAbove(sc, m, machine, pooledThreshold(s))
		}), "%.3f", map[bool]better{true: higher, false: lower}[machine])
	}
	p("\n")

	p("### Pooled AUROC by document length\n\n")
	header(p, "length (bytes)", "human / machine")
	buckets := []struct {
		name   string
		lo, hi int
	}{{"< 100", 0, 100}, {"100 – 1K", 100, 1000}, {"1K – 4K", 1000, 4000}, {"≥ 4K", 4000, math.MaxInt}}
	for _, bk := range buckets {
		in := func(l label) bool { return l.Bytes >= bk.lo && l.Bytes < bk.hi }
		h, m := 0, 0
		for _, l := range labels {
			if in(l) {
				if l.machine {
					m++
				} else {
					h++
				}
			}
		}
		row(p, []string{bk.name, fmt.Sprintf("%d / %d", h, m)}, perSystem(systems, func(s *system) float64 {
			return metrics.AUROC(subset(labels, s.scores, in))
		}), "%.4f", higher)
	}
	p("\n")
}

// pick adapts subset's two results to TPRAtFPR's arguments.
func pick(s []float64, m []bool) ([]float64, []bool, float64) { return s, m, maxFPR }

// name shortens a corpus path for the table.
func name(file string) string { return strings.TrimSuffix(file, ".jsonl") }

func num(kv map[string]string, k string) float64 {
	v, err := strconv.ParseFloat(kv[k], 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

func writeSpeed(p printer, ndocs, nbytes, oneBytes int, systems []*system) {
	type metric struct {
		name, unit  string
		lowerBetter bool
		format      string
		value       func(kv map[string]string) float64
	}
	ms := []metric{
		{"training time", "s", true, "%.1f", func(kv map[string]string) float64 { return num(kv, "train_s") }},
		{"scoring throughput", "docs/s", false, "%.0f", func(kv map[string]string) float64 { return wholeRate(kv, ndocs) }},
		{"scoring throughput", "MB/s", false, "%.2f", func(kv map[string]string) float64 { return float64(nbytes) / 1e6 / num(kv, "score_s") }},
		{"scoring the dev file, wall", "s", true, "%.2f", func(kv map[string]string) float64 { return num(kv, "score_s") }},
		{"throughput without model load ≈ docs / (wall − cold start)", "docs/s", false, "%.0f", func(kv map[string]string) float64 { return loadedRate(kv, ndocs) }},
		{"cold start (load + 1 doc)", "ms", true, "%.0f", func(kv map[string]string) float64 { return 1000 * num(kv, "cold_s") }},
		{"peak RSS while scoring", "MB", true, "%.0f", func(kv map[string]string) float64 { return num(kv, "score_rss_kb") / 1024 }},
		{"peak RSS of `check` on one document of 1 MB", "MB", true, "%.0f", func(kv map[string]string) float64 { return num(kv, "check_rss_kb") / 1024 }},
		{"peak RSS while training", "MB", true, "%.0f", func(kv map[string]string) float64 { return num(kv, "train_rss_kb") / 1024 }},
		{"model size on disk", "MB", true, "%.1f", func(kv map[string]string) float64 { return num(kv, "model_bytes") / 1e6 }},
	}
	p("## Speed and size\n\n")
	p("Scoring runs as one process pinned to one core (`taskset -c 0`), model load included; training\n")
	p("may use every core. The dev-file wall time and the cold start are each the fastest of several\n")
	p("runs; cold start scores one document of %d bytes. fastText-small is fastText's command with\n", oneBytes)
	p("`-bucket 200000 -dim 50` (40 MB of n-gram buckets instead of 800 MB, plus the vocabulary's\n")
	p("vectors), so load time cannot hide its speed.\n")
	p("In brackets: the ratio to fastText in this run (×2.00 = twice fastText's figure); the last\n")
	p("column says which direction is better.\n\n")
	cols := []string{"measure", "unit"}
	for _, n := range systemNames {
		cols = append(cols, titles[n])
	}
	cols = append(cols, "better")
	p("| %s |\n|%s\n", strings.Join(cols, " | "), strings.Repeat("---|", len(cols)))
	for _, m := range ms {
		ref := m.value(systems[0].kv)
		cells := []string{m.name, m.unit}
		for _, s := range systems {
			if s.kv["status"] != "ok" {
				cells = append(cells, "—")
				continue
			}
			v := m.value(s.kv)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				cells = append(cells, "—")
				continue
			}
			cell := fmt.Sprintf(m.format, v)
			if s.name != "fasttext" && ref > 0 && !math.IsNaN(ref) {
				cell += " (" + ratio(v/ref) + ")"
			}
			cells = append(cells, cell)
		}
		dir := "higher"
		if m.lowerBetter {
			dir = "lower"
		}
		p("| %s | %s |\n", strings.Join(cells, " | "), dir)
	}
	p("\n")
	writeRatios(p, ndocs, systems)
}

// wholeRate is documents per second scoring the dev file, model load included.
func wholeRate(kv map[string]string, ndocs int) float64 {
	return float64(ndocs) / num(kv, "score_s")
}

// loadedRate approximates documents per second with the model already loaded:
// documents over (whole-dev wall time − cold start). It is NaN when the
// difference is not positive (noise) or a timing is missing.
func loadedRate(kv map[string]string, ndocs int) float64 {
	if d := num(kv, "score_s") - num(kv, "cold_s"); d > 0 {
		return float64(ndocs) / d
	}
	return math.NaN()
}

// writeRatios writes slopguard's scoring throughput over each fastText
// model's, whole process and with the model already loaded.
func writeRatios(p printer, ndocs int, systems []*system) {
	byName := map[string]*system{}
	for _, s := range systems {
		byName[s.name] = s
	}
	refs := []string{"fasttext", "fasttext_small"}
	p("### slopguard's scoring throughput over each fastText model's\n\n")
	p("The issue's speed target: at least ×1.00 against both, with the model already loaded.\n\n")
	cols := []string{"throughput"}
	for _, r := range refs {
		cols = append(cols, "slopguard / "+titles[r])
	}
	p("| %s |\n|%s\n", strings.Join(cols, " | "), strings.Repeat("---|", len(cols)))
	rates := []struct {
		name string
		rate func(kv map[string]string, ndocs int) float64
	}{
		{"whole process (model load included)", wholeRate},
		{"model already loaded ≈ docs / (wall − cold start)", loadedRate},
	}
	sg := byName["slopguard"]
	for _, r := range rates {
		cells := []string{r.name}
		for _, ref := range refs {
			cells = append(cells, ratioCell(sg, byName[ref], func(kv map[string]string) float64 { return r.rate(kv, ndocs) }))
		}
		p("| %s |\n", strings.Join(cells, " | "))
	}
	p("\n")
}

// ratioCell formats rate(a) / rate(b), or "—" when either system did not run
// or either rate is not a positive number.
func ratioCell(a, b *system, rate func(kv map[string]string) float64) string {
	if a == nil || b == nil || a.kv["status"] != "ok" || b.kv["status"] != "ok" {
		return "—"
	}
	x, y := rate(a.kv), rate(b.kv)
	if !(x > 0) || !(y > 0) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return "—"
	}
	return ratio(x / y)
}

func writeLatency(p printer, work string) {
	p("## slopguard latency per document, in process\n\n")
	data, err := os.ReadFile(filepath.Join(work, "latency.json"))
	var rep struct {
		Model   string `json:"model"`
		Version string `json:"version"`
		Results []struct {
			Size    string `json:"size"`
			Bytes   int    `json:"bytes"`
			Runs    int    `json:"runs"`
			P50     int64  `json:"p50_ns"`
			P99     int64  `json:"p99_ns"`
			Sampled bool   `json:"sampled"`
		} `json:"results"`
	}
	if err == nil {
		err = json.Unmarshal(data, &rep)
	}
	if err != nil || len(rep.Results) == 0 {
		p("slopguard: skipped (no latency measurement: %v)\n\n", err)
		return
	}
	ft := map[string]float64{}
	if kv, err := os.ReadFile(filepath.Join(work, "fasttext_latency.tsv")); err == nil {
		for _, line := range strings.Split(string(kv), "\n") {
			f := strings.Fields(line)
			if len(f) == 3 {
				if v, err := strconv.ParseFloat(f[2], 64); err == nil {
					ft[f[0]] = v
				}
			}
		}
	}
	p("`detector.Score` on one document, timed call by call (model %s, version %s). fastText's\n", rep.Model, mdEscape(rep.Version))
	p("column is its mean cost per document of the same text inside `predict-prob`, from the\n")
	p("difference between scoring N copies and one copy; the ratio is slopguard p50 / that mean.\n\n")
	p("| size | runs | p50 | p99 | MB/s at p50 | scored on a sample | fastText mean | ratio p50 / fastText |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range rep.Results {
		ftCell, ratioCell := "—", "—"
		if v, ok := ft[r.Size]; ok && v > 0 {
			ftCell = dur(v)
			ratioCell = ratio(float64(r.P50) / v)
		}
		mbs := "—"
		if r.P50 > 0 {
			mbs = fmt.Sprintf("%.1f", float64(r.Bytes)/1e6/(float64(r.P50)/1e9))
		}
		sampled := "no"
		if r.Sampled {
			sampled = "yes"
		}
		p("| %s | %d | %s | %s | %s | %s | %s | %s |\n", r.Size, r.Runs, dur(float64(r.P50)), dur(float64(r.P99)), mbs, sampled, ftCell, ratioCell)
	}
	p("\n")
}

// ratio formats a ratio to fastText with two significant digits at least.
func ratio(r float64) string {
	if r < 0.1 {
		return fmt.Sprintf("×%.2g", r)
	}
	return fmt.Sprintf("×%.2f", r)
}

// dur formats nanoseconds readably.
func dur(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.0f ns", ns)
	}
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
