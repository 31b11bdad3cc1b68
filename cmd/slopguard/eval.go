package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/slopguard/slopguard/detector/attack"
	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/evaluate"
)

// runEval implements `slopguard eval --data PATH...`.
func runEval(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "eval")
	var data stringList
	fs.Var(&data, "data", "labelled JSONL `path` (file or directory; repeatable; further paths may follow the flags)")
	modelPath := fs.String("model", "", "model `file` to use instead of the embedded model")
	split := fs.String("split", "dev", "data `split` to evaluate: train, dev or all")
	attackName := fs.String("attack", "", "perturb every text first: "+strings.Join(attack.Names(), ", "))
	out := fs.String("out", "eval-out", "`dir`ectory for report.md, roc.png and hist.png")
	limit := fs.Int("limit-per-file", 0, "score at most `n` records of each file (a stable sample; 0 = all)")
	seed := fs.Uint64("seed", 1, "`seed` for the perturbation")
	setUsage(fs, "slopguard eval --data PATH... [--model FILE] [--split dev] [--attack NAME] [--out DIR] [--limit-per-file N]",
		"Scores labelled JSONL and reports AUROC, TPR at 1% and 5% FPR, and FPR/TPR at the",
		"model's threshold, overall and by category, source file, generator and length.")
	if err := parseDataFlags(fs, args, &data); err != nil {
		return err
	}
	if len(data) == 0 {
		return usageErrorf("no data: give --data PATH (a JSONL file or a directory of them)")
	}
	if !attack.Valid(*attackName) {
		return usageErrorf("unknown --attack %q (want %s)", *attackName, strings.Join(attack.Names(), ", "))
	}
	if *limit < 0 {
		return usageErrorf("--limit-per-file must be 0 or more, got %d", *limit)
	}
	if _, err := dataset.Files(data); err != nil {
		return usageErrorf("%v", err)
	}
	det, err := scoreLoadModel(*modelPath)
	if err != nil {
		return err
	}

	start := time.Now()
	recs, err := dataset.Read(data, dataset.SplitFilter(*split))
	var bad *dataset.BadLinesError
	switch {
	case errors.As(err, &bad):
		fmt.Fprintf(e.stderr, "warning: %v\n", bad)
	case err != nil:
		return usageErrorf("%v", err)
	}
	recs = dataset.LimitPerFile(recs, *limit)
	if len(recs) == 0 {
		return usageErrorf("no records with split %q in %s", *split, strings.Join(data, ", "))
	}
	fmt.Fprintf(e.stderr, "read %d records in %v\n", len(recs), time.Since(start).Round(time.Millisecond))

	start = time.Now()
	var mu sync.Mutex
	progress := func(done, total int) {
		if done%10000 != 0 && done != total {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(e.stderr, "scored %d/%d\n", done, total)
	}
	rep, err := evaluate.Run(ctx, det, recs, evaluate.Options{Attack: *attackName, Seed: *seed, Split: *split, Progress: progress})
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(e.stderr, "scored %d texts in %v (%.0f texts/s)\n", len(recs), elapsed.Round(time.Millisecond), float64(len(recs))/max(elapsed.Seconds(), 1e-9))

	if err := rep.WriteFiles(*out); err != nil {
		return err
	}
	fmt.Fprint(e.stdout, rep.Summary())
	fmt.Fprintf(e.stdout, "\nfull report: %s (plots: %s, %s)\n",
		filepath.Join(*out, "report.md"), filepath.Join(*out, "roc.png"), filepath.Join(*out, "hist.png"))
	return nil
}
