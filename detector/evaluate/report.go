package evaluate

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/slopguard/slopguard/detector/model"
)

// Metrics are the results for one group of samples. A metric that needs a
// label the group lacks is NaN: AUROC and the TPR-at-FPR points need both,
// FPR needs human text and TPR machine text.
type Metrics struct {
	// Group names the group ("all", a category, a source file, …).
	Group string
	// N, Humans and Machines count the samples.
	N, Humans, Machines int
	// AUROC is the tie-aware area under the ROC curve (see Scores.AUROC).
	AUROC float64
	// At1 and At5 are the operating points at 1% and 5% FPR, with the
	// threshold chosen on this group's human scores (see Scores.TPRAtFPR).
	At1, At5 Point
	// FPR and TPR are the rates at the detector's own threshold: a text
	// counts as flagged when its verdict is Machine.
	FPR, TPR float64
	// Unsure is the share of samples with an Unsure verdict.
	Unsure float64
}

// Compute returns the metrics of one group.
func Compute(group string, s Scores) Metrics {
	m := Metrics{Group: group, N: len(s)}
	m.Humans, m.Machines = s.Counts()
	m.AUROC = s.AUROC()
	m.At1 = s.TPRAtFPR(0.01)
	m.At5 = s.TPRAtFPR(0.05)
	m.FPR, m.TPR, m.Unsure = s.VerdictRates()
	return m
}

// LengthBuckets are the text-length groups, in characters; each bucket
// holds lengths from its lower bound (inclusive) to the next one (exclusive).
var LengthBuckets = []struct {
	Name string
	Min  int
}{{"<100", 0}, {"100–299", 100}, {"300–999", 300}, {"≥1000", 1000}}

// LengthBucket returns the name of the bucket a text length falls in.
func LengthBucket(n int) string {
	name := LengthBuckets[0].Name
	for _, b := range LengthBuckets {
		if n >= b.Min {
			name = b.Name
		}
	}
	return name
}

// Report is the result of one evaluation.
type Report struct {
	// Model is the detector's version.
	Model string `json:"model"`
	// Threshold is the detector's own threshold.
	Threshold float64 `json:"threshold"`
	// KindThresholds are the detector's thresholds for kind groups that
	// differ from Threshold (see model.KindGroup); verdicts of texts of
	// those kinds were given at them.
	KindThresholds map[string]float64 `json:"kind_thresholds,omitempty"`
	// Split is the data split evaluated ("dev", "all", …), for display.
	Split string `json:"split"`
	// Attack is the perturbation applied to every text, "" for none.
	Attack string `json:"attack"`
	// Overall covers every sample.
	Overall Metrics `json:"overall"`
	// ByCategory, ByDir, BySource, ByGenerator and ByLength break Overall
	// down. Groups are sorted by name, except length buckets which keep
	// their order; ByGenerator holds machine text only.
	ByCategory  []Metrics `json:"by_category"`
	ByDir       []Metrics `json:"by_dir"`
	BySource    []Metrics `json:"by_source"`
	ByGenerator []Metrics `json:"by_generator"`
	ByLength    []Metrics `json:"by_length"`
	// Samples are the scored samples the report was built from.
	Samples Scores `json:"-"`
}

// jsonFloat encodes NaN and infinities, which JSON lacks, as null.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

// MarshalJSON encodes the point with null for metrics the group cannot have.
func (p Point) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Threshold jsonFloat `json:"threshold"`
		FPR       jsonFloat `json:"fpr"`
		TPR       jsonFloat `json:"tpr"`
	}{jsonFloat(p.Threshold), jsonFloat(p.FPR), jsonFloat(p.TPR)})
}

