// Package dataset reads labelled JSONL text for training and evaluation.
//
// Each line of a file is one JSON object with at least a string "text" and a
// "label" of "human" or "machine". The optional fields kind, domain,
// generator, source, id and split are kept; the record's group (the field
// the data's train/dev split was decided on) is taken from the first present
// of group, conversation, question and repo, else the id.
//
// Lines that are not such objects are skipped and counted: Read returns the
// good records together with a *BadLinesError, so one broken line never
// loses a whole file.
//
// An optional string "note" (a moderator's note on a feedback record) is
// kept too; training ignores it. Encoder writes records in this format.
package dataset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Record is one labelled text.
type Record struct {
	Text      string
	Label     string // "human" or "machine"
	Kind      string // pr, pr_title, review, commit, issue, comment, …
	Domain    string // news, essay, qa, chat, …
	Generator string // the model or agent that wrote a machine text
	Source    string // where the text was extracted from, for attribution
	ID        string
	Split     string // "train" or "dev"
	Group     string // group/conversation/question/repo field, else ID
	// Note is free text that travels with the record, such as the note a
	// moderator left with feedback. It is read and written but ignored by
	// training and evaluation.
	Note string
	// File is the base name of the file the record came from without its
	// extension, e.g. "aidev_pop_v1_review": the source set for per-source metrics.
	File string
	// Dir is the name of the directory holding the file, e.g. "pr" or
	// "general": the data's coarse grouping of sources.
	Dir string
	// Line is the 1-based line number in File.
	Line int
}

// Machine reports whether the record is labelled machine-generated.
func (r Record) Machine() bool { return r.Label == LabelMachine }

// The two labels.
const (
	LabelHuman   = "human"
	LabelMachine = "machine"
)

// Category returns the record's kind, else its domain, else "other".
func Category(r Record) string {
	switch {
	case r.Kind != "":
		return r.Kind
	case r.Domain != "":
		return r.Domain
	default:
		return "other"
	}
}

// BadLine is one line Read skipped.
type BadLine struct {
	File string // path of the file
	Line int    // 1-based
	Err  error
}

// BadLinesError reports the lines Read skipped. Read returns it alongside
// the good records; callers that accept some broken lines check for it with
// errors.As and carry on.
type BadLinesError struct {
	// Count is the number of skipped lines.
	Count int
	// First holds the first few skipped lines, in file order.
	First []BadLine
}

// maxBadExamples bounds BadLinesError.First.
const maxBadExamples = 5

func (e *BadLinesError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad line(s) skipped", e.Count)
	for i, bl := range e.First {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s:%d: %v", bl.File, bl.Line, bl.Err)
	}
	if e.Count > len(e.First) {
		b.WriteString("; …")
	}
	return b.String()
}

// Files expands paths into the JSONL files they name: a file is taken as
// is, a directory (or a symbolic link to one) contributes every *.jsonl file
// below it, sorted. A file named twice, directly or through a directory, is
// read once.
func Files(paths []string) ([]string, error) {
	var files []string
	seen := map[string]bool{}
	add := func(path string) {
		key := path
		if abs, err := filepath.Abs(path); err == nil {
			key = abs
		}
		if !seen[key] {
			seen[key] = true
			files = append(files, path)
		}
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read data: %w", err)
		}
		if !st.IsDir() {
			add(p)
			continue
		}
		// WalkDir does not follow a symbolic link at its root.
		root := p
		if resolved, err := filepath.EvalSymlinks(p); err == nil {
			root = resolved
		}
		var found []string
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), ".jsonl") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read data %s: %w", p, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("read data %s: no *.jsonl files", p)
		}
		sort.Strings(found)
		for _, f := range found {
			add(f)
		}
	}
	return files, nil
}

