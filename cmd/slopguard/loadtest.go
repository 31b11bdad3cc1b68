package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/slopguard/slopguard/bench/loadtest"
)

// runLoadtest implements `slopguard loadtest`: it starts `slopguard serve`
// on loopback against a fake GitHub API and a temporary SQLite store, sends
// signed webhooks at rising rates until the queue overflows, and reports
// what the server sustained and whether it kept its promises (see package
// bench/loadtest).
func runLoadtest(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "loadtest")
	var o loadtest.Options
	var duration time.Duration
	fs.DurationVar(&duration, "duration", 60*time.Second, "upper bound on the whole run")
	fs.DurationVar(&o.Step, "step", 3*time.Second, "how long each rate is held")
	fs.IntVar(&o.StartRate, "rate", 50, "first rate, deliveries per second; it doubles each step")
	fs.IntVar(&o.MaxRate, "max-rate", 12800, "highest rate tried")
	fs.IntVar(&o.Workers, "workers", 4, "server webhook workers")
	fs.IntVar(&o.Procs, "procs", 2, "GOMAXPROCS of the server (cores it may use)")
	fs.BoolVar(&o.InProcess, "in-process", false, "run the server in this process instead of as a child")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if o.StartRate <= 0 || o.MaxRate < o.StartRate || o.Step <= 0 || duration <= 0 {
		return usageErrorf("rates and durations must be positive, with --max-rate at least --rate")
	}
	o.Log = e.stderr
	o.Serve = func(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
		return run(ctx, &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: stderr, getenv: getenv}, args)
	}
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	r, err := loadtest.Run(ctx, o)
	if r != nil {
		r.Print(e.stdout, o)
	}
	if err != nil {
		return err
	}
	if !r.OK() {
		return &exitError{code: 1, err: errors.New("a property did not hold; see the report")}
	}
	return nil
}