// MarshalJSON encodes the metrics with null for those the group cannot have.
func (m Metrics) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Group    string    `json:"group"`
		N        int       `json:"n"`
		Humans   int       `json:"humans"`
		Machines int       `json:"machines"`
		AUROC    jsonFloat `json:"auroc"`
		At1      Point     `json:"at_fpr_1pct"`
		At5      Point     `json:"at_fpr_5pct"`
		FPR      jsonFloat `json:"fpr"`
		TPR      jsonFloat `json:"tpr"`
		Unsure   jsonFloat `json:"unsure"`
	}{m.Group, m.N, m.Humans, m.Machines, jsonFloat(m.AUROC), m.At1, m.At5, jsonFloat(m.FPR), jsonFloat(m.TPR), jsonFloat(m.Unsure)})
}

// NewReport computes every breakdown of samples.
func NewReport(samples Scores, model string, threshold float64, split, attack string) *Report {
	r := &Report{Model: model, Threshold: threshold, Split: split, Attack: attack, Samples: samples}
	r.Overall = Compute("all", samples)
	r.ByCategory = breakdown(samples, func(s Sample) string { return s.Category }, nil)
	r.ByDir = breakdown(samples, func(s Sample) string { return s.Dir }, nil)
	r.BySource = breakdown(samples, func(s Sample) string { return s.Source }, nil)
	r.ByGenerator = breakdown(samples, func(s Sample) string {
		if !s.Machine {
			return ""
		}
		if s.Generator == "" {
			return "(unknown)"
		}
		return s.Generator
	}, nil)
	var order []string
	for _, b := range LengthBuckets {
		order = append(order, b.Name)
	}
	r.ByLength = breakdown(samples, func(s Sample) string { return LengthBucket(s.Length) }, order)
	return r
}

// breakdown groups samples by key (skipping ""), in the given order or
// sorted by name, leaving out empty groups.
func breakdown(samples Scores, key func(Sample) string, order []string) []Metrics {
	groups := map[string]Scores{}
	for _, s := range samples {
		if k := key(s); k != "" {
			groups[k] = append(groups[k], s)
		}
	}
	if order == nil {
		for k := range groups {
			order = append(order, k)
		}
		sort.Strings(order)
	}
	var out []Metrics
	for _, k := range order {
		if len(groups[k]) > 0 {
			out = append(out, Compute(k, groups[k]))
		}
	}
	return out
}

// attackName is the attack for display.
func (r *Report) attackName() string {
	if r.Attack == "" {
		return "none"
	}
	return r.Attack
}

