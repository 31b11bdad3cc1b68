// Package jsonl is the bulk adapter behind `slopguard score`: it reads
// JSON-lines records with a "text" field and writes each record back, in
// input order, with "score", "verdict" and, when the text discloses an
// agent, "disclosure" added (see Score). A bad line becomes an error line
// and the run goes on. The records' other fields are copied through in
// their order, so the package carries a small order-keeping object codec
// (ParseObject, WriteObject).
package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
)

// MaxLine is the longest input line Score accepts; a longer line gets an
// error line and the run continues.
const MaxLine = 16 << 20

// Scorer is what Score needs from a detector.
type Scorer interface {
	Score(text string) detector.Result
}

// jsonString encodes s as a JSON string without escaping <, > and &.
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// scoreJob is one input line on its way through the workers.
type scoreJob struct {
	n       int
	line    []byte
	tooLong bool
	out     chan []byte
}

// Score scores every JSONL line of r with workers goroutines (0 means
// GOMAXPROCS) and writes one output line per input line to w, in input
// order. Blank lines are skipped. name, when set, is put in error messages.
// It returns only read, write and context errors; bad lines become error
// lines.
func Score(ctx context.Context, r io.Reader, w *bufio.Writer, s Scorer, name string, workers int) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *scoreJob, workers)
	order := make(chan *scoreJob, 2*workers)
	var readErr error
	go func() {
		defer close(order)
		defer close(jobs)
		br := bufio.NewReaderSize(r, 1<<20)
		for n := 1; ; n++ {
			line, tooLong, err := readLimitedLine(br, MaxLine)
			if len(bytes.TrimSpace(line)) > 0 || tooLong {
				j := &scoreJob{n: n, line: line, tooLong: tooLong, out: make(chan []byte, 1)}
				select {
				case order <- j:
				case <-ctx.Done():
					readErr = ctx.Err()
					return
				}
				jobs <- j // a worker always takes it: workers stop only when jobs closes
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				readErr = fmt.Errorf("read %s: %w", inputName(name), err)
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				j.out <- scoreLine(s, j, name)
			}
		})
	}
	var writeErr error
	for j := range order {
		b := <-j.out
		if writeErr != nil {
			continue // drain so the reader and workers finish
		}
		if _, err := w.Write(b); err != nil {
			writeErr = fmt.Errorf("write output: %w", err)
			cancel()
			continue
		}
		if len(order) == 0 {
			// Nothing else is ready: let a tool reading line by line see this one.
			if err := w.Flush(); err != nil {
				writeErr = fmt.Errorf("write output: %w", err)
				cancel()
			}
		}
	}
	wg.Wait()
	if writeErr != nil {
		return writeErr
	}
	if readErr == nil {
		readErr = ctx.Err()
	}
	return readErr
}

func inputName(name string) string {
	if name == "" {
		return "stdin"
	}
	return name
}

// readLimitedLine reads one line without its end. A line longer than limit
// is consumed to its end and reported as tooLong with no content.
func readLimitedLine(br *bufio.Reader, limit int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > limit+2 { // +2 for a CRLF end
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		line = bytes.TrimRight(line, "\r\n")
		if tooLong {
			line = nil
		}
		return line, tooLong, err
	}
}

// Field is one top-level field of a JSON object, in input order.
type Field struct {
	Key   string
	Value json.RawMessage // valid JSON, as written in the input
}

// scoreLine turns one input line into one output line (with its newline).
func scoreLine(s Scorer, j *scoreJob, name string) []byte {
	fail := func(fields []Field, msg string) []byte {
		if name != "" {
			msg = name + ": " + msg
		}
		errJSON := jsonString(msg)
		return WriteObject(fields, []Field{
			{"line", json.RawMessage(strconv.Itoa(j.n))},
			{"error", errJSON},
		})
	}
	if j.tooLong {
		return fail(nil, fmt.Sprintf("line longer than %d MiB", MaxLine>>20))
	}
	line := j.line
	if !utf8.Valid(line) {
		line = bytes.ToValidUTF8(line, []byte("\uFFFD"))
	}
	fields, err := ParseObject(line)
	if err != nil {
		return fail(nil, err.Error())
	}
	var text *string
	for _, f := range fields {
		if f.Key != "text" {
			continue
		}
		if len(f.Value) == 0 || f.Value[0] != '"' {
			text = nil
			continue
		}
		t, err := unquote(f.Value)
		if err != nil {
			text = nil
			continue
		}
		text = &t
	}
	if text == nil {
		return fail(fields, `missing string field "text"`)
	}
	res, disc := moderation.Judge(func(t string) detector.Result { return safeScore(s, t) }, moderation.Item{Body: *text})
	if math.IsNaN(res.Score) {
		return fail(fields, "the detector returned no score")
	}
	score := min(max(res.Score, 0), 1)
	verdict, _ := json.Marshal(res.Verdict)
	added := []Field{
		{"score", json.RawMessage(strconv.FormatFloat(score, 'g', -1, 64))},
		{"verdict", verdict},
	}
	if disc != nil {
		// Spans count from the start of "text", not of its trimmed form.
		lead := len(*text) - len(strings.TrimLeftFunc(*text, unicode.IsSpace))
		for i := range disc.Marks {
			disc.Marks[i].Start += lead
			disc.Marks[i].End += lead
		}
		b, err := json.Marshal(disc)
		if err == nil {
			added = append(added, Field{"disclosure", b})
		}
	}
	return WriteObject(fields, added)
}

