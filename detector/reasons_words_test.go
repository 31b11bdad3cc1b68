package detector_test

import (
	"math"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/detector/features"
	"github.com/slopguard/slopguard/detector/model"
)

// essay is written the way a student writing in a second language might:
// plain words, many "you" and "and".
const essay = `I think you should do sport every day and you will feel better. When you do sport you sleep better and you eat better. ` +
	`My friend and me go to the gym and we run and we swim. You can also walk to school and you can take the bike. ` +
	`In my country many people do not do sport and they are tired and sad. If you want to be happy you must move and you must eat good food.`

// quotedWord is the word or phrase a "phrase" reason quotes, and which
// of the two it is.
var quotedWord = regexp.MustCompile(`^(?:` + regexp.QuoteMeta(detector.WeakPrefix) + `)?the (wording|phrase) "([^"]*)"`)

// detectors are the models the reason tests run on: the committed fixture
// model and the embedded one.
func detectors(t *testing.T) map[string]*detector.Detector {
	t.Helper()
	def, err := detector.Default()
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*detector.Detector{"tiny": tinyDetector(t), "default": def}
}

func TestWordReasonsNeverQuoteFunctionWords(t *testing.T) {
	texts := []string{essay, "You and you and you: and then you and I and you went there and you came back and you saw it."}
	for name, d := range detectors(t) {
		for _, text := range texts {
			res := d.Score(text)
			var sawPattern bool
			for _, r := range res.Reasons {
				if r.Signal == "sentence_patterns" {
					sawPattern = true
				}
				if r.Signal != "phrase" {
					continue
				}
				m := quotedWord.FindStringSubmatch(r.Text)
				if m == nil {
					t.Errorf("%s: phrase reason %q quotes no word", name, r.Text)
					continue
				}
				words := strings.Fields(strings.ToLower(m[2]))
				if m[1] == "wording" && (len(words) != 1 || features.IsFunctionWord(words[0])) {
					t.Errorf("%s: reason %q names a function word on its own, or more than one word", name, r.Text)
				}
				// A phrase begins and ends with a word that is a reason
				// of its own: function words only inside it.
				if m[1] == "phrase" && (len(words) < 2 || len(words) > 4 || features.IsFunctionWord(words[0]) || features.IsFunctionWord(words[len(words)-1])) {
					t.Errorf("%s: reason %q is not a phrase of two to four words that begins and ends with a word of its own", name, r.Text)
				}
			}
			t.Logf("%s: %.3f %v, sentence construction reason: %v", name, res.Score, res.Verdict, sawPattern)
		}
	}
}

// TestWordWeightIsPerPlace: repeating a sentence four times must not make
// its words and phrases weigh four times as much.
func TestWordWeightIsPerPlace(t *testing.T) {
	once := "This change ensures comprehensive validation and enhances the overall robustness of the notification configuration loader."
	many := strings.Repeat(once+" ", 4)
	for name, d := range detectors(t) {
		w1 := wordWeights(d.Score(once).Reasons)
		w4 := wordWeights(d.Score(many).Reasons)
		if len(w1) == 0 || len(w4) == 0 {
			t.Fatalf("%s: no word reason in one of the texts (%v; %v)", name, w1, w4)
		}
		// The phrases a place is cut into may differ once repeated, so
		// compare the heaviest word or phrase of each text.
		if a, b := heaviest(w1), heaviest(w4); b > 1.5*a+0.02 {
			t.Errorf("%s: the heaviest word or phrase weighs %.3f in one place and %.3f when the sentence is repeated four times (%v; %v)", name, a, b, w1, w4)
		}
	}
}

func heaviest(w map[string]float64) float64 {
	m := 0.0
	for _, x := range w {
		m = max(m, math.Abs(x))
	}
	return m
}

func wordWeights(rs []detector.Reason) map[string]float64 {
	out := map[string]float64{}
	for _, r := range rs {
		if m := quotedWord.FindStringSubmatch(r.Text); r.Signal == "phrase" && m != nil {
			out[strings.ToLower(m[2])] = r.Weight
		}
	}
	return out
}

// TestUnsureReasonsSayTheEvidenceIsWeak scores with thresholds moved so
// that every judgeable text lies between them.
func TestUnsureReasonsSayTheEvidenceIsWeak(t *testing.T) {
	def, err := detector.Default()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("default.model") // the embedded model
	if err != nil {
		t.Fatal(err)
	}
	f, err := model.Read(raw)
	if err != nil {
		t.Fatal(err)
	}
	f.Header.Thresholds = model.Thresholds{Machine: 1, Human: 0}
	d, err := detector.FromFile(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{essay, "This change ensures comprehensive validation and enhances the overall robustness of the configuration loader."} {
		res := d.Score(text)
		if res.Verdict != detector.Unsure || res.CannotJudge || len(res.Reasons) == 0 {
			t.Fatalf("%q: got %v (cannot judge %v) with %d reasons; want unsure with reasons", text, res.Verdict, res.CannotJudge, len(res.Reasons))
		}
		for _, r := range res.Reasons {
			if !strings.HasPrefix(r.Text, detector.WeakPrefix) {
				t.Errorf("unsure reason %q does not say the evidence is weak", r.Text)
			}
		}
		// The same text under the shipped thresholds keeps its reasons
		// as they are when it gets a verdict.
		if sure := def.Score(text); sure.Verdict != detector.Unsure {
			for _, r := range sure.Reasons {
				if strings.HasPrefix(r.Text, detector.WeakPrefix) {
					t.Errorf("%v verdict, yet reason %q says the evidence is weak", sure.Verdict, r.Text)
				}
			}
		}
	}
}
