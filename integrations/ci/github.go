package ci

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// MaxAnnotationsPerLevel is how many annotations of one level WriteGitHub
// emits: GitHub displays about ten per severity per step and drops the rest,
// so the most telling ones go first and the step summary lists everything.
const MaxAnnotationsPerLevel = 10

// escapeData escapes a workflow command's message.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// annotation renders one finding as a workflow command.
func (r *Report) annotation(f Finding) string {
	in := r.Entries[f.Entry].Input
	var props []string
	if in.Path != "" {
		props = append(props, "file="+escapeProperty(in.Path))
		if f.HasPos {
			props = append(props, "line="+strconv.Itoa(f.Start.Line))
			if f.End.Line > 0 {
				props = append(props, "endLine="+strconv.Itoa(f.End.Line))
			}
			// GitHub accepts columns only on single-line annotations.
			if f.Start.Column > 0 && f.End.Line == f.Start.Line {
				props = append(props, "col="+strconv.Itoa(f.Start.Column), "endColumn="+strconv.Itoa(max(f.Start.Column, f.End.Column-1)))
			}
		}
	}
	props = append(props, "title="+escapeProperty("slopguard: "+f.Rule()))
	return fmt.Sprintf("::%s %s::%s\n", f.Level, strings.Join(props, ","), escapeData(r.message(f)))
}

// newToken returns an unguessable token for ::stop-commands::.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// WriteGitHub writes GitHub Actions workflow commands: up to
// MaxAnnotationsPerLevel annotations per level, most telling first, then
// the text report with workflow commands stopped, so that file names or
// texts in it can never be read as commands. In observe mode it writes no
// annotations.
func WriteGitHub(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	if r.Mode.Tells() {
		shown := map[Level]int{}
		dropped := 0
		for _, f := range r.Findings() {
			if shown[f.Level] >= MaxAnnotationsPerLevel {
				dropped++
				continue
			}
			shown[f.Level]++
			ew.printf("%s", r.annotation(f))
		}
		if dropped > 0 {
			ew.printf("slopguard: %d more %s not shown as annotations (GitHub displays about %d per severity); the report below and the step summary list every input.\n",
				dropped, plural(dropped, "finding is", "findings are"), MaxAnnotationsPerLevel)
		}
	}
	if ew.err != nil {
		return ew.err
	}
	tok := newToken()
	ew.printf("::stop-commands::%s\n", tok)
	if ew.err == nil {
		ew.err = WriteText(w, r)
	}
	ew.printf("::%s::\n", tok)
	return ew.err
}

// appendFile appends data to the file at path, creating it if needed.
func appendFile(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteStepSummary appends the Markdown report to the file at path
// ($GITHUB_STEP_SUMMARY).
func WriteStepSummary(path string, r *Report) error {
	if err := appendFile(path, func(w io.Writer) error { return WriteMarkdown(w, r) }); err != nil {
		return fmt.Errorf("write step summary %q: %w", path, err)
	}
	return nil
}

// Outputs are the step outputs, in the order written.
func (s Summary) Outputs() [][2]string {
	return [][2]string{
		{"score", strconv.FormatFloat(s.Score, 'f', 4, 64)},
		{"verdict", s.Verdict},
		{"flagged", strconv.FormatBool(s.Flagged)},
	}
}

// WriteOutputs appends the step outputs score, verdict and flagged to the
// file at path ($GITHUB_OUTPUT), in the multi-line-safe
// `name<<DELIMITER` form with a random delimiter.
func WriteOutputs(path string, r *Report) error {
	err := appendFile(path, func(w io.Writer) error {
		ew := &errWriter{w: w}
		for _, kv := range r.Summarize().Outputs() {
			delim := "ghadelimiter_" + newToken()
			for strings.Contains(kv[1], delim) {
				delim = "ghadelimiter_" + newToken()
			}
			ew.printf("%s<<%s\n%s\n%s\n", kv[0], delim, kv[1], delim)
		}
		return ew.err
	})
	if err != nil {
		return fmt.Errorf("write step outputs %q: %w", path, err)
	}
	return nil
}