// safeScore scores text, turning a panic into a NaN score.
func safeScore(s Scorer, text string) (res detector.Result) {
	defer func() {
		if recover() != nil {
			res = detector.Result{Score: math.NaN()}
		}
	}()
	return s.Score(text)
}

// ParseObject splits a JSON object into its top-level fields, in order.
// It validates the line first, then walks the object's top level once
// without decoding the values (bulk scoring spends most of its non-model
// time here).
func ParseObject(line []byte) ([]Field, error) {
	if !json.Valid(line) {
		var v any
		err := json.Unmarshal(line, &v)
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	i := skipSpace(line, 0)
	if line[i] != '{' {
		return nil, errors.New("not a JSON object")
	}
	var fields []Field
	i = skipSpace(line, i+1)
	for line[i] != '}' {
		end := skipValue(line, i) // the key: a string
		key, err := unquote(line[i:end])
		if err != nil {
			return nil, fmt.Errorf("invalid JSON: %v", err)
		}
		i = skipSpace(line, end)
		i = skipSpace(line, i+1) // past ':'
		end = skipValue(line, i)
		fields = append(fields, Field{key, json.RawMessage(line[i:end])})
		i = skipSpace(line, end)
		if line[i] == ',' {
			i = skipSpace(line, i+1)
		}
	}
	return fields, nil
}

// skipSpace returns the index of the first non-space byte of valid JSON
// at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// skipValue returns the index just past the value starting at b[i], which
// must be valid JSON.
func skipValue(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			i++
			for b[i] != '"' {
				if b[i] == '\\' {
					i++
				}
				i++
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // the end of a number or literal
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\r', '\n':
			if depth == 0 {
				return i // the end of a number or literal
			}
		}
	}
	return i
}

// unquote decodes a string literal of JSON that json.Valid accepted, as
// json.Unmarshal would: escapes decoded, a \u escape of a lone UTF-16
// surrogate read as U+FFFD, invalid UTF-8 read as U+FFFD.
func unquote(raw []byte) (string, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", fmt.Errorf("not a JSON string: %.20q", raw)
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		return toValidString(body), nil
	}
	b := make([]byte, 0, len(body))
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(body) {
			return "", errors.New("JSON string ends in a backslash")
		}
		switch e := body[i+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(body[i+2:])
			if !ok {
				return "", errors.New("bad \\u escape in JSON string")
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if len(body) >= i+6 && body[i] == '\\' && body[i+1] == 'u' {
					if r2, ok := hex4(body[i+2:]); ok {
						if d := utf16.DecodeRune(r, r2); d != unicode.ReplacementChar {
							b = utf8.AppendRune(b, d)
							i += 6
							continue
						}
					}
				}
				r = unicode.ReplacementChar
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			return "", fmt.Errorf("bad escape \\%c in JSON string", e)
		}
		i += 2
	}
	return toValidString(b), nil
}

// hex4 reads four hexadecimal digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// toValidString is b as a string with each invalid UTF-8 byte read as
// U+FFFD, as json.Unmarshal reads it.
func toValidString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			out = utf8.AppendRune(out, r)
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return string(out)
}

// writeKey writes key as a JSON string, as jsonString would.
func writeKey(b *bytes.Buffer, key string) {
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c == '"' || c == '\\' || c == 0xE2 { // 0xE2 may start U+2028/U+2029
			b.Write(jsonString(key))
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(key)
	b.WriteByte('"')
}

// WriteObject writes fields as one JSON line, with each of add replacing
// the first input field of its name (keeping that field's place, dropping
// later duplicates) or, when absent, appended at the end.
func WriteObject(fields, add []Field) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	written := make([]bool, len(add))
	first := true
	put := func(key string, value []byte) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeKey(&b, key)
		b.WriteByte(':')
		if len(value) > 0 && (value[0] == '{' || value[0] == '[') {
			if err := json.Compact(&b, value); err == nil {
				return
			}
		}
		b.Write(value) // a string, number or literal: already compact
	}
fields:
	for _, f := range fields {
		for i, a := range add {
			if f.Key == a.Key {
				if !written[i] {
					put(a.Key, a.Value)
					written[i] = true
				}
				continue fields
			}
		}
		put(f.Key, f.Value)
	}
	for i, a := range add {
		if !written[i] {
			put(a.Key, a.Value)
		}
	}
	b.WriteString("}\n")
	return b.Bytes()
}
