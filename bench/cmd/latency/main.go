// Command latency times detector.Score on single documents of fixed sizes
// inside one process and prints p50/p99 per size as JSON.
//
// Usage:
//
//	latency [-model model.bin] [-docs bench/work/latency] [-sizes 1K,4K,16K,64K,1M]
//
// The documents are DIR/<size>.txt, written by bench/cmd/prepare from dev
// texts joined by blank lines, so they read like real input. Each is scored
// once to warm up, then at least -runs times and for at least -budget; every
// call is timed on its own. Without -model the detector embedded in the
// binary (detector.Default) is timed.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/slopguard/slopguard/detector"
)

// result is one size's timings.
type result struct {
	Size    string  `json:"size"`
	Bytes   int     `json:"bytes"`
	Runs    int     `json:"runs"`
	P50NS   int64   `json:"p50_ns"`
	P99NS   int64   `json:"p99_ns"`
	MeanNS  int64   `json:"mean_ns"`
	Score   float64 `json:"score"`
	Sampled bool    `json:"sampled"`
}

type report struct {
	Model   string   `json:"model"`
	Version string   `json:"version"`
	Results []result `json:"results"`
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "latency:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fl := flag.NewFlagSet("latency", flag.ContinueOnError)
	model := fl.String("model", "", "model file (default: the model embedded in the binary)")
	docs := fl.String("docs", "bench/work/latency", "directory of <size>.txt documents")
	sizes := fl.String("sizes", "1K,4K,16K,64K,1M", "which documents to time")
	runs := fl.Int("runs", 300, "minimum timed calls per size")
	budget := fl.Duration("budget", 2*time.Second, "minimum time spent per size")
	if err := fl.Parse(args); err != nil {
		return err
	}
	d, name, err := load(*model)
	if err != nil {
		return err
	}
	rep := report{Model: name, Version: d.Version()}
	for _, s := range strings.Split(*sizes, ",") {
		doc, err := os.ReadFile(filepath.Join(*docs, s+".txt"))
		if err != nil {
			return fmt.Errorf("read document: %w", err)
		}
		rep.Results = append(rep.Results, measure(d, s, string(doc), *runs, *budget))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func load(path string) (*detector.Detector, string, error) {
	if path == "" {
		d, err := detector.Default()
		if err != nil {
			return nil, "", fmt.Errorf("default detector: %w", err)
		}
		return d, "embedded", nil
	}
	d, err := detector.LoadFile(path)
	return d, filepath.Base(path), err
}

// measure times Score on doc until both the run count and the budget are
// reached, or 100 times the run count.
func measure(d *detector.Detector, size, doc string, minRuns int, budget time.Duration) result {
	res := d.Score(doc) // warm-up
	var times []time.Duration
	var total time.Duration
	for (len(times) < minRuns || total < budget) && len(times) < 100*minRuns {
		start := time.Now()
		d.Score(doc)
		el := time.Since(start)
		times = append(times, el)
		total += el
	}
	slices.Sort(times)
	return result{
		Size:    size,
		Bytes:   len(doc),
		Runs:    len(times),
		P50NS:   int64(quantile(times, 0.50)),
		P99NS:   int64(quantile(times, 0.99)),
		MeanNS:  int64(total) / int64(len(times)),
		Score:   res.Score,
		Sampled: res.Sampled,
	}
}

// quantile returns the nearest-rank q-quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
