package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector"
)

// lenScorer scores a text by its length, so the fuzz target needs no model.
type lenScorer struct{}

func (lenScorer) Score(text string) detector.Result {
	if strings.Contains(text, "PANIC") {
		panic("scorer panicked")
	}
	return detector.Result{Score: float64(len(text)%100) / 100, Verdict: detector.Unsure}
}

// FuzzScoreStream feeds arbitrary bytes to the `score` JSONL reader.
// Properties: one output line per non-blank input line, each a JSON object
// with score and verdict added or, for a bad line, line and error.
func FuzzScoreStream(f *testing.F) {
	for _, s := range []string{
		`{"text":"hello"}` + "\n",
		`{"id":1,"text":"a"}` + "\n\n" + `{"text":2}` + "\n" + `not json` + "\n",
		`{"text":"x","text":"y","score":5}`,
		`{"text":"PANIC"}` + "\r\n" + `[1,2]` + "\n" + `"str"`,
		`{"text":"caf\u00e9 \ud800"}` + "\n" + "{\"text\":\"\xff\xfe\"}\n",
		`{"a":{"b":[` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `]},"text":""}`,
		"\n\n\n   \n",
		`{"text":"1e999"}` + "\n" + `{"text":"a"} trailing` + "\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		w := bufio.NewWriter(&out)
		if err := scoreStream(context.Background(), bytes.NewReader(in), w, lenScorer{}, "", 2); err != nil {
			t.Fatalf("scoreStream: %v", err)
		}
		w.Flush()
		want := 0
		for _, line := range strings.Split(string(in), "\n") {
			if len(bytes.TrimSpace([]byte(strings.TrimRight(line, "\r")))) > 0 {
				want++
			}
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if out.Len() == 0 {
			lines = nil
		}
		if len(lines) != want {
			t.Fatalf("got %d output lines, want %d\ninput %q\noutput %q", len(lines), want, in, out.String())
		}
		for i, line := range lines {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal([]byte(line), &obj); err != nil {
				t.Fatalf("output line %d is not a JSON object: %v: %q", i+1, err, line)
			}
			_, hasScore := obj["score"]
			_, hasVerdict := obj["verdict"]
			_, hasErr := obj["error"]
			_, hasLine := obj["line"]
			if !(hasErr && hasLine) && !(hasScore && hasVerdict) {
				t.Fatalf("output line %d: want score and verdict, or line and error: %q", i+1, line)
			}
		}
	})
}
