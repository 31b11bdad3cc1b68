package ci

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/moderation"
)

func TestLineIndexPosition(t *testing.T) {
	t.Parallel()
	text := "ab\r\nçé x\n\nlast"
	tests := []struct {
		off  int
		want Position
	}{
		{0, Position{Line: 1, Column: 1, ByteColumn: 1}},
		{2, Position{Line: 1, Column: 3, ByteColumn: 3}},         // the \r
		{4, Position{Line: 2, Column: 1, ByteColumn: 1}},         // ç
		{8, Position{Line: 2, Column: 3, ByteColumn: 5}},         // space after é: 2 runes, 4 bytes in
		{11, Position{Line: 3, Column: 1, ByteColumn: 1}},        // empty line
		{12, Position{Line: 4, Column: 1, ByteColumn: 1}},        // "last"
		{len(text), Position{Line: 4, Column: 5, ByteColumn: 5}}, // end of text
		{-5, Position{Line: 1, Column: 1, ByteColumn: 1}},        // clamped
		{999, Position{Line: 4, Column: 5, ByteColumn: 5}},       // clamped
	}
	ix := newLineIndex(text)
	for _, tt := range tests {
		if got := ix.position(tt.off); got != tt.want {
			t.Errorf("position(%d) = %+v, want %+v", tt.off, got, tt.want)
		}
	}
}

func TestReadFileMapsLeadingSpace(t *testing.T) {
	t.Parallel()
	in, err := ReadFile("testdata/files", "docs/short.md")
	if err != nil {
		t.Fatal(err)
	}
	// "  \n\nShort note.\n": the scored text starts on line 3, column 1.
	if in.Line != 3 || in.Column != 1 || !in.Mapped {
		t.Errorf("got line %d column %d mapped %v, want 3 1 true", in.Line, in.Column, in.Mapped)
	}
	if got, want := in.Item.Text(), "Short note."; got != want {
		t.Errorf("got text %q, want %q", got, want)
	}
	p, ok := in.locate(newLineIndex(in.Item.Text()), strings.Index(in.Item.Text(), "note"))
	if !ok || p.Line != 3 || p.Column != 7 {
		t.Errorf("got %+v %v, want line 3 column 7", p, ok)
	}
}

func TestReadFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bin.dat"), []byte("PK\x03\x04\x00\x00binary"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, wantErr, wantSkip string
	}{
		{"missing", "nope.md", `read "nope.md": no such file or directory`, ""},
		{"directory", "sub", `read "sub": is a directory (use a glob such as "sub/**/*.md")`, ""},
		{"binary", "bin.dat", "", "binary file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ReadFile(dir, tt.path)
			if gotErr := errString(err); gotErr != tt.wantErr {
				t.Fatalf("got error %q, want %q", gotErr, tt.wantErr)
			}
			if in.Skip != tt.wantSkip {
				t.Errorf("got skip %q, want %q", in.Skip, tt.wantSkip)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// pluck returns f of each of xs, in order.
func pluck[T, U any](xs []T, f func(T) U) []U {
	var out []U
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// writeFile writes text to the slash-separated path name under dir,
// making its folders first, and returns the file's path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadJSONL(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/files/records.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ins, err := ReadJSONL("records.jsonl", "records.jsonl", f)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ ID, Err string }
	got := pluck(ins, func(in Input) row { return row{in.Item.ID, in.Err} })
	want := []row{
		{"r1", ""},
		{"records.jsonl:2", ""},
		{"records.jsonl:3", "line 3: invalid JSON: invalid character 'o' in literal null (expecting 'u')"},
		{"records.jsonl:4", `line 4: no "text" field`},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if ins[1].Line != 2 || ins[1].Mapped {
		t.Errorf("record 2: got line %d mapped %v, want 2 false", ins[1].Line, ins[1].Mapped)
	}
}

func TestGlob(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"a.md", "b.txt", "docs/c.md", "docs/x/y/d.md", "docs/x/e.txt", ".git/f.md", "docs/.git/g.md"} {
		writeFile(t, dir, f, "x")
	}
	tests := []struct {
		pattern string
		want    []string
		wantErr bool
	}{
		{"*.md", []string{"a.md"}, false},
		{"**/*.md", []string{"a.md", "docs/c.md", "docs/x/y/d.md"}, false},
		{"docs/**/*.md", []string{"docs/c.md", "docs/x/y/d.md"}, false},
		{"docs/**", []string{"docs/c.md", "docs/x/e.txt", "docs/x/y/d.md"}, false},
		{"docs/*/*.txt", []string{"docs/x/e.txt"}, false},
		{"nothere/**/*.md", nil, false},
		{"literal/path.md", []string{"literal/path.md"}, false},
		{"[.md", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			got, err := Glob(dir, tt.pattern)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// fixtureRange is the commit range of the pull request in the event fixtures.
const fixtureRange = "1111111111111111111111111111111111111111..2222222222222222222222222222222222222222"

// The review and review comment the review fixtures hold, whether the
// event is named or inferred from the payload.
var (
	reviewItem = moderation.Item{Platform: moderation.GitHub, Kind: moderation.KindReview, Scope: "example/widgets", ID: "review/5151",
		URL: "https://github.com/example/widgets/pull/12#pullrequestreview-5151", Author: "reviewer", AuthorAssociation: "NONE",
		Body: "Let us delve into this change, a rich tapestry of improvements."}
	reviewCommentItem = moderation.Item{Platform: moderation.GitHub, Kind: moderation.KindReviewComment, Scope: "example/widgets", ID: "review_comment/6161",
		URL: "https://github.com/example/widgets/pull/12#discussion_r6161", Author: "reviewer", AuthorAssociation: "CONTRIBUTOR",
		Body: "This line should say config, not configuration file."}
)

func TestParseEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		names     []string // the event names the file parses the same under; "" infers it
		want      moderation.Item
		wantName  string
		wantRange string
		wantSkip  string
		wantErr   string
	}{
		{
			file: "pull_request.json", names: []string{"pull_request", "pull_request_target"}, wantName: "pull request #12",
			want: moderation.Item{Platform: moderation.GitHub, Kind: moderation.KindPullRequest, Scope: "example/widgets", ID: "pr/12",
				URL: "https://github.com/example/widgets/pull/12", Author: "new-contributor", AuthorAssociation: "FIRST_TIME_CONTRIBUTOR", Title: "Improve the README"},
			wantRange: fixtureRange,
		},
		{
			file: "issues.json", names: []string{""}, wantName: "issue #7", // inferred, null body
			want: moderation.Item{Platform: moderation.GitHub, Kind: moderation.KindIssue, Scope: "example/widgets", ID: "issue/7",
				URL: "https://github.com/example/widgets/issues/7", Author: "reporter", AuthorAssociation: "NONE", Title: "Crash when the config file is empty"},
		},
		{
			file: "issue_comment.json", names: []string{"issue_comment"}, wantName: "comment 4242 on #7",
			want: moderation.Item{Platform: moderation.GitHub, Kind: moderation.KindComment, Scope: "example/widgets", ID: "comment/4242",
				URL: "https://github.com/example/widgets/issues/7#issuecomment-4242", Author: "helper", AuthorAssociation: "CONTRIBUTOR",
				Body: "Thanks, I can reproduce it on main with an empty file and will send a fix later today."},
		},
		{
			file: "issue_comment_bot.json", names: []string{""}, wantName: "comment 4444 on #8",
			want: moderation.Item{Platform: moderation.GitHub, Kind: moderation.KindComment, Scope: "example/widgets", ID: "comment/4444",
				Author: "dependabot[bot]", AuthorIsBot: true, AuthorAssociation: "NONE", Body: "Let us delve into this version bump, a tapestry of upgrades."},
		},
		{
			file: "issue_comment_deleted.json", names: []string{"issue_comment"}, wantName: "comment 4545 on #7", wantSkip: "deleted",
			want: moderation.Item{Platform: moderation.GitHub, Kind: moderation.KindComment, Scope: "example/widgets", ID: "comment/4545",
				Author: "helper", AuthorAssociation: "NONE", Body: "gone"},
		},
		{
			// Inferred from a payload that also has the pull request: the review is scored, by its author.
			file: "pull_request_review.json", names: []string{"", "pull_request_review"}, wantName: "review 5151 on #12",
			want:      reviewItem,
			wantRange: fixtureRange,
		},
		{
			file: "pull_request_review_approved.json", names: []string{""}, wantName: "review 5252 on #12", wantSkip: "no text",
			want: moderation.Item{Platform: moderation.GitHub, Kind: moderation.KindReview, Scope: "example/widgets", ID: "review/5252",
				URL: "https://github.com/example/widgets/pull/12#pullrequestreview-5252", Author: "maintainer", AuthorAssociation: "OWNER"},
		},
		{
			file: "pull_request_review_comment.json", names: []string{"", "pull_request_review_comment"}, wantName: "review comment 6161 on #12",
			want:      reviewCommentItem,
			wantRange: fixtureRange,
		},
		{file: "pull_request.json", names: []string{"pull_request_review"}, wantErr: "parse event pull_request_review: no review in the payload"},
		{file: "push.json", names: []string{"push"}, wantErr: `event "push" is not supported (want pull_request, pull_request_target, issues, issue_comment, pull_request_review or pull_request_review_comment)`},
		{file: "push.json", names: []string{""}, wantErr: "parse event: no pull_request, issue, comment or review in the payload"},
		{file: "issues.json", names: []string{"pull_request"}, wantErr: "parse event pull_request: no pull_request in the payload"},
	}
	for _, tt := range tests {
		for _, name := range tt.names {
			t.Run(tt.file+"/"+name, func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join("testdata/events", tt.file))
				if err != nil {
					t.Fatal(err)
				}
				ev, err := ParseEvent(name, data)
				if got := errString(err); got != tt.wantErr {
					t.Fatalf("got error %q, want %q", got, tt.wantErr)
				}
				if err != nil {
					return
				}
				got := ev.Input.Item
				if tt.want.Kind == moderation.KindPullRequest {
					got.Body = "" // checked below
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("got item %+v,\nwant %+v", got, tt.want)
				}
				if ev.Input.Name != tt.wantName || ev.Range != tt.wantRange || ev.Input.Skip != tt.wantSkip {
					t.Errorf("got name %q range %q skip %q, want %q %q %q", ev.Input.Name, ev.Range, ev.Input.Skip, tt.wantName, tt.wantRange, tt.wantSkip)
				}
			})
		}
	}
	t.Run("invalid JSON", func(t *testing.T) {
		if _, err := ParseEvent("", []byte("{")); err == nil {
			t.Error("got no error, want one")
		}
	})
	t.Run("labels and draft", func(t *testing.T) {
		for _, tt := range []struct {
			file       string
			wantLabels []string
		}{
			{"pull_request.json", []string{"docs"}},
			// Comments and reviews take their thread's labels (not its draft state).
			{"issue_comment_labels.json", []string{"slop-ok", "release"}},
			{"pull_request_review.json", []string{"docs"}},
			{"pull_request_review_comment.json", []string{"docs", "slop-ok"}},
		} {
			data, err := os.ReadFile(filepath.Join("testdata/events", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			ev, err := ParseEvent("", data)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ev.Input.Labels, tt.wantLabels) || ev.Input.Draft {
				t.Errorf("%s: got labels %q draft %v, want %q false", tt.file, ev.Input.Labels, ev.Input.Draft, tt.wantLabels)
			}
		}
	})
}

// sharedWebhooks is the real payload collection beside the repository, when present.
const sharedWebhooks = "../../../shared/fixtures/github-webhooks"

func TestParseEventSharedFixtures(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(sharedWebhooks); err != nil {
		t.Skipf("skipping: %s not present (real webhook payloads live beside the repository in CI)", sharedWebhooks)
	}
	n := 0
	for _, event := range []string{"pull_request", "issues", "issue_comment", "pull_request_review", "pull_request_review_comment"} {
		files, err := filepath.Glob(filepath.Join(sharedWebhooks, event, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := ParseEvent(event, data)
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			n++
			it := ev.Input.Item
			if it.ID == "" || it.Scope == "" || it.Author == "" || it.Platform != moderation.GitHub {
				t.Errorf("%s: got item %+v, want ID, scope, author and platform github", f, it)
			}
		}
	}
	if n == 0 {
		t.Errorf("got 0 payloads parsed from %s, want some", sharedWebhooks)
	}
}

// setMaxInputBytes lowers the input cap for one test, which must not be
// parallel: parallel tests wait until the serial ones are done.
func setMaxInputBytes(t *testing.T, n int) {
	t.Helper()
	old := maxInputBytes
	maxInputBytes = n
	t.Cleanup(func() { maxInputBytes = old })
}

func TestGlobReadsExistingFileWithMetacharacters(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"routes/[slug]/page.md", "routes/s/page.md", "a[1].md", "a1.md", "what?.md"} {
		writeFile(t, dir, f, "x")
	}
	tests := []struct {
		pattern string
		want    []string
	}{
		{"routes/[slug]/page.md", []string{"routes/[slug]/page.md"}},
		{"a[1].md", []string{"a[1].md"}},
		{"what?.md", []string{"what?.md"}},
		{"routes/*/page.md", []string{"routes/[slug]/page.md", "routes/s/page.md"}},
		{"a[0-9].md", []string{"a1.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			got, err := Glob(dir, tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadFileSkipsLargeAndBinary(t *testing.T) {
	setMaxInputBytes(t, 1<<20)
	dir := t.TempDir()
	files := map[string][]byte{
		"big.md":    bytes.Repeat([]byte("words "), (1<<20)/6+1),
		"big.png":   append([]byte("\x89PNG\x00"), make([]byte, 1<<20)...),
		"small.bin": []byte("PK\x03\x04\x00\x00binary"),
		"late.bin":  append(bytes.Repeat([]byte("a"), binarySniff), 0),
		"limit.md":  bytes.Repeat([]byte("a"), 1<<20),
		"ok.md":     []byte("a page of text\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		path, wantSkip string
	}{
		{"big.md", "larger than 1 MiB"},
		{"big.png", "larger than 1 MiB"},
		{"small.bin", "binary file"},
		{"late.bin", ""}, // a NUL past the sniffed bytes is not binary, as before
		{"limit.md", ""},
		{"ok.md", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			in, err := ReadFile(dir, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if in.Skip != tt.wantSkip {
				t.Errorf("got skip %q, want %q", in.Skip, tt.wantSkip)
			}
			if in.Name != tt.path || in.Path != tt.path {
				t.Errorf("got name %q path %q, want %q", in.Name, in.Path, tt.path)
			}
			if tt.wantSkip == "" && len(in.Item.Body) != len(files[tt.path]) {
				t.Errorf("got %d bytes of text, want %d", len(in.Item.Body), len(files[tt.path]))
			}
		})
	}

	// A glob that matches a large file goes on to the others.
	ins, _, err := Collect(context.Background(), Sources{Dir: dir, Args: []string{"*.md", "*.png"}})
	if err != nil {
		t.Fatalf("got error %v, want the large files skipped", err)
	}
	got := pluck(ins, func(in Input) string { return in.Name + ":" + in.Skip })
	want := []string{"big.md:larger than 1 MiB", "limit.md:", "ok.md:", "big.png:larger than 1 MiB"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// countingReader serves n bytes of 'a' (no newline) and counts what was read.
type countingReader struct {
	left, read int
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.left)
	for i := range p[:n] {
		p[i] = 'a'
	}
	r.left -= n
	r.read += n
	return n, nil
}

func TestReadJSONLStopsAtLimit(t *testing.T) {
	setMaxInputBytes(t, 1<<20)
	tests := []struct {
		name, path, wantErr string
	}{
		{"stdin", "", "read stdin: larger than 1 MiB"},
		{"records.jsonl", "records.jsonl", `read "records.jsonl": larger than 1 MiB`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &countingReader{left: 8 << 20} // one 8 MiB line
			_, err := ReadJSONL(tt.name, tt.path, r)
			if got := errString(err); got != tt.wantErr {
				t.Errorf("got error %q, want %q", got, tt.wantErr)
			}
			if r.read > maxInputBytes+1 {
				t.Errorf("read %d bytes, want at most %d", r.read, maxInputBytes+1)
			}
		})
	}
}

func TestCollectMessagesAreOneLine(t *testing.T) {
	setMaxInputBytes(t, 1<<20)
	dir := t.TempDir()
	inject := "x\n::error file=README.md,line=1::Injected\n"
	if err := os.WriteFile(filepath.Join(dir, inject+".jsonl"), bytes.Repeat([]byte("a"), 1<<20+1), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		src  Sources
	}{
		{"missing file", Sources{Dir: dir, Args: []string{inject + ".md"}}},
		{"glob matching nothing", Sources{Dir: dir, Args: []string{inject + "*.md"}}},
		{"JSONL file too large", Sources{Dir: dir, Args: []string{"*.jsonl"}, JSONL: true}},
		{"missing event", Sources{Dir: dir, Event: true, EventPath: inject + ".json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, notes, err := Collect(context.Background(), tt.src)
			if err == nil && len(notes) == 0 {
				t.Fatal("got no error and no note, want one naming the file")
			}
			for _, m := range append(notes, errString(err)) {
				if strings.ContainsAny(m, "\r\n") {
					t.Errorf("got %q, want one line", m)
				}
			}
		})
	}
}

// TestParseEventBotLoginAnyCase: an app account is a bot whatever the case of
// its "[bot]" suffix, as in the GitHub App (moderation.IsBotLogin).
func TestParseEventBotLoginAnyCase(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		login, typ string
		want       bool
	}{
		{"renovate[bot]", "User", true},
		{"Renovate[BOT]", "User", true},
		{"some-app", "Bot", true},
		{"alice", "User", false},
	} {
		data := []byte(`{"action":"created","repository":{"full_name":"o/r"},"issue":{"number":3},` +
			`"comment":{"id":9,"body":"hello","user":{"login":"` + tt.login + `","type":"` + tt.typ + `"}}}`)
		ev, err := ParseEvent("issue_comment", data)
		if err != nil {
			t.Fatalf("ParseEvent: %v", err)
		}
		if got := ev.Input.Item.AuthorIsBot; got != tt.want {
			t.Errorf("login %q type %s: AuthorIsBot = %v, want %v", tt.login, tt.typ, got, tt.want)
		}
		if ev.Input.Item.ID != "comment/9" {
			t.Errorf("ID = %q, want comment/9", ev.Input.Item.ID)
		}
	}
}
