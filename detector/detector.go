package detector

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/slopguard/slopguard/detector/features"
	"github.com/slopguard/slopguard/detector/model"
	"github.com/slopguard/slopguard/detector/normalize"
	"github.com/slopguard/slopguard/detector/tokenize"
)

// MaxScoredBytes caps how much of a text is scored. A longer text is scored on
// a sample: its first SampleHeadBytes and last MaxScoredBytes-SampleHeadBytes
// bytes (cut at UTF-8 boundaries), and the Result says so. This bounds the
// time and memory one text can take, whatever its size.
const (
	MaxScoredBytes  = 64 << 10
	SampleHeadBytes = 48 << 10
)

// maxNormalizedBytes caps the normalised text: NFKC can lengthen a text
// many times over, so the cap before normalising is not enough on its own.
const maxNormalizedBytes = 2 * MaxScoredBytes

// Detector scores texts with one loaded model. It is read-only after
// construction and safe for concurrent use.
type Detector struct {
	file      *model.File
	tok       *tokenize.Tokenizer
	ext       *features.Extractor
	weights   []float32
	baselines []float64 // per statistic: mean weight of its reachable bins
	// statTexts[s][b][h] is statistic s's reason text for bin b, below
	// (h = 0) or above (h = 1) the training median (see reasons).
	statTexts [][][2]string
	buffers   sync.Pool
}

type buffers struct {
	ids   []int32
	vec   features.Vector
	stats []float64
	doc   features.Doc
	// For explaining: each token's byte range, and each vec entry's
	// contribution to the raw score, in vec order.
	tokSpans [][2]int
	contrib  []float64
	// phraseReasons' storage: its difference array, words, phrase and
	// word entries with their index by key, masked and layout patterns.
	diff       []float64
	words      []textWord
	entries    []phraseEntry
	entryIndex map[string]int
	masked     []pattern
	layout     []pattern
	// presenceEntries' storage: its table of (group, bucket) keys and
	// their vector entries, the n-gram places and each entry's count.
	slotKey   []uint64
	slotEntry []int32
	places    []place
	counts    []int32
}

//go:embed default.model
var defaultModel []byte

var (
	defaultOnce sync.Once
	defaultDet  *Detector
	defaultErr  error
)

// Default returns the detector built from the model embedded in the binary.
// It is loaded once and shared.
func Default() (*Detector, error) {
	defaultOnce.Do(func() {
		defaultDet, defaultErr = Load(defaultModel)
		if defaultErr != nil {
			defaultErr = fmt.Errorf("embedded model: %w", defaultErr)
		}
	})
	return defaultDet, defaultErr
}

// Load builds a detector from a model file's bytes, validating everything.
func Load(data []byte) (*Detector, error) {
	f, err := model.Read(data)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	return FromFile(f)
}

// FromFile builds a detector from a decoded model file.
func FromFile(f *model.File) (*Detector, error) {
	h := &f.Header
	stats := features.StatsFor(h.Features)
	if len(h.StatNames) != len(stats) {
		return nil, fmt.Errorf("load model: trained with %d statistics, this build has %d", len(h.StatNames), len(stats))
	}
	for i, name := range h.StatNames {
		if stats[i].Name != name {
			return nil, fmt.Errorf("load model: statistic %d is %q, this build has %q", i, name, stats[i].Name)
		}
	}
	tok, err := tokenize.Unmarshal(f.Tokenizer)
	if err != nil {
		return nil, fmt.Errorf("load model: tokenizer: %w", err)
	}
	var lm *features.LMPair
	if len(f.LM) > 0 {
		if lm, err = features.UnmarshalLMPair(f.LM); err != nil {
			return nil, fmt.Errorf("load model: %w", err)
		}
		if len(lm.Enders) != tok.VocabSize() {
			return nil, fmt.Errorf("load model: language models for %d token ids, tokenizer has %d", len(lm.Enders), tok.VocabSize())
		}
	}
	ext, err := features.NewExtractorLM(h.Features, h.StatEdges, lm)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	if ext.Dim() != h.Dim {
		return nil, fmt.Errorf("load model: feature space has %d dimensions, weights %d", ext.Dim(), h.Dim)
	}
	d := &Detector{file: f, tok: tok, ext: ext, weights: f.Weights}
	d.baselines = make([]float64, len(stats))
	for s := range stats {
		var sum float64
		n := 0
		for b := 0; b < h.Features.StatBins; b++ {
			if binReachable(h.StatEdges[s], b) {
				sum += float64(d.weights[ext.StatFeature(s, b)])
				n++
			}
		}
		d.baselines[s] = sum / float64(n)
	}
	d.statTexts = statReasonTexts(ext.Stats(), h.Features.StatBins)
	d.buffers.New = func() any { return &buffers{} }
	return d, nil
}

