package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/evaluate"
	"github.com/slopguard/slopguard/detector/train"
	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/sqlstore"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runTrain(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var data, feedback stringList
	opts := train.DefaultOptions()
	fs.Var(&data, "data", "labelled JSONL file or directory (repeatable); split=train is fitted, split=dev is reported")
	fs.Var(&feedback, "feedback", "feedback JSONL (from `slopguard feedback export`) or a SQLite store path, added to the training data (repeatable)")
	out := fs.String("out", "model.bin", "where to write the model file; the model card goes beside it as .md and .json")
	fs.Int64Var(&opts.Seed, "seed", opts.Seed, "random seed; the same data and seed give the same model")
	fs.IntVar(&opts.Epochs, "epochs", opts.Epochs, "passes over the data")
	fs.IntVar(&opts.VocabSize, "vocab", opts.VocabSize, "BPE vocabulary size")
	fs.IntVar(&opts.Features.HashBits, "hash-bits", opts.Features.HashBits, "log2 of the number of hashed n-gram features")
	fs.BoolVar(&opts.Features.WordNgrams, "word-ngrams", opts.Features.WordNgrams, "hashed unigrams and bigrams of lower-cased words")
	fs.BoolVar(&opts.PlainCalibration, "plain-calibration", false, "calibrate without the length terms (to compare; the shipped model has them)")
	fs.IntVar(&opts.Features.MaskedNgrams, "masked-ngrams", opts.Features.MaskedNgrams, "longest n-gram of the masked word sequence (function words kept, other words as length classes); 0 turns them off")
	fs.Float64Var(&opts.FeedbackWeight, "feedback-weight", opts.FeedbackWeight, "weight of each feedback example relative to an average training example")
	fs.IntVar(&opts.MaxPerGroup, "max-per-source", opts.MaxPerGroup, "cap on examples per source and label")
	fs.Float64Var(&opts.MaxWeight, "max-weight", opts.MaxWeight, "cap on every weight's magnitude (log-odds per unit feature)")
	fs.Float64Var(&opts.L2, "l2", opts.L2, "L2 regularisation strength")
	fs.Float64Var(&opts.OneLabelFactor, "one-label-factor", opts.OneLabelFactor, "weight of a source with one label relative to a two-label source of the same size (they can teach topic rather than authorship)")
	noDev := fs.Bool("no-dev", false, "skip the dev-split evaluation in the model card")
	quiet := fs.Bool("quiet", false, "no progress bars")
	if err := fs.Parse(args); err != nil {
		return usageErrorf("%v", err)
	}
	if len(data) == 0 {
		return usageErrorf("--data is required")
	}
	switch {
	case opts.OneLabelFactor <= 0:
		return usageErrorf("--one-label-factor must be above 0")
	case opts.MaxWeight <= 0:
		return usageErrorf("--max-weight must be above 0")
	case opts.L2 < 0:
		return usageErrorf("--l2 must not be negative")
	}
	if !*quiet {
		opts.Progress = e.stderr
	}
	recs, err := dataset.Read(data, dataset.SplitFilter("train"))
	if err := reportBadLines(e, err); err != nil {
		return err
	}
	fb, err := readFeedback(ctx, feedback)
	if err != nil {
		return err
	}
	recs = append(recs, fb...)
	fmt.Fprintf(e.stderr, "training on %d records (%d from feedback)\n", len(recs), len(fb))
	res, err := train.Train(ctx, recs, opts)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if !*noDev {
		dev, err := dataset.Read(data, dataset.SplitFilter("dev"))
		if err := reportBadLines(e, err); err != nil {
			return err
		}
		if len(dev) > 0 {
			det, err := detector.FromFile(res.File)
			if err != nil {
				return fmt.Errorf("load trained model: %w", err)
			}
			rep, err := evaluate.Run(ctx, det, dev, evaluate.Options{Split: "dev"})
			if err != nil {
				return fmt.Errorf("evaluate on dev: %w", err)
			}
			var b strings.Builder
			if err := rep.WriteMarkdown(&b); err != nil {
				return err
			}
			res.Card.Dev = b.String()
			res.Card.DevMetrics = rep
			fmt.Fprintln(e.stderr, rep.Summary())
		}
	}
	data2, err := res.File.Marshal()
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, data2, 0o644); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	base := strings.TrimSuffix(*out, filepath.Ext(*out))
	if err := writeFileWith(base+".card.md", res.Card.WriteMarkdown); err != nil {
		return err
	}
	if err := writeFileWith(base+".card.json", res.Card.WriteJSON); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d bytes), %s.card.md and %s.card.json; machine threshold %.4f\n",
		*out, len(data2), base, base, res.File.Header.Thresholds.Machine)
	return nil
}

// reportBadLines prints skipped-line counts and passes other errors on.
func reportBadLines(e *env, err error) error {
	var bad *dataset.BadLinesError
	if errors.As(err, &bad) {
		fmt.Fprintf(e.stderr, "warning: %v\n", bad)
		return nil
	}
	if err != nil {
		return usageErrorf("read data: %v", err)
	}
	return nil
}

func writeFileWith(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// readFeedback reads feedback records for training. A path is either a
// JSONL file in the data format (as `slopguard feedback export` writes it)
// or a store: a SQLite file ending in .db or a postgres:// URL.
func readFeedback(ctx context.Context, paths []string) ([]dataset.Record, error) {
	var recs []dataset.Record
	var files []string
	for _, p := range paths {
		if !isStorePath(p) {
			files = append(files, p)
			continue
		}
		fromStore, err := feedbackFromStore(ctx, p)
		if err != nil {
			return nil, err
		}
		recs = append(recs, fromStore...)
	}
	if len(files) > 0 {
		fromFiles, err := dataset.Read(files, nil)
		var bad *dataset.BadLinesError
		if err != nil && !errors.As(err, &bad) {
			return nil, usageErrorf("read feedback: %v", err)
		}
		recs = append(recs, fromFiles...)
	}
	for i := range recs {
		recs[i].File = "feedback"
		recs[i].Split = "train"
	}
	return recs, ctx.Err()
}

func isStorePath(p string) bool {
	return strings.HasSuffix(p, ".db") || strings.HasPrefix(p, "postgres://") || strings.HasPrefix(p, "postgresql://")
}

// feedbackFromStore reads every feedback record that kept its text.
func feedbackFromStore(ctx context.Context, dsn string) ([]dataset.Record, error) {
	if config.DriverFor(dsn) == "sqlite" {
		if _, err := os.Stat(dsn); err != nil {
			return nil, usageErrorf("feedback store: %v", err)
		}
	}
	st, err := sqlstore.Open(ctx, config.DriverFor(dsn), dsn)
	if err != nil {
		return nil, fmt.Errorf("open feedback store: %w", err)
	}
	defer st.Close()
	fbs, err := st.Feedback(ctx, store.FeedbackFilter{})
	if err != nil {
		return nil, fmt.Errorf("read feedback: %w", err)
	}
	var recs []dataset.Record
	for _, f := range fbs {
		if f.Text == "" || (f.Label != dataset.LabelHuman && f.Label != dataset.LabelMachine) {
			continue
		}
		tr := store.FeedbackRecord(f)
		recs = append(recs, dataset.Record{Text: tr.Text, Label: tr.Label, Kind: tr.Kind, Source: tr.Source, ID: tr.ID, Group: tr.ID})
	}
	return recs, nil
}
