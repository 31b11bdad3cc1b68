package ci

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
)

// Options are what a run reads the verdicts against.
type Options struct {
	// Policy is the repository's policy (moderation.DefaultPolicy without a file).
	Policy moderation.Policy
	// ModelThreshold is the model's own threshold, used when the policy sets none.
	ModelThreshold float64
	// FailOn, when FailOnSet, is the score at or above which an input fails the run.
	// In enforce mode an unset FailOn becomes the policy's enforce threshold.
	FailOn    float64
	FailOnSet bool
	// Workers bounds concurrent checks; 0 means GOMAXPROCS.
	Workers int
}

// Entry is what happened to one Input.
type Entry struct {
	Input Input
	// Checked is true when the input was scored; Verdict is valid only then.
	Checked bool
	Verdict moderation.Verdict
	// Skipped says why the input was not scored (exempt author, surface off, binary file).
	Skipped string
	// Err says why the input could not be read or checked.
	Err string
	// Flagged is true when the policy flags the verdict (moderation.Policy.Outcome).
	Flagged bool
	// Rule is the policy rule that decided, and Why says so in a sentence.
	Rule moderation.Rule
	Why  string
	// Assisted is true when the input disclosed an agent and the policy
	// labels such items (moderation.AssistedLabel) rather than flag them.
	Assisted bool
	// Failed is true when the verdict reaches the fail-on score.
	Failed bool
}

// Report is the outcome of one run, in input order.
type Report struct {
	Entries []Entry
	// Mode is the policy's mode; in ModeOff nothing is checked.
	Mode moderation.Mode
	// Threshold is the score at or above which an input is flagged.
	Threshold float64
	// FailOn is the score at or above which an input fails the run, when FailOnSet.
	FailOn    float64
	FailOnSet bool
	// ModelVersion names the model that gave the verdicts, when any was checked.
	ModelVersion string
}

// Run checks every input against the checker and reads the verdicts against
// opts. Inputs that are skipped or broken are reported, never dropped. Run
// fails only when ctx is done.
func Run(ctx context.Context, c moderation.Checker, inputs []Input, opts Options) (*Report, error) {
	pol := opts.Policy
	th := pol.Thresholds(opts.ModelThreshold)
	r := &Report{
		Entries:   make([]Entry, len(inputs)),
		Mode:      pol.Mode,
		Threshold: th.Flag,
		FailOn:    opts.FailOn,
		FailOnSet: opts.FailOnSet,
	}
	if pol.Mode == moderation.ModeEnforce && !opts.FailOnSet {
		r.FailOn, r.FailOnSet = th.Enforce, true
	}
	if pol.Mode == moderation.ModeObserve {
		r.FailOnSet = false // observe never fails a build
	}
	var todo []int
	for i, in := range inputs {
		e := Entry{Input: in}
		// The input's own skip (a binary file, a deleted comment) comes
		// after mode off and before the policy's surfaces and exemptions.
		skip, why := pol.Screen(in.Item, in.Labels, in.Draft, nil)
		switch {
		case in.Err != "":
			e.Err = in.Err
		case skip == moderation.SkipModeOff:
			e.Skipped = "mode is off"
		case in.Skip != "":
			e.Skipped = in.Skip
		case skip == moderation.SkipSurface:
			e.Skipped = fmt.Sprintf("%s items are switched off in the policy", in.Item.Kind)
		case skip == moderation.SkipExempt:
			e.Skipped = why
		default:
			todo = append(todo, i)
		}
		r.Entries[i] = e
	}

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for _, i := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func(e *Entry) {
			defer wg.Done()
			defer func() { <-sem }()
			check(ctx, c, e)
		}(&r.Entries[i])
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	for i := range r.Entries {
		e := &r.Entries[i]
		if !e.Checked {
			continue
		}
		if r.ModelVersion == "" {
			r.ModelVersion = e.Verdict.ModelVersion
		}
		d := pol.Outcome(e.Verdict, opts.ModelThreshold)
		e.Verdict, e.Flagged, e.Rule, e.Why, e.Assisted = d.Verdict, d.Flagged, d.Rule, d.Why, d.Assisted
		// Only a score fails the run, as only a score enforces in the App:
		// a honeypot, `disclosed: flag` or require_disclosure flags the
		// input for people to decide. A disclosed item never fails (the App
		// never enforces on one); anything else fails on its score, even
		// below the flag threshold.
		e.Failed = r.FailOnSet && d.Rule != moderation.RuleDisclosed && e.Verdict.Flagged(r.FailOn)
	}
	return r, nil
}

