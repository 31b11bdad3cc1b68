// Command slopguard flags likely machine-generated pull requests, issues,
// comments and chat messages for the people who moderate them.
//
// Run `slopguard help` for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// env is what a subcommand may touch of the outside world, so tests can run
// the whole CLI in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands lists every subcommand; each lives in its own file.
func commands() map[string]command {
	return map[string]command{
		"check":    {"score files or stdin for people or CI; exit 1 when --fail-on is reached", runCheck},
		"score":    {"score JSONL records and write one JSON line per record", runScore},
		"eval":     {"evaluate the model on labelled JSONL and write a report with plots", runEval},
		"train":    {"train a model from labelled JSONL", runTrain},
		"unseen":   {"train without one source or generator family at a time and report on it (make loo, lofo)", runUnseen},
		"serve":    {"run the GitHub App webhook server and/or the Discord bot", runServe},
		"simulate": {"show what the GitHub App would do for one item, writing nothing", runSimulate},
		"config":   {"config validate FILE: check a server config or repository policy file", runConfig},
		"audit":    {"audit list|show: read the decision log", runAudit},
		"feedback": {"feedback export: write maintainers' feedback as training JSONL", runFeedback},
		"version":  {"print the version and the embedded model's version", runVersion},
		"loadtest": {"load-test `serve` on loopback against a fake GitHub and report what it sustained", runLoadtest},
	}
}

// exitError carries a process exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports a usage or input error: exit code 2.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first SIGINT or SIGTERM cancels ctx for a clean stop; restoring the
	// default handlers then lets a second one kill the process, whatever it
	// is blocked on.
	context.AfterFunc(ctx, stop)
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	code := run(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}

// ctxReader makes a Read return when ctx is done even while the underlying
// reader blocks (an idle pipe on standard input would otherwise ignore
// Ctrl-C). A Read cut short leaves its goroutine blocked on r until r
// returns; by then the process is on its way out.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
	buf []byte
}

// readResult is the outcome of one Read of the underlying reader.
type readResult struct {
	n   int
	err error
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, interrupted(c.ctx)
	}
	if len(p) == 0 {
		return 0, nil
	}
	// The goroutine reads into c.buf, never p, so that p is not written
	// after Read returns. c.buf is reused only after the last read finished.
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	buf := c.buf[:len(p)]
	done := make(chan readResult, 1)
	go func() {
		n, err := c.r.Read(buf)
		done <- readResult{n, err}
	}()
	select {
	case res := <-done:
		return copy(p, buf[:res.n]), res.err
	case <-c.ctx.Done():
		c.buf = nil // still owned by the abandoned read
		return 0, interrupted(c.ctx)
	}
}

// interrupted is the error for a read stopped by ctx: its cause.
func interrupted(ctx context.Context) error {
	return fmt.Errorf("interrupted: %w", context.Cause(ctx))
}

// subcommand is one verb of a command that has several (audit list, feedback export).
type subcommand struct {
	name string
	run  func(ctx context.Context, e *env, args []string) error
}

// runSubcommand runs the subcommand args[0] names. Help prints usage to
// stdout; a missing or unknown subcommand prints it to stderr and exits 2.
func runSubcommand(ctx context.Context, e *env, args []string, usage string, subs ...subcommand) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return &exitError{code: 2}
	}
	var names []string
	for _, s := range subs {
		if args[0] == s.name {
			return s.run(ctx, e, args[1:])
		}
		names = append(names, s.name)
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	fmt.Fprint(e.stderr, usage)
	return usageErrorf("unknown subcommand %q (want %s)", args[0], strings.Join(names, " or "))
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		// No command is a usage error (exit 2), with the help on stderr.
		printHelp(e.stderr)
		return 2
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(e.stdout)
		return 0
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "slopguard: unknown command %q (see slopguard help)\n", args[0])
		return 2
	}
	if e.stdin != nil {
		sub := *e
		sub.stdin = &ctxReader{ctx: ctx, r: e.stdin}
		e = &sub
	}
	err := cmd.run(ctx, e, args[1:])
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(e.stderr, "slopguard %s: %v\n", args[0], ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(e.stderr, "slopguard %s: %v\n", args[0], err)
	return 1
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "slopguard flags likely machine-generated text for the people who moderate it.")
	fmt.Fprintln(w, "\nUsage: slopguard <command> [flags]\n\nCommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for name := range cmds {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-9s %s\n", name, cmds[name].summary)
	}
	fmt.Fprintln(w, "\nRun `slopguard <command> -h` for a command's flags.")
}

// newFlagSet returns the flag set of the command name, which writes its
// errors and usage to e.stderr.
func newFlagSet(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseNoArgs parses args for a command that takes flags and no positional
// arguments.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("%s takes no arguments, got %q", fs.Name(), pos[0])
	}
	return nil
}

// parseDataFlags parses args for a command that reads labelled data and adds
// the positional arguments to data: paths may come before, between or after
// the flags.
func parseDataFlags(fs *flag.FlagSet, args []string, data *stringList) error {
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	*data = append(*data, rest...)
	return nil
}

// parseFlags parses flags that may come before, between or after the
// positional arguments, which it returns in order; everything after "--"
// is positional. Its error is the command's exit: 0 for -h, 2 for a bad
// flag (the flag set has printed the usage either way).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &exitError{code: 0}
			}
			return nil, &exitError{code: 2}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// setUsage makes fs print a synopsis line, a description and its flags
// for -h and after a bad flag.
func setUsage(fs *flag.FlagSet, synopsis string, description ...string) {
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: "+synopsis)
		fmt.Fprintln(fs.Output())
		for _, line := range description {
			fmt.Fprintln(fs.Output(), line)
		}
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
}
