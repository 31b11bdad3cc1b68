// Package train fits slopguard's model from labelled records.
//
// The fit is weighted logistic regression, z = w·x + b, minimising
//
//	Σ_i c_i · log(1 + exp(-y_i z_i)) + λ/2 ‖w‖²
//
// with AdaGrad over shuffled examples, every weight clipped to
// [-MaxWeight, MaxWeight] after each step so that no single n-gram, word or
// statistic can decide a verdict on its own. Example weights c_i balance the
// two labels, then the sources within each label (a source's share grows with
// the square root of its size), so one-label sources cannot teach the model
// which data set a text came from instead of who wrote it.
//
// A tenth of the training groups is held out (never dev data) to fit the
// calibration (Platt's, with terms for the text's length; see
// model.Calibration) and choose the machine threshold: the lowest score at which
// the false-positive rate on held-out human text is at most TargetFPR
// overall and SourceFPR within every source.
//
// Everything is deterministic for a seed: featurisation runs on all cores but
// writes results by index, and the optimisation runs in one fixed order.
package train

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"math"
	"math/rand"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/slopguard/slopguard/detector/attack"
	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/evaluate"
	"github.com/slopguard/slopguard/detector/features"
	"github.com/slopguard/slopguard/detector/model"
	"github.com/slopguard/slopguard/detector/normalize"
	"github.com/slopguard/slopguard/detector/tokenize"
)

// Options controls training. Zero values take the defaults of DefaultOptions.
type Options struct {
	Name     string
	Seed     int64
	Features features.Config
	// VocabSize is the BPE vocabulary size.
	VocabSize int
	// TokenizerBytes caps how much text the tokenizer is trained on.
	TokenizerBytes int
	Epochs         int
	LearningRate   float64
	L2             float64
	// MaxWeight bounds every weight's magnitude.
	MaxWeight float64
	// MaxPerGroup caps examples per (source, label), sampled deterministically.
	MaxPerGroup int
	// MatchedSample makes the MaxPerGroup sample take texts group by group:
	// one text of each group (the same question, diff or instruction) before
	// a second, the groups in one hash order shared by both labels, so a
	// capped source keeps texts that answer the same input by both kinds of
	// writer.
	MatchedSample bool
	// PairWeight adds a comparison within matched groups: for every group
	// of a source with human and machine texts, pairs of one machine and
	// one human text are fitted so that the machine text scores higher.
	// Topic is the same on both sides of a pair and cancels; what is left
	// is how each was written. The pairs' total weight is PairWeight times
	// that of the ordinary examples (0 turns them off).
	PairWeight float64
	// MaxPairsPerGroup caps the pairs taken from one group.
	MaxPairsPerGroup int
	// WorstSourceStep, when above 0, fits for the worst source rather than
	// the average (group distributionally robust optimisation): after each
	// epoch every (source, label) multiplies its weight by
	// exp(WorstSourceStep × its mean log-loss in that epoch), capped to
	// [1/4, 4] before the label's multipliers are rescaled together so that
	// its total weight is unchanged.
	WorstSourceStep float64
	// HardHumanBoost, when above 0, mines hard negatives out of sample:
	// the fitted examples are split in two halves by group, a model is
	// fitted on each half and scores the other half's human texts, and
	// each human text's weight is then multiplied by 1 + HardHumanBoost ×
	// the machine probability it got from the model that never saw it
	// (the human texts' total weight kept) before the final fit. The
	// people a model takes for machines on text it did not learn (formal
	// writers, careful PR descriptions) count more. It doubles the fitting
	// time.
	HardHumanBoost float64
	// HardMachineBoost does the same for machine texts, with the
	// probability of human (1 − p): the machine texts that read as a
	// person's to a model that never saw them count more.
	HardMachineBoost float64
	// MaxTextBytes truncates training texts.
	MaxTextBytes int
	// HoldoutFraction of groups is held out for calibration and thresholds.
	HoldoutFraction float64
	// TargetFPR and SourceFPR bound the held-out false-positive rate at the
	// machine threshold, overall and within each source.
	TargetFPR, SourceFPR float64
	// FlattenRate is the share of training texts whose newlines are replaced
	// by spaces, so that missing line breaks (several human sources lost
	// theirs) do not read as a sign of a person.
	FlattenRate float64
	// LowercaseRate is the share of training texts lower-cased, and
	// TypoRate the share given letter swaps (attack.Typo at its default
	// rate), so that a writer who lower-cases a generated text or mistypes
	// on purpose does not pass for a person (both labels alike).
	LowercaseRate, TypoRate float64
	// SourceFactor scales a source's share of its label's weight (by file name).
	SourceFactor map[string]float64
	// OneLabelFactor scales the share of sources that have only one label.
	OneLabelFactor float64
	// FamilyBalance evens out the generator families within a source's
	// machine texts: a family's share of the source's machine weight goes
	// as n^(1−FamilyBalance) for its n texts, so 0 weighs every text alike
	// and 1 gives every family the same share. Families maps a generator
	// to its family; a generator it does not name is its own family.
	FamilyBalance float64
	Families      map[string]string
	// PlainCalibration fits Platt's two parameters only, without the
	// length terms (for comparing the two; the shipped model has them).
	PlainCalibration bool
	// KindThresholds also chooses a machine threshold per kind group
	// (model.KindGroup) on the held-out texts, going below the default only
	// where every source of the group has enough held-out humans (see
	// chooseKindThresholds). On in the shipped model, where only chat
	// qualifies (docs/evaluation.md).
	KindThresholds bool
	// FlattenSources are sources whose every text is flattened, because one
	// of their labels lost its line breaks.
	FlattenSources map[string]bool
	// FeedbackWeight multiplies the weight of each feedback record (File "feedback").
	FeedbackWeight float64
	MinWords       int
	Workers        int
	// Date is when the model is said to be made (its name's date and the
	// card's creation time); zero means now. A fixed date makes the model
	// file byte-for-byte reproducible.
	Date time.Time
	// SkipChecks leaves out the model card's out-of-fold calibration and
	// evasion checks (for benchmarks that train many models and read
	// neither).
	SkipChecks bool
	// Progress receives progress bars; nil for none.
	Progress io.Writer
}

