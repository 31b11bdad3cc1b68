package ci

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/moderation"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// scenario builds a report from fixed fixtures with the fake checker.
type scenario struct {
	name    string
	sources []Sources
	opts    Options
}

func scenarios() []scenario {
	def := moderation.DefaultPolicy()
	off := moderation.DefaultPolicy()
	off.Mode = moderation.ModeOff
	files := "testdata/files"
	return []scenario{
		{
			name:    "pull_request",
			sources: []Sources{{Event: true, EventPath: "testdata/events/pull_request.json"}},
			opts:    Options{Policy: def, ModelThreshold: 0.9},
		},
		{
			name: "files",
			sources: []Sources{
				{Event: true, EventPath: "testdata/events/issue_comment.json"},
				{Event: true, EventPath: "testdata/events/issue_comment_member.json"},
				{Dir: files, Args: []string{"README.md", "docs/**/*.md"}},
			},
			opts: Options{Policy: def, ModelThreshold: 0.9, FailOn: 0.95, FailOnSet: true},
		},
		{
			name:    "jsonl",
			sources: []Sources{{Dir: files, Args: []string{"records.jsonl"}, JSONL: true}},
			opts:    Options{Policy: def, ModelThreshold: 0.9},
		},
		{
			name:    "off",
			sources: []Sources{{Dir: files, Args: []string{"**/*.md"}}},
			opts:    Options{Policy: off, ModelThreshold: 0.9},
		},
	}
}

func (sc scenario) report(t *testing.T) *Report {
	t.Helper()
	var ins []Input
	for _, s := range sc.sources {
		s.Getenv = func(string) string { return "" }
		got, _, err := Collect(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, got...)
	}
	r := runFake(t, ins, sc.opts)
	return r
}

var stopToken = regexp.MustCompile(`[0-9a-f]{32}`)

// golden compares got with testdata/golden/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// legendMark stands in an HTML report's golden file where the legend was
// cut out, so that the legend's place in the page is checked too.
const legendMark = "<!-- legend: see html_frame.html -->\n"

