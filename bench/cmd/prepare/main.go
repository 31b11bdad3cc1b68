// Command prepare turns the labelled JSONL corpus into the files every
// system in the benchmark reads, so that all three see exactly the same
// documents in the same order.
//
// Usage:
//
//	prepare -data ../shared/data -out bench/work [-quick-train N -quick-dev N]
//
// The only change made to a text is masking: the Gitter corpus replaced code
// and links by "[<-CODE->]" / "[<-LINK->]" placeholders, which no other source
// has, so every placeholder of the form "[<-WORD->]" is deleted (with the
// whitespace around it collapsed to one space) in every source, for every
// system. Documents that are empty after masking are dropped. Nothing else
// is normalised and nothing is balanced.
//
// Outputs, under -out:
//
//	train/<file>.jsonl  split=train records of each source, masked, all fields kept (slopguard train)
//	train/generator_families.tsv  the corpus's, when it has one (slopguard train --family-balance)
//	train.jsonl         {"text","label","file"} for every train record (scikit-learn)
//	train.ft            "__label__human|machine text" one line per record, newlines → spaces (fastText)
//	dev.jsonl           {"id","text"} for every dev record: the scoring input (slopguard, scikit-learn)
//	dev.txt             the same texts one per line, newlines → spaces (fastText)
//	dev_labels.jsonl    {"file","label","bytes"} in the same order (the report)
//	one.jsonl, one.txt  a single dev document of about 1 KB (cold start)
//	latency/<size>.txt  one document of exactly <size> bytes (1K … 1M) built by joining dev
//	                    texts with blank lines, cut at a rune boundary (bench/cmd/latency)
//	latency/<size>.ft   the same document on one line, newlines → spaces (fastText)
//	prepare.json        counts per source and split
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "prepare:", err)
		os.Exit(1)
	}
}

// placeholder matches the Gitter corpus's code and link placeholders and the
// whitespace around them.
var placeholder = regexp.MustCompile(`\s*\[<-[A-Z]+->\]\s*`)

// mask deletes placeholders and reports how many it deleted.
func mask(text string) (string, int) {
	n := len(placeholder.FindAllStringIndex(text, -1))
	if n == 0 {
		return text, 0
	}
	return strings.TrimSpace(placeholder.ReplaceAllString(text, " ")), n
}

// oneLine flattens a text to one line for fastText, which reads one document per line.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

func oneLine(text string) string { return lineBreaks.Replace(text) }

// record is one corpus line: its raw fields plus the three we need.
type record struct {
	fields map[string]json.RawMessage
	text   string
	label  string
	split  string
	id     string
	key    uint64 // stable hash for quick-mode sampling
	order  int
}

// counts are per source file.
type counts struct {
	TrainHuman   int `json:"train_human"`
	TrainMachine int `json:"train_machine"`
	DevHuman     int `json:"dev_human"`
	DevMachine   int `json:"dev_machine"`
	DevBytes     int `json:"dev_bytes"`
	Masked       int `json:"placeholders_masked"`
	Dropped      int `json:"dropped_empty"`
}

type summary struct {
	Data       string             `json:"data"`
	QuickTrain int                `json:"quick_train_per_file"`
	QuickDev   int                `json:"quick_dev_per_file"`
	Files      map[string]*counts `json:"files"`
	Train      int                `json:"train_docs"`
	Dev        int                `json:"dev_docs"`
	DevBytes   int                `json:"dev_bytes"`
	OneBytes   int                `json:"one_doc_bytes"`
}