// WriteMarkdown writes the full report as Markdown.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# slopguard evaluation\n\n")
	fmt.Fprintf(&b, "Model `%s`, threshold %.3f%s, split %s, attack %s: %d texts (%d human, %d machine).\n\n",
		r.Model, r.Threshold, r.kindNote(), r.Split, r.attackName(), r.Overall.N, r.Overall.Humans, r.Overall.Machines)
	b.WriteString(legend)
	for i, s := range r.sections() {
		fmt.Fprintf(&b, "\n## %s\n\n", s.title)
		b.WriteString(table(s.rows))
		if n := r.operatingNote(); i == 0 && n != "" {
			fmt.Fprintf(&b, "\n%s\n", n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// reportSection is one table of the report.
type reportSection struct {
	title string
	rows  []Metrics
}

// sections are the report's tables, in order.
func (r *Report) sections() []reportSection {
	return []reportSection{
		{"Overall", []Metrics{r.Overall}},
		{"By category (kind, else domain)", r.ByCategory},
		{"By data directory", r.ByDir},
		{"By source file", r.BySource},
		{"By generator (machine text only)", r.ByGenerator},
		{"By length (characters)", r.ByLength},
	}
}

// operatingNote says where the pooled 1% and 5% FPR operating points are,
// or "" when they cannot be had.
func (r *Report) operatingNote() string {
	if math.IsNaN(r.Overall.At1.Threshold) {
		return ""
	}
	// Rounded up, never to nearest: a threshold rounded down can fall
	// below the human score it must stay above, and then flags more than
	// the rate printed beside it.
	return fmt.Sprintf("Pooled, 1%% FPR is reached flagging scores at or above %.6f (FPR %s, TPR %s), and 5%% at or above %.6f (FPR %s, TPR %s).",
		ceil6(r.Overall.At1.Threshold), pct(r.Overall.At1.FPR, 2), pct(r.Overall.At1.TPR, 1),
		ceil6(r.Overall.At5.Threshold), pct(r.Overall.At5.FPR, 2), pct(r.Overall.At5.TPR, 1))
}

// ceil6 rounds x up to six decimals.
func ceil6(x float64) float64 { return math.Ceil(x*1e6) / 1e6 }

// legend explains the columns of every table.
const legend = `AUROC is the probability that a machine text scores above a human one (ties count half).
TPR@1% and TPR@5% are the share of machine text caught at the strictest threshold that keeps
the false-positive rate on this group's human text at or below 1% and 5%.
FPR and TPR are measured at the model's own threshold, where only a "machine" verdict counts
as flagged ("unsure" does not). Unsure is the share of texts the model declined to judge.
"–" marks a metric the group cannot have: AUROC and TPR@x% need both labels, FPR needs
human text, TPR needs machine text.
`

// kindNote lists the kind thresholds for the report's first line, e.g.
// " (pr 0.962, chat 0.981)", or "" when there are none.
func (r *Report) kindNote() string {
	var parts []string
	for _, g := range model.KindGroups {
		if t, ok := r.KindThresholds[g]; ok {
			parts = append(parts, fmt.Sprintf("%s %.3f", g, t))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// Summary returns the overall and per-category tables, for a terminal.
func (r *Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "model %s, threshold %.3f%s, split %s, attack %s\n\n", r.Model, r.Threshold, r.kindNote(), r.Split, r.attackName())
	b.WriteString(table(append([]Metrics{r.Overall}, r.ByCategory...)))
	return b.String()
}

// table renders rows as a Markdown table with aligned columns.
func table(rows []Metrics) string {
	header := []string{"group", "n", "human", "machine", "AUROC", "TPR@1%", "TPR@5%", "FPR", "TPR", "unsure"}
	right := []bool{false, true, true, true, true, true, true, true, true, true}
	cells := [][]string{header}
	for _, m := range rows {
		cells = append(cells, []string{
			strings.ReplaceAll(m.Group, "|", `\|`),
			fmt.Sprint(m.N), fmt.Sprint(m.Humans), fmt.Sprint(m.Machines),
			num(m.AUROC, "%.3f"), pct(m.At1.TPR, 1), pct(m.At5.TPR, 1),
			pct(m.FPR, 2), pct(m.TPR, 1), pct(m.Unsure, 1),
		})
	}
	width := make([]int, len(header))
	for _, row := range cells {
		for i, c := range row {
			width[i] = max(width[i], utf8.RuneCountInString(c), 3)
		}
	}
	var b strings.Builder
	writeRow := func(row []string) {
		b.WriteString("|")
		for i, c := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if right[i] {
				b.WriteString(" " + pad + c + " |")
			} else {
				b.WriteString(" " + c + pad + " |")
			}
		}
		b.WriteString("\n")
	}
	writeRow(cells[0])
	b.WriteString("|")
	for i := range header {
		if right[i] {
			b.WriteString(" " + strings.Repeat("-", width[i]-1) + ": |")
		} else {
			b.WriteString(" " + strings.Repeat("-", width[i]) + " |")
		}
	}
	b.WriteString("\n")
	for _, row := range cells[1:] {
		writeRow(row)
	}
	return b.String()
}

// num formats v, or "–" when it is NaN.
func num(v float64, format string) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf(format, v)
}

// pct formats a rate as a percentage with the given decimals, or "–".
func pct(v float64, decimals int) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.*f%%", decimals, 100*v)
}

// reportCSS is report.html's stylesheet, allowed by its CSP hash.
const reportCSS = `body{font:15px/1.5 system-ui,"Liberation Sans",sans-serif;color:#1d2127;background:#fbfbfa;margin:0}
main{max-width:78rem;margin:0 auto;padding:1rem 1.5rem 3rem}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:2rem}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #dfe2e6;border-radius:6px;background:#fff}
figcaption{color:#5c6570;font-size:.9rem}
table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
th,td{padding:.25rem .6rem;border-bottom:1px solid #dfe2e6;text-align:right;font-variant-numeric:tabular-nums}
th:first-child,td:first-child{text-align:left}th{color:#5c6570}
.legend{white-space:pre-wrap;color:#5c6570;font-size:.9rem}`

// reportCSP allows report.html its stylesheet and its inline images, and
// nothing else.
var reportCSP = func() string {
	h := sha256.Sum256([]byte(reportCSS))
	return "default-src 'none'; img-src data:; style-src 'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'; base-uri 'none'; form-action 'none'"
}()

var reportHTML = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{{.CSS}}</style>
<title>slopguard evaluation · {{.R.Model}}</title></head>
<body><main>
<h1>slopguard evaluation</h1>
<p>Model <code>{{.R.Model}}</code>, threshold {{printf "%.3f" .R.Threshold}}, split {{.R.Split}}, attack {{.Attack}}: {{.R.Overall.N}} texts ({{.R.Overall.Humans}} human, {{.R.Overall.Machines}} machine).</p>
{{with .ROC}}<figure><img src="{{.}}" alt="ROC curve of all texts, linear and log-scale FPR"><figcaption>The pooled ROC curve; right, the false-positive rates a moderation tool runs at, on a log scale.</figcaption></figure>{{end}}
{{with .Categories}}<figure><img src="{{.}}" alt="ROC curves per category, one small panel each"><figcaption>One panel per category with at least {{$.MinPerLabel}} texts of each label, the largest first{{if $.More}} ({{$.More}} more qualify: see the table){{end}}; orange the category, grey all texts.</figcaption></figure>{{end}}
{{with .Hist}}<figure><img src="{{.}}" alt="score histogram of human and machine texts"><figcaption>Scores of human and machine texts, each as a share of its label, and the threshold.</figcaption></figure>{{end}}
<p class="legend">{{.Legend}}</p>
{{range .Sections}}<h2>{{.Title}}</h2>
<table><thead><tr>{{range $.Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table>
{{with .Note}}<p>{{.}}</p>{{end}}{{end}}
</main></body></html>
`))

// WriteHTML writes the report as one HTML file with the plots inline:
// pngs maps roc.png, roc-categories.png and hist.png (any may be missing)
// to their bytes. The file loads nothing and runs no script.
func (r *Report) WriteHTML(w io.Writer, pngs map[string][]byte) error {
	dataURL := func(name string) template.URL {
		b, ok := pngs[name]
		if !ok {
			return ""
		}
		// A data: URL of a PNG the report drew itself.
		return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b))
	}
	type section struct {
		Title string
		Rows  [][]string
		Note  string
	}
	_, more := r.rocCategories()
	data := struct {
		R                     *Report
		CSS                   template.CSS
		CSP                   string
		Attack                string
		ROC, Categories, Hist template.URL
		MinPerLabel, More     int
		Legend                string
		Header                []string
		Sections              []section
	}{
		R: r, CSS: template.CSS(reportCSS), CSP: reportCSP, Attack: r.attackName(),
		ROC: dataURL("roc.png"), Categories: dataURL("roc-categories.png"), Hist: dataURL("hist.png"),
		MinPerLabel: rocMinPerLabel, More: more, Legend: legend,
		Header: []string{"group", "n", "human", "machine", "AUROC", "TPR@1%", "TPR@5%", "FPR", "TPR", "unsure"},
	}
	for i, s := range r.sections() {
		sec := section{Title: s.title}
		for _, m := range s.rows {
			sec.Rows = append(sec.Rows, []string{m.Group, fmt.Sprint(m.N), fmt.Sprint(m.Humans), fmt.Sprint(m.Machines),
				num(m.AUROC, "%.3f"), pct(m.At1.TPR, 1), pct(m.At5.TPR, 1), pct(m.FPR, 2), pct(m.TPR, 1), pct(m.Unsure, 1)})
		}
		if i == 0 {
			sec.Note = r.operatingNote()
		}
		data.Sections = append(data.Sections, sec)
	}
	return reportHTML.Execute(w, data)
}
