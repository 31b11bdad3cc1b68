// Package model reads and writes slopguard's model file.
//
// Layout (all integers little-endian):
//
//	magic      8 bytes  "SLOPGRD\x00"
//	version    uint32   FormatVersion
//	header     uint32 length, then JSON (Header: dimensions, feature settings,
//	                    statistics' bin edges, calibration, thresholds, training metadata)
//	tokenizer  uint32 length, then the tokenizer's own encoding
//	weights    uint32 count, then count IEEE half-precision values (Header.Dim of
//	           them; version 1 files stored float32, and are still read)
//
// Version 3 has version 2's layout; its calibration may have length terms
// (Calibration.C and D), which a version 2 reader would not apply.
// Version 4, written only for a model with language models
// (features.Config.LMStats), adds after the weights:
//
//	lm         uint32 length, then the encoded features.LMPair
//
//	checksum   32 bytes SHA-256 of everything before it
//
// Read validates every part and returns an error, never panics, on a
// truncated, corrupt or foreign file.
package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/slopguard/slopguard/detector/features"
)

// Magic starts every model file.
const Magic = "SLOPGRD\x00"

// FormatVersion is the newest layout this package reads and writes; a
// model without language models is written as version 3, which is version
// 4 without the lm section. It also reads versions 1 (float32 weights) and
// 2 (no length terms in calibration).
const FormatVersion = 4

// plainVersion is the version written for a model without language models.
const plainVersion = 3

// maxSection bounds any one section, so a corrupt length cannot allocate gigabytes.
const maxSection = 256 << 20

// Calibration maps a raw score z of a text of n runes (after normalisation)
// to a probability:
//
//	p = 1 / (1 + exp(-(A·z + B + (C + D·z)·ln(1+n))))
//
// C and D let the offset and the scale depend on length: a long text sums
// more features, so its raw score runs larger than the evidence warrants.
// Models before format version 3 have C = D = 0.
type Calibration struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
	C float64 `json:"c,omitempty"`
	D float64 `json:"d,omitempty"`
}

// Prob applies the calibration to the raw score z of a text of runes runes.
func (c Calibration) Prob(z float64, runes int) float64 {
	l := math.Log1p(float64(max(runes, 0)))
	return 1 / (1 + math.Exp(-(c.A*z + c.B + (c.C+c.D*z)*l)))
}

// Thresholds turn a probability into a verdict: Machine at or above Machine,
// Human at or below Human, Unsure between.
type Thresholds struct {
	Machine float64 `json:"machine"`
	Human   float64 `json:"human"`
}

// SourceCount is how many training examples one source contributed.
type SourceCount struct {
	File    string  `json:"file"`
	Human   int     `json:"human"`
	Machine int     `json:"machine"`
	Weight  float64 `json:"weight"`
}

// Training records how a model was made, for model cards and audits.
type Training struct {
	CreatedAt string             `json:"created_at"`
	Seed      int64              `json:"seed"`
	Epochs    int                `json:"epochs"`
	Sources   []SourceCount      `json:"sources"`
	Settings  map[string]string  `json:"settings,omitempty"`
	Metrics   map[string]float64 `json:"metrics,omitempty"`
}

// Header is the JSON part of the file.
type Header struct {
	Name        string          `json:"name"`
	Features    features.Config `json:"features"`
	StatNames   []string        `json:"stat_names"`
	StatEdges   [][]float64     `json:"stat_edges"`
	Dim         int             `json:"dim"`
	Bias        float64         `json:"bias"`
	Calibration Calibration     `json:"calibration"`
	Thresholds  Thresholds      `json:"thresholds"`
	// KindThresholds are machine thresholds for groups of item kinds (see
	// KindGroup), chosen under the same false-positive rule as
	// Thresholds.Machine within each group; a group not listed, and every
	// model file made before them, uses Thresholds.Machine.
	KindThresholds map[string]float64 `json:"kind_thresholds,omitempty"`
	// MinWords is the fewest words a text needs to get a human or machine verdict.
	MinWords int      `json:"min_words"`
	Training Training `json:"training"`
}

// File is a whole model file in memory.
type File struct {
	Header    Header
	Tokenizer []byte
	Weights   []float32
	// LM is the encoded features.LMPair of a model whose features have
	// LMStats; empty otherwise.
	LM []byte
}

