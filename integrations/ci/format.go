package ci

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
)

// Format is an output format of the CI check.
type Format string

// The output formats.
const (
	FormatText     Format = "text"
	FormatJSON     Format = "json"
	FormatSARIF    Format = "sarif"
	FormatGitHub   Format = "github"
	FormatRDJSON   Format = "rdjson"
	FormatMarkdown Format = "markdown"
	FormatHTML     Format = "html"
)

// Formats lists every format, for help texts.
var Formats = []Format{FormatText, FormatJSON, FormatSARIF, FormatGitHub, FormatRDJSON, FormatMarkdown, FormatHTML}

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q (want text, json, sarif, github, rdjson, markdown or html)", s)
}

// DefaultFormat is github inside GitHub Actions (GITHUB_ACTIONS=true) and text elsewhere.
func DefaultFormat(getenv func(string) string) Format {
	if getenv("GITHUB_ACTIONS") == "true" {
		return FormatGitHub
	}
	return FormatText
}

// Write writes the report in format f. For FormatGitHub it writes only the
// workflow commands and the text report; WriteStepSummary and WriteOutputs
// write the step summary and the step outputs.
func Write(w io.Writer, f Format, r *Report) error {
	write, ok := writers[f]
	if !ok {
		return fmt.Errorf("write report: unknown format %q", f)
	}
	if err := write(w, r); err != nil {
		return fmt.Errorf("write %s report: %w", f, err)
	}
	return nil
}

// writers holds the function that writes each format.
var writers = map[Format]func(io.Writer, *Report) error{
	FormatText:     WriteText,
	FormatJSON:     WriteJSON,
	FormatSARIF:    WriteSARIF,
	FormatGitHub:   WriteGitHub,
	FormatRDJSON:   WriteRDJSON,
	FormatMarkdown: WriteMarkdown,
	FormatHTML:     WriteHTML,
}

// errWriter keeps the first write error so report code can write freely.
type errWriter struct {
	w   io.Writer
	err error
}

func (ew *errWriter) printf(format string, args ...any) {
	if ew.err == nil {
		_, ew.err = fmt.Fprintf(ew.w, format, args...)
	}
}

// status words an entry's outcome for people.
func (e Entry) status(r *Report) string {
	switch {
	case e.Err != "":
		return "error: " + e.Err
	case !e.Checked:
		return "skipped: " + e.Skipped
	}
	s := fmt.Sprintf("%s, score %.2f", e.Verdict.Verdict, e.Verdict.Score)
	switch {
	case e.Failed:
		s += fmt.Sprintf(", flagged, reaches --fail-on %.2f", r.FailOn)
	case e.Flagged && e.Rule != moderation.RuleScore:
		s += fmt.Sprintf(", flagged by rule %s", e.Rule)
	case e.Flagged:
		s += fmt.Sprintf(", flagged at %.3f", r.Threshold)
	case e.Assisted:
		s += ", labelled " + moderation.AssistedLabel
	}
	return s
}

// note is the explanation people need next to a verdict, if any.
func (e Entry) note() string {
	if !e.Checked {
		return ""
	}
	n := e.Verdict.Note
	if n == "" && e.Verdict.Verdict == detector.Unsure {
		n = "not enough evidence either way"
	}
	if e.Verdict.Sampled && !strings.Contains(n, "sampl") {
		n = strings.TrimPrefix(n+"; only a sample of this long text was scored", "; ")
	}
	return n
}

// reasonWhere is "line N" for a reason whose first span can be located in
// the input, else empty. ix is built on first use and reused for the entry.
func reasonWhere(e Entry, ix **lineIndex, rs detector.Reason) string {
	if len(rs.Spans) == 0 || e.Input.Line == 0 {
		return ""
	}
	if *ix == nil {
		*ix = newLineIndex(e.Input.Item.Text())
	}
	p, _ := e.Input.locate(*ix, rs.Spans[0].Start)
	return fmt.Sprintf("line %d", p.Line)
}

// direction words a reason's weight.
func direction(w float64) string {
	if w < 0 {
		return "towards human"
	}
	return "towards machine"
}

// WriteText writes the report for people: per input its verdict, score and
// reasons, and a note when the model is unsure; then a one-line total.
func WriteText(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	if !r.Mode.Checks() {
		ew.printf("slopguard: mode is off in the policy; nothing was checked.\n")
		return ew.err
	}
	for _, e := range r.Entries {
		ew.printf("%s: %s\n", displayName(e.Input.Name), e.status(r))
		if e.Input.Item.URL != "" {
			ew.printf("  %s\n", oneLine(e.Input.Item.URL))
		}
		if e.Input.Item.Title != "" {
			ew.printf("  title: %s\n", oneLine(e.Input.Item.Title))
		}
		if n := e.note(); n != "" {
			ew.printf("  note: %s\n", n)
		}
		if e.Why != "" && e.Rule != moderation.RuleScore {
			ew.printf("  rule %s: %s\n", e.Rule, oneLine(e.Why))
		}
		if d := e.Verdict.Disclosure; d != nil {
			for _, m := range d.Marks {
				ew.printf("  disclosure: %s, %s in %s: %s\n", m.Agent, m.Describe(), m.Where, oneLine(m.Quote))
			}
		}
		var ix *lineIndex
		for _, rs := range e.Verdict.Reasons {
			where := reasonWhere(e, &ix, rs)
			if where != "" {
				where = " (" + where + ")"
			}
			ew.printf("  - %s: %s%s [%+.2f %s]\n", rs.Family, oneLine(rs.Text), where, rs.Weight, direction(rs.Weight))
		}
	}
	ew.printf("\n%s\n", r.totals())
	return ew.err
}

