// Package generalise measures how the detector does on text it never saw:
// a source left out of training (leave one source out) or every text of a
// family of generators left out (leave one family out).
//
// Each fold trains a model with train.Train on the split=train records
// minus what it leaves out, then scores the left-out texts with that
// model's own threshold. The left-out texts may come from every split,
// since the fold's model saw none of them; human texts compared with a
// left-out family come from the dev split of the same sources, which no
// fold trains on.
//
// Folds are slow, so the benchmark is meant to be run on a sample:
// train.Options.MaxPerGroup caps the training texts of each source and
// label, and Options.EvalCap the scored texts of each source and label.
// Everything is deterministic for the same records and options.
package generalise

import (
	"bufio"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/evaluate"
	"github.com/slopguard/slopguard/detector/model"
	"github.com/slopguard/slopguard/detector/train"
)

// Options controls a benchmark run.
type Options struct {
	// Train are the training settings of every fold.
	Train train.Options
	// EvalCap is the most texts of each source and label scored in a fold
	// (a stable hash-chosen sample); 0 scores all.
	EvalCap int
	// Families maps a generator string to its family (see ReadFamilies).
	Families map[string]string
	// Progress receives one line per fold; nil for none.
	Progress io.Writer
	// Workers score texts in parallel; 0 means the training workers.
	Workers int
}

// Row is the outcome of one fold.
type Row struct {
	// Name is the left-out source(s) or family.
	Name string
	// Humans and Machines are the numbers of texts scored.
	Humans, Machines int
	// AUROC of the left-out machine texts against the compared human texts.
	AUROC float64
	// TPR1 is the recall at the strictest threshold with at most 1% of the
	// compared human texts flagged (set on those texts themselves).
	TPR1 float64
	// FPR and Recall are the shares of human and machine texts flagged at
	// the fold model's own verdict (an unsure verdict is not a flag).
	FPR, Recall float64
	// Unsure is the share of the machine texts with an unsure verdict.
	Unsure float64
	// Threshold is the fold model's default machine threshold; texts of a
	// kind group with its own threshold (model.KindGroup) get their verdict
	// at that one.
	Threshold float64
	// ThresholdSetBy names what set Threshold on the fold's held-out
	// texts (train.Card.ThresholdSetBy): a source, "pooled" or "limit".
	ThresholdSetBy string
	// Note says where the compared human texts came from, when not the
	// left-out sources themselves.
	Note string
	// Took is how long the fold ran.
	Took time.Duration
}

// Unit is a set of source files left out together.
type Unit []string

// Name joins the unit's files with "+".
func (u Unit) Name() string { return strings.Join(u, "+") }

// SourceUnits returns what leave one source out leaves out: every source
// file with both labels, and every pair of one-label files (one human, one
// machine) that answer the same inputs — at least half of the machine
// file's groups also occur in the human file, as with a data set published
// in two halves. Units are sorted by name.
func SourceUnits(recs []dataset.Record) []Unit {
	labels := map[string][2]int{}
	groups := map[string]map[string]bool{}
	for _, r := range recs {
		c := labels[r.File]
		if r.Machine() {
			c[1]++
		} else {
			c[0]++
		}
		labels[r.File] = c
		if groups[r.File] == nil {
			groups[r.File] = map[string]bool{}
		}
		groups[r.File][r.Group] = true
	}
	var units []Unit
	var humanOnly, machineOnly []string
	for f, c := range labels {
		switch {
		case c[0] > 0 && c[1] > 0:
			units = append(units, Unit{f})
		case c[0] > 0:
			humanOnly = append(humanOnly, f)
		default:
			machineOnly = append(machineOnly, f)
		}
	}
	sort.Strings(humanOnly)
	sort.Strings(machineOnly)
	for _, m := range machineOnly {
		for _, h := range humanOnly {
			shared := 0
			for g := range groups[m] {
				if groups[h][g] {
					shared++
				}
			}
			if 2*shared >= len(groups[m]) {
				units = append(units, Unit{h, m})
				break
			}
		}
	}
	sort.Slice(units, func(i, j int) bool { return units[i].Name() < units[j].Name() })
	return units
}

// ReadFamilies reads a tab-separated file whose header names the columns
// "generator" and "family" and returns the map from generator to family.
func ReadFamilies(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read families: %w", err)
	}
	defer f.Close()
	return parseFamilies(f, path)
}

func parseFamilies(r io.Reader, name string) (map[string]string, error) {
	sc := bufio.NewScanner(r)
	gen, fam := -1, -1
	out := map[string]string{}
	line := 0
	for sc.Scan() {
		line++
		cols := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if line == 1 {
			for i, c := range cols {
				switch strings.TrimSpace(c) {
				case "generator":
					gen = i
				case "family":
					fam = i
				}
			}
			if gen < 0 || fam < 0 {
				return nil, fmt.Errorf("%s: the header must name a generator and a family column", name)
			}
			continue
		}
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		if len(cols) <= max(gen, fam) || cols[fam] == "" {
			return nil, fmt.Errorf("%s:%d: want a generator and a family", name, line)
		}
		out[cols[gen]] = cols[fam]
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no generators", name)
	}
	return out, nil
}

