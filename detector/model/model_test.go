package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector/features"
)

func testFile(t *testing.T) *File {
	t.Helper()
	cfg := features.Config{Hashing: features.CurrentHashing, HashBits: 8, CharMin: 3, CharMax: 5, StatBins: 4, TokenBigrams: true}
	edges := make([][]float64, len(features.Stats))
	var names []string
	for i, s := range features.Stats {
		edges[i] = []float64{0, 1, 2}
		names = append(names, s.Name)
	}
	dim := 1<<8 + len(features.Stats)*4
	w := make([]float32, dim)
	for i := range w {
		w[i] = float32(i%7) / 10
	}
	return &File{
		Header: Header{
			Name: "test", Features: cfg, StatNames: names, StatEdges: edges, Dim: dim, Bias: -0.5,
			Calibration: Calibration{A: 1.5, B: 0.1}, Thresholds: Thresholds{Machine: 0.9, Human: 0.3}, MinWords: 4,
		},
		Tokenizer: []byte("tokenizer bytes"),
		Weights:   w,
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	f := testFile(t)
	data, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := g.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Errorf("re-encoding a read file changed its bytes")
	}
	if g.Header.Thresholds != f.Header.Thresholds || g.Weights[5] != f.Weights[5] || string(g.Tokenizer) != string(f.Tokenizer) {
		t.Errorf("read back %+v, want %+v", g.Header, f.Header)
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	good, err := testFile(t).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x40
		return b
	}
	wrongVersion := bytes.Clone(good)
	binary.LittleEndian.PutUint32(wrongVersion[len(Magic):], 99)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "bad magic"},
		{"foreign", []byte("PK\x03\x04 some zip file here"), "bad magic"},
		{"wrong version", wrongVersion, "version 99"},
		{"truncated", good[:len(good)/2], "checksum"},
		{"truncated to header", good[:len(Magic)+6], "checksum"},
		{"flipped weight byte", flip(len(good) - 100), "checksum"},
		{"flipped header byte", flip(len(Magic) + 12), "checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read: got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestValidateRejectsInconsistentFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(f *File)
		want   string
	}{
		{"weights short", func(f *File) { f.Weights = f.Weights[:10] }, "weights"},
		{"thresholds inverted", func(f *File) { f.Header.Thresholds = Thresholds{Machine: 0.2, Human: 0.8} }, "thresholds"},
		{"no tokenizer", func(f *File) { f.Tokenizer = nil }, "tokenizer"},
		{"bad features", func(f *File) { f.Header.Features.HashBits = 40 }, "hash_bits"},
		{"calibration length term not finite", func(f *File) { f.Header.Calibration.D = math.NaN() }, "calibration.d"},
		{"unknown kind group", func(f *File) { f.Header.KindThresholds = map[string]float64{"essay": 0.9} }, "kind threshold"},
		{"kind threshold below human", func(f *File) { f.Header.KindThresholds = map[string]float64{KindGroupPR: 0.1} }, "kind threshold"},
		{"kind threshold not finite", func(f *File) { f.Header.KindThresholds = map[string]float64{KindGroupPR: math.NaN()} }, "kind threshold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFile(t)
			tt.mutate(f)
			if _, err := f.Marshal(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Marshal: got %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestCalibrationProb(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cal   Calibration
		z     float64
		runes int
		want  float64
	}{
		{"identity at 0", Calibration{A: 1}, 0, 100, 0.5},
		{"plain Platt ignores length", Calibration{A: 2, B: -1}, 1, 5000, 1 / (1 + math.Exp(-1))},
		{"offset per log length", Calibration{A: 1, C: -1}, math.Log(11), 10, 0.5},
		{"scale shrinks with length", Calibration{A: 1, D: -0.1}, 3, math.MaxInt32, 1 / (1 + math.Exp(-3*(1-0.1*math.Log1p(math.MaxInt32))))},
		{"negative length reads as empty", Calibration{A: 1, C: 5}, 0, -3, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.Prob(tt.z, tt.runes); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Prob(%v, %d) = %v, want %v", tt.z, tt.runes, got, tt.want)
			}
		})
	}
}

// TestReadsOlderVersions round-trips length terms, and reads a file
// without them stamped version 2, whose layout version 3 keeps.
func TestReadsOlderVersions(t *testing.T) {
	t.Parallel()
	f := testFile(t)
	f.Header.Calibration.C, f.Header.Calibration.D = 0.5, -0.1
	data, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if g.Header.Calibration != f.Header.Calibration {
		t.Errorf("calibration read back as %+v, want %+v", g.Header.Calibration, f.Header.Calibration)
	}
	old := testFile(t) // no length terms, as a version 2 file has
	data, err = old.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Clone(data[:len(data)-sha256.Size])
	binary.LittleEndian.PutUint32(body[len(Magic):], 2)
	sum := sha256.Sum256(body)
	g, err = Read(append(body, sum[:]...))
	if err != nil {
		t.Fatalf("reading a version 2 file: %v", err)
	}
	if g.Header.Calibration != old.Header.Calibration || g.Weights[5] != old.Weights[5] {
		t.Errorf("version 2 file read back as %+v", g.Header.Calibration)
	}
}

func FuzzRead(f *testing.F) {
	good, err := testFile(&testing.T{}).Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:40])
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Read(data)
		if err == nil {
			if _, err := file.Marshal(); err != nil {
				t.Errorf("a file Read accepted does not re-encode: %v", err)
			}
		}
	})
}

// FuzzReadBody mutates the body and re-seals it with a valid checksum, so the
// fuzzer reaches the header, tokenizer and weight parsing behind the checksum.
func FuzzReadBody(f *testing.F) {
	good, err := testFile(&testing.T{}).Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good[:len(good)-sha256.Size])
	f.Fuzz(func(t *testing.T, body []byte) {
		sum := sha256.Sum256(body)
		file, err := Read(append(bytes.Clone(body), sum[:]...))
		if err == nil {
			if err := file.Validate(); err != nil {
				t.Errorf("Read accepted an invalid file: %v", err)
			}
		}
	})
}

func TestLanguageModelsSection(t *testing.T) {
	t.Parallel()
	plain, err := testFile(t).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if v := binary.LittleEndian.Uint32(plain[len(Magic):]); v != 3 {
		t.Errorf("a model without language models is written as version %d, want 3", v)
	}
	f := testFile(t)
	f.Header.Features.LMStats = true
	if _, err := f.Marshal(); err == nil || !strings.Contains(err.Error(), "lm_stats") {
		t.Errorf("lm_stats without language models: got %v, want an error naming lm_stats", err)
	}
	f.LM = []byte("encoded language models")
	data, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if v := binary.LittleEndian.Uint32(data[len(Magic):]); v != FormatVersion {
		t.Errorf("a model with language models is written as version %d, want %d", v, FormatVersion)
	}
	g, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if string(g.LM) != string(f.LM) {
		t.Errorf("read back language models %q, want %q", g.LM, f.LM)
	}
	old, err := Read(plain)
	if err != nil || len(old.LM) != 0 {
		t.Errorf("version 3 file: err %v, %d bytes of language models; want none of either", err, len(old.LM))
	}
}
