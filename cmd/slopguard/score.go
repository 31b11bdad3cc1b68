package main

import (
	"bufio"
	"context"
	"fmt"
	"os"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/integrations/jsonl"
)

// scoreOnly adapts a detector to jsonl.Scorer without computing reasons,
// which the score line format does not carry.
type scoreOnly struct{ d *detector.Detector }

func (s scoreOnly) Score(text string) detector.Result { return s.d.ScoreOnly(text) }

// runScore implements `slopguard score [--model FILE] [FILE...]`.
func runScore(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "score")
	modelPath := fs.String("model", "", "model `file` to use instead of the embedded model")
	setUsage(fs, "slopguard score [--model FILE] [FILE...]",
		"Reads JSONL records with a \"text\" field from the files, or stdin when none,",
		"and writes each record back, in order, with \"score\" (0..1, probability of",
		"machine) and \"verdict\" (human|unsure|machine) added. A text that discloses",
		"an agent (a \"Generated with Claude Code\" footer, a Codex task link, a",
		"Co-authored-by trailer, …) is \"machine\" whatever it scores, and gets a",
		"\"disclosure\" field naming the agent and the span; a review bot's block",
		"pasted into a person's text is reported there too, and only the person's",
		"part is scored. A line that is not a JSON object with a string \"text\"",
		"yields {\"line\": N, \"error\": \"...\"} and the run goes on.")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	for _, f := range files {
		if f == "-" {
			continue
		}
		if st, err := os.Stat(f); err != nil {
			return usageErrorf("%v", err)
		} else if st.IsDir() {
			return usageErrorf("%s is a directory", f)
		}
	}
	det, err := scoreLoadModel(*modelPath)
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	if len(files) == 0 {
		files = []string{"-"}
	}
	for _, name := range files {
		if err := scoreInput(ctx, e, out, scoreOnly{det}, name); err != nil {
			out.Flush()
			return err
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// scoreInput scores one named input; "-" is stdin.
func scoreInput(ctx context.Context, e *env, out *bufio.Writer, s jsonl.Scorer, name string) error {
	if name == "-" {
		return jsonl.Score(ctx, e.stdin, out, s, "", 0)
	}
	f, err := os.Open(name)
	if err != nil {
		return usageErrorf("%v", err)
	}
	defer f.Close()
	return jsonl.Score(ctx, f, out, s, name, 0)
}

// scoreLoadModel returns the detector in path, or the embedded one when
// path is empty.
func scoreLoadModel(path string) (*detector.Detector, error) {
	d, err := detector.Open(path)
	if err != nil && path != "" {
		return nil, usageErrorf("%v", err) // a missing or bad --model file is a usage error
	}
	return d, err
}
