package ci

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/slopguard/slopguard/moderation"
)

// MaxInputBytes is the most bytes read from one file or from standard input.
// The detector samples long texts anyway; the cap keeps a stray binary or log
// file from exhausting memory.
const MaxInputBytes = 32 << 20

// maxInputBytes is MaxInputBytes, lowered by tests.
var maxInputBytes = MaxInputBytes

// tooLarge is the Skip and error text for an input over maxInputBytes.
func tooLarge() string { return fmt.Sprintf("larger than %d MiB", maxInputBytes>>20) }

// Input is one Item to check and where its text came from, so reports can
// point at the line a reason's span is on.
type Input struct {
	Item moderation.Item
	// Name labels the input for people: a file path, "stdin", "pr/12", "commit/1a2b3c4".
	Name string
	// Path is the file the text was read from, as given or found by a glob;
	// empty for events, standard input and commits.
	Path string
	// Line, Column and ByteColumn are where the scored text starts in Path (1-based);
	// zero when unknown.
	Line, Column, ByteColumn int
	// Mapped is true when byte offsets into the scored text map one to one to
	// Path (whole files), false when they do not (JSONL records, whose text is
	// JSON-escaped on disk: reasons then point at the record's line).
	Mapped bool
	// Labels and Draft are the pull request's or issue's labels and draft
	// state, for the policy's exemptions.
	Labels []string
	Draft  bool
	// Skip, when set, says why the input is not scored (a binary file, a deleted comment).
	Skip string
	// Err, when set, says why the input could not be read; the run reports it and exits 2.
	Err string
}

// locate returns where byte offset off of the scored text is in the input
// (Path, or standard input), and false when there are no lines to point at
// (events and commits).
func (in Input) locate(ix *lineIndex, off int) (Position, bool) {
	if in.Line == 0 {
		return Position{}, false
	}
	if !in.Mapped || ix == nil {
		return Position{Line: in.Line}, true
	}
	p := ix.position(off)
	if p.Line == 1 {
		p.Column += in.Column - 1
		p.ByteColumn += in.ByteColumn - 1
	}
	p.Line += in.Line - 1
	return p, true
}

// start is where the scored text starts.
func (in Input) start() Position {
	return Position{Line: in.Line, Column: in.Column, ByteColumn: in.ByteColumn}
}

// textInput builds the Input for a whole text read from path (empty for stdin).
func textInput(name, path string, data []byte) Input {
	body := string(data)
	in := Input{
		Item: moderation.Item{Platform: moderation.CI, Kind: moderation.KindFile, ID: name, Body: body},
		Name: name,
		Path: path,
	}
	if isBinary(data) {
		in.Skip = "binary file"
		return in
	}
	// Item.Text trims surrounding space; find where the scored text starts in
	// the file so that reason offsets map back to lines.
	lead := len(body) - len(strings.TrimLeftFunc(body, unicode.IsSpace))
	p := newLineIndex(body).position(lead)
	in.Line, in.Column, in.ByteColumn, in.Mapped = p.Line, p.Column, p.ByteColumn, true
	return in
}

// binarySniff is how many leading bytes isBinary looks at.
const binarySniff = 8000

// isBinary reports whether data looks like a binary file: a NUL byte early on.
func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), binarySniff)], 0) >= 0
}

// errTooLarge is returned by readAll for an input over maxInputBytes.
var errTooLarge = errors.New("input too large")