// splitHTML cuts an HTML report in two: the frame web draws around every
// report (the head with the inline stylesheet, the legend, the foot), which
// is the same in every scenario and so is checked once, in html_frame.html;
// and the report proper, what the scenario's inputs make, with legendMark
// where the legend was. The stylesheet must be web's assets/style.css to the
// byte; the frame holds a comment naming that file in its place. Together the
// two parts pin every byte of the page.
func splitHTML(t *testing.T, page []byte) (frame, report []byte) {
	t.Helper()
	css, err := os.ReadFile(filepath.Join("..", "web", "assets", "style.css"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	head, rest, ok1 := strings.Cut(s, "<main>\n")
	top, rest, ok2 := strings.Cut(rest, `<div class="legend"`)
	legend, rest, ok3 := strings.Cut(rest, "</div>\n")
	items, foot, ok4 := strings.Cut(rest, "<footer>")
	beforeCSS, afterCSS, ok5 := strings.Cut(head, "<style>"+string(css)+"</style>")
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		t.Fatalf("the HTML report lacks the main element, the legend, the footer or web's stylesheet inline:\n%s", page)
	}
	frame = []byte(beforeCSS + "<style>/* integrations/web/assets/style.css */</style>" + afterCSS + "<main>\n" +
		`<div class="legend"` + legend + "</div>\n" + "<footer>" + foot)
	report = []byte(top + legendMark + items)
	return frame, report
}

func TestFormatsGolden(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios() {
		r := sc.report(t)
		for _, f := range Formats {
			t.Run(sc.name+"/"+string(f), func(t *testing.T) {
				var buf bytes.Buffer
				if err := Write(&buf, f, r); err != nil {
					t.Fatal(err)
				}
				got := buf.Bytes()
				if f == FormatGitHub {
					got = stopToken.ReplaceAll(got, []byte("TOKEN"))
				}
				if f == FormatHTML {
					frame, report := splitHTML(t, got)
					golden(t, "html_frame.html", frame)
					got = report
				}
				ext := map[Format]string{FormatText: "txt", FormatJSON: "json", FormatSARIF: "sarif", FormatGitHub: "github.txt", FormatRDJSON: "rdjson", FormatMarkdown: "md", FormatHTML: "html"}[f]
				golden(t, sc.name+"."+ext, got)
			})
		}
	}
}

func TestSARIFStructure(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteSARIF(&buf, sc.report(t)); err != nil {
				t.Fatal(err)
			}
			var log struct {
				Schema  *string `json:"$schema"`
				Version string  `json:"version"`
				Runs    []struct {
					Tool struct {
						Driver struct {
							Name  string `json:"name"`
							Rules []struct {
								ID               string `json:"id"`
								ShortDescription struct {
									Text string `json:"text"`
								} `json:"shortDescription"`
							} `json:"rules"`
						} `json:"driver"`
					} `json:"tool"`
					Results []struct {
						RuleID    string `json:"ruleId"`
						RuleIndex *int   `json:"ruleIndex"`
						Level     string `json:"level"`
						Message   struct {
							Text string `json:"text"`
						} `json:"message"`
						Locations []struct {
							PhysicalLocation *struct {
								ArtifactLocation struct {
									URI string `json:"uri"`
								} `json:"artifactLocation"`
								Region *struct {
									StartLine   int `json:"startLine"`
									StartColumn int `json:"startColumn"`
								} `json:"region"`
							} `json:"physicalLocation"`
						} `json:"locations"`
					} `json:"results"`
				} `json:"runs"`
			}
			dec := json.NewDecoder(&buf)
			if err := dec.Decode(&log); err != nil {
				t.Fatal(err)
			}
			if log.Version != "2.1.0" || log.Schema == nil || !strings.Contains(*log.Schema, "sarif-schema-2.1.0") {
				t.Fatalf("got version %q schema %v, want 2.1.0 and the 2.1.0 schema", log.Version, log.Schema)
			}
			if len(log.Runs) != 1 {
				t.Fatalf("got %d runs, want 1", len(log.Runs))
			}
			run := log.Runs[0]
			if run.Tool.Driver.Name != "slopguard" {
				t.Errorf("got driver name %q, want slopguard", run.Tool.Driver.Name)
			}
			ids := map[string]int{}
			for i, ru := range run.Tool.Driver.Rules {
				if ru.ID == "" || ru.ShortDescription.Text == "" {
					t.Errorf("rule %d: got id %q description %q, want both", i, ru.ID, ru.ShortDescription.Text)
				}
				ids[ru.ID] = i
			}
			for _, fam := range Families {
				if _, ok := ids[fam]; !ok {
					t.Errorf("got no rule for family %q, want one", fam)
				}
			}
			for i, res := range run.Results {
				idx, ok := ids[res.RuleID]
				if !ok || res.RuleIndex == nil || *res.RuleIndex != idx {
					t.Errorf("result %d: ruleId %q ruleIndex %v does not name a rule", i, res.RuleID, res.RuleIndex)
				}
				if res.Message.Text == "" {
					t.Errorf("result %d: got empty message", i)
				}
				if !strings.Contains("error warning note", res.Level) || res.Level == "" {
					t.Errorf("result %d: got level %q, want error, warning or note", i, res.Level)
				}
				if len(res.Locations) == 0 {
					t.Errorf("result %d: got no locations", i)
					continue
				}
				// Code scanning rejects a result without physicalLocation.artifactLocation.uri.
				ph := res.Locations[0].PhysicalLocation
				if ph == nil || ph.ArtifactLocation.URI == "" || ph.Region == nil || ph.Region.StartLine < 1 {
					t.Errorf("result %d: got physical location %+v, want uri and startLine ≥ 1", i, ph)
				}
			}
		})
	}
}

