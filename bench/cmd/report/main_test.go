package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseScore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, line string
		want       float64
		wantErr    bool
	}{
		{"plain number", "0.25", 0.25, false},
		{"slopguard JSON", `{"id":"a","text":"hi","score":0.75,"verdict":"unsure"}`, 0.75, false},
		{"fastText machine first", "__label__machine 0.9 __label__human 0.1", 0.9, false},
		{"fastText human first", "__label__human 0.8 __label__machine 0.2", 0.2, false},
		{"fastText k=1 human only", "__label__human 0.7", 0.3, false},
		{"JSON without score", `{"line":3,"error":"bad"}`, 0, true},
		{"garbage", "n/a", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseScore(tt.line)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseScore(%q) error = %v, want error %v", tt.line, err, tt.wantErr)
			}
			if !tt.wantErr && math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("parseScore(%q) = %v, want %v", tt.line, got, tt.want)
			}
		})
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

// speedSystems are the four systems of one run as bench/run.sh leaves their
// metrics: fastText's default model loads slowly, the small one quickly.
func speedSystems() []*system {
	return []*system{
		{name: "fasttext", kv: map[string]string{"status": "ok", "train_s": "100", "train_rss_kb": "1228800",
			"score_s": "6.0", "score_rss_kb": "1126400", "cold_s": "4.0", "model_bytes": "1000000000"}},
		{name: "fasttext_small", kv: map[string]string{"status": "ok", "train_s": "50", "train_rss_kb": "102400",
			"score_s": "2.2", "score_rss_kb": "51200", "cold_s": "0.2", "model_bytes": "40000000"}},
		{name: "sklearn", kv: map[string]string{"status": "skipped", "reason": "not installed"}},
		{name: "slopguard", kv: map[string]string{"status": "ok", "train_s": "150", "train_rss_kb": "204800",
			"score_s": "1.1", "score_rss_kb": "92160", "cold_s": "0.1", "check_rss_kb": "58368", "model_bytes": "5000000"}},
	}
}

func TestWriteSpeedGolden(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	writeSpeed(p, 20000, 8000000, 1155, speedSystems())
	golden := filepath.Join("testdata", "speed.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("writeSpeed output differs from %s (run with -update after checking):\n%s", golden, got)
	}
}

func TestRatioCell(t *testing.T) {
	t.Parallel()
	const ndocs = 20000
	sys := speedSystems()
	ft, small, sklearn, sg := sys[0], sys[1], sys[2], sys[3]
	noisy := &system{name: "fasttext_small", kv: map[string]string{"status": "ok", "score_s": "0.3", "cold_s": "0.4"}}
	untimed := &system{name: "fasttext_small", kv: map[string]string{"status": "ok"}}
	whole := func(kv map[string]string) float64 { return wholeRate(kv, ndocs) }
	loaded := func(kv map[string]string) float64 { return loadedRate(kv, ndocs) }
	tests := []struct {
		name string
		a, b *system
		rate func(map[string]string) float64
		want string
	}{
		// 20000/1.1 over 20000/6.0 = 6.0/1.1.
		{"whole process against fastText", sg, ft, whole, "×5.45"},
		// 20000/1.0 over 20000/2.0: load time no longer hides fastText's speed.
		{"model loaded against fastText", sg, ft, loaded, "×2.00"},
		{"whole process against fastText-small", sg, small, whole, "×2.00"},
		{"model loaded against fastText-small", sg, small, loaded, "×2.00"},
		{"reference skipped", sg, sklearn, whole, "—"},
		{"reference missing", sg, nil, whole, "—"},
		{"cold start longer than the whole run", sg, noisy, loaded, "—"},
		{"no timings", sg, untimed, whole, "—"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ratioCell(tt.a, tt.b, tt.rate); got != tt.want {
				t.Errorf("ratioCell = %q, want %q", got, tt.want)
			}
		})
	}
}
