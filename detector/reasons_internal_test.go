package detector

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector/features"
	"github.com/slopguard/slopguard/detector/normalize"
)

// TestAttributionLinesUpWithTheScore checks what the reasons rely on: every
// token has a span, and Occurrences walks the n-grams in the order raw added
// them to the feature vector, bucket for bucket, so the contributions raw
// kept belong to the spans the walk gives.
func TestAttributionLinesUpWithTheScore(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"\n\nLeading newlines, then a sentence.",
		"  leading spaces and a    gap",
		"## Summary\n\n- Added a comprehensive test suite\n- Refactored `parser.go`\n\n## Testing\n\nAll tests pass.",
		"a-very-long-hyphenated-identifier-that-goes-on-and-on-well-past-one-hundred-bytes-of-text-without-a-single-space-in-it-at-all",
		"Ünïcödé, emoji 🎉 and “quotes” — mixed.",
	}
	buf := d.buffers.Get().(*buffers)
	defer d.buffers.Put(buf)
	for _, text := range texts {
		norm := normalize.Normalize(text).S
		_, _, doc := d.raw(norm, buf, true)
		spans := d.tokenSpans(norm, buf.tokSpans, len(buf.ids))
		if spans == nil {
			t.Errorf("%q: no token spans for %d tokens", text, len(buf.ids))
			continue
		}
		if len(buf.contrib) != len(buf.vec.Idx) {
			t.Fatalf("%q: %d contributions for %d features", text, len(buf.contrib), len(buf.vec.Idx))
		}
		k := 0
		walkContributions(t, d, buf, doc, spans, func(o features.Occurrence, first bool, _ float64) {
			if !first {
				return
			}
			if k < len(buf.vec.Idx) && buf.vec.Idx[k] != o.Bucket {
				t.Errorf("%q: occurrence %d is bucket %d, the vector's entry %d", text, k, o.Bucket, buf.vec.Idx[k])
			}
			k++
		})
		if want := len(buf.vec.Idx) - len(features.Stats); k != want {
			t.Errorf("%q: %d occurrences, want %d (the vector less its statistics)", text, k, want)
		}
	}
}

// walkContributions calls fn for every n-gram occurrence of the text raw
// last explained, with what it adds to the raw score, read from
// buf.contrib without the reasons' code: the vector holds one entry per
// occurrence, or with features.Config.Presence one per bucket and group,
// in the order of their first occurrences, shared evenly among them. first
// says whether the occurrence has a vector entry of its own.
func walkContributions(t *testing.T, d *Detector, buf *buffers, doc *features.Doc, spans [][2]int, fn func(o features.Occurrence, first bool, w float64)) {
	t.Helper()
	presence := d.ext.Config().Presence
	type key struct {
		g features.Group
		b uint32
	}
	entry := map[key]int{} // → vector entry
	count := map[key]int{}
	k := 0
	d.ext.Occurrences(doc, buf.ids, spans, func(o features.Occurrence) {
		kk := key{o.Group, o.Bucket}
		if _, ok := entry[kk]; !ok || !presence {
			entry[kk] = k
			k++
		}
		count[kk]++
	})
	k = 0
	seen := map[key]bool{}
	d.ext.Occurrences(doc, buf.ids, spans, func(o features.Occurrence) {
		kk := key{o.Group, o.Bucket}
		first := !presence || !seen[kk]
		seen[kk] = true
		if !presence {
			fn(o, true, buf.contrib[k])
			k++
			return
		}
		fn(o, first, buf.contrib[entry[kk]]/float64(count[kk]))
	})
}