func run(args []string) error {
	fl := flag.NewFlagSet("prepare", flag.ContinueOnError)
	data := fl.String("data", "../shared/data", "corpus directory (JSONL files, searched recursively)")
	out := fl.String("out", "bench/work", "output directory")
	quickTrain := fl.Int("quick-train", 0, "keep at most N train records per source file (0: all)")
	quickDev := fl.Int("quick-dev", 0, "keep at most N dev records per source file (0: all)")
	sizes := fl.String("latency-sizes", "1K,4K,16K,64K,1M", "sizes of the latency documents (K = 1024, M = 1024²)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	files, err := corpusFiles(*data)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no .jsonl files under %s", *data)
	}
	if err := os.MkdirAll(filepath.Join(*out, "train"), 0o755); err != nil {
		return err
	}
	w, err := newWriters(*out)
	if err != nil {
		return err
	}
	sum := summary{Data: *data, QuickTrain: *quickTrain, QuickDev: *quickDev, Files: map[string]*counts{}}
	var one *record
	var devTexts []string
	devTextBytes := 0
	for _, rel := range files {
		c := &counts{}
		sum.Files[rel] = c
		recs, err := readFile(filepath.Join(*data, rel), c)
		if err != nil {
			return err
		}
		train, dev := splitRecords(recs)
		train, dev = sample(train, *quickTrain), sample(dev, *quickDev)
		if err := writeTrainMirror(filepath.Join(*out, "train", rel), train); err != nil {
			return err
		}
		for _, r := range train {
			if r.label == "human" {
				c.TrainHuman++
			} else {
				c.TrainMachine++
			}
			if err := w.train(r, rel); err != nil {
				return err
			}
		}
		for _, r := range dev {
			if r.label == "human" {
				c.DevHuman++
			} else {
				c.DevMachine++
			}
			c.DevBytes += len(r.text)
			if err := w.dev(r, rel); err != nil {
				return err
			}
			if devTextBytes < 4<<20 && len(r.text) < 64<<10 {
				devTexts = append(devTexts, r.text)
				devTextBytes += len(r.text)
			}
			if one == nil && len(r.text) >= 800 && len(r.text) <= 1300 {
				one = r
			}
		}
		sum.Train += len(train)
		sum.Dev += len(dev)
		sum.DevBytes += c.DevBytes
	}
	// slopguard train reads the generators' families from its data folder
	// (--family-balance): the mirror gets the corpus's file too.
	if err := copyIfThere(filepath.Join(*data, "generator_families.tsv"), filepath.Join(*out, "train", "generator_families.tsv")); err != nil {
		return err
	}
	if one == nil {
		return fmt.Errorf("no dev document of about 1 KB for the cold-start test")
	}
	sum.OneBytes = len(one.text)
	if err := w.close(); err != nil {
		return err
	}
	if err := writeOne(*out, one); err != nil {
		return err
	}
	if err := writeLatencyDocs(filepath.Join(*out, "latency"), *sizes, shuffle(devTexts)); err != nil {
		return err
	}
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "prepare.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "prepare: %d files, %d train docs, %d dev docs (%.1f MB of dev text)\n",
		len(files), sum.Train, sum.Dev, float64(sum.DevBytes)/1e6)
	return nil
}

// corpusFiles lists *.jsonl under dir, relative to it, sorted.
func corpusFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".jsonl") {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list corpus %s: %w", dir, err)
	}
	sort.Strings(files)
	return files, nil
}

// readFile parses and masks one corpus file.
func readFile(path string, c *counts) ([]*record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	defer f.Close()
	var recs []*record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		r := &record{order: line}
		if err := json.Unmarshal(sc.Bytes(), &r.fields); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		for name, dst := range map[string]*string{"text": &r.text, "label": &r.label, "split": &r.split} {
			if err := json.Unmarshal(r.fields[name], dst); err != nil {
				return nil, fmt.Errorf("%s:%d: field %q: %w", path, line, name, err)
			}
		}
		if r.label != "human" && r.label != "machine" {
			return nil, fmt.Errorf("%s:%d: label %q, want human or machine", path, line, r.label)
		}
		if raw, ok := r.fields["id"]; ok {
			_ = json.Unmarshal(raw, &r.id) // ids are strings in every file; a missing one is fine
		}
		text, n := mask(r.text)
		c.Masked += n
		if strings.TrimSpace(text) == "" {
			c.Dropped++
			continue
		}
		if n > 0 {
			r.text = text
			raw, err := json.Marshal(text)
			if err != nil {
				return nil, err
			}
			r.fields["text"] = raw
		}
		h := fnv.New64a()
		h.Write([]byte(r.id))
		h.Write([]byte{0})
		h.Write([]byte(r.text))
		r.key = h.Sum64()
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return recs, nil
}