// binReachable reports whether some value falls into bin b given the edges
// (repeated edges leave the bins between them empty).
func binReachable(edges []float64, b int) bool {
	return b == 0 || b == len(edges) || edges[b-1] < edges[b]
}

// Version identifies the model, for audit logs and reports.
func (d *Detector) Version() string { return d.file.Header.Name }

// Threshold is the score at or above which the model says Machine for a
// text of no known kind (the default threshold).
func (d *Detector) Threshold() float64 { return d.file.Header.Thresholds.Machine }

// ThresholdFor is the score at or above which the model says Machine for an
// item of kind kind ("pr", "issue", "comment", "review", "review_comment",
// "commit", "message", …; see model.KindGroup): the kind group's own
// threshold when the model file has one, else Threshold.
func (d *Detector) ThresholdFor(kind string) float64 {
	return d.file.Header.MachineThreshold(kind, "")
}

// Header returns the model file's header (read-only).
func (d *Detector) Header() model.Header { return d.file.Header }

// Tokenizer returns the model's tokenizer.
func (d *Detector) Tokenizer() *tokenize.Tokenizer { return d.tok }

// Extractor returns the model's feature extractor.
func (d *Detector) Extractor() *features.Extractor { return d.ext }

// raw computes the uncalibrated score z = w·x + b of a normalised text, the
// statistics' values and the document split (for the unjudgeable checks).
// When explain is set it also keeps, for the reasons, the tokens' byte
// ranges and each feature's contribution to z.
func (d *Detector) raw(text string, buf *buffers, explain bool) (float64, []float64, *features.Doc) {
	if explain {
		buf.ids, buf.tokSpans = d.tok.Spans(text, buf.ids[:0], buf.tokSpans[:0])
	} else {
		buf.ids = d.tok.IDs(text, buf.ids[:0])
	}
	buf.vec.Reset()
	doc := &buf.doc
	doc.Parse(text)
	buf.stats = d.ext.ExtractDoc(doc, buf.ids, &buf.vec, buf.stats)
	z := d.file.Header.Bias
	if !explain {
		for i, idx := range buf.vec.Idx {
			z += float64(d.weights[idx]) * float64(buf.vec.Val[i])
		}
		return z, buf.stats, doc
	}
	buf.contrib = slices.Grow(buf.contrib[:0], len(buf.vec.Idx))
	for i, idx := range buf.vec.Idx {
		c := float64(d.weights[idx]) * float64(buf.vec.Val[i])
		buf.contrib = append(buf.contrib, c)
		z += c
	}
	return z, buf.stats, doc
}

// Score scores one text and explains the score. It never panics and never
// fails: a text that cannot be judged gets Unsure with a Note saying why.
func (d *Detector) Score(text string) Result { return d.score(text, "", true) }

// ScoreKind is Score for an item of kind kind: the verdict uses
// ThresholdFor(kind) instead of Threshold. The score is the same.
func (d *Detector) ScoreKind(text, kind string) Result { return d.score(text, kind, true) }

// ScoreOnly is Score without Reasons, for bulk scoring where nobody reads
// them (the score and eval commands): the same Score, Verdict and Note.
func (d *Detector) ScoreOnly(text string) Result { return d.score(text, "", false) }

// ScoreOnlyKind is ScoreKind without Reasons.
func (d *Detector) ScoreOnlyKind(text, kind string) Result { return d.score(text, kind, false) }