// sarifOut is the part of a SARIF log the tests read, declared apart from
// the writer's types so that a wrong JSON name shows.
type sarifOut struct {
	Runs []struct {
		Results []struct {
			RuleID    string `json:"ruleId"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region sarifRegion `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

// readSARIF writes the report as SARIF and reads the log back.
func readSARIF(t *testing.T, r *Report) sarifOut {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	var log sarifOut
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	return log
}

func TestSARIFLocationsPointAtSpans(t *testing.T) {
	t.Parallel()
	r := scenarios()[1].report(t)
	// setup.md line 3 is "This guide will delve into setup."; "delve" is
	// columns 17 to 21, so the exclusive end column is 22.
	log := readSARIF(t, r)
	want := sarifRegion{StartLine: 3, StartColumn: 17, EndLine: 3, EndColumn: 22}
	for _, res := range log.Runs[0].Results {
		loc := res.Locations[0].PhysicalLocation
		if res.RuleID == "phrasing" && loc.ArtifactLocation.URI == "docs/guide/setup.md" {
			if loc.Region != want {
				t.Errorf("got region %+v, want %+v", loc.Region, want)
			}
			return
		}
	}
	t.Errorf("got no phrasing result for docs/guide/setup.md")
}

func TestEscapeWorkflowCommands(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"100% sure", "100%25 sure", "100%25 sure"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"docs/a:b,c.md", "docs/a:b,c.md", "docs/a%3Ab%2Cc.md"},
		{"%0A", "%250A", "%250A"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.prop {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
}

func TestGitHubAnnotationsCapped(t *testing.T) {
	t.Parallel()
	var texts []string
	for range 30 {
		texts = append(texts, leverText)
	}
	r := runFake(t, textInputsN(texts), Options{Policy: moderation.DefaultPolicy(), ModelThreshold: 0.9})
	var buf bytes.Buffer
	if err := WriteGitHub(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if got := strings.Count(out, "\n::warning "); got+boolInt(strings.HasPrefix(out, "::warning ")) != MaxAnnotationsPerLevel {
		t.Errorf("got %d warning annotations, want %d", got+boolInt(strings.HasPrefix(out, "::warning ")), MaxAnnotationsPerLevel)
	}
	if !strings.Contains(out, "slopguard: 20 more findings are not shown as annotations") {
		t.Errorf("got no note about the 20 dropped findings:\n%s", out)
	}
	// The text report lists all 30 inputs, with commands stopped around it.
	if got := strings.Count(out, ": machine, score 0.92, flagged at 0.900\n"); got != 30 {
		t.Errorf("got %d inputs in the text report, want 30", got)
	}
}

func textInputsN(texts []string) []Input {
	var ins []Input
	for i, s := range texts {
		name := filepath.Join("docs", "n"+strings.Repeat("x", i)+".md")
		ins = append(ins, textInput(name, name, []byte(s)))
	}
	return ins
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestGitHubObserveWritesNoAnnotations(t *testing.T) {
	t.Parallel()
	p := moderation.DefaultPolicy()
	p.Mode = moderation.ModeObserve
	r := runFake(t, textInputs(machineText), Options{Policy: p, ModelThreshold: 0.9})
	var buf bytes.Buffer
	if err := WriteGitHub(&buf, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "::warning") {
		t.Errorf("got annotations in observe mode:\n%s", buf.String())
	}
}

// parseOutputs reads name<<DELIM … DELIM blocks from a $GITHUB_OUTPUT file.
func parseOutputs(t *testing.T, data string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(data, "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok || !strings.HasPrefix(delim, "ghadelimiter_") {
			t.Fatalf("line %d: got %q, want name<<ghadelimiter_…", i+1, lines[i])
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("output %s: delimiter %s never closes", name, delim)
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

func TestWriteOutputsAndStepSummary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outPath, sumPath := filepath.Join(dir, "output"), filepath.Join(dir, "summary.md")
	// Both files already hold other steps' data: it must be kept.
	if err := os.WriteFile(outPath, []byte("other<<EOF\nkept\nEOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sumPath, []byte("# Earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := scenarios()[1].report(t)
	if err := WriteOutputs(outPath, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteStepSummary(sumPath, r); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	rest, ok := strings.CutPrefix(string(data), "other<<EOF\nkept\nEOF\n")
	if !ok {
		t.Fatalf("earlier outputs were not kept:\n%s", data)
	}
	got := parseOutputs(t, rest)
	want := map[string]string{"score": "0.9700", "verdict": "machine", "flagged": "true"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("output %s: got %q, want %q", k, got[k], v)
		}
	}
	sum, err := os.ReadFile(sumPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(sum), "# Earlier step\n## slopguard\n") || !strings.Contains(string(sum), "docs/guide/setup.md") {
		t.Errorf("got step summary:\n%s\nwant the earlier content followed by the report", sum)
	}
	if err := WriteOutputs(filepath.Join(dir, "missing", "output"), r); err == nil {
		t.Error("got no error writing into a missing directory, want one")
	}
}

func TestOddInputsInEveryFormat(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("a line of text that goes on\n", 10<<20/28) + "we delve into a tapestry \xff\xfe here at the very end\n"
	tests := map[string]string{
		"empty":        "",
		"spaces":       " \n\t\n",
		"invalid utf8": "\xff\xfe\xfd delve into \xc3\x28 tapestry words words",
		"nul bytes":    "text\x00with nul",
		"10 MB":        big,
		"crlf":         "one\r\ntwo delve\r\nthree tapestry four five",
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := textInput("odd.md", "odd.md", []byte(text))
			r := runFake(t, []Input{in}, Options{Policy: moderation.DefaultPolicy(), ModelThreshold: 0.9})
			for _, f := range Formats {
				var buf bytes.Buffer
				if err := Write(&buf, f, r); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				switch f {
				case FormatJSON, FormatSARIF, FormatRDJSON:
					if !json.Valid(buf.Bytes()) {
						t.Errorf("%s: got invalid JSON", f)
					}
				}
			}
		})
	}
	t.Run("10 MB span lands on the last line", func(t *testing.T) {
		t.Parallel()
		in := textInput("big.md", "big.md", []byte(big))
		r := runFake(t, []Input{in}, Options{Policy: moderation.DefaultPolicy(), ModelThreshold: 0.9})
		f := r.Findings()[0]
		if want := strings.Count(big, "\n"); f.Start.Line != want || f.Start.Column != 4 {
			t.Errorf("got %+v, want line %d column 4", f.Start, want)
		}
	})
}

func TestSARIFLeavesOutInputsWithoutFile(t *testing.T) {
	t.Parallel()
	stdin := textInput("stdin", "", []byte(machineText))
	commit := Input{Name: "commit/1a2b3c4", Item: moderation.Item{Platform: moderation.CI, Kind: moderation.KindCommit, ID: "commit/1a2b3c4", Body: leverText}}
	file := textInput("docs/a.md", "docs/a.md", []byte(leverText))
	r := runFake(t, []Input{stdin, commit, file}, Options{Policy: moderation.DefaultPolicy(), ModelThreshold: 0.9})
	log := readSARIF(t, r)
	var uris []string
	for _, res := range log.Runs[0].Results {
		for _, loc := range res.Locations {
			uris = append(uris, loc.PhysicalLocation.ArtifactLocation.URI)
		}
	}
	if want := []string{"docs/a.md"}; !slices.Equal(uris, want) {
		t.Errorf("got result locations %q, want %q", uris, want)
	}
	// stdin: phrasing, vocabulary, style; the commit: phrasing.
	if got := SARIFLeftOut(r); got != 4 {
		t.Errorf("got %d findings left out, want 4", got)
	}
}

// TestTextReportNamesCannotInjectCommands checks that a file name holding a
// newline and a workflow command cannot start a line of the text report.
func TestTextReportNamesCannotInjectCommands(t *testing.T) {
	t.Parallel()
	name := "x\n::error file=README.md,line=1::Injected\n.md"
	in := textInput(name, name, []byte("we delve into a rich tapestry of words here"))
	r := runFake(t, []Input{in}, Options{Policy: moderation.DefaultPolicy(), ModelThreshold: 0.9})
	var buf bytes.Buffer
	if err := Write(&buf, FormatText, r); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.HasPrefix(line, "::") {
			t.Errorf("text report has a line starting with \"::\": %q", line)
		}
	}
}

func TestLevelNameFallsBackToNotice(t *testing.T) {
	t.Parallel()
	names := sarifLevels[:]
	tests := []struct {
		level Level
		want  string
	}{{LevelNotice, "note"}, {LevelWarning, "warning"}, {LevelError, "error"}, {Level(-1), "note"}, {Level(len(names)), "note"}}
	for _, tt := range tests {
		if got := tt.level.name(names); got != tt.want {
			t.Errorf("Level(%d).name = %q, want %q", int(tt.level), got, tt.want)
		}
	}
}
