package evaluate

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"unicode/utf8"
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
	fmt.Fprintf(&b, "Model `%s`, threshold %.3f, split %s, attack %s: %d texts (%d human, %d machine).\n\n",
		r.Model, r.Threshold, r.Split, r.attackName(), r.Overall.N, r.Overall.Humans, r.Overall.Machines)
	b.WriteString(legend)
	sections := []struct {
		title string
		rows  []Metrics
	}{
		{"Overall", []Metrics{r.Overall}},
		{"By category (kind, else domain)", r.ByCategory},
		{"By data directory", r.ByDir},
		{"By source file", r.BySource},
		{"By generator (machine text only)", r.ByGenerator},
		{"By length (characters)", r.ByLength},
	}
	for i, s := range sections {
		fmt.Fprintf(&b, "\n## %s\n\n", s.title)
		b.WriteString(table(s.rows))
		if i == 0 && !math.IsNaN(r.Overall.At1.Threshold) {
			// Rounded up, never to nearest: a threshold rounded down can
			// fall below the human score it must stay above, and then
			// flags more than the rate printed beside it.
			fmt.Fprintf(&b, "\nPooled, 1%% FPR is reached flagging scores at or above %.6f (FPR %s, TPR %s), and 5%% at or above %.6f (FPR %s, TPR %s).\n",
				ceil6(r.Overall.At1.Threshold), pct(r.Overall.At1.FPR, 2), pct(r.Overall.At1.TPR, 1),
				ceil6(r.Overall.At5.Threshold), pct(r.Overall.At5.FPR, 2), pct(r.Overall.At5.TPR, 1))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
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

// Summary returns the overall and per-category tables, for a terminal.
func (r *Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "model %s, threshold %.3f, split %s, attack %s\n\n", r.Model, r.Threshold, r.Split, r.attackName())
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