// DefaultOptions are the settings of the shipped model.
func DefaultOptions() Options {
	return Options{
		Name:             "slopguard-default",
		Seed:             1,
		Features:         features.DefaultConfig(),
		VocabSize:        8000,
		TokenizerBytes:   24 << 20,
		Epochs:           10,
		LearningRate:     0.2,
		L2:               1e-7,
		MaxWeight:        2,
		MaxPerGroup:      12000,
		MaxPairsPerGroup: 8,
		KindThresholds:   true,
		MaxTextBytes:     16 << 10,
		HoldoutFraction:  0.1,
		TargetFPR:        0.005,
		SourceFPR:        0.01,
		FlattenRate:      0.2,
		LowercaseRate:    0.2,
		TypoRate:         0.2,
		FamilyBalance:    1,
		SourceFactor: map[string]float64{
			// Human and machine small talk come from different data sets about
			// different topics: let them teach register, not topic.
			"topical_chat_messages":           0.5,
			"synthetic_persona_chat_messages": 0.5,
		},
		FlattenSources: map[string]bool{"glimpse_continuations": true},
		OneLabelFactor: 0.4,
		FeedbackWeight: 3,
		MinWords:       4,
		Workers:        runtime.NumCPU(),
	}
}

// example is one prepared training text.
type example struct {
	rec     dataset.Record
	text    string // normalised, augmented
	y       float64
	weight  float64
	holdout bool
	vec     features.Vector
	stats   []float64
}

// ErrTooLittleData is returned, wrapped, when the records cannot fill both
// the fitted and the held-out part with human and machine examples.
var ErrTooLittleData = errors.New("not enough training data")

// Result is what training produced.
type Result struct {
	File *model.File
	Card Card
}

// Train fits a model on records, which must all be from split=train.
func Train(ctx context.Context, recs []dataset.Record, opts Options) (*Result, error) {
	start := time.Now()
	if opts.Date.IsZero() {
		opts.Date = start
	}
	def := DefaultOptions()
	if opts.Workers <= 0 {
		opts.Workers = def.Workers
	}
	for _, r := range recs {
		if r.Split != "" && r.Split != "train" {
			return nil, fmt.Errorf("record %s:%d is from split %q: train only on split=train", r.File, r.Line, r.Split)
		}
	}
	exs, err := prepare(ctx, recs, opts)
	if err != nil {
		return nil, err
	}
	var fit, hold []*example
	for _, e := range exs {
		if e.holdout {
			hold = append(hold, e)
		} else {
			fit = append(fit, e)
		}
	}
	if len(fit) == 0 || len(hold) == 0 || !hasBothLabels(fit) || !hasBothLabels(hold) {
		return nil, fmt.Errorf("%w: the fitted part (%d records) and the held-out part (%d records, for calibration) each need human and machine records: add records from more groups",
			ErrTooLittleData, len(fit), len(hold))
	}

	// Tokenizer, from a deterministic sample of fit texts.
	var tokTexts []string
	budget := opts.TokenizerBytes
	for _, i := range sampleOrder(len(fit), opts.Seed) {
		if budget <= 0 {
			break
		}
		tokTexts = append(tokTexts, fit[i].text)
		budget -= len(fit[i].text)
	}
	progressLine(opts.Progress, "training tokenizer on %d texts", len(tokTexts))
	tok, err := tokenize.Train(tokTexts, tokenize.TrainOptions{VocabSize: opts.VocabSize, MinFrequency: 2})
	if err != nil {
		return nil, fmt.Errorf("train tokenizer: %w", err)
	}
	tokBytes, err := tok.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encode tokenizer: %w", err)
	}

	// Statistics and their bins, learned on the fit part.
	ids := make([][]int32, len(exs))
	pb := newProgress(opts.Progress, "tokenising", len(exs))
	parallel(ctx, len(exs), opts.Workers, func(i int) {
		ids[i] = tok.IDs(exs[i].text, nil)
		exs[i].stats = features.StatValues(features.NewDoc(exs[i].text), nil)
		pb.add(1)
	})
	pb.finish()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var lm *features.LMPair
	var lmBytes []byte
	if opts.Features.LMStats {
		progressLine(opts.Progress, "fitting token language models")
		if lm, err = addLMStats(ctx, exs, ids, tok, opts); err != nil {
			return nil, err
		}
		if lmBytes, err = lm.MarshalBinary(); err != nil {
			return nil, err
		}
	}
	statList := features.StatsFor(opts.Features)
	cols := make([][]float64, len(statList))
	for _, e := range fit {
		for s, v := range e.stats {
			cols[s] = append(cols[s], v)
		}
	}
	ext, err := features.NewExtractorLM(opts.Features, features.LearnEdges(cols, opts.Features.StatBins), lm)
	if err != nil {
		return nil, err
	}
	pb = newProgress(opts.Progress, "featurising", len(exs))
	parallel(ctx, len(exs), opts.Workers, func(i int) {
		// The statistics were computed above (the LMStats with models that
		// did not see the text): only the n-grams are left to add.
		ext.ExtractDocStats(features.NewDoc(exs[i].text), ids[i], &exs[i].vec, exs[i].stats)
		exs[i].vec.Compact()
		ids[i] = nil
		pb.add(1)
	})
	pb.finish()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	pairs := matchedPairs(fit, opts)
	if len(pairs) > 0 {
		progressLine(opts.Progress, "comparing %d matched pairs", len(pairs))
	}
	if opts.HardHumanBoost > 0 || opts.HardMachineBoost > 0 {
		if err := mineHardExamples(ctx, fit, ext.Dim(), opts); err != nil {
			return nil, err
		}
	}
	w, bias, err := fitLogistic(ctx, fit, pairs, ext.Dim(), opts)
	if err != nil {
		return nil, err
	}
	// Round the weights to what the model file stores, so calibration,
	// thresholds and the model card describe the shipped model exactly.
	weights := make([]float32, len(w))
	for i, x := range w {
		weights[i] = float32(x)
	}
	model.RoundToHalf(weights)
	for i, x := range weights {
		w[i] = float64(x)
	}

	// Calibration and thresholds on the held-out part.
	zs := make([]float64, len(hold))
	runes := make([]int, len(hold))
	ys := make([]float64, len(hold))
	for i, e := range hold {
		zs[i] = dot(w, bias, &e.vec)
		runes[i] = utf8.RuneCountInString(e.text)
		ys[i] = e.y
	}
	cal := fitCalibration(zs, runes, ys, !opts.PlainCalibration)
	probs := make([]float64, len(hold))
	for i, z := range zs {
		probs[i] = cal.Prob(z, runes[i])
	}
	thr := chooseThreshold(probs, hold, opts.TargetFPR, opts.SourceFPR)
	var kindThr map[string]float64
	if opts.KindThresholds {
		kindThr = chooseKindThresholds(probs, hold, opts.TargetFPR, opts.SourceFPR, thr)
	}

	f := &model.File{
		Header: model.Header{
			Name:           fmt.Sprintf("%s-%s", opts.Name, opts.Date.UTC().Format("20060102")),
			Features:       opts.Features,
			StatEdges:      ext.Edges(),
			Dim:            ext.Dim(),
			Bias:           bias,
			Calibration:    cal,
			Thresholds:     model.Thresholds{Machine: thr, Human: math.Min(0.35, thr)},
			KindThresholds: kindThr,
			MinWords:       opts.MinWords,
		},
		Tokenizer: tokBytes,
		Weights:   weights,
		LM:        lmBytes,
	}
	for _, s := range statList {
		f.Header.StatNames = append(f.Header.StatNames, s.Name)
	}
	card := newCard(f, exs, hold, probs, opts, time.Since(start))
	if !opts.SkipChecks {
		card.CalibrationCheck = calibrationCheck(zs, runes, ys)
		card.AttackCheck = attackCheck(ctx, hold, func(text string) float64 {
			var v features.Vector
			ext.Extract(text, tok.IDs(text, nil), &v, nil)
			return cal.Prob(dot(w, bias, &v), utf8.RuneCountInString(text))
		}, thr, opts)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.Header.Training = card.Training
	return &Result{File: f, Card: card}, nil
}

