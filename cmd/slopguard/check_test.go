package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector"
)

// checkFakeScorer says machine (0.97) for texts containing "delve" and
// human (0.05) for the rest, with the model threshold at 0.9.
type checkFakeScorer struct{}

func (checkFakeScorer) Version() string    { return "fake-1" }
func (checkFakeScorer) Threshold() float64 { return 0.9 }
func (checkFakeScorer) Score(text string) detector.Result {
	if i := strings.Index(text, "delve"); i >= 0 {
		return detector.Result{Score: 0.97, Verdict: detector.Machine, Reasons: []detector.Reason{
			{Family: "phrasing", Signal: "phrase.delve", Text: `uses the stock phrase "delve into"`, Weight: 1.4, Spans: []detector.Span{{Start: i, End: i + 5}}},
		}}
	}
	return detector.Result{Score: 0.05, Verdict: detector.Human}
}

func fakeLoader(path string) (checkScorer, error) {
	if path != "" {
		return loadCheckScorer(path) // exercise the real error path for --model
	}
	return checkFakeScorer{}, nil
}

// ciTestdata is the CI adapter's fixtures, shared with these tests.
const ciTestdata = "../../integrations/ci/testdata"

type checkRun struct {
	code           int
	stdout, stderr string
}

func runCheckTest(t *testing.T, args []string, stdin string, vars map[string]string) checkRun {
	t.Helper()
	var out, errOut bytes.Buffer
	e := testEnv(strings.NewReader(stdin), &out, &errOut, vars)
	err := check(context.Background(), e, args, fakeLoader)
	// Map the error to a code the way run does, printing its one line.
	code := 0
	if err != nil {
		code = 1
		if ee, ok := err.(*exitError); ok {
			code = ee.code
		}
		errOut.WriteString("slopguard check: " + err.Error() + "\n")
	}
	return checkRun{code, out.String(), errOut.String()}
}

func TestCheckExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	machine := writeFile(t, dir, "machine.md", "In this text we delve into many things at once.\n")
	human := writeFile(t, dir, "human.md", "fixed the race in the cache by taking the lock first\n")
	offPolicy := writeFile(t, dir, "off.yml", "mode: off\n")
	badPolicy := writeFile(t, dir, "bad.yml", "mode: loud\nthreshold: 2\n")
	highPolicy := writeFile(t, dir, "high.yml", "threshold: 0.98\nenforce:\n  threshold: 0.99\n")
	badJSONL := writeFile(t, dir, "bad.jsonl", "{\"text\": \"we delve into it all day long\"}\nnot json\n")
	prEvent := filepath.Join(ciTestdata, "events", "pull_request.json")

	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantStderr string // a substring of the one stderr line, when set
	}{
		{"no input", nil, "", 2, "nothing to check"},
		{"missing file", []string{human, filepath.Join(dir, "missing.md")}, "", 2, `missing.md": no such file or directory`},
		{"file name with a newline", []string{filepath.Join(dir, "x\n::error file=README.md::Injected\n.md")}, "", 2, `::Injected\n.md": no such file or directory`},
		{"fail-on not a number", []string{human, "--fail-on", "high"}, "", 2, `--fail-on: "high" is not a number from 0 to 1`},
		{"fail-on out of range", []string{human, "--fail-on=1.5"}, "", 2, `--fail-on: "1.5" is not a number from 0 to 1`},
		{"unknown format", []string{"--format", "xml", human}, "", 2, `unknown format "xml"`},
		{"unknown flag", []string{"--colour", human}, "", 2, "flag provided but not defined: -colour"},
		{"bad mode", []string{"--mode", "loud", human}, "", 2, `unknown mode "loud"`},
		{"missing model", []string{"--model", filepath.Join(dir, "none.bin"), human}, "", 2, "none.bin"},
		{"failing is opt-in", []string{machine}, "", 0, ""},
		{"fail-on reached", []string{machine, human, "--fail-on", "0.9"}, "", 1, "1 input reaches --fail-on 0.90 (highest score 0.97)"},
		{"fail-on not reached", []string{"--fail-on", "0.99", machine}, "", 0, ""},
		{"human never fails", []string{"--fail-on", "0.5", human}, "", 0, ""},
		{"stdin", []string{"-", "--fail-on", "0.5"}, "and so we delve into the matter at hand", 1, ""},
		{"event file", []string{"--event", prEvent, "--fail-on", "0.5"}, "", 1, ""},
		{"policy mode off", []string{"--config", offPolicy, "--fail-on", "0.1", machine}, "", 0, "mode is off"},
		{"policy missing", []string{"--config", filepath.Join(dir, "nope.yml"), machine}, "", 2, "nope.yml: no such file or directory"},
		{"SARIF leaves out stdin", []string{"--format", "sarif", "-"}, "and so we delve into the matter at hand", 0, "1 finding on standard input, events or commits left out of the SARIF report"},
		{"policy invalid", []string{"--config", badPolicy, machine}, "", 2, "invalid policy"},
		{"fail-on applies below the policy threshold too", []string{"--config", highPolicy, "--fail-on", "0.95", machine}, "", 1, ""},
		{"mode flag overrides policy", []string{"--config", offPolicy, "--mode", "flag", "--fail-on", "0.9", machine}, "", 1, ""},
		{"observe never fails", []string{"--mode", "observe", "--fail-on", "0.1", machine}, "", 0, ""},
		// The enforce threshold defaults to halfway from the flag threshold
		// (the test model's 0.9) to 1.
		{"enforce fails at the enforce threshold", []string{"--mode", "enforce", machine}, "", 1, "--fail-on 0.95"},
		{"a glob that matches nothing", []string{"nothing/**/*.rst"}, "", 2, `no files match "nothing/**/*.rst"`},
		{"bad git range", []string{"--commits", "-x"}, "", 2, `invalid git range "-x"`},
		// ${{ github.event.before }}..HEAD with the expression unset: not "nothing to check, exit 0".
		{"git range with an empty side", []string{"--commits", "..HEAD"}, "", 2, "unset ${{ }} expression"},
		{"git range with both sides empty", []string{"--commits", "..."}, "", 2, "unset ${{ }} expression"},
		{"changed-only without a range", []string{"--changed-only", human}, "", 2, "--changed-only needs a range"},
		{"bad JSONL line", []string{"--jsonl", badJSONL}, "", 2, "1 input could not be read or checked"},
		{"help", []string{"-h"}, "", 0, "Usage: slopguard check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := runCheckTest(t, tt.args, tt.stdin, nil)
			if got.code != tt.wantCode {
				t.Errorf("got exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", got.code, tt.wantCode, got.stdout, got.stderr)
			}
			if !strings.Contains(got.stderr, tt.wantStderr) {
				t.Errorf("got stderr %q, want it to contain %q", got.stderr, tt.wantStderr)
			}
			if got.code == 2 && tt.name != "help" && strings.Count(got.stderr, "\n") != 1 {
				t.Errorf("got stderr %q, want exactly one line", got.stderr)
			}
		})
	}
}

func TestParseCheckArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args      []string
		files     []string
		event     bool
		eventPath string
	}{
		{[]string{"a.md", "--format", "json", "b.md"}, []string{"a.md", "b.md"}, false, ""},
		{[]string{"--event"}, nil, true, ""},
		{[]string{"--event", "--jsonl", "a.jsonl"}, []string{"a.jsonl"}, true, ""},
		{[]string{"--event", "ev.json", "a.md"}, []string{"a.md"}, true, "ev.json"},
		{[]string{"--event=ev.json", "-"}, []string{"-"}, true, "ev.json"},
		{[]string{"a.md", "--", "--event", "-x.md"}, []string{"a.md", "--event", "-x.md"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			o, err := parseCheckArgs(tt.args, &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(o.files, tt.files) || o.event != tt.event || o.eventPath != tt.eventPath {
				t.Errorf("got files %q event %v %q, want %q %v %q", o.files, o.event, o.eventPath, tt.files, tt.event, tt.eventPath)
			}
		})
	}
}

func TestCheckInGitHubActions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outPath, sumPath := filepath.Join(dir, "output"), filepath.Join(dir, "summary.md")
	ev, err := filepath.Abs(filepath.Join(ciTestdata, "events", "pull_request.json"))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_EVENT_NAME":   "pull_request",
		"GITHUB_EVENT_PATH":   ev,
		"GITHUB_OUTPUT":       outPath,
		"GITHUB_STEP_SUMMARY": sumPath,
	}
	got := runCheckTest(t, nil, "", vars)
	if got.code != 0 {
		t.Fatalf("got exit code %d, want 0\n%s", got.code, got.stderr)
	}
	if !strings.HasPrefix(got.stdout, "::warning title=slopguard%3A phrasing::pull request #12: score 0.97") {
		t.Errorf("got stdout %q, want a warning annotation first (github is the default format in Actions)", got.stdout)
	}
	out, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"score<<ghadelimiter_", "\n0.9700\n", "verdict<<", "\nmachine\n", "flagged<<", "\ntrue\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("got outputs %q, want them to contain %q", out, want)
		}
	}
	sum, err := os.ReadFile(sumPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(sum), "## slopguard\n") || !strings.Contains(string(sum), "pull request \\#12") {
		t.Errorf("got step summary %q, want the Markdown report", sum)
	}

	// Another format still writes the outputs, but no step summary.
	outPath2, sumPath2 := filepath.Join(dir, "output2"), filepath.Join(dir, "summary2.md")
	vars["GITHUB_OUTPUT"], vars["GITHUB_STEP_SUMMARY"] = outPath2, sumPath2
	sarif := filepath.Join(dir, "report.sarif")
	got = runCheckTest(t, []string{"--format", "sarif", "--output", sarif}, "", vars)
	if got.code != 0 || got.stdout != "" {
		t.Fatalf("got exit code %d stdout %q, want 0 and nothing on stdout", got.code, got.stdout)
	}
	if data, err := os.ReadFile(sarif); err != nil || !bytes.Contains(data, []byte(`"version": "2.1.0"`)) {
		t.Errorf("got SARIF file %q (%v), want a SARIF log", data, err)
	}
	if _, err := os.Stat(outPath2); err != nil {
		t.Errorf("got no outputs file: %v", err)
	}
	if _, err := os.Stat(sumPath2); err == nil {
		t.Error("got a step summary for --format sarif, want none")
	}
}

func TestCheckWithEmbeddedDetector(t *testing.T) {
	t.Parallel()
	// The real detector wired as runCheck wires it; scores do not matter
	// here, only that the plumbing runs and exits 0 without --fail-on.
	var out, errOut bytes.Buffer
	e := testEnv(strings.NewReader("a short text from standard input"), &out, &errOut, nil)
	if code := run(context.Background(), e, []string{"check", "-", "--format", "json"}); code != 0 {
		t.Fatalf("got exit code %d, want 0\n%s", code, errOut.String())
	}
	if !strings.Contains(out.String(), `"name": "stdin"`) {
		t.Errorf("got %s, want a JSON report naming stdin", out.String())
	}
}
