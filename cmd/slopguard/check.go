package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/integrations/ci"
	"github.com/slopguard/slopguard/moderation"
)

// checkScorer is what `check` needs from a detector: *detector.Detector.
type checkScorer interface {
	moderation.Scorer
	Threshold() float64
}

// checkLoader loads the detector: the embedded model when path is empty.
type checkLoader func(path string) (checkScorer, error)

// loadCheckScorer is the real checkLoader.
func loadCheckScorer(path string) (checkScorer, error) {
	d, err := detector.Open(path)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// runCheck implements `slopguard check`.
func runCheck(ctx context.Context, e *env, args []string) error {
	return check(ctx, e, args, loadCheckScorer)
}

// checkOptions are the parsed flags and arguments of `check`.
type checkOptions struct {
	files       []string
	format      ci.Format
	output      string
	failOn      float64
	failOnSet   bool
	model       string
	event       bool
	eventPath   string
	jsonl       bool
	commits     string
	changedOnly bool
	config      string
	configSet   bool
	mode        string
	threshold   float64
}

const checkUsage = `Usage: slopguard check [FILE...|-] [flags]

Scores files, globs ('docs/**/*.md'), standard input (-), JSONL records
(--jsonl), a GitHub Actions event (--event) and the commit messages of a git
range (--commits), and reports a verdict, score and reasons for each. Inside
GitHub Actions with no other input, the event that triggered the workflow is
the input. The repository policy (.github/slopguard.yml) sets the mode, the
threshold and who is exempt.

Exit status: 0 when no input reaches --fail-on (unset by default), 1 when one
does, 2 for usage, config or input errors.

Flags:
  --format F        text, json, sarif, github, rdjson, markdown or html
                    (default github inside GitHub Actions, else text)
  --output FILE     write the report to FILE instead of standard output
  --fail-on S       exit 1 when an input's score reaches S (0..1)
  --model FILE      model file instead of the embedded model
  --event [FILE]    check a GitHub Actions event (default $GITHUB_EVENT_PATH)
  --jsonl           read files and stdin as JSONL records with a "text" field
  --commits RANGE   check the commit messages of a git range (origin/main..HEAD)
  --changed-only    only the FILEs changed in the range (--commits, or the
                    pull request of the event)
  --config FILE     policy file (default .github/slopguard.yml when present)
  --mode M          override the policy's mode: off, observe, flag or enforce
  --threshold S     override the policy's threshold (0..1)
`

// eventFlag is --event with an optional value.
type eventFlag struct {
	set  bool
	path string
}

func (f *eventFlag) String() string { return f.path }
func (f *eventFlag) Set(v string) error {
	f.set, f.path = true, v
	return nil
}

// parseCheckArgs parses flags and arguments in any order. `--event FILE`
// takes FILE when the next argument is not a flag; a bare --event reads
// $GITHUB_EVENT_PATH.
func parseCheckArgs(args []string, stderr io.Writer) (checkOptions, error) {
	var o checkOptions
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "", "")
	fs.StringVar(&o.output, "output", "", "")
	failOn := fs.String("fail-on", "", "")
	fs.StringVar(&o.model, "model", "", "")
	var ev eventFlag
	fs.Var(&ev, "event", "")
	fs.BoolVar(&o.jsonl, "jsonl", false, "")
	fs.StringVar(&o.commits, "commits", "", "")
	fs.BoolVar(&o.changedOnly, "changed-only", false, "")
	fs.StringVar(&o.config, "config", "", "")
	fs.StringVar(&o.mode, "mode", "", "")
	threshold := fs.String("threshold", "", "")

	// Give a bare --event an explicit empty value, or the file after it.
	var norm []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			norm = append(norm, args[i:]...)
			break
		}
		if a == "--event" || a == "-event" {
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				norm = append(norm, "--event="+args[i+1])
				i++
			} else {
				norm = append(norm, "--event=")
			}
			continue
		}
		norm = append(norm, a)
	}
	// Parse flags wherever they are; everything else is a FILE.
	for rest := norm; len(rest) > 0; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stderr, checkUsage)
				return o, err
			}
			return o, usageErrorf("%v (see slopguard check -h)", err)
		}
		left := fs.Args()
		if consumed := len(rest) - len(left); consumed > 0 && rest[consumed-1] == "--" {
			o.files = append(o.files, left...)
			break
		}
		if len(left) == 0 {
			break
		}
		o.files = append(o.files, left[0])
		rest = left[1:]
	}
	o.event, o.eventPath = ev.set, ev.path

	if *format != "" {
		f, err := ci.ParseFormat(*format)
		if err != nil {
			return o, usageErrorf("--format: %v", err)
		}
		o.format = f
	}
	if *failOn != "" {
		v, err := parseScore("--fail-on", *failOn)
		if err != nil {
			return o, err
		}
		o.failOn, o.failOnSet = v, true
	}
	if *threshold != "" {
		v, err := parseScore("--threshold", *threshold)
		if err != nil {
			return o, err
		}
		if v == 0 {
			return o, usageErrorf("--threshold: must be above 0")
		}
		o.threshold = v
	}
	if o.mode != "" {
		if _, err := moderation.ParseMode(o.mode); err != nil {
			return o, usageErrorf("--mode: %v", err)
		}
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" {
			o.configSet = true
		}
	})
	return o, nil
}

