package ci

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/slopguard/slopguard/moderation"
)

// ErrNoInput is returned by Collect when nothing was asked for.
var ErrNoInput = errors.New("nothing to check: give FILEs, - for standard input, --event or --commits")

// Sources says which inputs Collect gathers; they combine.
type Sources struct {
	// Dir is the working directory relative paths are resolved against; "" means the process's.
	Dir string
	// Args are files, globs ("docs/**/*.md") and "-" for standard input.
	Args []string
	// Stdin is read for "-".
	Stdin io.Reader
	// JSONL reads files and standard input as JSONL records with a "text" field.
	JSONL bool
	// Event asks for a GitHub Actions event; EventPath is its file, or
	// $GITHUB_EVENT_PATH when empty.
	Event     bool
	EventPath string
	// Commits is a git range whose commit messages are checked.
	Commits string
	// ChangedOnly keeps only the files (from Args) changed in Commits, or in
	// the pull request of the event when Commits is empty.
	ChangedOnly bool
	// Git runs git; its Dir defaults to Dir.
	Git Git
	// Getenv reads GITHUB_ACTIONS, GITHUB_EVENT_PATH, GITHUB_EVENT_NAME and GITHUB_REPOSITORY.
	Getenv func(string) string
}

// Collect gathers the inputs, in the order: event, commits, then Args in
// order (each glob's matches sorted). Problems with what was asked for — a
// missing file, a bad glob, an unreadable event, a failing git — are errors;
// notes are things worth telling people that are not (a glob matching
// nothing, an event with no text to check).
func Collect(ctx context.Context, s Sources) (ins []Input, notes []string, err error) {
	getenv := s.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if s.Git.Dir == "" {
		s.Git.Dir = s.Dir
	}
	implicitEvent := !s.Event && len(s.Args) == 0 && s.Commits == "" && getenv("GITHUB_ACTIONS") == "true"
	if len(s.Args) == 0 && s.Commits == "" && !s.Event && !implicitEvent {
		return nil, nil, ErrNoInput
	}

	var ev *Event
	if s.Event || implicitEvent {
		e, note, err := readEvent(s, getenv, implicitEvent)
		if err != nil {
			return nil, nil, err
		}
		if note != "" {
			notes = append(notes, note)
		}
		if e != nil {
			ev = e
			ins = append(ins, e.Input)
		}
	}
	if s.Commits != "" {
		cs, err := s.Git.Commits(ctx, s.Commits)
		if err != nil {
			return nil, nil, err
		}
		if len(cs) == 0 {
			notes = append(notes, fmt.Sprintf("no commits in %q", s.Commits))
		}
		// The pull request of the event is disclosed by its commits' trailers too.
		if ev != nil && len(ins) > 0 && ins[0].Item.Kind == moderation.KindPullRequest {
			for _, c := range cs {
				ins[0].Item.Commits = append(ins[0].Item.Commits, c.Item.Commits...)
			}
		}
		ins = append(ins, cs...)
	}

	var changed map[string]bool
	if s.ChangedOnly {
		changed, err = changedSet(ctx, s, ev)
		if err != nil {
			return nil, nil, err
		}
	}
	files, fileNotes, err := s.files(changed)
	if err != nil {
		return nil, nil, err
	}
	notes = append(notes, fileNotes...)
	ins = append(ins, files...)
	// Files and commits belong to the repository the pipeline runs for.
	for i := range ins {
		if ins[i].Item.Scope == "" {
			ins[i].Item.Scope = getenv("GITHUB_REPOSITORY")
		}
	}
	return ins, notes, nil
}

