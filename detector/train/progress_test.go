package train

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/features"
)

// TestProgressOutOfRange feeds bars counts outside [0, total]: drawing them
// must not panic, and the bar shows the count clamped.
func TestProgressOutOfRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		total int
		adds  []int
		want  string
	}{
		{"past the total", 10, []int{4096}, "100%"},
		{"past the total twice", 300, []int{4096, 4096}, "100%"},
		{"below zero", 10, []int{-5}, "  0%"},
		{"zero total", 0, []int{3}, "100%"},
		{"within the total", 10, []int{5}, " 50%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			p := newProgress(&b, "stage", tt.total)
			for _, n := range tt.adds {
				p.add(n)
			}
			p.mu.Lock()
			p.draw(true)
			p.mu.Unlock()
			lines := strings.Split(b.String(), "\r")
			if last := lines[len(lines)-1]; !strings.Contains(last, tt.want) {
				t.Errorf("bar after adding %v of %d = %q, want it to show %q", tt.adds, tt.total, last, tt.want)
			}
			p.finish()
		})
	}
}

// smallRecords returns n split=train records, alternately human (informal)
// and machine (formal), each its own group.
func smallRecords(n int) []dataset.Record {
	human := []string{"lol yeah that broke for me too", "idk, tried it twice and it still crashes", "ok so i poked at it again", "ugh this again, fixed it locally though"}
	machine := []string{"This change improves the robustness of the implementation.", "Additionally, it ensures consistent handling of edge cases.", "The refactoring enhances maintainability and readability.", "Furthermore, comprehensive tests have been added."}
	recs := make([]dataset.Record, n)
	for i := range recs {
		r := dataset.Record{ID: fmt.Sprint(i), Group: fmt.Sprint(i), Split: "train", File: "small", Label: dataset.LabelHuman}
		if i%2 == 0 {
			r.Text = fmt.Sprintf("%s and %s, run %d", human[i%4], human[(i/2)%4], i)
		} else {
			r.Label = dataset.LabelMachine
			r.Text = fmt.Sprintf("%s %s Iteration %d.", machine[i%4], machine[(i/2)%4], i)
		}
		recs[i] = r
	}
	return recs
}

// smallOptions are settings that train on smallRecords in well under a second.
func smallOptions() Options {
	opts := DefaultOptions()
	opts.Features = features.Config{Hashing: features.CurrentHashing, HashBits: 12, CharMin: 3, CharMax: 4, StatBins: 4, TokenBigrams: true}
	opts.VocabSize = 300
	opts.Epochs = 2
	opts.HoldoutFraction = 0.3
	opts.Workers = 2
	return opts
}

// TestTrainSmallWithProgress trains on fewer examples than one progress
// chunk of the fit with progress bars on, which used to panic.
func TestTrainSmallWithProgress(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	opts := smallOptions()
	opts.Progress = &b
	res, err := Train(context.Background(), smallRecords(200), opts)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	if res.File == nil {
		t.Fatal("Train returned no model")
	}
	for _, want := range []string{"fitting epoch 2/2", "100%"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("progress output lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "%!") {
		t.Errorf("progress output has a formatting error:\n%s", b.String())
	}
}
