package train

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/evaluate"
	"github.com/slopguard/slopguard/detector/model"
)

func TestDescribeModel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		settings map[string]string
		want     string
	}{
		{"shipped settings", map[string]string{"word_ngrams": "true", "masked_ngrams": "2-4", "length_calibration": "true"},
			"Linear model over hashed token, word, character and masked-word n-grams and binned document statistics; Platt calibration with terms for length."},
		{"no word n-grams", map[string]string{"word_ngrams": "false", "masked_ngrams": "2-4", "length_calibration": "true"},
			"Linear model over hashed token, character and masked-word n-grams and binned document statistics; Platt calibration with terms for length."},
		{"no masked n-grams", map[string]string{"word_ngrams": "true", "masked_ngrams": "off", "length_calibration": "true"},
			"Linear model over hashed token, word and character n-grams and binned document statistics; Platt calibration with terms for length."},
		{"plain calibration, fewest features", map[string]string{"word_ngrams": "false", "masked_ngrams": "off", "length_calibration": "false"},
			"Linear model over hashed token and character n-grams and binned document statistics; Platt calibration."},
	}
	for _, tt := range tests {
		if got := describeModel(tt.settings); got != tt.want {
			t.Errorf("%s: describeModel = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestCardDescribesSettings trains with non-default feature settings: the
// card's sentence and settings table must say what was used.
func TestCardDescribesSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		word, masked bool
		plain        bool
		wantSettings map[string]string
		wantText     string
	}{
		{"all features", true, true, false,
			map[string]string{"word_ngrams": "true", "masked_ngrams": "2-3", "length_calibration": "true"},
			"token, word, character and masked-word n-grams"},
		{"fewest features", false, false, true,
			map[string]string{"word_ngrams": "false", "masked_ngrams": "off", "length_calibration": "false"},
			"token and character n-grams and binned document statistics; Platt calibration."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := smallOptions()
			opts.Features.WordNgrams = tt.word
			if tt.masked {
				opts.Features.MaskedNgrams = 3
			}
			opts.PlainCalibration = tt.plain
			res, err := Train(context.Background(), smallRecords(120), opts)
			if err != nil {
				t.Fatalf("Train: %v", err)
			}
			for k, want := range tt.wantSettings {
				if got := res.Card.Training.Settings[k]; got != want {
					t.Errorf("setting %s = %q, want %q", k, got, want)
				}
			}
			var b strings.Builder
			if err := res.Card.WriteMarkdown(&b); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tt.wantText) {
				t.Errorf("card lacks %q:\n%s", tt.wantText, b.String())
			}
			for k, v := range tt.wantSettings {
				if row := "| " + k + " | " + v + " |"; !strings.Contains(b.String(), row) {
					t.Errorf("card's settings lack the row %q", row)
				}
			}
		})
	}
}

// TestTrainTooLittleData gives Train records that cannot fill both parts
// with both labels: the error says so and points at no option the command
// line lacks.
func TestTrainTooLittleData(t *testing.T) {
	t.Parallel()
	oneLabel := smallRecords(40)
	for i := range oneLabel {
		oneLabel[i].Label = dataset.LabelMachine
	}
	tests := []struct {
		name string
		recs []dataset.Record
	}{
		{"no records", nil},
		{"one label", oneLabel},
		{"two records", smallRecords(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Train(context.Background(), tt.recs, smallOptions())
			if !errors.Is(err, ErrTooLittleData) {
				t.Fatalf("Train: got %v, want ErrTooLittleData", err)
			}
			if strings.Contains(err.Error(), "fraction") {
				t.Errorf("error %q suggests a hold-out fraction, which the command line cannot change", err)
			}
		})
	}
}

// The card's per-source held-out table lists exactly the sources with both
// labels among the held-out texts, in order, each measured on its own texts.
func TestHoldoutSources(t *testing.T) {
	t.Parallel()
	samples := evaluate.Scores{
		{Source: "b", Score: 0.9, Machine: true}, {Source: "b", Score: 0.1},
		{Source: "a", Score: 0.2, Machine: true}, {Source: "a", Score: 0.8}, {Source: "a", Score: 0.1},
		{Source: "human_only", Score: 0.3},
		{Source: "machine_only", Score: 0.7, Machine: true},
	}
	got := holdoutSources(samples)
	if len(got) != 2 || got[0].Group != "a" || got[1].Group != "b" {
		t.Fatalf("got groups %v, want a and b", got)
	}
	if got[0].Humans != 2 || got[0].Machines != 1 || got[0].AUROC != 0.5 {
		t.Errorf("a: got %d human, %d machine, AUROC %v; want 2, 1, 0.5", got[0].Humans, got[0].Machines, got[0].AUROC)
	}
	if got[1].AUROC != 1 {
		t.Errorf("b: got AUROC %v, want 1", got[1].AUROC)
	}
	var b strings.Builder
	if err := (Card{HoldoutSources: got}).WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| a | 2 | 1 | 0.5000 |") || strings.Contains(b.String(), "human_only") {
		t.Errorf("card table:\n%s\nwant a row per two-label source only", b.String())
	}
}

func TestCardShowsKindThresholds(t *testing.T) {
	t.Parallel()
	hold := []*example{
		{rec: dataset.Record{Kind: "pr"}, y: 0}, {rec: dataset.Record{Kind: "pr"}, y: 0},
		{rec: dataset.Record{Kind: "pr"}, y: 1}, {rec: dataset.Record{Kind: "pr"}, y: 1},
		{rec: dataset.Record{Domain: "essay"}, y: 1},
	}
	probs := []float64{0.1, 0.5, 0.95, 0.7, 0.99}
	h := model.Header{Thresholds: model.Thresholds{Machine: 0.99, Human: 0.35}, KindThresholds: map[string]float64{model.KindGroupPR: 0.6}}
	got := kindThresholds(&h, hold, probs, DefaultOptions())
	want := []KindThreshold{{Group: "pr", Threshold: 0.6, Humans: 2, Machines: 2, FPR: 0, Recall: 1, DefaultFPR: 0, DefaultRecall: 0, SetBy: setByPooled}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("kindThresholds = %+v, want %+v", got, want)
	}
	var b strings.Builder
	if err := (Card{Thresholds: h.Thresholds, KindThresholds: got}).WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if row := "| pr | PR descriptions and titles | 0.6000 | pooled | 2 | 2 | 0.0000 | 1.0000 | 0.0000 |"; !strings.Contains(b.String(), row) {
		t.Errorf("card lacks the kind threshold row %q:\n%s", row, b.String())
	}
	b.Reset()
	if err := (Card{Thresholds: h.Thresholds}).WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "per kind") {
		t.Error("a card without kind thresholds mentions them")
	}
}