// check runs one input through the checker; a panic is recovered into Err so
// one bad input never takes down the others.
func check(ctx context.Context, c moderation.Checker, e *Entry) {
	defer func() {
		if p := recover(); p != nil {
			e.Err = fmt.Sprintf("check failed: %v", p)
			e.Checked = false
		}
	}()
	v, err := c.Check(ctx, e.Input.Item)
	if err != nil {
		e.Err = err.Error()
		return
	}
	e.Verdict, e.Checked = v, true
}

// Exit codes of the CI check, after golangci-lint and reviewdog.
const (
	ExitOK     = 0 // nothing reached --fail-on
	ExitFailed = 1 // an input reached --fail-on
	ExitError  = 2 // usage, config or input error
)

// ExitCode is ExitError when an input could not be read or checked, else
// ExitFailed when one reached the fail-on score, else ExitOK.
func (r *Report) ExitCode() int {
	code := ExitOK
	for _, e := range r.Entries {
		if e.Err != "" {
			return ExitError
		}
		if e.Failed {
			code = ExitFailed
		}
	}
	return code
}

// Errors counts the entries that could not be read or checked.
func (r *Report) Errors() int {
	n := 0
	for _, e := range r.Entries {
		if e.Err != "" {
			n++
		}
	}
	return n
}

// Failures counts the entries that reached the fail-on score, and the
// highest score among them.
func (r *Report) Failures() (n int, highest float64) {
	for _, e := range r.Entries {
		if e.Failed {
			n++
			highest = max(highest, e.Verdict.Score)
		}
	}
	return n, highest
}

// ExitMessage says in one line why ExitCode is not ExitOK, for the CI log;
// it is "" when ExitCode is ExitOK.
func (r *Report) ExitMessage() string {
	switch r.ExitCode() {
	case ExitError:
		n := r.Errors()
		return fmt.Sprintf("%d %s could not be read or checked (see the report)", n, plural(n, "input", "inputs"))
	case ExitFailed:
		n, highest := r.Failures()
		return fmt.Sprintf("%d %s --fail-on %.2f (highest score %.2f)", n, plural(n, "input reaches", "inputs reach"), r.FailOn, highest)
	}
	return ""
}

// Summary is the run in three values, for CI step outputs.
type Summary struct {
	// Score is the highest score among the checked inputs the model could
	// judge (see detector.Result.CannotJudge: too short, another language),
	// Unsure ones included; 0 when there is none.
	Score float64 `json:"score"`
	// Verdict is that input's verdict; "unsure" when inputs were checked but
	// none could be judged; "skipped" when nothing was checked.
	Verdict string `json:"verdict"`
	// Flagged is true when any input was flagged.
	Flagged bool `json:"flagged"`
	// Failed is true when any input reached the fail-on score.
	Failed bool `json:"failed"`
}

// Summarize reduces the report to a Summary.
func (r *Report) Summarize() Summary {
	s := Summary{Verdict: "skipped"}
	best := -1
	for i, e := range r.Entries {
		s.Flagged = s.Flagged || e.Flagged
		s.Failed = s.Failed || e.Failed
		if !e.Checked {
			continue
		}
		if e.Verdict.CannotJudge {
			if best < 0 {
				s.Verdict = detector.Unsure.String()
			}
			continue
		}
		if best < 0 || e.Verdict.Score > r.Entries[best].Verdict.Score {
			best = i
		}
	}
	if best >= 0 {
		s.Score, s.Verdict = r.Entries[best].Verdict.Score, r.Entries[best].Verdict.Verdict.String()
	}
	return s
}
