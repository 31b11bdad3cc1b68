package ci

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// gitIn returns a function running git in dir with a hermetic configuration,
// failing the test on error and returning the trimmed output. It skips the
// test when git is not installed.
func gitIn(t *testing.T, dir string) func(args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("skipping: git not installed")
	}
	return func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=Ada Person", "GIT_AUTHOR_EMAIL=ada@example.com",
			"GIT_COMMITTER_NAME=Committer", "GIT_COMMITTER_EMAIL=c@example.com",
			"GIT_AUTHOR_DATE=2026-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2026-01-02T03:04:05Z")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
}

// wantChangedFiles checks the files g reports changed in rng.
func wantChangedFiles(t *testing.T, g Git, rng string, want ...string) {
	t.Helper()
	files, err := g.ChangedFiles(context.Background(), rng)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(files, want) {
		t.Errorf("got changed files %q, want %q", files, want)
	}
}

func TestCheckRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rng     string
		wantErr string // a substring; "" means valid
	}{
		{"origin/main..HEAD", ""},
		{"a...b", ""},
		{"HEAD", ""},
		{"HEAD~3", ""},
		{"", "invalid git range"},
		{"-x", "invalid git range"},
		{"..", "unset ${{ }} expression"},
		{"..HEAD", "unset ${{ }} expression"},
		{"base..", "unset ${{ }} expression"},
		{" ..HEAD", "unset ${{ }} expression"},
		{"...", "unset ${{ }} expression"},
		{"...HEAD", "unset ${{ }} expression"},
		{"base...", "unset ${{ }} expression"},
	}
	for _, tt := range tests {
		err := checkRange(tt.rng)
		if got := errString(err); tt.wantErr == "" && err != nil || !strings.Contains(got, tt.wantErr) {
			t.Errorf("checkRange(%q): got error %q, want %q", tt.rng, got, tt.wantErr)
		}
	}
}

func TestStripTrailers(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, msg, want string }{
		{"no trailers", "Fix the cache\n\nTake the lock first.", "Fix the cache\n\nTake the lock first."},
		{"sign-off", "Fix the cache\n\nTake the lock first.\n\nSigned-off-by: Ada <ada@example.com>", "Fix the cache\n\nTake the lock first."},
		{"several trailers", "Fix\n\nCo-authored-by: B <b@example.com>\nSigned-off-by: A <a@example.com>\nReviewed-by: C <c@example.com>", "Fix"},
		{"subject alone looks like a trailer", "Docs: fix a typo", "Docs: fix a typo"},
		{"last paragraph not all trailers", "Fix\n\nNote: this is prose\nand more prose.", "Fix\n\nNote: this is prose\nand more prose."},
		{"trailers mid-message kept", "Fix\n\nSigned-off-by: A <a@example.com>\n\nMore text.", "Fix\n\nSigned-off-by: A <a@example.com>\n\nMore text."},
		{"label without a space is not a trailer", "Fix\n\nhttps://example.com/x", "Fix\n\nhttps://example.com/x"},
	}
	for _, tt := range tests {
		if got := stripTrailers(tt.msg); got != tt.want {
			t.Errorf("%s: stripTrailers(%q) = %q, want %q", tt.name, tt.msg, got, tt.want)
		}
	}
}

func TestGitCommitsOddMessagesAndNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	git := gitIn(t, dir)
	git("init", "-q", "-b", "main")
	git("commit", "-q", "--allow-empty", "-m", "Initial commit")
	base := git("rev-parse", "HEAD")
	for _, name := range []string{" top.md", "end .md", "plain.md"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("text\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("add", ".")
	git("commit", "-q", "-m", "Add pages\n\nWe delve into the pages.\n\nSigned-off-by: Ada Person <ada@example.com>\nCo-authored-by: Bo <bo@example.com>")
	git("commit", "-q", "--allow-empty", "-m", "Record\x1eseparator in a message")

	g := Git{Dir: dir}
	ctx := context.Background()
	cs, err := g.Commits(ctx, base+"..HEAD")
	if err != nil {
		t.Fatal(err)
	}
	bodies := pluck(cs, func(c Input) string { return c.Item.Body })
	if want := []string{"Add pages\n\nWe delve into the pages.", "Record\x1eseparator in a message"}; !slices.Equal(bodies, want) {
		t.Errorf("got bodies %q, want %q", bodies, want)
	}
	wantChangedFiles(t, g, base+"..HEAD", " top.md", "end .md", "plain.md")
	// Errors name the git subcommand, not the first argument ("git -c").
	if _, err := g.ChangedFiles(ctx, "nosuchref..HEAD"); !strings.HasPrefix(errString(err), "git log: ") {
		t.Errorf("got error %q, want prefix %q", errString(err), "git log: ")
	}
}

func TestGitShallowClone(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	origin := filepath.Join(root, "origin")
	if err := os.Mkdir(origin, 0o755); err != nil {
		t.Fatal(err)
	}
	git := gitIn(t, origin)
	git("init", "-q", "-b", "main")
	for i, name := range []string{"a.md", "b.md", "c.md", "d.md"} {
		if err := os.WriteFile(filepath.Join(origin, name), []byte(name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		git("add", name)
		git("commit", "-q", "-m", "Commit "+string(rune('1'+i)))
	}
	gitIn(t, root)("clone", "-q", "--depth", "2", "file://"+origin, "shallow")
	g := Git{Dir: filepath.Join(root, "shallow")}
	ctx := context.Background()

	// Within the fetched history: fine.
	cs, err := g.Commits(ctx, "HEAD~1..HEAD")
	if err != nil || len(cs) != 1 {
		t.Fatalf("Commits(HEAD~1..HEAD): got %d commits, error %v; want 1, nil", len(cs), err)
	}
	tests := []struct {
		name    string
		call    func() error
		wantErr string
	}{
		{"commits reaching the boundary", func() error { _, err := g.Commits(ctx, "HEAD"); return err }, "reaches the boundary of a shallow clone"},
		{"changed files reaching the boundary", func() error { _, err := g.ChangedFiles(ctx, "HEAD"); return err }, "reaches the boundary of a shallow clone"},
		{"base not fetched", func() error { _, err := g.Commits(ctx, "HEAD~3..HEAD"); return err }, "the repository is a shallow clone"},
	}
	for _, tt := range tests {
		err := tt.call()
		if got := errString(err); !strings.Contains(got, tt.wantErr) || !strings.Contains(got, "fetch-depth: 0") {
			t.Errorf("%s: got error %q, want it to contain %q and fetch-depth: 0", tt.name, got, tt.wantErr)
		}
	}
}
