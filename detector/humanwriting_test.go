package detector_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/slopguard/slopguard/detector"
)

// TestHumanWritingIsNotFlagged guards the best-known failure of detectors:
// flagging simple, correct or formal human English. The texts in
// testdata/human-writing were written for this test in the manner of
// non-native English (an issue, an essay, a PR description, a formal request,
// a story), a plain security report and a terse code review. They are a
// small sentinel, not a measurement: the embedded model must not call any of
// them machine-written.
func TestHumanWritingIsNotFlagged(t *testing.T) {
	d, err := detector.Default()
	if err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob("testdata/human-writing/*.txt")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no texts: %v", err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			text, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if res := d.Score(string(text)); res.Verdict == detector.Machine {
				t.Errorf("got machine (score %.3f, reasons %+v), want human or unsure", res.Score, res.Reasons)
			}
		})
	}
}
