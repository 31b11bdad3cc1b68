package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector"
)

// The -update flag rewrites golden files. Another test file of this
// package may register it too: package-level flag variables are
// initialised before init functions run, so this never registers it twice.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

// updateGolden reports whether -update was given.
func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// lengthScorer scores a text by its length: (len mod 10)/10, with the
// verdict read against 0.3 and 0.7. It panics on the text "panic".
type lengthScorer struct{}

func (lengthScorer) Score(text string) detector.Result {
	if text == "panic" {
		panic("boom")
	}
	s := float64(len(text)%10) / 10
	v := detector.Unsure
	switch {
	case s >= 0.7:
		v = detector.Machine
	case s <= 0.3:
		v = detector.Human
	}
	return detector.Result{Score: s, Verdict: v}
}

// TestScoreGolden pins the output line format: field order, score
// and verdict placement, error lines, blank lines and ordering.
func TestScoreGolden(t *testing.T) {
	t.Parallel()
	in, err := os.Open(filepath.Join("testdata", "score", "input.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := Score(context.Background(), in, w, lengthScorer{}, "", 3); err != nil {
		t.Fatalf("got err %v, want nil", err)
	}
	w.Flush()
	golden := filepath.Join("testdata", "score", "output.golden.jsonl")
	if updateGolden() {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("output differs from %s (run go test -update after checking):\ngot:\n%s", golden, got)
	}
	for i, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("output line %d is not valid JSON: %s", i+1, line)
		}
	}
}

func TestScoreOrderAndLimits(t *testing.T) {
	t.Parallel()
	var in strings.Builder
	const n = 2000
	for i := range n {
		fmt.Fprintf(&in, "{\"i\":%d,\"text\":%q}\n", i, strings.Repeat("x", i%37))
	}
	in.WriteString("{\"text\":\"" + strings.Repeat("y", MaxLine) + "\"}\n")
	in.WriteString("{\"text\":\"panic\"}\n")
	in.WriteString("{\"i\":\"after\",\"text\":\"still scored\"}") // no final newline
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := Score(context.Background(), strings.NewReader(in.String()), w, lengthScorer{}, "in.jsonl", 8); err != nil {
		t.Fatalf("got err %v, want nil", err)
	}
	w.Flush()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != n+3 {
		t.Fatalf("got %d output lines, want %d", len(lines), n+3)
	}
	for i := range n {
		var out struct{ I int }
		if err := json.Unmarshal([]byte(lines[i]), &out); err != nil || out.I != i {
			t.Fatalf("line %d: got %s, want i=%d (input order)", i+1, lines[i], i)
		}
	}
	tests := []struct{ line, want string }{
		{lines[n], `{"line":2001,"error":"in.jsonl: line longer than 16 MiB"}`},
		{lines[n+1], `{"text":"panic","line":2002,"error":"in.jsonl: the detector returned no score"}`},
		{lines[n+2], `{"i":"after","text":"still scored","score":0.2,"verdict":"human"}`},
	}
	for _, tt := range tests {
		if tt.line != tt.want {
			t.Errorf("got %s, want %s", tt.line, tt.want)
		}
	}
}

func TestScoreCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	err := Score(ctx, strings.NewReader(`{"text":"a"}`+"\n"), bufio.NewWriter(&buf), lengthScorer{}, "", 2)
	if err != context.Canceled {
		t.Errorf("got err %v, want context.Canceled", err)
	}
}

// TestParseObject checks the top-level splitter against encoding/json on
// values of every shape, escapes and whitespace.
func TestParseObject(t *testing.T) {
	t.Parallel()
	for _, line := range []string{
		`{}`,
		` { } `,
		`{"text":"hello"}`,
		`{ "a" : 1 , "text" : "x y" , "b" : [ 1 , { "c" : "}" } ] }`,
		`{"a":-1.5e+3,"b":true,"c":false,"d":null,"e":"\"}\\"}`,
		`{"\u0074ext":"escaped key","te\"xt":"quote in key"}`,
		`{"a":{"b":{"c":[[],{}]}},"z":0}`,
		"{\"a\":\"\u2028\",\"\u00e9\":1}",
		`{"n":123}`,
		`{"n":[1,2,3],"m":"]"}`,
	} {
		checkParseObject(t, []byte(line))
	}
	for _, bad := range []string{`[1]`, `"s"`, `12`, `{"a":}`, `{"a":1`} {
		if _, err := ParseObject([]byte(bad)); err == nil {
			t.Errorf("ParseObject(%q) = nil error, want one", bad)
		}
	}
}

// TestScoreDisclosure: a text that discloses an agent is "machine" whatever
// it scores, with a "disclosure" field whose span points into "text"; a
// pasted review-bot block is reported, and only the person's part scored.
func TestScoreDisclosure(t *testing.T) {
	t.Parallel()
	footer := "🤖 Generated with [Claude Code](https://claude.ai/code)"
	own := "  Retry the upload.\n\n" + footer
	person := "I rewrote the retry loop."
	pasted := person + "\n\n## Summary by Sourcery\n\nImprove retries."
	in := fmt.Sprintf("{\"text\":%q}\n{\"text\":%q}\n{\"text\":\"plain words\"}\n", own, pasted)
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := Score(context.Background(), strings.NewReader(in), w, lengthScorer{}, "", 1); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	type line struct {
		Text       string  `json:"text"`
		Score      float64 `json:"score"`
		Verdict    string  `json:"verdict"`
		Disclosure *struct {
			Own    bool `json:"own"`
			Pasted bool `json:"pasted"`
			Marks  []struct {
				Agent      string `json:"agent"`
				Start, End int
			} `json:"marks"`
		} `json:"disclosure"`
	}
	var got []line
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var x line
		if err := json.Unmarshal([]byte(l), &x); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		got = append(got, x)
	}
	if len(got) != 3 {
		t.Fatalf("got %d lines, want 3", len(got))
	}
	d := got[0].Disclosure
	if got[0].Verdict != "machine" || d == nil || !d.Own || len(d.Marks) != 1 || d.Marks[0].Agent != "Claude Code" ||
		!strings.HasPrefix(own[d.Marks[0].Start:d.Marks[0].End], "Generated with [Claude Code]") {
		t.Errorf("own footer: got %+v", got[0])
	}
	// lengthScorer scores (len mod 10)/10: the person's part alone.
	if wantScore := float64(len(person)%10) / 10; got[1].Score != wantScore || got[1].Disclosure == nil || !got[1].Disclosure.Pasted || got[1].Disclosure.Own {
		t.Errorf("pasted block: got %+v, want score %v of the person's part and the block reported", got[1], wantScore)
	}
	if got[2].Disclosure != nil {
		t.Errorf("plain text: got disclosure %+v", got[2].Disclosure)
	}
}