// Families returns the families of the machine records, sorted, and the
// generators with no family.
func Families(recs []dataset.Record, families map[string]string) (fams, unknown []string) {
	seen := map[string]bool{}
	miss := map[string]bool{}
	for _, r := range recs {
		if !r.Machine() {
			continue
		}
		if f, ok := families[r.Generator]; ok {
			if !seen[f] {
				seen[f] = true
				fams = append(fams, f)
			}
		} else if !miss[r.Generator] {
			miss[r.Generator] = true
			unknown = append(unknown, r.Generator)
		}
	}
	sort.Strings(fams)
	sort.Strings(unknown)
	return fams, unknown
}

// LeaveSourceOut runs one fold per unit: train on the split=train records
// of every other source, score every record of the unit (all splits).
func LeaveSourceOut(ctx context.Context, recs []dataset.Record, units []Unit, opts Options) ([]Row, error) {
	var rows []Row
	for _, u := range units {
		out := map[string]bool{}
		for _, f := range u {
			out[f] = true
		}
		var trainRecs, evalRecs []dataset.Record
		for _, r := range recs {
			switch {
			case out[r.File]:
				evalRecs = append(evalRecs, r)
			case r.Split == "train":
				trainRecs = append(trainRecs, r)
			}
		}
		row, err := fold(ctx, u.Name(), trainRecs, capPerSourceLabel(evalRecs, opts.EvalCap), opts)
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// LeaveFamilyOut runs one fold per family: train on the split=train
// records without the family's machine texts, then score the family's
// machine texts (all splits) against the dev-split human texts of the
// sources the family appears in. A source with no human texts of its own
// contributes the dev human texts of its data directory instead (the Row's
// Note says so).
func LeaveFamilyOut(ctx context.Context, recs []dataset.Record, fams []string, opts Options) ([]Row, error) {
	humanFiles := map[string]bool{}
	dirHumans := map[string][]string{}
	for _, r := range recs {
		if !r.Machine() && !humanFiles[r.File] {
			humanFiles[r.File] = true
			dirHumans[r.Dir] = append(dirHumans[r.Dir], r.File)
		}
	}
	var rows []Row
	for _, fam := range fams {
		sources := map[string]bool{}
		var borrowed []string
		for _, r := range recs {
			if r.Machine() && opts.Families[r.Generator] == fam && !sources[r.File] {
				sources[r.File] = true
				if !humanFiles[r.File] {
					borrowed = append(borrowed, fmt.Sprintf("%s from %s/", r.File, r.Dir))
					for _, h := range dirHumans[r.Dir] {
						sources[h] = true
					}
				}
			}
		}
		var trainRecs, evalRecs []dataset.Record
		for _, r := range recs {
			left := r.Machine() && opts.Families[r.Generator] == fam
			if left {
				evalRecs = append(evalRecs, r)
				continue
			}
			if r.Split == "train" {
				trainRecs = append(trainRecs, r)
			}
			if !r.Machine() && r.Split == "dev" && sources[r.File] {
				evalRecs = append(evalRecs, r)
			}
		}
		row, err := fold(ctx, fam, trainRecs, capPerSourceLabel(evalRecs, opts.EvalCap), opts)
		if err != nil {
			return rows, err
		}
		if len(borrowed) > 0 {
			sort.Strings(borrowed)
			row.Note = "humans for " + strings.Join(borrowed, ", ")
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// fold trains on trainRecs and scores evalRecs with the trained model.
func fold(ctx context.Context, name string, trainRecs, evalRecs []dataset.Record, opts Options) (Row, error) {
	start := time.Now()
	res, err := train.Train(ctx, trainRecs, opts.Train)
	if err != nil {
		return Row{}, fmt.Errorf("fold %s: %w", name, err)
	}
	det, err := detector.FromFile(res.File)
	if err != nil {
		return Row{}, fmt.Errorf("fold %s: load model: %w", name, err)
	}
	scores := make(evaluate.Scores, len(evalRecs))
	workers := opts.Workers
	if workers <= 0 {
		workers = max(opts.Train.Workers, 1)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				// The verdict at the fold model's threshold for the text's
				// kind, as the product gives it.
				r := det.ScoreOnlyKind(evalRecs[i].Text, model.KindGroup(evalRecs[i].Kind, evalRecs[i].Domain))
				scores[i] = evaluate.Sample{Score: r.Score, Machine: evalRecs[i].Machine(), Verdict: r.Verdict}
			}
		}()
	}
	for i := range evalRecs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Row{}, err
	}
	row := Row{Name: name, Threshold: det.Threshold(), ThresholdSetBy: res.Card.ThresholdSetBy}
	row.Humans, row.Machines = scores.Counts()
	row.AUROC = scores.AUROC()
	row.TPR1 = scores.TPRAtFPR(0.01).TPR
	row.FPR, row.Recall, _ = scores.VerdictRates()
	var unsure int
	for _, s := range scores {
		if s.Machine && s.Verdict == detector.Unsure {
			unsure++
		}
	}
	row.Unsure = math.NaN()
	if row.Machines > 0 {
		row.Unsure = float64(unsure) / float64(row.Machines)
	}
	row.Took = time.Since(start)
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "%s: AUROC %.3f, recall at the verdict %.1f%%, human FPR %.2f%%, threshold %.3f set by %s (%d human, %d machine texts; %v)\n",
			name, row.AUROC, 100*row.Recall, 100*row.FPR, row.Threshold, row.ThresholdSetBy, row.Humans, row.Machines, row.Took.Round(time.Second))
	}
	return row, nil
}