// totals is the one-line count of outcomes.
func (r *Report) totals() string {
	var machine, unsure, human, skipped, errs, flagged, failed int
	for _, e := range r.Entries {
		switch {
		case e.Err != "":
			errs++
		case !e.Checked:
			skipped++
		case e.Verdict.Verdict == detector.Machine:
			machine++
		case e.Verdict.Verdict == detector.Human:
			human++
		default:
			unsure++
		}
		if e.Flagged {
			flagged++
		}
		if e.Failed {
			failed++
		}
	}
	s := fmt.Sprintf("%d %s: %d machine, %d unsure, %d human", len(r.Entries), plural(len(r.Entries), "input", "inputs"), machine, unsure, human)
	if skipped > 0 {
		s += fmt.Sprintf(", %d skipped", skipped)
	}
	if errs > 0 {
		s += fmt.Sprintf(", %d %s", errs, plural(errs, "error", "errors"))
	}
	s += fmt.Sprintf("; %d flagged at %.3f", flagged, r.Threshold)
	if r.FailOnSet {
		s += fmt.Sprintf("; %d %s --fail-on %.2f", failed, plural(failed, "reaches", "reach"), r.FailOn)
	}
	s += "."
	if r.ModelVersion != "" {
		s += " Model " + r.ModelVersion + "."
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// displayName is a file name as the text report shows it: quoted when it
// holds control characters, so a name with a newline cannot start a line
// of its own (in GitHub Actions, a workflow command).
func displayName(name string) string {
	if strings.ContainsFunc(name, unicode.IsControl) {
		return strconv.Quote(name)
	}
	return name
}

// oneLine folds a text onto one line for line-oriented outputs.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// jsonReport is the --format json document.
type jsonReport struct {
	Summary      Summary      `json:"summary"`
	Mode         string       `json:"mode"`
	Threshold    float64      `json:"threshold"`
	FailOn       *float64     `json:"fail_on"`
	ModelVersion string       `json:"model_version,omitempty"`
	Results      []jsonResult `json:"results"`
}

type jsonResult struct {
	Name    string          `json:"name"`
	Path    string          `json:"path,omitempty"`
	Item    moderation.Item `json:"item"`
	Status  string          `json:"status"` // checked, skipped or error
	Score   *float64        `json:"score,omitempty"`
	Verdict string          `json:"verdict,omitempty"`
	Reasons []jsonReason    `json:"reasons,omitempty"`
	Note    string          `json:"note,omitempty"`
	Sampled bool            `json:"sampled,omitempty"`
	// CannotJudge marks a text outside what the model can judge.
	CannotJudge bool `json:"cannot_judge,omitempty"`
	Flagged     bool `json:"flagged"`
	// Rule is the policy rule that flagged or labelled the input, Why says so.
	Rule     string `json:"rule,omitempty"`
	Why      string `json:"why,omitempty"`
	Assisted bool   `json:"assisted,omitempty"`
	// Disclosure names the agents and bots the input discloses.
	Disclosure *moderation.Disclosure `json:"disclosure,omitempty"`
	Failed     bool                   `json:"failed"`
	Skipped    string                 `json:"skipped,omitempty"`
	Error      string                 `json:"error,omitempty"`
}

type jsonReason struct {
	detector.Reason
	// Line is where the first span starts in the input, when known.
	Line int `json:"line,omitempty"`
}

// WriteJSON writes the report as one indented JSON document. Item bodies are
// left out (they can be megabytes); titles stay.
func WriteJSON(w io.Writer, r *Report) error {
	doc := jsonReport{
		Summary:      r.Summarize(),
		Mode:         r.Mode.String(),
		Threshold:    r.Threshold,
		ModelVersion: r.ModelVersion,
		Results:      []jsonResult{},
	}
	if r.FailOnSet {
		doc.FailOn = &r.FailOn
	}
	for _, e := range r.Entries {
		it := e.Input.Item
		it.Body = ""
		res := jsonResult{Name: e.Input.Name, Path: e.Input.Path, Item: it, Flagged: e.Flagged, Failed: e.Failed, Skipped: e.Skipped, Error: e.Err}
		switch {
		case e.Err != "":
			res.Status = "error"
		case !e.Checked:
			res.Status = "skipped"
		default:
			res.Status = "checked"
			score := e.Verdict.Score
			res.Score, res.Verdict, res.Note, res.Sampled = &score, e.Verdict.Verdict.String(), e.note(), e.Verdict.Sampled
			res.CannotJudge = e.Verdict.CannotJudge
			res.Rule, res.Why, res.Assisted, res.Disclosure = string(e.Rule), e.Why, e.Assisted, e.Verdict.Disclosure
			var ix *lineIndex
			for _, rs := range e.Verdict.Reasons {
				jr := jsonReason{Reason: rs}
				if len(rs.Spans) > 0 && e.Input.Line > 0 {
					if ix == nil {
						ix = newLineIndex(e.Input.Item.Text())
					}
					p, _ := e.Input.locate(ix, rs.Spans[0].Start)
					jr.Line = p.Line
				}
				res.Reasons = append(res.Reasons, jr)
			}
		}
		doc.Results = append(doc.Results, res)
	}
	return encodeJSON(w, doc)
}

// encodeJSON writes v as indented JSON without HTML escaping, which only
// makes reports harder to read.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