// TestPhraseWeightsAreAttributionSums checks that a word or phrase reason
// weighs what the model summed over its places: the contribution of every
// n-gram but the masked and shape ones, spread evenly over the bytes it
// was read from, summed over each place's bytes and averaged over the
// places. The contributions
// are walked here without the reasons' own code.
func TestPhraseWeightsAreAttributionSums(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	// Plain ASCII, so the normalised text has the original's offsets.
	texts := []string{
		"In today's fast-paced world, it is important to note that this comprehensive change ensures robust validation. Additionally, it enhances the overall maintainability of the codebase.",
		"This PR adds comprehensive unit tests for the parser and ensures consistent error handling. Added comprehensive unit tests for the lexer too.",
		"It is crucial to carefully consider the trade-offs. By carefully considering these factors, teams can make informed decisions that align with their goals.",
		"Additionally, the fix works. Furthermore, the tests pass. Overall, this is ready to merge.",
		"Summary\n\nRefactored the parser.\n\nTesting\n\nAll tests pass.",
	}
	buf := d.buffers.Get().(*buffers)
	defer d.buffers.Put(buf)
	var phrases, words int
	for _, text := range texts {
		res := d.Score(text)
		norm := d.file.Header.Features.Prepare(normalize.Normalize(text).S)
		if len(norm) != len(text) {
			t.Fatalf("%q: normalising changed the length; the test needs the original's offsets", text)
		}
		_, _, doc := d.raw(norm, buf, true)
		contrib := make([]float64, len(norm))
		walkContributions(t, d, buf, doc, d.tokenSpans(norm, buf.tokSpans, len(buf.ids)), func(o features.Occurrence, _ bool, w float64) {
			if o.Group == features.GroupMasked || o.Group == features.GroupShape {
				return // reported as patterns, not on words
			}
			for i := o.Start; i < o.End; i++ {
				contrib[i] += w / float64(o.End-o.Start)
			}
		})
		for _, r := range res.Reasons {
			m := quotedPhrase.FindStringSubmatch(r.Text)
			if r.Signal != "phrase" || m == nil {
				continue
			}
			places := 1
			if m[3] != "" {
				places, _ = strconv.Atoi(m[3])
			}
			if places != len(r.Spans) {
				t.Fatalf("%q: reason %q has %d spans; the test needs every place", text, r.Text, len(r.Spans))
			}
			sum := 0.0
			for _, sp := range r.Spans {
				if got := strings.Join(strings.Fields(text[sp.Start:sp.End]), " "); !strings.EqualFold(got, m[2]) {
					t.Errorf("%q: reason %q points at %q", text, r.Text, got)
				}
				for i := sp.Start; i < sp.End; i++ {
					sum += contrib[i]
				}
			}
			if want := sum / float64(places); math.Abs(r.Weight-want) > 1e-3 {
				t.Errorf("%q: reason %q weighs %.4f; its places sum to %.4f on average", text, r.Text, r.Weight, want)
			}
			if m[1] == "phrase" {
				phrases++
			} else {
				words++
			}
		}
	}
	if phrases == 0 || words == 0 {
		t.Errorf("checked %d phrase and %d word reasons; want some of each", phrases, words)
	}
}

// TestLayoutReasonIsTheShapeSum checks the layout reason against a walk
// of the contributions without the reasons' code: it weighs what the shape
// n-grams add to the raw score together, and is there whenever that is
// enough to show.
func TestLayoutReasonIsTheShapeSum(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if d.ext.Config().ShapeMax == 0 {
		t.Skip("the embedded model has no shape n-grams")
	}
	texts := []string{
		"## Summary\n\n- **Added** a comprehensive test suite for `parser.go`\n- **Refactored** the lexer\n\n## Testing\n\nAll 42 tests pass. Let me know if you have any questions!",
		"lol yeah i tried that too... didnt work for me tho, maybe its the proxy?? idk",
		"Great question! Here are a few options:\n\n1. **Use a cache**: store results.\n2. **Batch requests**: fewer round trips.\n\nIn summary, both approaches can help.",
	}
	buf := d.buffers.Get().(*buffers)
	defer d.buffers.Put(buf)
	var checked int
	for _, text := range texts {
		res := d.Score(text)
		norm := d.file.Header.Features.Prepare(normalize.Normalize(text).S)
		_, _, doc := d.raw(norm, buf, true)
		var total float64
		walkContributions(t, d, buf, doc, d.tokenSpans(norm, buf.tokSpans, len(buf.ids)), func(o features.Occurrence, _ bool, w float64) {
			if o.Group == features.GroupShape {
				total += w
			}
		})
		var layout *Reason
		for i, r := range res.Reasons {
			if r.Signal == "layout_patterns" {
				layout = &res.Reasons[i]
			}
		}
		if layout == nil {
			// Absent only when too weak, or crowded out by MaxReasons
			// stronger ones.
			if math.Abs(total) >= minReasonWeight && len(res.Reasons) < MaxReasons {
				t.Errorf("%q: shape n-grams add %+.4f but there is no layout reason: %+v", text, total, res.Reasons)
			}
			continue
		}
		checked++
		if math.Abs(layout.Weight-total) > 1e-3 {
			t.Errorf("%q: layout reason weighs %.4f; the shape n-grams add %.4f", text, layout.Weight, total)
		}
		if len(layout.Spans) == 0 {
			t.Errorf("%q: layout reason %q points nowhere", text, layout.Text)
		}
		for _, sp := range layout.Spans {
			if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
				t.Errorf("%q: layout span %+v outside the text", text, sp)
			}
		}
	}
	if checked == 0 {
		t.Error("no text gave a layout reason to check")
	}
}