// parseScore reads a score flag: a number from 0 to 1.
func parseScore(name, s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 || v > 1 || v != v {
		return 0, usageErrorf("%s: %q is not a number from 0 to 1", name, s)
	}
	return v, nil
}

// loadCheckPolicy reads the policy file and applies the flag overrides
// (see ci.LoadPolicy); a bad or unreadable file is a usage error.
func loadCheckPolicy(o checkOptions) (moderation.Policy, string, error) {
	pol, path, err := ci.LoadPolicy(o.config, o.configSet, ci.PolicyOverrides{Mode: o.mode, Threshold: o.threshold})
	if err != nil {
		return pol, path, usageErrorf("%s", oneLineErr(err))
	}
	return pol, path, nil
}

// oneLineErr joins a multi-line error (errors.Join) with "; ", so that it
// takes one line on stderr.
func oneLineErr(err error) string {
	return oneLine(err.Error())
}

// oneLine joins the lines of s with "; ".
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", "; ", "\n", "; ", "\r", "; ").Replace(s)
}

// check is runCheck with the detector loader as a seam for tests.
func check(ctx context.Context, e *env, args []string, load checkLoader) error {
	o, err := parseCheckArgs(args, e.stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if o.format == "" {
		o.format = ci.DefaultFormat(e.getenv)
	}
	pol, polPath, err := loadCheckPolicy(o)
	if err != nil {
		return err
	}

	var (
		c      moderation.Checker
		modelT float64
		inputs []ci.Input
	)
	if !pol.Mode.Checks() {
		where := "--mode"
		if o.mode == "" {
			where = polPath
		}
		fmt.Fprintf(e.stderr, "slopguard check: mode is off (%s); nothing checked\n", where)
	} else {
		sc, err := load(o.model)
		if err != nil {
			return usageErrorf("%v", err)
		}
		c, modelT = &moderation.Pipeline{Scorer: sc}, sc.Threshold()
		var notes []string
		inputs, notes, err = ci.Collect(ctx, ci.Sources{
			Args:        o.files,
			Stdin:       e.stdin,
			JSONL:       o.jsonl,
			Event:       o.event,
			EventPath:   o.eventPath,
			Commits:     o.commits,
			ChangedOnly: o.changedOnly,
			Getenv:      e.getenv,
		})
		if errors.Is(err, ci.ErrNoInput) {
			return usageErrorf("%v (see slopguard check -h)", err)
		}
		if err != nil {
			return usageErrorf("%s", oneLineErr(err))
		}
		for _, n := range notes {
			fmt.Fprintf(e.stderr, "slopguard check: %s\n", oneLine(n))
		}
	}

	r, err := ci.Run(ctx, c, inputs, ci.Options{Policy: pol, ModelThreshold: modelT, FailOn: o.failOn, FailOnSet: o.failOnSet})
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := writeCheckReport(e, o, r); err != nil {
		return &exitError{code: 2, err: err}
	}
	if o.format == ci.FormatSARIF {
		if n := ci.SARIFLeftOut(r); n > 0 {
			fmt.Fprintf(e.stderr, "slopguard check: %d %s on standard input, events or commits left out of the SARIF report: code scanning needs a file to point at (use another --format for them)\n", n, pluralWord(n, "finding", "findings"))
		}
	}

	if code := r.ExitCode(); code != ci.ExitOK {
		return &exitError{code: code, err: errors.New(r.ExitMessage())}
	}
	return nil
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeCheckReport writes the report to stdout or --output, and inside
// GitHub Actions the step outputs and summary (ci.WriteActionsFiles).
func writeCheckReport(e *env, o checkOptions, r *ci.Report) error {
	w := e.stdout
	var f *os.File
	if o.output != "" {
		var err error
		if f, err = os.Create(o.output); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		w = f
	}
	err := ci.Write(w, o.format, r)
	if f != nil {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write report %s: %w", o.output, cerr)
		}
	}
	if err != nil {
		return err
	}
	return ci.WriteActionsFiles(e.getenv, o.format, r)
}