func (d *Detector) score(text, kind string, explain bool) (res Result) {
	defer func() {
		if r := recover(); r != nil {
			res = Result{Score: 0, Verdict: Unsure, CannotJudge: true, Note: fmt.Sprintf("internal error while scoring: %v", r)}
		}
	}()
	sample, toOriginal, seam := sampleText(text)
	norm := normalize.Normalize(sample)
	// NFKC can make a text longer (U+FDFA becomes 18 characters): bound
	// what is scored after normalising too, or a small input costs
	// hundreds of megabytes.
	cut := len(norm.S) > maxNormalizedBytes
	if cut {
		norm = norm.Truncate(maxNormalizedBytes)
	}
	// Reasons quote the text as normalised, before the model's own step
	// (a moderator searches the text for "IPAddressHolder", not
	// "Ipaddressholder"). Prepare keeps every byte offset, so both share
	// norm's map to the original text.
	quoted := norm
	norm.S = d.file.Header.Features.Prepare(norm.S)
	buf := d.buffers.Get().(*buffers)
	defer d.buffers.Put(buf)
	z, stats, doc := d.raw(norm.S, buf, explain)
	h := &d.file.Header
	res.Score = h.Calibration.Prob(z, doc.Runes)
	why := d.unjudgeable(doc)
	switch {
	case math.IsNaN(res.Score):
		res.Score, res.Verdict, why = 0, Unsure, "the model produced no score"
		res.CannotJudge = true
	case why != "":
		res.Verdict, res.CannotJudge = Unsure, true
	case res.Score >= d.ThresholdFor(kind):
		res.Verdict = Machine
	case res.Score <= h.Thresholds.Human:
		res.Verdict = Human
	default:
		res.Verdict = Unsure
		why = "between the human and machine thresholds: not enough evidence either way"
	}
	res.Note = why
	switch {
	case len(sample) < len(text):
		res.Sampled = true
		res.Note = joinNote(why, fmt.Sprintf("text of %d bytes: scored on a sample, its first %d KiB and last %d KiB", len(text), SampleHeadBytes>>10, (MaxScoredBytes-SampleHeadBytes)>>10))
	case cut:
		res.Sampled = true
		res.Note = joinNote(why, fmt.Sprintf("the text grows past %d KiB when normalised: scored on its first %d KiB", maxNormalizedBytes>>10, maxNormalizedBytes>>10))
	}
	if explain {
		// A text the model cannot judge gets no evidence either way: only
		// the note on hidden characters, if any.
		withEvidence := !res.CannotJudge
		res.Reasons = d.reasons(quoted, doc, buf, stats, withEvidence && res.Verdict != Human, toOriginal, seam)
		if !withEvidence {
			res.Reasons = slices.DeleteFunc(res.Reasons, func(r Reason) bool { return r.Signal != SignalHiddenCharacters })
		}
		putVerdictFirst(res.Reasons, res.Verdict)
		if res.Verdict == Unsure && !res.CannotJudge {
			// In between: what moved the score is real but not enough.
			for i := range res.Reasons {
				if res.Reasons[i].Signal != SignalHiddenCharacters {
					res.Reasons[i].Text = WeakPrefix + res.Reasons[i].Text
				}
			}
		}
	}
	return res
}

// putVerdictFirst moves the reasons that point the verdict's way (towards
// machine for a machine verdict, towards human for a human one) before
// those that point against it, keeping the order within each; the note on
// hidden characters stays last. An unsure verdict keeps the order by weight.
func putVerdictFirst(rs []Reason, v Verdict) {
	var sign float64
	switch v {
	case Machine:
		sign = 1
	case Human:
		sign = -1
	default:
		return
	}
	rank := func(r Reason) int {
		switch {
		case r.Signal == SignalHiddenCharacters:
			return 2
		case r.Weight*sign < 0:
			return 1
		}
		return 0
	}
	slices.SortStableFunc(rs, func(a, b Reason) int { return rank(a) - rank(b) })
}

// WeakPrefix begins the text of every reason of a text whose score lies
// between the human and machine thresholds: the signals moved the score,
// but not far enough for a verdict.
const WeakPrefix = "weak evidence, not enough for a verdict: "

func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// unjudgeable says why a text cannot be judged, or "".
func (d *Detector) unjudgeable(doc *features.Doc) string {
	switch words := doc.LetterWords; {
	case words < d.file.Header.MinWords:
		return "too short to judge"
	case float64(doc.Latin) < 0.6*float64(doc.Letters):
		return "written mostly in a script the model was not trained on"
	case words >= 20 && float64(doc.FunctionWords) < 0.08*float64(words):
		return "does not look like English, the only language the model was trained on"
	}
	return ""
}

// sampleText returns text itself when it is within MaxScoredBytes, else its
// head and tail joined by a newline, with a function mapping sample offsets
// back to text offsets and the offset of the joining newline (-1 when text
// is not sampled).
func sampleText(text string) (string, func(int) int, int) {
	if len(text) <= MaxScoredBytes {
		return text, func(i int) int { return i }, -1
	}
	head := normalize.RuneFloor(text, SampleHeadBytes)
	tailStart := runeCeil(text, len(text)-(MaxScoredBytes-SampleHeadBytes))
	sample := text[:head] + "\n" + text[tailStart:]
	return sample, func(i int) int {
		if i <= head {
			return i
		}
		return tailStart + i - head - 1
	}, head
}

func runeCeil(s string, i int) int {
	for i < len(s) && s[i]&0xC0 == 0x80 {
		i++
	}
	return i
}
