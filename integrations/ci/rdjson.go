package ci

import "io"

// reviewdog's Diagnostic Format (rdjson): a DiagnosticResult document.
type (
	rdResult struct {
		Source      rdSource       `json:"source"`
		Severity    string         `json:"severity,omitempty"`
		Diagnostics []rdDiagnostic `json:"diagnostics"`
	}
	rdSource struct {
		Name string `json:"name"`
		URL  string `json:"url,omitempty"`
	}
	rdDiagnostic struct {
		Message  string      `json:"message"`
		Location *rdLocation `json:"location,omitempty"`
		Severity string      `json:"severity"`
		Code     rdCode      `json:"code"`
	}
	rdLocation struct {
		Path  string   `json:"path"`
		Range *rdRange `json:"range,omitempty"`
	}
	rdRange struct {
		Start rdPosition  `json:"start"`
		End   *rdPosition `json:"end,omitempty"`
	}
	rdPosition struct {
		Line   int `json:"line"`
		Column int `json:"column,omitempty"`
	}
	rdCode struct {
		Value string `json:"value"`
	}
)

// rdSeverities names each finding level as rdjson's severities do.
var rdSeverities = [...]string{LevelNotice: "INFO", LevelWarning: "WARNING", LevelError: "ERROR"}

// WriteRDJSON writes the report's findings in reviewdog's rdjson format
// (`reviewdog -f=rdjson`). Columns are UTF-8 byte columns, as rdjson
// specifies; ends are exclusive. Findings on events and commits carry no
// location.
func WriteRDJSON(w io.Writer, r *Report) error {
	doc := rdResult{Source: rdSource{Name: toolName, URL: toolURI}, Diagnostics: []rdDiagnostic{}}
	for _, f := range r.Findings() {
		in := r.Entries[f.Entry].Input
		d := rdDiagnostic{Message: r.message(f), Severity: f.Level.name(rdSeverities[:]), Code: rdCode{Value: f.Rule()}}
		if in.Path != "" {
			d.Location = &rdLocation{Path: in.Path}
			if f.HasPos {
				rg := &rdRange{Start: rdPosition{Line: f.Start.Line, Column: f.Start.ByteColumn}}
				if f.End.Line > 0 && f.End != f.Start {
					rg.End = &rdPosition{Line: f.End.Line, Column: f.End.ByteColumn}
				}
				d.Location.Range = rg
			}
		}
		doc.Diagnostics = append(doc.Diagnostics, d)
	}
	return encodeJSON(w, doc)
}
