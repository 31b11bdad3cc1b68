package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/generalise"
	"github.com/slopguard/slopguard/detector/train"
)

// Defaults of the generalisation benchmark's sample: small enough for a run
// of every fold in a quarter of an hour on 2 cores.
const (
	generaliseTrainCap = 300
	generaliseEvalCap  = 400
)

// runUnseen implements `slopguard unseen --data DIR (--loo|--lofo)`.
func runUnseen(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "unseen")
	var data stringList
	opts := train.DefaultOptions()
	opts.MaxPerGroup = generaliseTrainCap
	opts.SkipChecks = true
	fs.Var(&data, "data", "labelled JSONL file or directory (repeatable; further paths may follow the flags)")
	loo := fs.Bool("loo", false, "leave one source out: every source with both labels, and matched one-label pairs")
	lofo := fs.Bool("lofo", false, "leave one generator family out (needs the generators' families: --families, or generator_families.tsv in a --data folder)")
	famPath := fs.String("families", "", "tab-separated `file` mapping generator to family, for --lofo and the training's --family-balance (default: generator_families.tsv in a --data folder, when there is one)")
	only := fs.String("only", "", "comma-separated sources or families to run (default all)")
	evalCap := fs.Int("eval-per-source", generaliseEvalCap, "score at most `n` left-out texts of each source and label (0 = all)")
	var update stringList
	fs.Var(&update, "update", "Markdown `file` whose <!-- loo:begin/end --> and <!-- lofo:begin/end --> sections get the tables (repeatable)")
	suffix := fs.String("section-suffix", "", "append `SUFFIX` to the names of the --update sections (e.g. -full: <!-- loo-full:begin -->), so tables of another sample size keep their own")
	checkTrainFlags := addTrainFlags(fs, &opts)
	setUsage(fs, "slopguard unseen --data PATH... [--loo] [--lofo --families FILE] [--update FILE] [--max-per-source N] [train flags]",
		"Trains one model per left-out source or generator family, on a sample of the rest",
		"(--max-per-source texts per source and label, default 300), and reports how it does",
		"on what it never saw: AUROC, recall and human FPR at its own verdict.")
	if err := parseDataFlags(fs, args, &data); err != nil {
		return err
	}
	switch {
	case len(data) == 0:
		return usageErrorf("--data is required")
	case !*loo && !*lofo:
		return usageErrorf("give --loo, --lofo or both")
	case *evalCap < 0:
		return usageErrorf("--eval-per-source must be 0 or more")
	case !validSectionSuffix(*suffix):
		return usageErrorf("--section-suffix %q: use letters, digits and '-' only", *suffix)
	}
	looSection, lofoSection := "loo"+*suffix, "lofo"+*suffix
	if _, err := checkTrainFlags(); err != nil {
		return err
	}
	// Find an unreadable file or a missing section now, not after the folds.
	for _, path := range update {
		b, err := os.ReadFile(path)
		if err != nil {
			return usageErrorf("--update: %v", err)
		}
		for name, on := range map[string]bool{looSection: *loo, lofoSection: *lofo} {
			if _, err := generalise.Splice(string(b), name, ""); on && err != nil {
				return usageErrorf("--update %s: %v", path, err)
			}
		}
	}
	// The tables, by section name; spliced into the files as they are when
	// the folds end, so edits made meanwhile (or by another run) are kept.
	tables := map[string]string{}
	gopts := generalise.Options{Train: opts, EvalCap: *evalCap, Progress: e.stderr}
	fams, err := readFamilies(data, *famPath)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if *lofo && fams == nil {
		return usageErrorf("--lofo needs the generators' families: --families FILE, or %s in a --data folder", familiesFile)
	}
	gopts.Families = fams
	gopts.Train.Families = fams
	recs, err := dataset.Read(data, nil)
	if err := reportBadLines(e, err); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	setting := fmt.Sprintf("Training: at most %d texts per source and label (`--max-per-source %d`), scored: at most %d per source and label (`--eval-per-source %d`).\n\n",
		opts.MaxPerGroup, opts.MaxPerGroup, *evalCap, *evalCap)
	if *loo {
		var units []generalise.Unit
		for _, u := range generalise.SourceUnits(recs) {
			if len(want) == 0 || want[u.Name()] || want[u[0]] {
				units = append(units, u)
			}
		}
		rows, err := generalise.LeaveSourceOut(ctx, recs, units, gopts)
		if err != nil {
			return err
		}
		if tables[looSection], err = emitTable(e, "left-out source", setting, rows); err != nil {
			return err
		}
	}
	if *lofo {
		fams, unknown := generalise.Families(recs, gopts.Families)
		if len(unknown) > 0 {
			fmt.Fprintf(e.stderr, "warning: %d generators have no family in the families file and stay in every fold: %s\n", len(unknown), strings.Join(unknown, ", "))
		}
		var run []string
		for _, f := range fams {
			if len(want) == 0 || want[f] {
				run = append(run, f)
			}
		}
		rows, err := generalise.LeaveFamilyOut(ctx, recs, run, gopts)
		if err != nil {
			return err
		}
		if tables[lofoSection], err = emitTable(e, "left-out family", setting, rows); err != nil {
			return err
		}
	}
	return spliceTables(e, update, tables)
}

// validSectionSuffix reports whether s may end a section name: ASCII
// letters, digits and '-' only, so the markers stay one HTML comment word.
func validSectionSuffix(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// spliceTables writes each table into its section of every file in paths,
// reading the files now: what changed in them while the folds ran stays.
func spliceTables(e *env, paths []string, tables map[string]string) error {
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("update %s: %w", path, err)
		}
		doc := string(b)
		names := make([]string, 0, len(tables))
		for name := range tables {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			table := tables[name]
			if doc, err = generalise.Splice(doc, name, table); err != nil {
				return fmt.Errorf("update %s: %w", path, err)
			}
		}
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			return fmt.Errorf("update %s: %w", path, err)
		}
		fmt.Fprintf(e.stderr, "updated %s\n", path)
	}
	return nil
}

// emitTable prints the table and returns it, to be spliced into the
// documents.
func emitTable(e *env, first, setting string, rows []generalise.Row) (string, error) {
	var b strings.Builder
	b.WriteString(setting)
	if err := generalise.WriteTable(&b, first, rows); err != nil {
		return "", err
	}
	fmt.Fprint(e.stdout, b.String())
	return b.String(), nil
}