// quotedPhrase is what a word or phrase reason quotes, which of the two it
// is, and its number of places when more than one.
var quotedPhrase = regexp.MustCompile(`^(?:` + regexp.QuoteMeta(WeakPrefix) + `)?the (wording|phrase) "([^"]*)" is more common in [a-z ]+(?: \((\d+) places\))?$`)

func TestPhrasesGroupNeighboursThatPushTogether(t *testing.T) {
	tests := []struct {
		name string
		text string
		sums []float64 // one per word
		want []string
	}{
		{"two words", "comprehensive overview", []float64{0.3, 0.2}, []string{"comprehensive overview"}},
		{"a word alone", "comprehensive overview", []float64{0.3, 0.01}, nil},
		{"opposite ways", "comprehensive overview", []float64{0.3, -0.2}, nil},
		{"function words inside", "important to note", []float64{0.4, -0.05, 0.3}, []string{"important to note"}},
		{"not ending on a function word", "comprehensive overview of the", []float64{0.3, 0.2, 0.1, 0.1}, []string{"comprehensive overview"}},
		{"a weak word inside the same way", "comprehensive unit tests", []float64{0.5, 0.01, 0.2}, []string{"comprehensive unit tests"}},
		{"a weak word the other way breaks it", "comprehensive unit tests", []float64{0.5, -0.01, 0.2}, nil},
		{"at most four words", "ensures that all edge cases", []float64{0.5, 0, 0.1, 0.2, 0.3}, []string{"ensures that all edge"}},
		{"five strong words", "alpha bravo charlie delta foxtrot", []float64{0.2, 0.2, 0.2, 0.2, 0.2}, []string{"alpha bravo charlie delta"}},
		{"not across a full stop", "robust validation. Additionally", []float64{0.3, 0.3, 0.4}, []string{"robust validation"}},
		{"not across a comma", "Additionally, this change", []float64{0.4, 0, 0.2}, nil},
		{"not across a line break", "Testing\nAdded comprehensive", []float64{0.5, 0.2, 0.4}, []string{"Added comprehensive"}},
		{"not across quotes", "the 'comprehensive' flag", []float64{0, 0.4, 0.3}, nil},
		{"towards human", "eat better", []float64{-0.2, -0.15}, []string{"eat better"}},
		{"a function word never begins one", "and ensures", []float64{0.5, 0.5}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			words := scanWords(tt.text, nil)
			if len(words) != len(tt.sums) {
				t.Fatalf("%d words, %d sums", len(words), len(tt.sums))
			}
			for i := range words {
				words[i].sum = tt.sums[i]
			}
			var got []string
			for i := 0; i < len(words); i++ {
				if last := phraseEnd(words, i); last > i {
					got = append(got, tt.text[words[i].start:words[last].end])
					i = last
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPutVerdictFirst: a verdict's reasons begin with those pointing its
// way, each side keeping its order by weight, and the note on hidden
// characters stays last; unsure keeps the order by weight.
func TestPutVerdictFirst(t *testing.T) {
	in := []Reason{
		{Signal: "a", Weight: 0.35},
		{Signal: "b", Weight: -0.26},
		{Signal: "c", Weight: -0.18},
		{Signal: "d", Weight: 0.11},
		{Signal: SignalHiddenCharacters},
	}
	cases := []struct {
		verdict Verdict
		want    string
	}{
		{Human, "bcad" + SignalHiddenCharacters},
		{Machine, "adbc" + SignalHiddenCharacters},
		{Unsure, "abcd" + SignalHiddenCharacters},
	}
	for _, c := range cases {
		rs := slices.Clone(in)
		putVerdictFirst(rs, c.verdict)
		var got strings.Builder
		for _, r := range rs {
			got.WriteString(r.Signal)
		}
		if got.String() != c.want {
			t.Errorf("%s: order %s, want %s", c.verdict, got.String(), c.want)
		}
	}
}

// TestHumanVerdictListsHumanReasonsFirst: on the README's maintainer
// comment (human, with reasons both ways), a reason towards machine never
// comes before one towards human.
func TestHumanVerdictListsHumanReasonsFirst(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile("../docs/samples/maintainer-comment.md")
	if err != nil {
		t.Fatal(err)
	}
	res := d.Score(string(text))
	if res.Verdict != Human {
		t.Fatalf("verdict %s, want human (the sample is a person's comment)", res.Verdict)
	}
	var toHuman, toMachine int
	for _, r := range res.Reasons {
		switch {
		case r.Weight > 0:
			toMachine++
		case r.Weight < 0 && toMachine > 0:
			t.Fatalf("reason towards human %q after one towards machine: %+v", r.Text, res.Reasons)
		case r.Weight < 0:
			toHuman++
		}
	}
	if toHuman == 0 || toMachine == 0 {
		t.Fatalf("want reasons both ways to check their order, got %+v", res.Reasons)
	}
}

// TestRankNote: every bin of a statistic gets its own wording of how
// common its value is.
func TestRankNote(t *testing.T) {
	cases := []struct {
		high bool
		bin  int
		want string
	}{
		{false, 0, ", more so than in 7 of every 8 training texts"},
		{false, 1, ", more so than in 3 of every 4 training texts"},
		{false, 3, ", more so than in half of the training texts"},
		{false, 4, ", like at least half of the training texts"},
		{false, 6, ", like at least 3 of every 4 training texts"},
		{false, 7, ", like at least 7 of every 8 training texts"},
		{true, 4, ", more so than in half of the training texts"},
		{true, 5, ", more so than in 5 of every 8 training texts"},
		{true, 7, ", more so than in 7 of every 8 training texts"},
	}
	for _, c := range cases {
		if got := rankNote(c.high, c.bin, 8); got != c.want {
			t.Errorf("rankNote(%v, %d, 8) = %q, want %q", c.high, c.bin, got, c.want)
		}
	}
}

// TestStatReasonTextKeepsItsDirection: across many texts, a statistic's
// reason with the same text always points the same way (a reader who saw
// "the text is long" towards machine once must not see it towards human
// on the next text).
func TestStatReasonTextKeepsItsDirection(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob("testdata/*/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	samples, _ := filepath.Glob("../docs/samples/*.md")
	paths = append(paths, samples...)
	sign := map[string]float64{}
	seen := 0
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// Each text, and its first half: different lengths move the same
		// statistics through different bins.
		for _, text := range []string{string(b), string(b[:len(b)/2])} {
			for _, r := range d.Score(text).Reasons {
				if r.Family != "style" && r.Family != "structure" || r.Weight == 0 {
					continue
				}
				text := strings.TrimPrefix(r.Text, WeakPrefix)
				seen++
				if s, ok := sign[text]; ok && s*r.Weight < 0 {
					t.Errorf("%q points towards machine on one text and towards human on another (%s)", text, p)
				}
				sign[text] = r.Weight
			}
		}
	}
	if seen < 50 {
		t.Fatalf("only %d statistic reasons in %d texts: too few to check", seen, len(paths))
	}
}