// copyIfThere copies the file src to dst when src exists.
func copyIfThere(src, dst string) error {
	b, err := os.ReadFile(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

func splitRecords(recs []*record) (train, dev []*record) {
	for _, r := range recs {
		switch r.split {
		case "train":
			train = append(train, r)
		case "dev":
			dev = append(dev, r)
		}
	}
	return train, dev
}

// sample keeps at most n records, chosen by a stable hash, in file order.
func sample(recs []*record, n int) []*record {
	if n <= 0 || len(recs) <= n {
		return recs
	}
	kept := append([]*record(nil), recs...)
	sort.Slice(kept, func(i, j int) bool { return kept[i].key < kept[j].key })
	kept = kept[:n]
	sort.Slice(kept, func(i, j int) bool { return kept[i].order < kept[j].order })
	return kept
}

func writeTrainMirror(path string, recs []*record) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		if err := enc.Encode(r.fields); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// writers holds the combined output files.
type writers struct {
	files                      []*os.File
	bufs                       []*bufio.Writer
	trainJSON, devJSON, labels *json.Encoder
	trainFT, devTXT            *bufio.Writer
}

func newWriters(out string) (*writers, error) {
	w := &writers{}
	open := func(name string) (*bufio.Writer, error) {
		f, err := os.Create(filepath.Join(out, name))
		if err != nil {
			return nil, err
		}
		b := bufio.NewWriterSize(f, 1<<20)
		w.files = append(w.files, f)
		w.bufs = append(w.bufs, b)
		return b, nil
	}
	enc := func(b *bufio.Writer) *json.Encoder {
		e := json.NewEncoder(b)
		e.SetEscapeHTML(false)
		return e
	}
	names := []string{"train.jsonl", "dev.jsonl", "dev_labels.jsonl", "train.ft", "dev.txt"}
	bs := make([]*bufio.Writer, len(names))
	for i, n := range names {
		b, err := open(n)
		if err != nil {
			w.close()
			return nil, err
		}
		bs[i] = b
	}
	w.trainJSON, w.devJSON, w.labels = enc(bs[0]), enc(bs[1]), enc(bs[2])
	w.trainFT, w.devTXT = bs[3], bs[4]
	return w, nil
}

func (w *writers) train(r *record, file string) error {
	if err := w.trainJSON.Encode(map[string]string{"text": r.text, "label": r.label, "file": file}); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w.trainFT, "__label__%s %s\n", r.label, oneLine(r.text))
	return err
}

func (w *writers) dev(r *record, file string) error {
	if err := w.devJSON.Encode(map[string]string{"id": r.id, "text": r.text}); err != nil {
		return err
	}
	if err := w.labels.Encode(map[string]any{"file": file, "label": r.label, "bytes": len(r.text)}); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w.devTXT, oneLine(r.text))
	return err
}

func (w *writers) close() error {
	var first error
	for i, f := range w.files {
		if err := w.bufs[i].Flush(); err != nil && first == nil {
			first = err
		}
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func writeOne(out string, r *record) error {
	b, err := json.Marshal(map[string]string{"id": r.id, "text": r.text})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "one.jsonl"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "one.txt"), []byte(oneLine(r.text)+"\n"), 0o644)
}

// shuffle interleaves sources so a latency document mixes registers, in a
// fixed order: every 97th text, then every 97th starting from the next one…
func shuffle(texts []string) []string {
	const stride = 97
	out := make([]string, 0, len(texts))
	for start := range stride {
		for i := start; i < len(texts); i += stride {
			out = append(out, texts[i])
		}
	}
	return out
}

// writeLatencyDocs writes one document per size, raw and flattened for fastText.
func writeLatencyDocs(dir, sizes string, texts []string) error {
	if len(texts) == 0 {
		return fmt.Errorf("no dev text for the latency documents")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, size := range strings.Split(sizes, ",") {
		n, err := parseSize(size)
		if err != nil {
			return err
		}
		doc := build(texts, n)
		if err := os.WriteFile(filepath.Join(dir, size+".txt"), []byte(doc), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, size+".ft"), []byte(oneLine(doc)+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// parseSize reads "1K", "64K", "1M" or a plain byte count.
func parseSize(s string) (int, error) {
	mult, num := 1, s
	switch {
	case strings.HasSuffix(s, "K"):
		mult, num = 1024, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, num = 1024*1024, strings.TrimSuffix(s, "M")
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("latency size %q: want a positive number with optional K or M", s)
	}
	return n * mult, nil
}

// build joins texts with blank lines, cycling if needed, to n bytes, or just
// under so as to end at a rune boundary.
func build(texts []string, n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(texts[i%len(texts)])
	}
	s := b.String()
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