// readAll reads at most maxInputBytes from r, failing clearly beyond that.
// name labels the input in errors and is already quoted where it needs to be.
func readAll(name string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(maxInputBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxInputBytes {
		return nil, fmt.Errorf("read %s: %s: %w", name, tooLarge(), errTooLarge)
	}
	return data, nil
}

// ReadFile reads one file as a whole text. dir is the working directory that
// relative paths are resolved against ("" for the process's own). A file
// larger than MaxInputBytes or that looks binary is returned with Skip set,
// without being read whole.
func ReadFile(dir, path string) (Input, error) {
	full := path
	if dir != "" && !filepath.IsAbs(path) {
		full = filepath.Join(dir, path)
	}
	f, err := os.Open(full)
	if err != nil {
		return Input{}, fmt.Errorf("read %q: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Input{}, fmt.Errorf("read %q: %w", path, unwrapPathError(err))
	}
	if st.IsDir() {
		return Input{}, fmt.Errorf("read %q: is a directory (use a glob such as %q)", path, strings.TrimSuffix(path, "/")+"/**/*.md")
	}
	if st.Mode().IsRegular() && st.Size() > int64(maxInputBytes) {
		return skippedFile(path, tooLarge()), nil
	}
	head := make([]byte, min(binarySniff, maxInputBytes+1))
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Input{}, fmt.Errorf("read %q: %w", path, unwrapPathError(err))
	}
	head = head[:n]
	if isBinary(head) {
		return skippedFile(path, "binary file"), nil
	}
	// A file that is not regular (a pipe, a device) or that grew since Stat
	// can still be too large: readAll stops one byte past the cap.
	data, err := readAll(strconv.Quote(path), io.MultiReader(bytes.NewReader(head), f))
	if errors.Is(err, errTooLarge) {
		return skippedFile(path, tooLarge()), nil
	}
	if err != nil {
		return Input{}, err
	}
	return textInput(path, filepath.ToSlash(path), data), nil
}

// skippedFile is the Input for a file that is not scored, and why.
func skippedFile(path, why string) Input {
	return Input{
		Item: moderation.Item{Platform: moderation.CI, Kind: moderation.KindFile, ID: path},
		Name: path,
		Path: filepath.ToSlash(path),
		Skip: why,
	}
}

// quoteName is name for an error message: quoted when it is a file name, so
// that no character in it can start a new line on stderr.
func quoteName(name, path string) string {
	if path == "" {
		return name
	}
	return strconv.Quote(name)
}

// unwrapPathError drops the *fs.PathError wrapper, whose message repeats the path.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ReadStdin reads standard input as one whole text named "stdin".
func ReadStdin(r io.Reader) (Input, error) {
	data, err := readAll("stdin", r)
	if err != nil {
		return Input{}, err
	}
	return textInput("stdin", "", data), nil
}

// jsonlRecord is one line of --jsonl input: the same shape `slopguard score` reads.
type jsonlRecord struct {
	Text   *string `json:"text"`
	ID     any     `json:"id"`
	Kind   string  `json:"kind"`
	Author string  `json:"author"`
	URL    string  `json:"url"`
	Title  string  `json:"title"`
}

// ReadJSONL reads JSONL records, one Input per non-blank line. path is the
// file the records came from, empty for standard input. A line that is not a
// JSON object with a string "text" becomes an Input with Err set, and reading
// goes on. Like other inputs, at most MaxInputBytes are read: beyond that
// it fails without reading further.
func ReadJSONL(name, path string, r io.Reader) ([]Input, error) {
	var out []Input
	// The limit bounds every line too, so one endless line cannot grow memory.
	br := bufio.NewReaderSize(io.LimitReader(r, int64(maxInputBytes)+1), 64<<10)
	total := 0
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadBytes('\n')
		total += len(line)
		if total > maxInputBytes {
			return nil, fmt.Errorf("read %s: %s", quoteName(name, path), tooLarge())
		}
		if len(bytes.TrimSpace(line)) > 0 {
			out = append(out, jsonlInput(name, path, lineNo, line))
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", quoteName(name, path), err)
		}
	}
}

func jsonlInput(name, path string, lineNo int, line []byte) Input {
	label := name + ":" + strconv.Itoa(lineNo)
	in := Input{
		Item: moderation.Item{Platform: moderation.CI, Kind: moderation.KindFile, ID: label},
		Name: label,
		Path: path,
		Line: lineNo,
	}
	var rec jsonlRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		in.Err = fmt.Sprintf("line %d: invalid JSON: %v", lineNo, err)
		return in
	}
	if rec.Text == nil {
		in.Err = fmt.Sprintf("line %d: no \"text\" field", lineNo)
		return in
	}
	in.Item.Body, in.Item.Title, in.Item.Author, in.Item.URL = *rec.Text, rec.Title, rec.Author, rec.URL
	if rec.Kind != "" {
		in.Item.Kind = moderation.Kind(rec.Kind)
	}
	switch id := rec.ID.(type) {
	case string:
		if id != "" {
			in.Item.ID = id
		}
	case float64:
		in.Item.ID = strconv.FormatFloat(id, 'f', -1, 64)
	}
	in.Item.AuthorIsBot = moderation.IsBotLogin(rec.Author)
	return in
}