// lmFolds is how many parts the fitted texts are split into for their
// language-model statistics: each part's are read with models fitted on
// the other parts, so that the logistic fit sees the surprisal of unseen
// text, as scoring will.
const lmFolds = 5

// addLMStats fits the human and the machine token language model on the
// fitted (not held-out) examples and appends each example's LMStats to its
// stats: a fitted example's from models fitted without its part (groups
// kept together, see lmFolds), a held-out example's from the models on all
// the fitted examples, which it returns to be stored.
func addLMStats(ctx context.Context, exs []*example, ids [][]int32, tok *tokenize.Tokenizer, opts Options) (*features.LMPair, error) {
	enders := features.SentenceEnders(tok.VocabSize(), tok.Token)
	seed := fmt.Sprint(opts.Seed)
	fold := make([]int, len(exs)) // -1: held out
	for i, e := range exs {
		fold[i] = -1
		if !e.holdout {
			fold[i] = min(lmFolds-1, int(unit(hash64(seed, "lmfold", e.rec.File, e.rec.Group))*lmFolds))
		}
	}
	// Job k < lmFolds fits without part k; job lmFolds fits on every part.
	pairs := make([]*features.LMPair, lmFolds+1)
	parallel(ctx, lmFolds+1, opts.Workers, func(k int) {
		var human, machine [][]int32
		for i, e := range exs {
			if fold[i] < 0 || fold[i] == k {
				continue
			}
			if e.y == 1 {
				machine = append(machine, ids[i])
			} else {
				human = append(human, ids[i])
			}
		}
		pairs[k] = &features.LMPair{
			Human:   features.TrainTokenLM(tok.VocabSize(), human),
			Machine: features.TrainTokenLM(tok.VocabSize(), machine),
			Enders:  enders,
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	parallel(ctx, len(exs), opts.Workers, func(i int) {
		k := fold[i]
		if k < 0 {
			k = lmFolds
		}
		exs[i].stats = pairs[k].LMStatValues(ids[i], exs[i].stats)
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return pairs[lmFolds], nil
}

func progressLine(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

func hasBothLabels(exs []*example) bool {
	var h, m bool
	for _, e := range exs {
		if e.y == 1 {
			m = true
		} else {
			h = true
		}
	}
	return h && m
}

// gitterPlaceholder matches the placeholders one chat source put where code and links were.
var gitterPlaceholders = strings.NewReplacer("[<-CODE->]", "", "[<-LINK->]", "")

func hash64(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// unit maps a hash to [0, 1), mixing it first: FNV's high bits are poorly
// spread for short, similar inputs.
func unit(h uint64) float64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return float64(h>>11) / float64(1<<53)
}

// prepare normalises and augments texts, marks the held-out groups, caps
// each (source, label) and computes example weights.
func prepare(ctx context.Context, recs []dataset.Record, opts Options) ([]*example, error) {
	seed := fmt.Sprint(opts.Seed)
	byGroup := map[string][]*example{}
	var keys []string
	for _, r := range recs {
		if r.Label != dataset.LabelHuman && r.Label != dataset.LabelMachine {
			continue
		}
		e := &example{rec: r}
		if r.Machine() {
			e.y = 1
		}
		e.holdout = unit(hash64(seed, "holdout", r.File, r.Group)) < opts.HoldoutFraction
		k := r.File + "\x00" + r.Label
		if byGroup[k] == nil {
			keys = append(keys, k)
		}
		byGroup[k] = append(byGroup[k], e)
	}
	sort.Strings(keys)
	var exs []*example
	// Cap each (source, label) by a deterministic hash order, then weight.
	type groupInfo struct {
		file    string
		machine bool
		n       int
	}
	var groups []groupInfo
	for _, k := range keys {
		g := byGroup[k]
		sort.Slice(g, func(i, j int) bool {
			return hash64(seed, "cap", g[i].rec.File, g[i].rec.ID, g[i].rec.Text) < hash64(seed, "cap", g[j].rec.File, g[j].rec.ID, g[j].rec.Text)
		})
		if opts.MatchedSample {
			g = matchedOrder(g, seed)
		}
		if opts.MaxPerGroup > 0 && len(g) > opts.MaxPerGroup {
			g = g[:opts.MaxPerGroup]
		}
		byGroup[k] = g
		groups = append(groups, groupInfo{file: g[0].rec.File, machine: g[0].y == 1, n: len(g)})
	}
	// Source shares. A source with both labels is the honest contrast (same
	// place, same period, two authors), so its two labels share its weight
	// equally; a one-label source only ever says "texts like these are
	// human" (or machine) and so can teach topic or register: it counts
	// OneLabelFactor as much. Shares grow with the square root of size,
	// times any SourceFactor, and are then normalised so each label totals 0.5.
	sourceN := map[string]int{}
	sourceLabels := map[string]int{}
	for _, g := range groups {
		sourceN[g.file] += g.n
		sourceLabels[g.file]++
	}
	labelTotal := map[bool]float64{}
	share := make([]float64, len(groups))
	for i, g := range groups {
		f := 1.0
		if v, ok := opts.SourceFactor[g.file]; ok {
			f = v
		}
		if g.file == "feedback" {
			f = opts.FeedbackWeight
		}
		if sourceLabels[g.file] == 2 {
			share[i] = math.Sqrt(float64(sourceN[g.file])) / 2 * f
		} else {
			share[i] = math.Sqrt(float64(g.n)) * f * opts.OneLabelFactor
		}
		labelTotal[g.machine] += share[i]
	}
	total := 0
	for _, g := range groups {
		total += g.n
	}
	for i, k := range keys {
		g := groups[i]
		per := 0.5 * share[i] / labelTotal[g.machine] / float64(g.n) * float64(total)
		if g.file == "feedback" {
			per = math.Max(per, opts.FeedbackWeight)
		}
		for _, e := range byGroup[k] {
			e.weight = per
			exs = append(exs, e)
		}
		if g.machine && opts.FamilyBalance > 0 {
			balanceFamilies(byGroup[k], opts.FamilyBalance, opts.Families)
		}
	}
	pb := newProgress(opts.Progress, "normalising", len(exs))
	parallel(ctx, len(exs), opts.Workers, func(i int) {
		e := exs[i]
		e.text = prepText(e.rec.Text, e.rec, opts, !e.holdout)
		pb.add(1)
	})
	pb.finish()
	return exs, ctx.Err()
}

// balanceFamilies reweighs g, one source's machine texts, so that each
// generator family's share of their total weight goes as n^(1−alpha) for
// its n texts; the total is kept.
func balanceFamilies(g []*example, alpha float64, families map[string]string) {
	family := func(e *example) string {
		if f, ok := families[e.rec.Generator]; ok {
			return f
		}
		return e.rec.Generator
	}
	n := map[string]int{}
	for _, e := range g {
		n[family(e)]++
	}
	if len(n) < 2 {
		return
	}
	var before, after float64
	for _, e := range g {
		before += e.weight
		e.weight *= math.Pow(float64(n[family(e)]), -alpha)
		after += e.weight
	}
	for _, e := range g {
		e.weight *= before / after
	}
}

// matchedOrder reorders g (one source and label, already in hash order)
// group by group: the first text of every group, then the second, and so
// on, the groups in an order that depends only on the data directory and
// the group, so that the other label of the source (or a matched file of the
// same directory) takes the same groups first.
func matchedOrder(g []*example, seed string) []*example {
	type keyed struct {
		e     *example
		rank  int
		group uint64
	}
	seen := map[string]int{}
	ks := make([]keyed, len(g))
	for i, e := range g {
		k := e.rec.Group
		ks[i] = keyed{e: e, rank: seen[k], group: hash64(seed, "group", e.rec.Dir, k)}
		seen[k]++
	}
	sort.SliceStable(ks, func(i, j int) bool {
		if ks[i].rank != ks[j].rank {
			return ks[i].rank < ks[j].rank
		}
		return ks[i].group < ks[j].group
	})
	out := make([]*example, len(g))
	for i, k := range ks {
		out[i] = k.e
	}
	return out
}

// pair is a fitted comparison: the feature difference of a machine text
// and a human text of the same group, and its weight.
type pair struct {
	diff   features.Vector
	weight float64
}

// matchedPairs builds the within-group comparisons of the fit examples
// (see Options.PairWeight). Each group with both labels gives max(machine,
// human) pairs, at most opts.MaxPairsPerGroup, every text in at least one
// pair when the cap allows. A source's pairs share a weight that grows
// with the square root of their number, and all pairs together weigh
// opts.PairWeight times the fit examples.
func matchedPairs(fit []*example, opts Options) []pair {
	if opts.PairWeight <= 0 {
		return nil
	}
	seed := fmt.Sprint(opts.Seed)
	type side struct{ h, m []*example }
	groups := map[string]*side{}
	var keys []string
	var total float64
	for _, e := range fit {
		total += e.weight
		if e.rec.File == "feedback" {
			continue
		}
		k := e.rec.File + "\x00" + e.rec.Group
		s := groups[k]
		if s == nil {
			s = &side{}
			groups[k] = s
			keys = append(keys, k)
		}
		if e.y == 1 {
			s.m = append(s.m, e)
		} else {
			s.h = append(s.h, e)
		}
	}
	sort.Strings(keys)
	bySource := map[string][]pair{}
	var sources []string
	byHash := func(xs []*example) {
		sort.Slice(xs, func(i, j int) bool {
			return hash64(seed, "pair", xs[i].rec.ID, xs[i].rec.Text) < hash64(seed, "pair", xs[j].rec.ID, xs[j].rec.Text)
		})
	}
	for _, k := range keys {
		s := groups[k]
		if len(s.h) == 0 || len(s.m) == 0 {
			continue
		}
		byHash(s.h)
		byHash(s.m)
		n := max(len(s.h), len(s.m))
		if opts.MaxPairsPerGroup > 0 {
			n = min(n, opts.MaxPairsPerGroup)
		}
		file := s.m[0].rec.File
		if bySource[file] == nil {
			sources = append(sources, file)
		}
		for i := range n {
			var p pair
			diffVectors(&p.diff, &s.m[i%len(s.m)].vec, &s.h[i%len(s.h)].vec)
			bySource[file] = append(bySource[file], p)
		}
	}
	var shareSum float64
	for _, f := range sources {
		shareSum += math.Sqrt(float64(len(bySource[f])))
	}
	var out []pair
	for _, f := range sources {
		ps := bySource[f]
		per := opts.PairWeight * total * math.Sqrt(float64(len(ps))) / shareSum / float64(len(ps))
		for i := range ps {
			ps[i].weight = per
			out = append(out, ps[i])
		}
	}
	return out
}

// diffVectors sets d to a − b for two compacted (sorted, unique) vectors.
func diffVectors(d, a, b *features.Vector) {
	d.Reset()
	i, j := 0, 0
	for i < len(a.Idx) || j < len(b.Idx) {
		switch {
		case j == len(b.Idx) || i < len(a.Idx) && a.Idx[i] < b.Idx[j]:
			d.Idx, d.Val = append(d.Idx, a.Idx[i]), append(d.Val, a.Val[i])
			i++
		case i == len(a.Idx) || b.Idx[j] < a.Idx[i]:
			d.Idx, d.Val = append(d.Idx, b.Idx[j]), append(d.Val, -b.Val[j])
			j++
		default:
			if x := a.Val[i] - b.Val[j]; x != 0 {
				d.Idx, d.Val = append(d.Idx, a.Idx[i]), append(d.Val, x)
			}
			i++
			j++
		}
	}
}

// prepText turns a record's raw text (possibly perturbed) into what the
// model is fitted on: placeholders removed, truncated, flattened for the
// sources and the share of texts that are, with augment lower-cased or
// given typos for the shares Options.LowercaseRate and TypoRate choose (the
// fitted texts only: held-out texts stay as written, as what thresholds
// are chosen on), and normalised.
func prepText(raw string, rec dataset.Record, opts Options, augment bool) string {
	text := gitterPlaceholders.Replace(raw)
	if len(text) > opts.MaxTextBytes {
		text = text[:normalize.RuneFloor(text, opts.MaxTextBytes)]
	}
	seed := fmt.Sprint(opts.Seed)
	if opts.FlattenSources[rec.File] || unit(hash64(seed, "flatten", rec.File, rec.ID, rec.Text)) < opts.FlattenRate {
		text = strings.Join(strings.Fields(text), " ")
	}
	if augment && opts.LowercaseRate > 0 && unit(hash64(seed, "lowercase", rec.File, rec.ID, rec.Text)) < opts.LowercaseRate {
		text = attack.Lowercase(text)
	}
	if augment && opts.TypoRate > 0 && unit(hash64(seed, "typo", rec.File, rec.ID, rec.Text)) < opts.TypoRate {
		text = attack.Typo(text, attack.DefaultTypoRate, hash64(seed, "typo-seed", rec.File, rec.ID))
	}
	return opts.Features.Prepare(normalize.Normalize(text).S)
}

// sampleOrder is a deterministic permutation of 0..n-1.
func sampleOrder(n int, seed int64) []int {
	return rand.New(rand.NewSource(seed)).Perm(n)
}

// parallel runs fn(0..n-1) on workers goroutines; results must be written by index.
func parallel(ctx context.Context, n, workers int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int, 256)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

func dot(w []float64, bias float64, v *features.Vector) float64 {
	z := bias
	for i, idx := range v.Idx {
		z += w[idx] * float64(v.Val[i])
	}
	return z
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// fitLogistic runs AdaGrad over the fit examples and the matched pairs
// (whose loss, log(1 + exp(-w·d)), has no bias: a pair only says which of
// its two texts is the machine's).
func fitLogistic(ctx context.Context, fit []*example, pairs []pair, dim int, opts Options) ([]float64, float64, error) {
	w := make([]float64, dim)
	g2 := make([]float64, dim)
	var bias, biasG2 float64
	rng := rand.New(rand.NewSource(opts.Seed))
	order := make([]int, len(fit)+len(pairs))
	for i := range order {
		order[i] = i
	}
	const eps = 1e-8
	rob := newRobustWeights(fit)
	for epoch := 0; epoch < opts.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		pb := newProgress(opts.Progress, fmt.Sprintf("fitting epoch %d/%d", epoch+1, opts.Epochs), len(order))
		var loss, wsum float64
		for k, oi := range order {
			if k%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, 0, err
				}
				pb.add(min(4096, len(order)-k)) // the chunk starting here
			}
			if oi >= len(fit) {
				p := &pairs[oi-len(fit)]
				z := dot(w, 0, &p.diff)
				q := sigmoid(z)
				loss -= p.weight * math.Log(math.Max(q, 1e-12))
				wsum += p.weight
				step(w, g2, &p.diff, (q-1)*p.weight, opts)
				continue
			}
			e := fit[oi]
			z := dot(w, bias, &e.vec)
			p := sigmoid(z)
			var l float64
			if e.y == 1 {
				l = -math.Log(math.Max(p, 1e-12))
			} else {
				l = -math.Log(math.Max(1-p, 1e-12))
			}
			weight := e.weight * rob.mult[rob.group[oi]]
			loss += weight * l
			wsum += weight
			rob.add(oi, l)
			g := (p - e.y) * weight
			step(w, g2, &e.vec, g, opts)
			biasG2 += g * g
			bias -= opts.LearningRate * g / math.Sqrt(biasG2+eps)
		}
		pb.finish()
		// With pairs, the mean includes their loss.
		progressLine(opts.Progress, "  weighted log-loss %.4f", loss/wsum)
		if opts.WorstSourceStep > 0 {
			rob.update(opts.WorstSourceStep)
		}
	}
	return w, bias, nil
}

// mineHardExamples implements Options.HardHumanBoost and HardMachineBoost:
// it fits a model on each half of fit (split by group, so a matched group
// stays on one side), scores the other half with it, and multiplies each
// example's weight by 1 + boost × the out-of-sample probability of the
// wrong label, keeping each label's total weight.
func mineHardExamples(ctx context.Context, fit []*example, dim int, opts Options) error {
	var halves [2][]*example
	side := make([]int, len(fit))
	seed := fmt.Sprint(opts.Seed)
	for i, e := range fit {
		if unit(hash64(seed, "hard-examples", e.rec.File, e.rec.Group)) < 0.5 {
			side[i] = 1
		}
		halves[side[i]] = append(halves[side[i]], e)
	}
	sub := opts
	sub.HardHumanBoost, sub.HardMachineBoost = 0, 0
	var models [2]struct {
		w    []float64
		bias float64
	}
	for h := range halves {
		progressLine(opts.Progress, "mining hard examples: fitting half %d of 2 (%d texts)", h+1, len(halves[h]))
		w, bias, err := fitLogistic(ctx, halves[h], nil, dim, sub)
		if err != nil {
			return err
		}
		models[h].w, models[h].bias = w, bias
	}
	boost := [2]float64{opts.HardHumanBoost, opts.HardMachineBoost}
	var before, after [2]float64
	for i, e := range fit {
		y := int(e.y)
		m := models[1-side[i]] // the model of the half that never saw e
		wrong := sigmoid(dot(m.w, m.bias, &e.vec))
		if y == 1 {
			wrong = 1 - wrong
		}
		before[y] += e.weight
		e.weight *= 1 + boost[y]*wrong
		after[y] += e.weight
	}
	for _, e := range fit {
		if y := int(e.y); after[y] > 0 {
			e.weight *= before[y] / after[y]
		}
	}
	return nil
}

// robustWeights are the per-(source, label) multipliers of
// Options.WorstSourceStep and the losses of the current epoch.
type robustWeights struct {
	group   []int     // example index → group
	label   []float64 // group → its label (0 or 1)
	base    []float64 // group → sum of its examples' weights
	mult    []float64 // group → multiplier, 1 at the start
	lossSum []float64 // group → this epoch's summed loss
	count   []float64 // group → this epoch's examples
}

func newRobustWeights(fit []*example) *robustWeights {
	r := &robustWeights{group: make([]int, len(fit))}
	index := map[string]int{}
	for i, e := range fit {
		k := e.rec.File + "\x00" + e.rec.Label
		g, ok := index[k]
		if !ok {
			g = len(r.label)
			index[k] = g
			r.label = append(r.label, e.y)
			r.base = append(r.base, 0)
			r.mult = append(r.mult, 1)
		}
		r.group[i] = g
		r.base[g] += e.weight
	}
	r.lossSum = make([]float64, len(r.label))
	r.count = make([]float64, len(r.label))
	return r
}

func (r *robustWeights) add(i int, loss float64) {
	g := r.group[i]
	r.lossSum[g] += loss
	r.count[g]++
}

// update moves the multipliers towards the groups with the highest mean
// loss this epoch and starts the next epoch's sums.
func (r *robustWeights) update(eta float64) {
	for _, y := range []float64{0, 1} {
		var before, after float64
		for g := range r.mult {
			if r.label[g] != y || r.count[g] == 0 {
				continue
			}
			before += r.mult[g] * r.base[g]
			r.mult[g] = math.Max(0.25, math.Min(4, r.mult[g]*math.Exp(eta*r.lossSum[g]/r.count[g])))
			after += r.mult[g] * r.base[g]
		}
		for g := range r.mult {
			if r.label[g] == y && after > 0 {
				r.mult[g] *= before / after
			}
		}
	}
	clear(r.lossSum)
	clear(r.count)
}

// step is one AdaGrad update of the weights on the features of v, g being
// the loss's derivative with respect to w·v; weights stay within
// ±opts.MaxWeight.
func step(w, g2 []float64, v *features.Vector, g float64, opts Options) {
	const eps = 1e-8
	for i, idx := range v.Idx {
		grad := g*float64(v.Val[i]) + opts.L2*w[idx]
		g2[idx] += grad * grad
		nw := w[idx] - opts.LearningRate*grad/math.Sqrt(g2[idx]+eps)
		w[idx] = math.Max(-opts.MaxWeight, math.Min(opts.MaxWeight, nw))
	}
}

// fitCalibration fits p = σ(A·z + B + (C + D·z)·ln(1+n)), n being a text's
// length in runes (C = D = 0 when withLength is false), on held-out raw
// scores zs and labels ys by damped Newton steps on the label-balanced
// log-loss, with Platt's smoothed targets and a weak ridge prior towards the
// identity (A = 1, B = C = D = 0).
func fitCalibration(zs []float64, runes []int, ys []float64, withLength bool) model.Calibration {
	var nPos, nNeg float64
	for _, y := range ys {
		if y == 1 {
			nPos++
		} else {
			nNeg++
		}
	}
	tPos, tNeg := (nPos+1)/(nPos+2), 1/(nNeg+2)
	k := 2
	if withLength {
		k = 4
	}
	prior := []float64{1, 0, 0, 0}[:k]
	theta := slices.Clone(prior)
	x := make([]float64, k)
	inputs := func(i int) []float64 {
		x[0], x[1] = zs[i], 1
		if withLength {
			l := math.Log1p(float64(runes[i]))
			x[2], x[3] = l, zs[i]*l
		}
		return x
	}
	for iter := 0; iter < 100; iter++ {
		grad := make([]float64, k)
		hess := make([][]float64, k)
		for a := range hess {
			hess[a] = make([]float64, k)
		}
		for i := range zs {
			wt, t := 0.5/max(nNeg, 1), tNeg
			if ys[i] == 1 {
				wt, t = 0.5/max(nPos, 1), tPos
			}
			x := inputs(i)
			var u float64
			for a := range x {
				u += theta[a] * x[a]
			}
			p := sigmoid(u)
			d, h := (p-t)*wt, p*(1-p)*wt
			for a := range x {
				grad[a] += d * x[a]
				for b := range x {
					hess[a][b] += h * x[a] * x[b]
				}
			}
		}
		// A weak prior at the identity keeps the fit finite when the
		// held-out scores separate the labels perfectly.
		const ridge = 1e-3
		for a := range grad {
			grad[a] += ridge * (theta[a] - prior[a])
			hess[a][a] += ridge
		}
		step, ok := solve(hess, grad)
		if !ok {
			break
		}
		// Damp long steps: Newton can overshoot on near-separable data.
		var size float64
		for _, d := range step {
			size += math.Abs(d)
		}
		if size > 5 {
			for a := range step {
				step[a] *= 5 / size
			}
		}
		for a := range theta {
			theta[a] -= step[a]
		}
		if size < 1e-9 {
			break
		}
	}
	cal := model.Calibration{A: theta[0], B: theta[1]}
	if withLength {
		cal.C, cal.D = theta[2], theta[3]
	}
	return cal
}

// solve returns x with m·x = v by Gaussian elimination with partial
// pivoting, or false when m is singular. m and v are overwritten.
func solve(m [][]float64, v []float64) ([]float64, bool) {
	n := len(v)
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-300 {
			return nil, false
		}
		m[c], m[p] = m[p], m[c]
		v[c], v[p] = v[p], v[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for cc := c; cc < n; cc++ {
				m[r][cc] -= f * m[c][cc]
			}
			v[r] -= f * v[c]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := v[r]
		for c := r + 1; c < n; c++ {
			s -= m[r][c] * x[c]
		}
		x[r] = s / m[r][r]
	}
	return x, true
}

// checkedAttacks are the evasions attackCheck measures on held-out text.
var checkedAttacks = []string{"lowercase", "case", "typo", "punctuation"}

// attackCheck scores the held-out texts again after each of checkedAttacks
// (applied to the raw text with its placeholders removed, before the usual
// preparation) and returns, per attack, the AUROC and the false- and
// true-positive rates at the machine threshold thr, keyed "ATTACK_auroc",
// "ATTACK_fpr_threshold" and "ATTACK_tpr_threshold". Compare them with the
// clean held-out figures. It returns nil when ctx is done before the end.
func attackCheck(ctx context.Context, hold []*example, score func(text string) float64, thr float64, opts Options) map[string]float64 {
	out := map[string]float64{}
	seed := fmt.Sprint(opts.Seed)
	for _, name := range checkedAttacks {
		samples := make(evaluate.Scores, len(hold))
		parallel(ctx, len(hold), opts.Workers, func(i int) {
			e := hold[i]
			// Placeholders first: an evasion would hide them from
			// prepText ("[<-code->]") and leave data artefacts in the text.
			raw, err := attack.Apply(name, gitterPlaceholders.Replace(e.rec.Text), hash64(seed, "attack", name, e.rec.Text))
			if err != nil {
				raw = e.rec.Text // unreachable: checkedAttacks are all known
			}
			samples[i] = evaluate.Sample{Score: score(prepText(raw, e.rec, opts, false)), Machine: e.y == 1}
		})
		if ctx.Err() != nil {
			return nil // some texts were never scored
		}
		fpr, tpr := samples.RatesAt(thr)
		out[name+"_auroc"] = round4(samples.AUROC())
		out[name+"_fpr_threshold"] = round4(fpr)
		out[name+"_tpr_threshold"] = round4(tpr)
	}
	return out
}

// calibrationCheck compares calibration without and with the length terms
// out of fold: each half of the held-out texts (alternate ones) is scored by
// a calibration fitted on the other half. It returns AUROC and TPR at 1% FPR
// of both, for the model card: the length terms are kept because they win
// here, on data neither fit saw.
func calibrationCheck(zs []float64, runes []int, ys []float64) map[string]float64 {
	out := map[string]float64{}
	for _, v := range []struct {
		name       string
		withLength bool
	}{{"plain", false}, {"length", true}} {
		probs := make([]float64, len(zs))
		for fold := range 2 {
			var fz []float64
			var fr []int
			var fy []float64
			for i := range zs {
				if i%2 != fold {
					fz, fr, fy = append(fz, zs[i]), append(fr, runes[i]), append(fy, ys[i])
				}
			}
			cal := fitCalibration(fz, fr, fy, v.withLength)
			for i := fold; i < len(zs); i += 2 {
				probs[i] = cal.Prob(zs[i], runes[i])
			}
		}
		s := make(evaluate.Scores, len(zs))
		for i := range zs {
			s[i] = evaluate.Sample{Score: probs[i], Machine: ys[i] == 1}
		}
		out[v.name+"_auroc"] = round4(s.AUROC())
		out[v.name+"_tpr_at_1pct"] = round4(s.TPRAtFPR(0.01).TPR)
	}
	return out
}

// chooseThreshold returns the lowest probability threshold at which the
// held-out human false-positive rate is at most overall, and at most
// perSource within each source that has at least minSourceHumans held-out
// human texts (fewer cannot measure a rate of about 1%).
func chooseThreshold(probs []float64, hold []*example, overall, perSource float64) float64 {
	thr, _ := chooseThresholdSetBy(probs, hold, overall, perSource)
	return thr
}

// Which bound set a threshold, as chooseThresholdSetBy names it.
const (
	setByPooled = "pooled" // the pooled bound over every held-out human text
	setByLimit  = "limit"  // the threshold's floor (0.5) or cap (0.999)
)

// chooseThresholdSetBy is chooseThreshold that also says which bound set
// the threshold: the name of the source whose held-out humans did,
// setByPooled or setByLimit. Of equal bounds the pooled one, then the
// first source by name, is named.
func chooseThresholdSetBy(probs []float64, hold []*example, overall, perSource float64) (float64, string) {
	bySource := map[string][]float64{}
	var humans []float64
	for i, e := range hold {
		if e.y == 0 {
			humans = append(humans, probs[i])
			bySource[e.rec.File] = append(bySource[e.rec.File], probs[i])
		}
	}
	thr, setBy := quantileAbove(humans, overall), setByPooled
	for _, source := range slices.Sorted(maps.Keys(bySource)) {
		ps := bySource[source]
		if len(ps) < minSourceHumans {
			continue
		}
		if t := quantileAbove(ps, perSource); t > thr {
			thr, setBy = t, source
		}
	}
	if limited := math.Min(0.999, math.Max(0.5, thr)); limited != thr {
		return limited, setByLimit
	}
	return thr, setBy
}

// chooseKindThresholds chooses a machine threshold for each kind group
// (model.KindGroup of a record's kind and domain) by chooseThreshold's rule
// applied to the held-out texts of that group alone: human false-positive
// rate at most overall pooled within the group and at most perSource in
// each of its sources with minSourceHumans human texts. A group with fewer
// than minGroupHumans held-out human texts, or no machine text, gets none
// (it uses the default threshold def). A group may go below def only when
// every source of its held-out humans has at least minLowerSourceHumans of
// them: a threshold below the default is only as safe as its smallest
// source's measurement, and on sources never seen a lower threshold chosen
// on a few dozen texts let over 1% of people through (docs/evaluation.md).
func chooseKindThresholds(probs []float64, hold []*example, overall, perSource, def float64) map[string]float64 {
	type part struct {
		probs    []float64
		hold     []*example
		humans   int
		machines int
	}
	parts := map[string]*part{}
	for i, e := range hold {
		g := model.KindGroup(e.rec.Kind, e.rec.Domain)
		if g == "" {
			continue
		}
		p := parts[g]
		if p == nil {
			p = &part{}
			parts[g] = p
		}
		p.probs = append(p.probs, probs[i])
		p.hold = append(p.hold, e)
		if e.y == 1 {
			p.machines++
		} else {
			p.humans++
		}
	}
	var out map[string]float64
	for _, g := range model.KindGroups {
		p := parts[g]
		if p == nil || p.humans < minGroupHumans || p.machines == 0 {
			continue
		}
		thr := chooseThreshold(p.probs, p.hold, overall, perSource)
		if thr < def && !everySourceMeasured(p.hold, minLowerSourceHumans) {
			continue
		}
		if out == nil {
			out = map[string]float64{}
		}
		out[g] = thr
	}
	return out
}

// everySourceMeasured reports whether every source with human texts in hold
// has at least n of them.
func everySourceMeasured(hold []*example, n int) bool {
	humans := map[string]int{}
	for _, e := range hold {
		if e.y == 0 {
			humans[e.rec.File]++
		}
	}
	for _, c := range humans {
		if c < n {
			return false
		}
	}
	return true
}

// minLowerSourceHumans is the fewest held-out human texts every source of a
// kind group needs before the group's threshold may go below the default:
// at 1% that allows one false positive per source.
const minLowerSourceHumans = 100

// minGroupHumans is the fewest held-out human texts a kind group needs for
// its own threshold: at 0.5% that allows one false positive.
const minGroupHumans = 200

// minSourceHumans is the fewest held-out human texts a source needs for its
// own false-positive bound.
const minSourceHumans = 30

// quantileAbove returns the smallest t such that the share of xs >= t is at most rate.
func quantileAbove(xs []float64, rate float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	allowed := int(math.Floor(rate * float64(len(s))))
	idx := len(s) - 1 - allowed // the highest score that must stay below t
	if idx < 0 {
		return 0
	}
	return math.Nextafter(s[idx], 2)
}
