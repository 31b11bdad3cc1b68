package ci

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// envMap is a getenv over a fixed map.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestCollect(t *testing.T) {
	t.Parallel()
	prEvent, err := filepath.Abs("testdata/events/pull_request.json")
	if err != nil {
		t.Fatal(err)
	}
	pushEvent, _ := filepath.Abs("testdata/events/push.json")
	reviewEvent, _ := filepath.Abs("testdata/events/pull_request_review.json")
	tests := []struct {
		name      string
		src       Sources
		wantNames []string
		wantNotes []string
		wantErr   string
	}{
		{
			name:    "nothing asked",
			src:     Sources{},
			wantErr: ErrNoInput.Error(),
		},
		{
			name:      "implicit event inside GitHub Actions",
			src:       Sources{Getenv: envMap(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": prEvent, "GITHUB_EVENT_NAME": "pull_request_target"})},
			wantNames: []string{"pull request #12"},
		},
		{
			name:      "implicit unsupported event is a note",
			src:       Sources{Getenv: envMap(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": pushEvent, "GITHUB_EVENT_NAME": "push"})},
			wantNotes: []string{"event push has no text to check (pull_request, pull_request_target, issues, issue_comment, pull_request_review and pull_request_review_comment do); pass files or --commits"},
		},
		{
			name:    "explicit unsupported event is an error",
			src:     Sources{Event: true, Getenv: envMap(map[string]string{"GITHUB_EVENT_PATH": pushEvent, "GITHUB_EVENT_NAME": "push"})},
			wantErr: strconv.Quote(pushEvent) + `: event "push" is not supported (want pull_request, pull_request_target, issues, issue_comment, pull_request_review or pull_request_review_comment)`,
		},
		{
			name:      "implicit review event is the review, not the pull request",
			src:       Sources{Getenv: envMap(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": reviewEvent, "GITHUB_EVENT_NAME": "pull_request_review"})},
			wantNames: []string{"review 5151 on #12"},
		},
		{
			name:    "--event without a file outside Actions",
			src:     Sources{Event: true},
			wantErr: "--event: no FILE given and GITHUB_EVENT_PATH is not set",
		},
		{
			name:      "files are not replaced by the implicit event",
			src:       Sources{Dir: "testdata/files", Args: []string{"docs/*.md"}, Getenv: envMap(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": prEvent})},
			wantNames: []string{"docs/changelog.md", "docs/notes.md", "docs/short.md"},
		},
		{
			name:      "event and files combine, duplicates once",
			src:       Sources{Dir: "testdata/files", Event: true, EventPath: prEvent, Args: []string{"README.md", "*.md"}},
			wantNames: []string{"pull request #12", "README.md"},
		},
		{
			// A mistyped path must not check nothing and pass.
			name:    "a glob that matches nothing is an error",
			src:     Sources{Dir: "testdata/files", Args: []string{"README.md", "nothing/**/*.rst"}},
			wantErr: `no files match "nothing/**/*.rst"`,
		},
		{
			name:      "stdin",
			src:       Sources{Args: []string{"-", "-"}, Stdin: strings.NewReader("hello from a pipe")},
			wantNames: []string{"stdin"},
		},
		{
			name:      "stdin JSONL",
			src:       Sources{Args: []string{"-"}, JSONL: true, Stdin: strings.NewReader(`{"text":"a"}` + "\n\n" + `{"text":"b","id":"x"}`)},
			wantNames: []string{"stdin:1", "stdin:3"},
		},
		{
			name:    "missing file",
			src:     Sources{Dir: "testdata/files", Args: []string{"README.md", "missing.md"}},
			wantErr: `read "missing.md": no such file or directory`,
		},
		{
			name:    "bad glob",
			src:     Sources{Dir: "testdata/files", Args: []string{"docs/[.md"}},
			wantErr: `glob "docs/[.md": syntax error in pattern`,
		},
		{
			name:    "--changed-only without a range",
			src:     Sources{Dir: "testdata/files", Args: []string{"*.md"}, ChangedOnly: true},
			wantErr: "--changed-only needs a range: give --commits A..B (or a pull_request event)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ins, notes, err := Collect(context.Background(), tt.src)
			if got := errString(err); got != tt.wantErr {
				t.Fatalf("got error %q, want %q", got, tt.wantErr)
			}
			names := pluck(ins, func(in Input) string { return in.Name })
			if !slices.Equal(names, tt.wantNames) {
				t.Errorf("got inputs %q, want %q", names, tt.wantNames)
			}
			if !slices.Equal(notes, tt.wantNotes) {
				t.Errorf("got notes %q, want %q", notes, tt.wantNotes)
			}
		})
	}
}

// gitRepo makes a repository with a base commit and two commits on top:
// one by a person changing docs/a.md and adding docs/b.md, one by a bot
// deleting old.md. It returns the directory and the base commit.
func gitRepo(t *testing.T) (dir, base string) {
	t.Helper()
	dir = t.TempDir()
	git := gitIn(t, dir) // commits by Ada Person unless --author says otherwise
	git("init", "-q", "-b", "main")
	writeFile(t, dir, "docs/a.md", "first version\n")
	writeFile(t, dir, "old.md", "to be removed\n")
	writeFile(t, dir, "src/code.go", "package src\n")
	git("add", ".")
	git("commit", "-q", "-m", "Initial commit")
	base = git("rev-parse", "HEAD")
	writeFile(t, dir, "docs/a.md", "We delve into a rich tapestry of setup steps here.\n")
	writeFile(t, dir, "docs/b.md", "A new page that a person wrote by hand today.\n")
	writeFile(t, dir, "src/code.go", "package src // changed\n")
	git("add", ".")
	git("commit", "-q", "-m", "Docs: delve into the setup\n\nIt weaves a tapestry of steps and more words here.")
	git("rm", "-q", "old.md")
	git("commit", "-q", "--author", "renovate[bot] <bot@example.com>", "-m", "chore: remove old.md")
	return dir, base
}

func TestGitCommitsAndChangedFiles(t *testing.T) {
	t.Parallel()
	dir, base := gitRepo(t)
	g := Git{Dir: dir}
	ctx := context.Background()
	cs, err := g.Commits(ctx, base+"..HEAD")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		author string
		bot    bool
		body   string
	}
	got := pluck(cs, func(c Input) row { return row{c.Item.Author, c.Item.AuthorIsBot, c.Item.Body} })
	want := []row{
		{"Ada Person", false, "Docs: delve into the setup\n\nIt weaves a tapestry of steps and more words here."},
		{"renovate[bot]", true, "chore: remove old.md"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got commits %+v, want %+v", got, want)
	}
	wantChangedFiles(t, g, base+"..HEAD", "docs/a.md", "docs/b.md", "src/code.go")
	for _, bad := range []string{"--output=/tmp/x", "", "nosuchref..HEAD"} {
		if _, err := g.Commits(ctx, bad); err == nil {
			t.Errorf("Commits(%q): got no error, want one", bad)
		}
	}
}

func TestCollectChangedOnly(t *testing.T) {
	t.Parallel()
	dir, base := gitRepo(t)
	ins, _, err := Collect(context.Background(), Sources{
		Dir: dir, Args: []string{"**/*.md"}, Commits: base + "..HEAD", ChangedOnly: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	names := pluck(ins, func(in Input) string { return in.Name })
	// Two commit messages, then only the changed Markdown files (not old.md, deleted; not code.go, unmatched).
	want := []string{"commit " + names[0][len("commit "):], "commit " + names[1][len("commit "):], "docs/a.md", "docs/b.md"}
	if !slices.Equal(names, want) || !strings.HasPrefix(names[0], "commit ") {
		t.Errorf("got inputs %q, want two commits then docs/a.md, docs/b.md", names)
	}

	// The whole chain: the delve commit and docs/a.md are flagged, the bot's commit is exempt.
	r := runFake(t, ins, Options{Policy: defaultPolicy(), ModelThreshold: 0.9, FailOn: 0.9, FailOnSet: true})
	var flagged, skipped []string
	for _, e := range r.Entries {
		if e.Flagged {
			flagged = append(flagged, e.Input.Name)
		}
		if e.Skipped != "" {
			skipped = append(skipped, e.Input.Name)
		}
	}
	if !slices.Equal(flagged, []string{names[0], "docs/a.md"}) || !slices.Equal(skipped, []string{names[1]}) {
		t.Errorf("got flagged %q skipped %q, want [%s docs/a.md] [%s]", flagged, skipped, names[0], names[1])
	}
	if r.ExitCode() != ExitFailed {
		t.Errorf("got exit code %d, want %d", r.ExitCode(), ExitFailed)
	}
}

func TestGitMissing(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, path, want string }{
		{"not in PATH", "no-such-git-binary", "git log: git executable not found in PATH"},
		{"no such file", filepath.Join(t.TempDir(), "git"), "git log: fork/exec "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Git{Path: tt.path}.Commits(context.Background(), "a..b")
			if got := errString(err); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got error %q, want prefix %q", got, tt.want)
			}
		})
	}
}

func TestCollectScope(t *testing.T) {
	t.Parallel()
	ins, _, err := Collect(context.Background(), Sources{
		Dir: "testdata/files", Args: []string{"README.md"}, Event: true, EventPath: "../events/pull_request.json",
		Getenv: envMap(map[string]string{"GITHUB_REPOSITORY": "fork/widgets"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	// The event names its own repository; files take the pipeline's.
	got := pluck(ins, func(in Input) string { return in.Item.Scope })
	if want := []string{"example/widgets", "fork/widgets"}; !slices.Equal(got, want) {
		t.Errorf("got scopes %q, want %q", got, want)
	}
}
