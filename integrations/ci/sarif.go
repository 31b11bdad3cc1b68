package ci

import (
	"io"
)

// SARIF 2.1.0 identifiers.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	toolName     = "slopguard"
	toolURI      = "https://github.com/slopguard/slopguard"
)

// ruleInfo describes one SARIF rule: a reason family.
type ruleInfo struct {
	id, name, short, full string
}

// rules has one entry per reason family, plus "overall" for inputs whose
// score gives no reason, in a fixed order so ruleIndex is stable.
var rules = []ruleInfo{
	{"phrasing", "MachineLikePhrasing", "Phrasing common in machine-generated text",
		"Stock phrases, framings and hedges that machine-generated text uses far more often than people do. A pattern in the text, not a claim about its author."},
	{"vocabulary", "MachineLikeVocabulary", "Word choice common in machine-generated text",
		"Words and word pairs that are much more frequent in machine-generated text than in human text of the same kind. A pattern in the text, not a claim about its author."},
	{"structure", "MachineLikeStructure", "Document structure common in machine-generated text",
		"Headings, lists and paragraph shapes typical of machine-generated text (for example, every section a bulleted list of the same length). A pattern in the text, not a claim about its author."},
	{"style", "MachineLikeStyle", "Style statistics common in machine-generated text",
		"Uniform sentence lengths, punctuation profile and lexical diversity typical of machine-generated text. A pattern in the text, not a claim about its author."},
	{"characters", "UnusualCharacters", "Characters common in machine-generated or disguised text",
		"Typographic punctuation, invisible or look-alike characters that machine-generated or deliberately disguised text tends to contain. A pattern in the text, not a claim about its author."},
	{"provenance", "DisclosedOrHoneypot", "The text says it was written by an AI agent",
		"The text, its commits or its author account disclose an AI agent or bot (a footer such as \"Generated with Claude Code\", a Codex task or Devin session link, a Co-authored-by trailer), or the text holds the project's honeypot phrase that only agents are asked to write."},
	{ruleOverall, "MachineLikeText", "Text scores as likely machine-generated",
		"The text as a whole scores as likely machine-generated, without one signal standing out."},
}

func ruleIndex(id string) int {
	for i, r := range rules {
		if r.id == id {
			return i
		}
	}
	return len(rules) - 1 // an unknown family reports under "overall"
}

type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool      `json:"tool"`
		ColumnKind string         `json:"columnKind"`
		Results    []sarifResult  `json:"results"`
		Properties map[string]any `json:"properties,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string       `json:"id"`
		Name                 string       `json:"name"`
		ShortDescription     sarifMessage `json:"shortDescription"`
		FullDescription      sarifMessage `json:"fullDescription"`
		DefaultConfiguration struct {
			Level string `json:"level"`
		} `json:"defaultConfiguration"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID     string          `json:"ruleId"`
		RuleIndex  int             `json:"ruleIndex"`
		Level      string          `json:"level"`
		Message    sarifMessage    `json:"message"`
		Locations  []sarifLocation `json:"locations"`
		Properties map[string]any  `json:"properties"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
)

// sarifLevels names each finding level as SARIF's result levels do.
var sarifLevels = [...]string{LevelNotice: "note", LevelWarning: "warning", LevelError: "error"}

// WriteSARIF writes the report's findings in files as a SARIF 2.1.0 log with
// one rule per reason family, each located at its file, line and column (in
// code points). Findings on standard input, events and commits have no file
// to point at, and code scanning rejects results without one, so they are
// left out: SARIFLeftOut counts them.
func WriteSARIF(w io.Writer, r *Report) error {
	driver := sarifDriver{Name: toolName, InformationURI: toolURI}
	for _, ru := range rules {
		sr := sarifRule{ID: ru.id, Name: ru.name, ShortDescription: sarifMessage{ru.short}, FullDescription: sarifMessage{ru.full}}
		sr.DefaultConfiguration.Level = "warning"
		driver.Rules = append(driver.Rules, sr)
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, ColumnKind: "unicodeCodePoints", Results: []sarifResult{}}
	run.Properties = map[string]any{"mode": r.Mode.String(), "threshold": r.Threshold}
	if r.ModelVersion != "" {
		run.Properties["modelVersion"] = r.ModelVersion
	}
	if r.FailOnSet {
		run.Properties["failOn"] = r.FailOn
	}
	for _, f := range r.Findings() {
		e := r.Entries[f.Entry]
		if e.Input.Path == "" {
			continue
		}
		res := sarifResult{
			RuleID:    f.Rule(),
			RuleIndex: ruleIndex(f.Rule()),
			Level:     f.Level.name(sarifLevels[:]),
			Message:   sarifMessage{r.message(f)},
			Properties: map[string]any{
				"score":   e.Verdict.Score,
				"verdict": e.Verdict.Verdict.String(),
			},
		}
		if f.Reason != nil {
			res.Properties["signal"] = f.Reason.Signal
			res.Properties["weight"] = f.Reason.Weight
		}
		res.Locations = []sarifLocation{sarifLocationOf(e.Input, f)}
		run.Results = append(run.Results, res)
	}
	return encodeJSON(w, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// SARIFLeftOut counts the findings WriteSARIF leaves out because their
// input has no file: standard input, events and commits.
func SARIFLeftOut(r *Report) int {
	n := 0
	for _, f := range r.Findings() {
		if r.Entries[f.Entry].Input.Path == "" {
			n++
		}
	}
	return n
}

// sarifLocationOf locates a finding in its input's file.
func sarifLocationOf(in Input, f Finding) sarifLocation {
	ph := sarifPhysical{ArtifactLocation: sarifArtifact{URI: uriPath(in.Path)}}
	if f.HasPos {
		reg := &sarifRegion{StartLine: f.Start.Line, StartColumn: f.Start.Column}
		if f.End.Line > 0 {
			reg.EndLine, reg.EndColumn = f.End.Line, f.End.Column
		}
		ph.Region = reg
	}
	return sarifLocation{PhysicalLocation: ph}
}

// uriPath turns a slash-separated relative path into a URI reference,
// percent-encoding every byte but unreserved characters, '/', '+' and '@'
// (so spaces, '%', '#', '?' and ':' cannot change the URI's meaning).
func uriPath(p string) string {
	var b []byte
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '@' ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
	}
	return string(b)
}