// readEvent reads the event file. For an implicit event (inside GitHub
// Actions with no other input) an event of another kind is a note, not an
// error, so that one workflow can run on push and pull_request alike.
func readEvent(s Sources, getenv func(string) string, implicit bool) (*Event, string, error) {
	path, name := s.EventPath, ""
	if path == "" {
		path, name = getenv("GITHUB_EVENT_PATH"), getenv("GITHUB_EVENT_NAME")
		if path == "" {
			if implicit {
				return nil, "", ErrNoInput
			}
			return nil, "", errors.New("--event: no FILE given and GITHUB_EVENT_PATH is not set")
		}
	} else if s.Dir != "" && !filepath.IsAbs(path) {
		path = filepath.Join(s.Dir, path)
	}
	if implicit && name != "" && !slices.Contains(SupportedEvents, name) {
		return nil, fmt.Sprintf("event %s has no text to check (%s do); pass files or --commits", name, supportedEventList("and")), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("read event %q: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	data, err := readAll("event "+strconv.Quote(path), f)
	if err != nil {
		return nil, "", err
	}
	ev, err := ParseEvent(name, data)
	if err != nil {
		return nil, "", fmt.Errorf("%q: %w", path, err)
	}
	return &ev, "", nil
}

// changedSet returns the absolute paths of the files changed in the range.
func changedSet(ctx context.Context, s Sources, ev *Event) (map[string]bool, error) {
	rng := s.Commits
	if rng == "" && ev != nil {
		rng = ev.Range
	}
	if rng == "" {
		return nil, errors.New("--changed-only needs a range: give --commits A..B (or a pull_request event)")
	}
	if len(s.Args) == 0 {
		return nil, errors.New("--changed-only needs FILE patterns to filter, e.g. 'docs/**/*.md'")
	}
	top, err := s.Git.TopLevel(ctx)
	if err != nil {
		return nil, err
	}
	files, err := s.Git.ChangedFiles(ctx, rng)
	if err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(files))
	for _, f := range files {
		set[canonical(filepath.Join(top, filepath.FromSlash(f)))] = true
	}
	return set, nil
}

// canonical is an absolute path with symbolic links resolved where possible,
// so paths from git and from the working directory compare equal.
func canonical(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		p = real
	}
	return p
}

// files reads Args. With changed non-nil, only files in it are read and
// a file that no longer exists is left out.
func (s Sources) files(changed map[string]bool) ([]Input, []string, error) {
	var ins []Input
	var notes []string
	seen := map[string]bool{}
	stdinRead := false
	for _, arg := range s.Args {
		if arg == "-" {
			if stdinRead {
				continue
			}
			stdinRead = true
			if s.Stdin == nil {
				return nil, nil, errors.New("read stdin: no standard input")
			}
			if s.JSONL {
				recs, err := ReadJSONL("stdin", "", s.Stdin)
				if err != nil {
					return nil, nil, err
				}
				ins = append(ins, recs...)
				continue
			}
			in, err := ReadStdin(s.Stdin)
			if err != nil {
				return nil, nil, err
			}
			ins = append(ins, in)
			continue
		}
		paths, err := Glob(s.Dir, arg)
		if err != nil {
			return nil, nil, err
		}
		if len(paths) == 0 {
			// In CI a mistyped path would otherwise check nothing and pass.
			return nil, nil, fmt.Errorf("no files match %q", arg)
		}
		for _, p := range paths {
			if seen[p] {
				continue
			}
			seen[p] = true
			full := p
			if s.Dir != "" && !filepath.IsAbs(p) {
				full = filepath.Join(s.Dir, p)
			}
			if changed != nil {
				if !changed[canonical(full)] {
					continue
				}
				if _, err := os.Stat(full); errors.Is(err, os.ErrNotExist) {
					continue
				}
			}
			if s.JSONL {
				f, err := os.Open(full)
				if err != nil {
					return nil, nil, fmt.Errorf("read %q: %w", p, unwrapPathError(err))
				}
				recs, err := ReadJSONL(p, p, f)
				f.Close()
				if err != nil {
					return nil, nil, err
				}
				ins = append(ins, recs...)
				continue
			}
			in, err := ReadFile(s.Dir, p)
			if err != nil {
				return nil, nil, err
			}
			ins = append(ins, in)
		}
	}
	return ins, notes, nil
}