// capPerSourceLabel keeps at most n records of each (file, label), chosen
// by a stable hash of the record, in their original order.
func capPerSourceLabel(recs []dataset.Record, n int) []dataset.Record {
	if n <= 0 {
		return recs
	}
	byKey := map[string][]int{}
	for i, r := range recs {
		k := r.Dir + "/" + r.File + "\x00" + r.Label
		byKey[k] = append(byKey[k], i)
	}
	keep := make([]bool, len(recs))
	for _, idx := range byKey {
		sort.SliceStable(idx, func(a, b int) bool { return recHash(recs[idx[a]]) < recHash(recs[idx[b]]) })
		for _, i := range idx[:min(n, len(idx))] {
			keep[i] = true
		}
	}
	var out []dataset.Record
	for i, r := range recs {
		if keep[i] {
			out = append(out, r)
		}
	}
	return out
}

func recHash(r dataset.Record) uint64 {
	h := fnv.New64a()
	for _, s := range []string{r.File, r.ID, r.Text} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// Summary is the mean and the lowest AUROC over rows with one, and the
// lowest recall at the verdict and highest FPR.
type Summary struct {
	MeanAUROC, MinAUROC float64
	MinRecall, MaxFPR   float64
	N                   int
}

// Summarise computes the Summary of rows.
func Summarise(rows []Row) Summary {
	s := Summary{MinAUROC: math.NaN(), MinRecall: math.NaN(), MaxFPR: math.NaN()}
	var sum float64
	for _, r := range rows {
		if !math.IsNaN(r.AUROC) {
			sum += r.AUROC
			s.N++
			if math.IsNaN(s.MinAUROC) || r.AUROC < s.MinAUROC {
				s.MinAUROC = r.AUROC
			}
		}
		if !math.IsNaN(r.Recall) && (math.IsNaN(s.MinRecall) || r.Recall < s.MinRecall) {
			s.MinRecall = r.Recall
		}
		if !math.IsNaN(r.FPR) && (math.IsNaN(s.MaxFPR) || r.FPR > s.MaxFPR) {
			s.MaxFPR = r.FPR
		}
	}
	s.MeanAUROC = math.NaN()
	if s.N > 0 {
		s.MeanAUROC = sum / float64(s.N)
	}
	return s
}

// WriteTable writes rows as a Markdown table headed by what was left out
// (first), followed by a line with their Summary.
func WriteTable(w io.Writer, first string, rows []Row) error {
	var b strings.Builder
	fmt.Fprintf(&b, "| %s | human | machine | AUROC | TPR@1%% | recall at the verdict | machine unsure | human FPR at the verdict | threshold |\n", first)
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		name := r.Name
		if r.Note != "" {
			name += " ¹"
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %s | %s | %s | %.3f |\n", name, r.Humans, r.Machines,
			num(r.AUROC), pct(r.TPR1), pct(r.Recall), pct(r.Unsure), pct(r.FPR), r.Threshold)
	}
	s := Summarise(rows)
	fmt.Fprintf(&b, "\nMean AUROC %s over %d, lowest %s; lowest recall at the verdict %s; highest human FPR at the verdict %s.\n",
		num(s.MeanAUROC), s.N, num(s.MinAUROC), pct(s.MinRecall), pct(s.MaxFPR))
	var notes []string
	for _, r := range rows {
		if r.Note != "" {
			notes = append(notes, fmt.Sprintf("%s: %s", r.Name, r.Note))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintf(&b, "\n¹ Machine-only sources compared with the human texts of their data directory (%s).\n", strings.Join(notes, "; "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func num(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', 3, 64)
}

func pct(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strconv.FormatFloat(100*x, 'f', 1, 64) + "%"
}

// Splice replaces the text between the lines "<!-- NAME:begin -->" and
// "<!-- NAME:end -->" in doc with body, keeping the marker lines.
func Splice(doc, name, body string) (string, error) {
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("no %q … %q section", strings.TrimSpace(begin), end)
	}
	return doc[:i+len(begin)] + body + doc[j:], nil
}
