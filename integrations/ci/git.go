package ci

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/slopguard/slopguard/moderation"
)

// Git runs the git executable in Dir.
type Git struct {
	// Dir is the working tree; "" means the process's working directory.
	Dir string
	// Path is the git executable; "" means "git" looked up in PATH.
	Path string
}

func (g Git) run(ctx context.Context, args ...string) ([]byte, error) {
	bin := g.Path
	if bin == "" {
		bin = "git"
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = g.Dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		sub := gitSubcommand(args)
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("git %s: git executable not found in PATH", sub)
		}
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if msg != "" {
			return nil, fmt.Errorf("git %s: %s", sub, msg)
		}
		return nil, fmt.Errorf("git %s: %w", sub, err)
	}
	return out, nil
}

// gitSubcommand returns the subcommand of a git command line ("log" for
// "-c core.quotePath=false log …"), skipping global options and their values.
func gitSubcommand(args []string) string {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-c" || a == "-C":
			i++ // the option's value
		case strings.HasPrefix(a, "-"):
		default:
			return a
		}
	}
	if len(args) > 0 {
		return args[0]
	}
	return ""
}

// checkRange refuses ranges that git would read as options, and ranges with
// an empty side ("..HEAD", "base..", "..."), which git reads as HEAD: in a
// workflow they come from an unset ${{ }} expression and would check nothing.
func checkRange(rng string) error {
	if strings.TrimSpace(rng) == "" || strings.HasPrefix(rng, "-") {
		return fmt.Errorf("invalid git range %q (want e.g. origin/main..HEAD)", rng)
	}
	sep := "..."
	if !strings.Contains(rng, sep) {
		sep = ".."
	}
	if left, right, ok := strings.Cut(rng, sep); ok && (strings.TrimSpace(left) == "" || strings.TrimSpace(right) == "") {
		return fmt.Errorf("invalid git range %q: a side of %q is empty (an unset ${{ }} expression?); want e.g. origin/main..HEAD", rng, sep)
	}
	return nil
}

// shallowBoundary returns the boundary commits of a shallow clone (those
// whose parents were not fetched), or nil when the repository is complete.
func (g Git) shallowBoundary(ctx context.Context) (map[string]bool, error) {
	out, err := g.run(ctx, "rev-parse", "--is-shallow-repository", "--git-path", "shallow")
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || strings.TrimSpace(lines[0]) != "true" {
		return nil, nil
	}
	path := strings.TrimSpace(lines[1])
	if !filepath.IsAbs(path) && g.Dir != "" {
		path = filepath.Join(g.Dir, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the boundary of the shallow clone: %w", unwrapPathError(err))
	}
	boundary := map[string]bool{}
	for _, h := range strings.Fields(string(data)) {
		boundary[h] = true
	}
	return boundary, nil
}

// fullHistoryHint tells people how to get the history a range needs.
const fullHistoryHint = "check out the full history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)"

// logRange runs `git log` with args over rng and returns its output. In a
// shallow clone, a range that reaches the boundary is an error: git would
// take the boundary commit for a root, dropping older commits and counting
// every file as added. A failing git log in a shallow clone (a commit not
// fetched) says so too.
func (g Git) logRange(ctx context.Context, rng string, args ...string) ([]byte, error) {
	out, logErr := g.run(ctx, args...)
	boundary, err := g.shallowBoundary(ctx)
	if logErr != nil {
		if err == nil && boundary != nil {
			return nil, fmt.Errorf("%w (the repository is a shallow clone: %s)", logErr, fullHistoryHint)
		}
		return nil, logErr
	}
	if err != nil {
		return nil, err
	}
	if boundary == nil {
		return out, nil
	}
	revs, err := g.run(ctx, "rev-list", rng, "--")
	if err != nil {
		return nil, err
	}
	for _, h := range strings.Fields(string(revs)) {
		if boundary[h] {
			return nil, fmt.Errorf("git range %q reaches the boundary of a shallow clone (commit %s): %s", rng, h[:min(len(h), 12)], fullHistoryHint)
		}
	}
	return out, nil
}

// trailerLine matches a git trailer line ("Signed-off-by: A <a@example.com>").
var trailerLine = regexp.MustCompile(`^[A-Za-z0-9-]+:\s`)

// stripTrailers removes the final paragraph of a commit message when every
// line of it is a trailer (Signed-off-by, Co-authored-by, …): they are not
// prose and would push the score towards human. A message of one paragraph
// is kept whole (its subject may look like "Fix: …").
func stripTrailers(msg string) string {
	i := strings.LastIndex(msg, "\n\n")
	if i < 0 {
		return msg
	}
	last := strings.TrimSpace(msg[i:])
	if last == "" {
		return msg
	}
	for _, l := range strings.Split(last, "\n") {
		if !trailerLine.MatchString(strings.TrimRight(l, "\r")) {
			return msg
		}
	}
	return strings.TrimRight(msg[:i], "\n")
}

// Commits returns one Input per commit in rng (as `git log` reads it, e.g.
// "origin/main..HEAD"), oldest first, scoring the commit message without
// its trailers. Merge commits are left out: their messages are generated by
// git.
func (g Git) Commits(ctx context.Context, rng string) ([]Input, error) {
	if err := checkRange(rng); err != nil {
		return nil, err
	}
	// Fields and records are NUL-separated (-z): git refuses NUL in
	// commit messages, so no message can break the split.
	out, err := g.logRange(ctx, rng, "log", "-z", "--no-merges", "--reverse", "--format=%H%x00%an%x00%ae%x00%B", rng, "--")
	if err != nil {
		return nil, err
	}
	fields := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(out) == 0 {
		fields = nil
	}
	if len(fields)%4 != 0 {
		return nil, fmt.Errorf("git log %s: unexpected output (%d fields)", rng, len(fields))
	}
	var ins []Input
	for i := 0; i < len(fields); i += 4 {
		hash, name, full := fields[i], fields[i+1], strings.TrimRight(fields[i+3], "\n")
		msg := stripTrailers(full)
		short := hash[:min(len(hash), 7)]
		ins = append(ins, Input{
			Item: moderation.Item{
				Platform:    moderation.CI,
				Kind:        moderation.KindCommit,
				ID:          "commit/" + short,
				Author:      name,
				AuthorIsBot: moderation.IsBotLogin(name),
				Body:        msg,
				// The whole message, trailers included, for disclosures.
				Commits: []moderation.Commit{{SHA: hash, Message: full}},
			},
			Name: "commit " + short,
		})
	}
	return ins, nil
}

// ChangedFiles returns the files added, copied, modified or renamed by the
// commits in rng that still exist, sorted and deduplicated, relative to the
// repository root.
func (g Git) ChangedFiles(ctx context.Context, rng string) ([]string, error) {
	if err := checkRange(rng); err != nil {
		return nil, err
	}
	out, err := g.logRange(ctx, rng, "-c", "core.quotePath=false", "log", "--format=", "--name-only", "--diff-filter=ACMR", "-z", rng, "--")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var files []string
	// Names are NUL-terminated and kept as they are: a name may begin or
	// end with spaces.
	for _, f := range strings.Split(string(out), "\x00") {
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		files = append(files, f)
	}
	slices.Sort(files)
	return files, nil
}

// TopLevel returns the repository root of Dir.
func (g Git) TopLevel(ctx context.Context) (string, error) {
	out, err := g.run(ctx, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
