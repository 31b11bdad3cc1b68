package evaluate

import (
	"context"
	"fmt"
	"hash/fnv"
	"runtime"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/detector/attack"
	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/model"
)

// Scorer is what an evaluation needs from a detector; *detector.Detector
// implements it. Score must be safe for concurrent use.
type Scorer interface {
	Score(text string) detector.Result
	Threshold() float64
	Version() string
}

var _ Scorer = (*detector.Detector)(nil)

// quickScorer is implemented by scorers that can skip explanations, which
// evaluation does not read.
type quickScorer interface {
	ScoreOnly(text string) detector.Result
}

// kindScorer is implemented by scorers with thresholds per kind of item
// (*detector.Detector): evaluation passes each record's kind group, so
// that verdicts are the ones the product gives.
type kindScorer interface {
	ScoreOnlyKind(text, kind string) detector.Result
	ThresholdFor(kind string) float64
}

// Options tune Run.
type Options struct {
	// Attack names a perturbation from package attack applied to every
	// text, human and machine alike; "" applies none.
	Attack string
	// Seed makes the perturbation reproducible; each text's own seed is
	// derived from Seed and the text.
	Seed uint64
	// Split names the data split, for the report only.
	Split string
	// Workers is the number of texts scored at once; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called from the scoring goroutines after
	// every 1000 texts and at the end with the number scored so far.
	Progress func(done, total int)
}

// Run scores every record, perturbed first when opts.Attack is set, and
// builds the report. It stops early with ctx's error when ctx is done. A
// scorer that panics on a record makes Run fail with that record's file
// and line rather than crash the process.
func Run(ctx context.Context, scorer Scorer, recs []dataset.Record, opts Options) (*Report, error) {
	if !attack.Valid(opts.Attack) {
		_, err := attack.Apply(opts.Attack, "", 0)
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	samples := make(Scores, len(recs))
	var (
		next     atomic.Int64
		done     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		failed   atomic.Bool
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err })
		failed.Store(true)
	}
	for range workers {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(recs) {
					return
				}
				if ctx.Err() != nil {
					fail(ctx.Err())
					return
				}
				s, err := scoreOne(scorer, recs[i], opts)
				if err != nil {
					fail(err)
					return
				}
				samples[i] = s
				if d := int(done.Add(1)); opts.Progress != nil && (d%1000 == 0 || d == len(recs)) {
					opts.Progress(d, len(recs))
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("evaluate: %w", firstErr)
	}
	split := opts.Split
	if split == "" {
		split = "all"
	}
	rep := NewReport(samples, scorer.Version(), scorer.Threshold(), split, opts.Attack)
	if k, ok := scorer.(kindScorer); ok {
		for _, g := range model.KindGroups {
			if t := k.ThresholdFor(g); t != scorer.Threshold() {
				if rep.KindThresholds == nil {
					rep.KindThresholds = map[string]float64{}
				}
				rep.KindThresholds[g] = t
			}
		}
	}
	return rep, nil
}

// scoreOne perturbs and scores one record.
func scoreOne(scorer Scorer, r dataset.Record, opts Options) (s Sample, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("score %s:%d: panic: %v", r.File, r.Line, p)
		}
	}()
	text, err := attack.Apply(opts.Attack, r.Text, textSeed(opts.Seed, r.Text))
	if err != nil {
		return Sample{}, err
	}
	var res detector.Result
	if k, ok := scorer.(kindScorer); ok {
		// A kind group is itself a kind that maps to that group.
		res = k.ScoreOnlyKind(text, model.KindGroup(r.Kind, r.Domain))
	} else if q, ok := scorer.(quickScorer); ok {
		res = q.ScoreOnly(text)
	} else {
		res = scorer.Score(text)
	}
	return Sample{
		Score:     res.Score,
		Machine:   r.Machine(),
		Verdict:   res.Verdict,
		Category:  dataset.Category(r),
		Generator: r.Generator,
		Source:    r.File,
		Dir:       r.Dir,
		Length:    utf8.RuneCountInString(r.Text),
	}, nil
}

// textSeed derives a text's perturbation seed, independent of scoring order.
func textSeed(seed uint64, text string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(text))
	return h.Sum64() ^ seed
}
