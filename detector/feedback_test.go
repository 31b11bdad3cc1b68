package detector_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/detector/evaluate"
	"github.com/slopguard/slopguard/detector/train"
)

// TestFeedbackImprovesModel shows the before/after of retraining with a
// project's feedback. In this project people write formal "kindly note"
// notices, which the fixture-trained model takes for generated text, and a
// bot posts casual-sounding one-liners: maintainers label both. On a separate
// synthetic evaluation set of the two styles, AUROC must rise.
func TestFeedbackImprovesModel(t *testing.T) {
	base, err := dataset.Read([]string{"testdata/tiny.jsonl"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	humanStyle := func(i int) string {
		return fmt.Sprintf("Kindly note that the module %d has been duly updated as per the requirement and the needful has been done for release %d. Kindly revert for any further clarification.", i, i+3)
	}
	machineStyle := func(i int) string {
		return fmt.Sprintf("pushed a fix for %d, the flag was inverted lol. ping me if %d still acts up", i, i+3)
	}
	var feedback []dataset.Record
	for i := 0; i < 12; i++ {
		feedback = append(feedback,
			dataset.Record{Text: machineStyle(i), Label: "machine", File: "feedback", ID: fmt.Sprint("fm", i), Group: fmt.Sprint("fm", i), Split: "train"},
			dataset.Record{Text: humanStyle(i), Label: "human", File: "feedback", ID: fmt.Sprint("fh", i), Group: fmt.Sprint("fh", i), Split: "train"})
	}
	var evalSet []dataset.Record
	for i := 100; i < 120; i++ {
		evalSet = append(evalSet,
			dataset.Record{Text: machineStyle(i), Label: "machine", File: "eval"},
			dataset.Record{Text: humanStyle(i), Label: "human", File: "eval"})
	}
	measure := func(recs []dataset.Record) float64 {
		res, err := train.Train(context.Background(), recs, tinyOptions(10))
		if err != nil {
			t.Fatal(err)
		}
		d, err := detector.FromFile(res.File)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := evaluate.Run(context.Background(), d, evalSet, evaluate.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return rep.Overall.AUROC
	}
	before := measure(base)
	after := measure(append(append([]dataset.Record(nil), base...), feedback...))
	t.Logf("AUROC on the project's own styles: before feedback %.3f, after %.3f", before, after)
	if after <= before || after < 0.9 {
		t.Errorf("AUROC after feedback %.3f, before %.3f: want a rise to at least 0.9", after, before)
	}
}