// Validate checks the header against itself and the weights.
func (f *File) Validate() error {
	h := &f.Header
	var errs []error
	if err := h.Features.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("features: %w", err))
	}
	if len(h.StatNames) != len(h.StatEdges) {
		errs = append(errs, fmt.Errorf("%d statistic names but %d edge lists", len(h.StatNames), len(h.StatEdges)))
	}
	if len(f.Weights) != h.Dim {
		errs = append(errs, fmt.Errorf("%d weights, header says %d", len(f.Weights), h.Dim))
	}
	for i, w := range f.Weights {
		if math.IsNaN(float64(w)) || math.IsInf(float64(w), 0) {
			errs = append(errs, fmt.Errorf("weight %d is not finite", i))
			break
		}
	}
	c := h.Calibration
	for name, x := range map[string]float64{"bias": h.Bias, "calibration.a": c.A, "calibration.b": c.B, "calibration.c": c.C, "calibration.d": c.D} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			errs = append(errs, fmt.Errorf("%s is not finite", name))
		}
	}
	t := h.Thresholds
	if !(t.Human >= 0 && t.Human <= t.Machine && t.Machine <= 1) {
		errs = append(errs, fmt.Errorf("thresholds human=%v machine=%v: want 0 <= human <= machine <= 1", t.Human, t.Machine))
	}
	for g, m := range h.KindThresholds {
		if !KnownKindGroup(g) || !(m >= t.Human && m <= 1) {
			errs = append(errs, fmt.Errorf("kind threshold %q=%v: want a known kind group and human threshold %v <= it <= 1", g, m, t.Human))
		}
	}
	if len(f.Tokenizer) == 0 {
		errs = append(errs, errors.New("no tokenizer"))
	}
	if h.Features.LMStats != (len(f.LM) > 0) {
		errs = append(errs, fmt.Errorf("lm_stats is %v but the file has %d bytes of language models", h.Features.LMStats, len(f.LM)))
	}
	return errors.Join(errs...)
}

// Marshal encodes the file, validating it first.
func (f *File) Marshal() ([]byte, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("invalid model: %w", err)
	}
	hdr, err := json.Marshal(f.Header)
	if err != nil {
		return nil, fmt.Errorf("encode header: %w", err)
	}
	var b bytes.Buffer
	b.WriteString(Magic)
	le := binary.LittleEndian
	version := uint32(plainVersion)
	if len(f.LM) > 0 {
		version = FormatVersion
	}
	b.Write(le.AppendUint32(nil, version))
	b.Write(le.AppendUint32(nil, uint32(len(hdr))))
	b.Write(hdr)
	b.Write(le.AppendUint32(nil, uint32(len(f.Tokenizer))))
	b.Write(f.Tokenizer)
	b.Write(le.AppendUint32(nil, uint32(len(f.Weights))))
	w := make([]byte, 2*len(f.Weights))
	for i, x := range f.Weights {
		le.PutUint16(w[2*i:], toHalf(x))
	}
	b.Write(w)
	if len(f.LM) > 0 {
		b.Write(le.AppendUint32(nil, uint32(len(f.LM))))
		b.Write(f.LM)
	}
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	return b.Bytes(), nil
}

// reader walks the file, turning short reads into errors.
type reader struct {
	data []byte
	off  int
}

func (r *reader) take(n int, what string) ([]byte, error) {
	if n < 0 || n > len(r.data)-r.off {
		return nil, fmt.Errorf("truncated at %s (offset %d, need %d bytes, have %d)", what, r.off, n, len(r.data)-r.off)
	}
	b := r.data[r.off : r.off+n]
	r.off += n
	return b, nil
}

func (r *reader) uint32(what string) (uint32, error) {
	b, err := r.take(4, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (r *reader) section(what string) ([]byte, error) {
	n, err := r.uint32(what + " length")
	if err != nil {
		return nil, err
	}
	if n > maxSection {
		return nil, fmt.Errorf("%s length %d exceeds %d", what, n, maxSection)
	}
	return r.take(int(n), what)
}

// Read decodes and validates a model file.
func Read(data []byte) (*File, error) {
	if len(data) < len(Magic)+4 || string(data[:len(Magic)]) != Magic {
		return nil, errors.New("not a slopguard model file (bad magic)")
	}
	r := &reader{data: data, off: len(Magic)}
	ver, _ := r.uint32("version")
	if ver < 1 || ver > FormatVersion {
		return nil, fmt.Errorf("model format version %d, this build reads versions 1 to %d", ver, FormatVersion)
	}
	if len(data) < r.off+sha256.Size {
		return nil, errors.New("truncated: no checksum")
	}
	body, stored := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], stored) {
		return nil, errors.New("checksum mismatch: the file is corrupt or truncated")
	}
	r.data = body
	hdr, err := r.section("header")
	if err != nil {
		return nil, err
	}
	f := &File{}
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f.Header); err != nil {
		return nil, fmt.Errorf("decode header: %w", err)
	}
	if dec.More() || dec.InputOffset() != int64(len(bytes.TrimRight(hdr, " \t\r\n"))) {
		return nil, errors.New("decode header: data after the header's JSON object")
	}
	if f.Tokenizer, err = r.section("tokenizer"); err != nil {
		return nil, err
	}
	n, err := r.uint32("weight count")
	if err != nil {
		return nil, err
	}
	if n > maxSection/4 {
		return nil, fmt.Errorf("weight count %d too large", n)
	}
	width := 2
	if ver == 1 {
		width = 4
	}
	wb, err := r.take(width*int(n), "weights")
	if err != nil {
		return nil, err
	}
	f.Weights = make([]float32, n)
	for i := range f.Weights {
		if ver == 1 {
			f.Weights[i] = math.Float32frombits(binary.LittleEndian.Uint32(wb[4*i:]))
		} else {
			f.Weights[i] = fromHalf(binary.LittleEndian.Uint16(wb[2*i:]))
		}
	}
	if ver >= 4 {
		if f.LM, err = r.section("language models"); err != nil {
			return nil, err
		}
	}
	if r.off != len(body) {
		return nil, fmt.Errorf("%d unexpected bytes after the weights", len(body)-r.off)
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("invalid model: %w", err)
	}
	return f, nil
}