// Read reads the records of every file in paths (see Files), keeping those
// for which filter returns true (all when filter is nil). Records come in
// path order, then line order; files are read in parallel.
//
// A missing or unreadable file is an error and no records are returned.
// Bad lines are skipped: the good records are returned with a
// *BadLinesError.
func Read(paths []string, filter func(Record) bool) ([]Record, error) {
	files, err := Files(paths)
	if err != nil {
		return nil, err
	}
	type result struct {
		recs []Record
		bad  []BadLine
		err  error
	}
	results := make([]result, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for i := range next {
				recs, bad, err := readFile(files[i], filter)
				results[i] = result{recs, bad, err}
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()

	total := 0
	bad := &BadLinesError{}
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		total += len(r.recs)
		bad.Count += len(r.bad)
		for _, bl := range r.bad {
			if len(bad.First) < maxBadExamples {
				bad.First = append(bad.First, bl)
			}
		}
	}
	out := make([]Record, 0, total)
	for _, r := range results {
		out = append(out, r.recs...)
	}
	if bad.Count > 0 {
		return out, bad
	}
	return out, nil
}

// line is the subset of a JSONL line Read decodes. Optional fields accept
// any JSON scalar, so a numeric id does not make a line bad.
type line struct {
	Text         *string `json:"text"`
	Label        string  `json:"label"`
	Kind         scalar  `json:"kind"`
	Domain       scalar  `json:"domain"`
	Generator    scalar  `json:"generator"`
	Source       scalar  `json:"source"`
	ID           scalar  `json:"id"`
	Split        scalar  `json:"split"`
	Group        scalar  `json:"group"`
	Conversation scalar  `json:"conversation"`
	Question     scalar  `json:"question"`
	Repo         scalar  `json:"repo"`
	Note         scalar  `json:"note"`
}

// scalar decodes a JSON string, number or boolean as a string, null as "".
type scalar string

func (s *scalar) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = scalar(v)
		return nil
	}
	switch {
	case string(b) == "null":
		*s = ""
	case string(b) == "true" || string(b) == "false":
		*s = scalar(b)
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*s = scalar(b)
	default:
		return fmt.Errorf("want a string, number, boolean or null, got %.20s", b)
	}
	return nil
}

// parseLine decodes one line into a record.
func parseLine(b []byte) (Record, error) {
	var l line
	if err := json.Unmarshal(b, &l); err != nil {
		return Record{}, fmt.Errorf("invalid JSON: %w", err)
	}
	if l.Text == nil {
		return Record{}, errors.New(`missing string field "text"`)
	}
	if l.Label != LabelHuman && l.Label != LabelMachine {
		return Record{}, fmt.Errorf(`label %q, want "human" or "machine"`, l.Label)
	}
	r := Record{
		Text:      *l.Text,
		Label:     l.Label,
		Kind:      string(l.Kind),
		Domain:    string(l.Domain),
		Generator: string(l.Generator),
		Source:    string(l.Source),
		ID:        string(l.ID),
		Split:     string(l.Split),
		Note:      string(l.Note),
	}
	for _, g := range []scalar{l.Group, l.Conversation, l.Question, l.Repo, l.ID} {
		if g != "" {
			r.Group = string(g)
			break
		}
	}
	return r, nil
}

// readFile reads one JSONL file.
func readFile(path string, filter func(Record) bool) ([]Record, []BadLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read data: %w", err)
	}
	defer f.Close()
	base := strings.TrimSuffix(filepath.Base(path), ".jsonl")
	// The directory's own name, also for a file named relative to it ("."
	// is not a name).
	dir := filepath.Base(filepath.Dir(path))
	if abs, err := filepath.Abs(path); err == nil {
		dir = filepath.Base(filepath.Dir(abs))
	}
	return readLines(f, path, func(r *Record) bool {
		r.File, r.Dir = base, dir
		return filter == nil || filter(*r)
	})
}

// ReadJSONL reads the records of one JSONL stream the way Read reads a
// file: blank lines and a leading byte-order mark are skipped and each
// record's Line is set; File and Dir stay empty. name stands for the stream
// in errors and in BadLine.File. Bad lines are skipped: the good records are
// returned with a *BadLinesError.
func ReadJSONL(r io.Reader, name string) ([]Record, error) {
	recs, bad, err := readLines(r, name, nil)
	if err != nil {
		return nil, err
	}
	if len(bad) > 0 {
		return recs, &BadLinesError{Count: len(bad), First: bad[:min(len(bad), maxBadExamples)]}
	}
	return recs, nil
}

// readLines reads JSONL from r, naming it name in errors. keep, when not
// nil, sees each good record after its Line is set, may fill in more
// fields, and chooses whether it is returned.
func readLines(r io.Reader, name string, keep func(*Record) bool) ([]Record, []BadLine, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var recs []Record
	var bad []BadLine
	var buf []byte
	for n := 1; ; n++ {
		buf = buf[:0]
		var err error
		for {
			var chunk []byte
			chunk, err = br.ReadSlice('\n')
			buf = append(buf, chunk...)
			if err != bufio.ErrBufferFull {
				break
			}
		}
		if err != nil && err != io.EOF {
			return nil, nil, fmt.Errorf("read data %s: %w", name, err)
		}
		if n == 1 {
			buf = bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark
		}
		if b := bytes.TrimSpace(buf); len(b) > 0 {
			rec, perr := parseLine(b)
			if perr != nil {
				bad = append(bad, BadLine{File: name, Line: n, Err: perr})
			} else {
				rec.Line = n
				if keep == nil || keep(&rec) {
					recs = append(recs, rec)
				}
			}
		}
		if err == io.EOF {
			return recs, bad, nil
		}
	}
}

