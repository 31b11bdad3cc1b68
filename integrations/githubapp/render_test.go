package githubapp

import (
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
)

// TestPatternsListed pins the reasons GitHub lists, which differ from
// moderation.ShownReasons on purpose (the text stays as it was): the
// hidden-characters note keeps its place and counts towards the five, and
// a provenance reason of zero weight is not listed (the rule line says it).
func TestPatternsListed(t *testing.T) {
	t.Parallel()
	r := func(text string, w float64) detector.Reason {
		return detector.Reason{Family: "phrasing", Signal: text, Text: text, Weight: w}
	}
	reasons := []detector.Reason{
		r("a", 1), r("human-leaning", -1),
		{Family: "characters", Signal: detector.SignalHiddenCharacters, Text: "hidden", Weight: 0},
		{Family: moderation.FamilyProvenance, Signal: moderation.SignalDisclosure, Text: "disclosed", Weight: 0},
		r("b", 1), r("c", 1), r("d", 1), r("e", 1),
	}
	p := Plan{Verdict: &moderation.Verdict{Result: detector.Result{Reasons: reasons}}}
	var b strings.Builder
	writeVerdict(&b, p)
	_, got, _ := strings.Cut(b.String(), "Patterns in the text:\n")
	want := "- a\n- hidden\n- b\n- c\n- d\n"
	if got != want {
		t.Errorf("listed:\n%s\nwant:\n%s", got, want)
	}
	// What the shared list would show instead, so a change to either is seen here.
	var shared []string
	for _, s := range moderation.ShownReasons(reasons, 5) {
		shared = append(shared, s.Text)
	}
	if g := strings.Join(shared, ","); g != "a,disclosed,b,c,d,hidden" {
		t.Errorf("moderation.ShownReasons gives %s", g)
	}
}
