package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/evaluate"
	"github.com/slopguard/slopguard/detector/generalise"
	"github.com/slopguard/slopguard/detector/train"
	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/sqlstore"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// runTrain implements `slopguard train --data PATH... [--out FILE]`.
func runTrain(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "train")
	var data, feedback stringList
	opts := train.DefaultOptions()
	fs.Var(&data, "data", "labelled JSONL file or directory (repeatable; further paths may follow the flags); split=train is fitted, split=dev is reported")
	famPath := fs.String("families", "", "tab-separated `file` mapping each generator to its family, for --family-balance (default: generator_families.tsv in a --data folder, when there is one)")
	fs.Var(&feedback, "feedback", "feedback JSONL (from `slopguard feedback export`), a SQLite store file or a postgres:// URL, added to the training data (repeatable)")
	out := fs.String("out", "model.bin", "where to write the model file; the model card goes beside it as .md and .json")
	fs.StringVar(&opts.Name, "name", opts.Name, "model name; the training date is appended (NAME-YYYYMMDD) and decision logs and reports show it")
	checkTrainFlags := addTrainFlags(fs, &opts)
	noDev := fs.Bool("no-dev", false, "skip the dev-split evaluation in the model card")
	quiet := fs.Bool("quiet", false, "no progress bars")
	setUsage(fs, "slopguard train --data PATH... [--feedback PATH]... [--out FILE] [--name NAME] [flags]",
		"Fits a model on the split=train records of labelled JSONL, reports it on split=dev,",
		"and writes the model file with its model card beside it.")
	if err := parseDataFlags(fs, args, &data); err != nil {
		return err
	}
	if len(data) == 0 {
		return usageErrorf("--data is required: give --data PATH (a JSONL file or a directory of them)")
	}
	factorFlag, err := checkTrainFlags()
	if err != nil {
		return err
	}
	if opts.Families, err = readFamilies(data, *famPath); err != nil {
		return usageErrorf("%v", err)
	}
	// SOURCE_DATE_EPOCH (seconds since 1970, the reproducible-builds
	// convention) fixes the date the model carries, so that the same data,
	// seed and date give the same bytes.
	if v := os.Getenv("SOURCE_DATE_EPOCH"); v != "" {
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return usageErrorf("SOURCE_DATE_EPOCH %q: want seconds since 1970", v)
		}
		opts.Date = time.Unix(sec, 0).UTC()
	}
	// Training takes minutes: find out now, not after it, that the model
	// cannot be written where asked.
	if err := checkWritable(*out); err != nil {
		return usageErrorf("--out %s: %v", *out, err)
	}
	if !*quiet {
		opts.Progress = e.stderr
	}
	// One read gives the split=train records in file order (what the model
	// is fitted on), the dev records, and the counts a bad data set is
	// explained with.
	all, err := dataset.Read(data, nil)
	if err := reportBadLines(e, err); err != nil {
		return err
	}
	var recs, dev []dataset.Record
	splits := map[string]int{}
	for _, r := range all {
		splits[r.Split]++
		switch r.Split {
		case "train":
			recs = append(recs, r)
		case "dev":
			dev = append(dev, r)
		}
	}
	all = nil
	fb, err := readFeedback(ctx, e, feedback)
	if err != nil {
		return err
	}
	if len(recs) == 0 && len(fb) == 0 {
		return usageErrorf("no split=train records in %s (%s)", strings.Join(data, ", "), describeSplits(splits))
	}
	recs = append(recs, fb...)
	if err := checkLabels(recs); err != nil {
		return err
	}
	// A factor for a source not in the data would change nothing, yet the
	// model card would list it among the settings.
	if len(factorFlag) > 0 {
		sources := map[string]bool{}
		for _, r := range recs {
			sources[r.File] = true
		}
		for _, name := range slices.Sorted(maps.Keys(factorFlag)) {
			if !sources[name] {
				return usageErrorf("--source-factor %q: no split=train records come from a source %q (SOURCE is a data file's base name without its extension)", factorFlag[name], name)
			}
		}
	}
	fmt.Fprintf(e.stderr, "training on %d records (%d from feedback)\n", len(recs), len(fb))
	res, err := train.Train(ctx, recs, opts)
	if errors.Is(err, train.ErrTooLittleData) {
		return usageErrorf("%v", err)
	}
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if !*noDev {
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
	res.Card.Licences = dataLicences(data)
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

// addTrainFlags defines the flags that set how a model is trained (shared by
// train and unseen) on fs, writing into opts. The returned function
// validates them after parsing, applies --source-factor and returns each
// factor's source name with the flag's value, for later errors.
func addTrainFlags(fs *flag.FlagSet, opts *train.Options) func() (map[string]string, error) {
	fs.Int64Var(&opts.Seed, "seed", opts.Seed, "random seed; the same data and seed give the same model")
	fs.IntVar(&opts.Epochs, "epochs", opts.Epochs, "passes over the data")
	fs.IntVar(&opts.VocabSize, "vocab", opts.VocabSize, "BPE vocabulary size")
	fs.IntVar(&opts.Features.HashBits, "hash-bits", opts.Features.HashBits, "log2 of the number of hashed n-gram features")
	fs.IntVar(&opts.Features.CharMin, "char-min", opts.Features.CharMin, "shortest character n-gram, in bytes")
	fs.IntVar(&opts.Features.CharMax, "char-max", opts.Features.CharMax, "longest character n-gram, in bytes (fewer n-grams score faster)")
	fs.BoolVar(&opts.Features.WordNgrams, "word-ngrams", opts.Features.WordNgrams, "hashed unigrams and bigrams of lower-cased words")
	fs.BoolVar(&opts.PlainCalibration, "plain-calibration", false, "calibrate without the length terms (to compare; the shipped model has them)")
	fs.BoolVar(&opts.KindThresholds, "kind-thresholds", opts.KindThresholds, "also choose a verdict threshold per kind of item (pr, comment, commit, chat) on the held-out texts; one goes below the default only when every source of its kind has 100 held-out human texts (docs/evaluation.md)")
	fs.IntVar(&opts.Features.MaskedNgrams, "masked-ngrams", opts.Features.MaskedNgrams, "longest n-gram of the masked word sequence (function words kept, other words as length classes); 0 turns them off")
	fs.Float64Var(&opts.FeedbackWeight, "feedback-weight", opts.FeedbackWeight, "weight of each feedback example relative to an average training example")
	fs.IntVar(&opts.MaxPerGroup, "max-per-source", opts.MaxPerGroup, "cap on examples per source and label")
	fs.Float64Var(&opts.MaxWeight, "max-weight", opts.MaxWeight, "cap on every weight's magnitude (log-odds per unit feature)")
	fs.Float64Var(&opts.L2, "l2", opts.L2, "L2 regularisation strength")
	fs.Float64Var(&opts.PairWeight, "pair-weight", opts.PairWeight, "weight of the comparisons within matched groups (a machine and a human text answering the same input) relative to the ordinary examples; 0 turns them off")
	fs.Float64Var(&opts.WorstSourceStep, "worst-source-step", opts.WorstSourceStep, "fit for the worst source rather than the average: after each epoch a source's weight grows with exp(step × its mean loss); 0 turns it off")
	fs.Float64Var(&opts.HardHumanBoost, "hard-human-boost", opts.HardHumanBoost, "mine hard human texts: fit a model on each half of the data, and weigh each human text by 1 + boost × the machine probability the model that never saw it gives it (the human total kept); 0 turns it off")
	fs.Float64Var(&opts.HardMachineBoost, "hard-machine-boost", opts.HardMachineBoost, "the same for machine texts, with the probability of human; 0 turns it off")
	fs.IntVar(&opts.Features.ShapeMin, "shape-min", opts.Features.ShapeMin, "shortest n-gram of the text's shape (runs of letters, capitals, digits as one byte; punctuation and layout kept)")
	fs.IntVar(&opts.Features.ShapeMax, "shape-max", opts.Features.ShapeMax, "longest n-gram of the text's shape; 0 turns them off")
	fs.BoolVar(&opts.Features.ShapeFoldCase, "shape-fold-case", opts.Features.ShapeFoldCase, "give capitals the shape of lower-case letters (lower-casing a text then leaves its shape as it was)")
	fs.Float64Var(&opts.FlattenRate, "flatten-rate", opts.FlattenRate, "share of training texts whose line breaks become spaces (several human sources lost theirs; both labels)")
	fs.Float64Var(&opts.LowercaseRate, "lowercase-rate", opts.LowercaseRate, "share of training texts lower-cased (both labels), so lower-casing a text does not make it read as a person's")
	fs.Float64Var(&opts.TypoRate, "typo-rate", opts.TypoRate, "share of training texts given swapped letters (both labels), so typos added on purpose do not make a text read as a person's")
	fs.BoolVar(&opts.Features.Presence, "presence", opts.Features.Presence, "count each n-gram once per text, however often it occurs (a word the subject repeats weighs as one used once)")
	fs.BoolVar(&opts.MatchedSample, "matched-sample", opts.MatchedSample, "cap each source group by group (one text of every group before a second, both labels taking the same groups first), so capped sources keep matched texts")
	fs.Float64Var(&opts.FamilyBalance, "family-balance", opts.FamilyBalance, "how far to even out the generator families within a source's machine texts: 0 weighs every text alike, 1 gives each family the same share (families from --families)")
	fs.Float64Var(&opts.OneLabelFactor, "one-label-factor", opts.OneLabelFactor, "weight of a source with one label relative to a two-label source of the same size (they can teach topic rather than authorship)")
	fs.BoolVar(&opts.Features.FoldMixedCase, "fold-mixed-case", opts.Features.FoldMixedCase, "give ASCII words of mixed case their plain form after normalising (\"tHe\" → \"the\", \"GitHub\" → \"Github\", \"HTmL\" → \"HTML\"), so random case flips change little")
	fs.Float64Var(&opts.Features.WordScale, "word-scale", 1, "multiplies the values of the word n-grams (below 1: what a text is about counts less)")
	fs.Float64Var(&opts.Features.MaskedScale, "masked-scale", 1, "multiplies the values of the masked n-grams (above 1: how sentences are built counts more)")
	fs.BoolVar(&opts.Features.LMStats, "lm-stats", opts.Features.LMStats, "add statistics of token surprisal under two token-bigram models fitted on the human and the machine training texts (spread across tokens and sentences, human-against-machine likelihood ratio); the model file carries the models")
	var factors stringList
	fs.Var(&factors, "source-factor", "SOURCE=X scales a source file's share of its label's weight by X (repeatable; e.g. glimpse_continuations=2)")
	return func() (map[string]string, error) {
		switch {
		case strings.TrimSpace(opts.Name) == "" || strings.ContainsFunc(opts.Name, unicode.IsSpace):
			return nil, usageErrorf("--name %q: want a name without spaces, e.g. slopguard-octo", opts.Name)
		case opts.OneLabelFactor <= 0:
			return nil, usageErrorf("--one-label-factor must be above 0")
		case opts.MaxWeight <= 0:
			return nil, usageErrorf("--max-weight must be above 0")
		case opts.L2 < 0:
			return nil, usageErrorf("--l2 must not be negative")
		case !(opts.LowercaseRate >= 0 && opts.LowercaseRate <= 1) || !(opts.TypoRate >= 0 && opts.TypoRate <= 1) || !(opts.FlattenRate >= 0 && opts.FlattenRate <= 1):
			return nil, usageErrorf("--flatten-rate, --lowercase-rate and --typo-rate must be between 0 and 1")
		case !(opts.Features.WordScale > 0 && opts.Features.WordScale <= 8) || !(opts.Features.MaskedScale > 0 && opts.Features.MaskedScale <= 8):
			return nil, usageErrorf("--word-scale and --masked-scale must be above 0 and at most 8")
		}
		// 1 is the default: stored as unset, so the model file says nothing of it.
		if opts.Features.WordScale == 1 {
			opts.Features.WordScale = 0
		}
		if opts.Features.MaskedScale == 1 {
			opts.Features.MaskedScale = 0
		}
		factorFlag := map[string]string{} // source name -> the flag's value, for errors
		if opts.SourceFactor == nil {
			opts.SourceFactor = map[string]float64{}
		}
		for _, f := range factors {
			name, val, ok := strings.Cut(f, "=")
			x, err := strconv.ParseFloat(val, 64)
			if !ok || name == "" || err != nil || !(x > 0) || math.IsInf(x, 0) {
				return nil, usageErrorf("--source-factor %q: want SOURCE=X with X above 0, e.g. glimpse_continuations=2", f)
			}
			if name == "feedback" {
				return nil, usageErrorf("--source-factor %q: feedback is weighted by --feedback-weight", f)
			}
			opts.SourceFactor[name] = x
			factorFlag[name] = f
		}
		return factorFlag, nil
	}
}

// dataLicences reads the licence of each source from the README.md of every
// data directory given, where one exists: every Markdown table row whose
// first cell names a .jsonl file, in a table with a "licence" column. It
// returns nil when there is none; the card then says "not recorded".
func dataLicences(paths []string) map[string]string {
	out := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join(p, "README.md"))
		if err != nil {
			continue
		}
		col := -1
		for _, line := range strings.Split(string(b), "\n") {
			if !strings.HasPrefix(line, "|") {
				col = -1 // a table ends at the first line outside it
				continue
			}
			cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			if col < 0 {
				col = slices.IndexFunc(cells, func(c string) bool { return strings.EqualFold(c, "licence") || strings.EqualFold(c, "license") })
				continue
			}
			if col < len(cells) && strings.HasSuffix(cells[0], ".jsonl") {
				out[strings.TrimSuffix(filepath.Base(cells[0]), ".jsonl")] = cells[col]
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// familiesFile is the file a data folder names its generators' families in.
const familiesFile = "generator_families.tsv"

// readFamilies reads the map from generator to family: from path when it is
// given, else from the first data folder that holds familiesFile. It
// returns nil when neither is there (every generator is then its own
// family).
func readFamilies(data []string, path string) (map[string]string, error) {
	if path == "" {
		for _, d := range data {
			p := filepath.Join(d, familiesFile)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				path = p
				break
			}
		}
	}
	if path == "" {
		return nil, nil
	}
	return generalise.ReadFamilies(path)
}

// checkWritable reports whether a file can be written at path: its folder
// exists and takes a new file, and path itself is not a folder. It writes
// and removes a temporary file beside path, touching nothing else.
func checkWritable(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("folder %s does not exist (create it first)", dir)
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s is not a folder", dir)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("is a folder: give a file name, e.g. %s", filepath.Join(path, "model.bin"))
	}
	f, err := os.CreateTemp(dir, ".slopguard-train-*")
	if err != nil {
		if inner := errors.Unwrap(err); inner != nil {
			err = inner // the temporary file's name says nothing useful
		}
		return fmt.Errorf("cannot write in folder %s: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
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

// describeSplits lists how many records each split other than train has,
// for the error saying there is nothing to train on: "76 dev, 0 without split".
func describeSplits(splits map[string]int) string {
	parts := []string{fmt.Sprintf("%d dev", splits["dev"])}
	var others []string
	for name := range splits {
		if name != "train" && name != "dev" && name != "" {
			others = append(others, name)
		}
	}
	sort.Strings(others)
	for _, name := range others {
		parts = append(parts, fmt.Sprintf("%d %s", splits[name], name))
	}
	parts = append(parts, fmt.Sprintf("%d without split", splits[""]))
	return strings.Join(parts, ", ")
}

// checkLabels makes sure the training records have both labels: a model
// cannot learn to tell apart what it has seen one side of.
func checkLabels(recs []dataset.Record) error {
	var human, machine int
	for _, r := range recs {
		if r.Machine() {
			machine++
		} else {
			human++
		}
	}
	switch {
	case human == 0:
		return usageErrorf("split=train has only machine records (%d): training needs human ones too", machine)
	case machine == 0:
		return usageErrorf("split=train has only human records (%d): training needs machine ones too", human)
	}
	return nil
}

// readFeedback reads feedback records for training. A path is a store (a
// SQLite file, known by its header, or a PostgreSQL DSN) or else a JSONL
// file or directory in the data format, as `slopguard feedback export`
// writes it. Bad JSONL lines are reported as for --data; a path that yields
// no records is a usage error.
func readFeedback(ctx context.Context, e *env, paths []string) ([]dataset.Record, error) {
	var recs []dataset.Record
	for _, p := range paths {
		var got []dataset.Record
		isStore, err := isFeedbackStore(p)
		if err != nil {
			return nil, usageErrorf("feedback %s: %v", p, err)
		}
		if isStore {
			if got, err = feedbackFromStore(ctx, p); err != nil {
				return nil, err
			}
		} else {
			got, err = dataset.Read([]string{p}, nil)
			var bad *dataset.BadLinesError
			switch {
			case errors.As(err, &bad):
				fmt.Fprintf(e.stderr, "warning: feedback: %v\n", bad)
			case err != nil:
				return nil, usageErrorf("read feedback: %v", err)
			}
		}
		if len(got) == 0 {
			return nil, usageErrorf("feedback %s: no records with text and a human or machine label", p)
		}
		recs = append(recs, got...)
	}
	for i := range recs {
		recs[i].File = "feedback"
		recs[i].Split = "train"
	}
	return recs, ctx.Err()
}

// sqliteHeader is how every SQLite database file begins.
const sqliteHeader = "SQLite format 3\x00"

// isFeedbackStore reports whether a --feedback path is a store rather than
// JSONL: a PostgreSQL DSN, or a file that starts with SQLite's header
// whatever its name (.db, .sqlite, …). A missing path is an error.
func isFeedbackStore(p string) (bool, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) && config.DriverFor(p) == sqlstore.Postgres {
		return true, nil
	}
	if err != nil {
		return false, errors.Unwrap(err) // the path is already in the message
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.IsDir() {
		return false, nil // a directory of JSONL, or let the reader report it
	}
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil {
		return false, nil // shorter than the header: not SQLite
	}
	return string(head) == sqliteHeader, nil
}

// feedbackFromStore reads every feedback record that kept its text, from a
// store opened read-only: training never creates or migrates a database.
func feedbackFromStore(ctx context.Context, dsn string) ([]dataset.Record, error) {
	st, err := sqlstore.OpenReadOnly(ctx, config.DriverFor(dsn), dsn)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usageErrorf("feedback store: %v", err)
	}
	if err != nil {
		return nil, fmt.Errorf("feedback store: %w", err)
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
		recs = append(recs, store.FeedbackRecord(f))
	}
	return recs, nil
}