// Encoder writes records as JSONL lines in the format Read reads.
type Encoder struct {
	enc *json.Encoder
}

// NewEncoder returns an Encoder writing to w. Each Encode is one Write of a
// whole line; buffer w when writing many.
func NewEncoder(w io.Writer) *Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &Encoder{enc: enc}
}

// outLine is a JSONL line as Encoder writes it. The field order is the
// shared data's; text and label are always written, other fields only when
// not empty.
type outLine struct {
	Text      string `json:"text"`
	Label     string `json:"label"`
	Kind      string `json:"kind,omitempty"`
	Domain    string `json:"domain,omitempty"`
	Generator string `json:"generator,omitempty"`
	Source    string `json:"source,omitempty"`
	ID        string `json:"id,omitempty"`
	Split     string `json:"split,omitempty"`
	Group     string `json:"group,omitempty"`
	Note      string `json:"note,omitempty"`
}

// Encode writes r as one line: text, label, kind, domain, generator,
// source, id, split, group and note, leaving out empty fields other than
// text and label. The group is left out too when it equals the id, which
// Read takes as the group of a line without one. File, Dir and Line say
// where a record was read from and are not written. The label is written
// as it is: a label other than human or machine makes a line Read skips.
func (e *Encoder) Encode(r Record) error {
	l := outLine{
		Text:      r.Text,
		Label:     r.Label,
		Kind:      r.Kind,
		Domain:    r.Domain,
		Generator: r.Generator,
		Source:    r.Source,
		ID:        r.ID,
		Split:     r.Split,
		Note:      r.Note,
	}
	if r.Group != r.ID {
		l.Group = r.Group
	}
	if err := e.enc.Encode(l); err != nil {
		return fmt.Errorf("write record %q: %w", r.ID, err)
	}
	return nil
}

// SplitFilter keeps the records of one split; "" or "all" keeps every record.
func SplitFilter(split string) func(Record) bool {
	if split == "" || split == "all" {
		return nil
	}
	return func(r Record) bool { return r.Split == split }
}

// LimitPerFile keeps at most n records of each source file, chosen by a
// stable hash of the record so the sample is spread over the whole file and
// the same on every run. Order is preserved; n <= 0 keeps everything.
func LimitPerFile(recs []Record, n int) []Record {
	if n <= 0 {
		return recs
	}
	byFile := map[string][]int{}
	for i, r := range recs {
		key := r.Dir + "/" + r.File // pr/x.jsonl and qa/x.jsonl are two files
		byFile[key] = append(byFile[key], i)
	}
	keep := make([]bool, len(recs))
	for _, idx := range byFile {
		if len(idx) <= n {
			for _, i := range idx {
				keep[i] = true
			}
			continue
		}
		keys := make([]uint64, len(idx))
		for j, i := range idx {
			keys[j] = recordHash(recs[i])
		}
		order := make([]int, len(idx))
		for j := range order {
			order[j] = j
		}
		sort.Slice(order, func(a, b int) bool {
			if keys[order[a]] != keys[order[b]] {
				return keys[order[a]] < keys[order[b]]
			}
			return order[a] < order[b]
		})
		for _, j := range order[:n] {
			keep[idx[j]] = true
		}
	}
	out := make([]Record, 0, len(recs))
	for i, r := range recs {
		if keep[i] {
			out = append(out, r)
		}
	}
	return out
}

// recordHash is a stable hash of a record's identity.
func recordHash(r Record) uint64 {
	h := fnv.New64a()
	io.WriteString(h, r.File)
	h.Write([]byte{0})
	io.WriteString(h, r.ID)
	h.Write([]byte{0})
	io.WriteString(h, strconv.Itoa(r.Line))
	// FNV-1a barely moves the high bits when only the last digits differ,
	// and the sample is chosen by sorting on them: mix (splitmix64's
	// finaliser) so the sample spreads over the file.
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
