package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

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
		if err := Score(context.Background(), bytes.NewReader(in), w, lenScorer{}, "", 2); err != nil {
			t.Fatalf("Score: %v", err)
		}
		w.Flush()
		for _, line := range bytes.Split(in, []byte("\n")) {
			checkParseObject(t, bytes.TrimRight(line, "\r"))
		}
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

// decodeObject is ParseObject's reference: the same split done with
// encoding/json's streaming decoder.
func decodeObject(line []byte) ([]Field, bool) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var fields []Field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		fields = append(fields, Field{tok.(string), raw})
	}
	return fields, true
}

// checkParseObject fails t when ParseObject and the reference disagree on
// a line that is one valid JSON object.
func checkParseObject(t *testing.T, line []byte) {
	t.Helper()
	if !utf8.Valid(line) || !json.Valid(line) {
		return
	}
	want, ok := decodeObject(line)
	got, err := ParseObject(line)
	if !ok {
		if err == nil {
			t.Fatalf("ParseObject(%q) accepted a non-object", line)
		}
		return
	}
	if err != nil {
		t.Fatalf("ParseObject(%q): %v", line, err)
	}
	if len(got) != len(want) {
		t.Fatalf("ParseObject(%q): %d fields, want %d", line, len(got), len(want))
	}
	for i := range got {
		var g, w bytes.Buffer
		json.Compact(&g, got[i].Value)
		json.Compact(&w, want[i].Value)
		if got[i].Key != want[i].Key || g.String() != w.String() {
			t.Fatalf("ParseObject(%q) field %d = %q:%s, want %q:%s", line, i, got[i].Key, got[i].Value, want[i].Key, want[i].Value)
		}
	}
}

// FuzzUnquote checks unquote against json.Unmarshal on every string
// literal json.Valid accepts.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`"plain"`, `"a\nb\t\"c\"\\ \/"`, `"\u00e9\u2028"`, `"\ud83d\ude00"`,
		`"\ud83d"`, `"\ud83dx"`, `"\ude00\ud83d"`, `"\ud83d\u0041"`, `"\b\f\r"`, "\"\xff\xfe ok\"", `""`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		raw = bytes.TrimRight(raw, " \t\r\n") // unquote gets the literal alone
		if !json.Valid(raw) || len(raw) == 0 || raw[0] != '"' {
			return
		}
		var want string
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("json.Valid accepted %q, Unmarshal failed: %v", raw, err)
		}
		got, err := unquote(raw)
		if err != nil || got != want {
			t.Fatalf("unquote(%q) = %q, %v; json.Unmarshal gives %q", raw, got, err, want)
		}
	})
}
