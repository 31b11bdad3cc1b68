package generalise

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/features"
	"github.com/slopguard/slopguard/detector/train"
)

func rec(file, label, group, gen string) dataset.Record {
	return dataset.Record{File: file, Dir: "d", Label: label, Group: group, ID: group + label + gen, Generator: gen, Text: file + group + label + gen, Split: "train"}
}

func TestSourceUnits(t *testing.T) {
	recs := []dataset.Record{
		rec("both", "human", "g1", ""), rec("both", "machine", "g1", "x"),
		rec("answers_human", "human", "q1", ""), rec("answers_human", "human", "q2", ""),
		rec("answers_bot", "machine", "q1", "x"), rec("answers_bot", "machine", "q2", "x"), rec("answers_bot", "machine", "q3", "x"),
		rec("other_bot", "machine", "z1", "x"), rec("other_human", "human", "y1", ""),
	}
	var got []string
	for _, u := range SourceUnits(recs) {
		got = append(got, u.Name())
	}
	want := "answers_human+answers_bot both"
	if strings.Join(got, " ") != want {
		t.Errorf("units %q, want %q", got, want)
	}
}

func TestParseFamilies(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
		err      string
	}{
		{"ok", "generator\tfamily\tmaker\ngpt-4\topenai-gpt4\tOpenAI\nclaude-2\tanthropic-claude\tAnthropic\n\n",
			map[string]string{"gpt-4": "openai-gpt4", "claude-2": "anthropic-claude"}, ""},
		{"columns in another order", "family\tgenerator\nmeta-llama\tllama-3-8b\n", map[string]string{"llama-3-8b": "meta-llama"}, ""},
		{"no header", "gpt-4\topenai-gpt4\n", nil, "header"},
		{"short line", "generator\tfamily\ngpt-4\n", nil, ":2:"},
		{"empty", "generator\tfamily\n", nil, "no generators"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFamilies(strings.NewReader(tt.in), "f.tsv")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: got %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestSplice(t *testing.T) {
	doc := "intro\n<!-- loo:begin -->\nold\n<!-- loo:end -->\nafter\n"
	got, err := Splice(doc, "loo", "new table\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "intro\n<!-- loo:begin -->\nnew table\n<!-- loo:end -->\nafter\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := Splice(doc, "lofo", "x"); err == nil {
		t.Error("a missing section: no error")
	}
}

func TestCapPerSourceLabelIsStable(t *testing.T) {
	var recs []dataset.Record
	for i := range 50 {
		recs = append(recs, rec("a", "human", string(rune('A'+i)), ""), rec("a", "machine", string(rune('A'+i)), "x"))
	}
	a, b := capPerSourceLabel(recs, 7), capPerSourceLabel(recs[:], 7)
	if len(a) != 14 {
		t.Fatalf("kept %d, want 7 per label", len(a))
	}
	for i := range a {
		if a[i].ID != b[i].ID {
			t.Fatalf("two runs kept different records")
		}
	}
}

func TestSummarise(t *testing.T) {
	s := Summarise([]Row{{AUROC: 0.9, Recall: 0.5, FPR: 0.01}, {AUROC: math.NaN(), Recall: 0.2, FPR: 0}, {AUROC: 0.7, Recall: math.NaN(), FPR: math.NaN()}})
	if s.N != 2 || math.Abs(s.MeanAUROC-0.8) > 1e-12 || s.MinAUROC != 0.7 || s.MinRecall != 0.2 || s.MaxFPR != 0.01 {
		t.Errorf("got %+v", s)
	}
}

// TestFoldsOnFixtures runs both benchmarks end to end on the detector's
// fixture texts: a family left out is scored, the rest trained on.
func TestFoldsOnFixtures(t *testing.T) {
	recs, err := dataset.Read([]string{"../testdata/tiny.jsonl"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Split the fixtures into two sources and two families.
	for i := range recs {
		recs[i].Split = "train"
		if i%2 == 0 {
			recs[i].File = "even"
		} else {
			recs[i].File = "odd"
		}
		if recs[i].Machine() {
			recs[i].Generator = []string{"g-a", "g-b"}[i%4/2]
		}
	}
	// Both sources' dev humans are what a left-out family is compared with.
	for i := range recs {
		if !recs[i].Machine() && i%3 == 0 {
			recs[i].Split = "dev"
		}
	}
	opts := train.DefaultOptions()
	opts.Features = features.Config{Hashing: features.CurrentHashing, HashBits: 12, CharMin: 3, CharMax: 4, StatBins: 4}
	opts.VocabSize = 300
	opts.HoldoutFraction = 0.4
	opts.Epochs = 3
	opts.Workers = 1
	opts.SkipChecks = true
	o := Options{Train: opts, Families: map[string]string{"g-a": "fam-a", "g-b": "fam-b"}}
	fams, unknown := Families(recs, o.Families)
	if strings.Join(fams, ",") != "fam-a,fam-b" || len(unknown) != 0 {
		t.Fatalf("families %v, unknown %v", fams, unknown)
	}
	rows, err := LeaveFamilyOut(context.Background(), recs, []string{"fam-a"}, o)
	if err != nil {
		t.Skipf("the fixtures are too few for this split: %v", err)
	}
	if len(rows) != 1 || rows[0].Machines == 0 || rows[0].Humans == 0 || math.IsNaN(rows[0].AUROC) {
		t.Fatalf("rows %+v", rows)
	}
	var b strings.Builder
	if err := WriteTable(&b, "left-out family", rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| fam-a |") || !strings.Contains(b.String(), "Mean AUROC") {
		t.Errorf("table:\n%s", b.String())
	}
}
