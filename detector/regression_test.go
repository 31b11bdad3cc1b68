package detector

// Regression tests for problems a review of the detector found; each names
// the behaviour that is now right.

import (
	"crypto/sha256"
	"encoding/binary"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

const regressionMachineText = "In today's fast-paced world, it is important to note that delving into this comprehensive tapestry is crucial. Additionally, this change ensures robust validation and enhances the overall maintainability of the codebase. Furthermore, it leverages seamless integration to ensure consistency across various modules."

func regressionDetector(t *testing.T) *Detector {
	t.Helper()
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// 1. NFKC expansion: a 64 KiB sample of U+FDFA normalises to ~720 KB (11x),
// and scoring it allocates far more than the bound the project's own
// TestHostileTexts asserts for hostile inputs (64 MiB).
func TestNFKCExpansionIsBounded(t *testing.T) {
	d := regressionDetector(t)
	text := strings.Repeat("\uFDFA", 4<<20) // 12 MiB
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	res := d.Score(text)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("took %v, allocated %.1f MiB, sampled=%v", took, float64(alloc)/(1<<20), res.Sampled)
	if alloc > 64<<20 {
		t.Errorf("scoring a sampled text allocated %d MiB, want at most 64 MiB (the sample cap is meant to bound memory)", alloc>>20)
	}
}

// 2. A sentence-pattern n-gram that straddles the head/tail seam of a
// sampled text gets a span covering all the unscored middle, and quotes
// words that are not adjacent anywhere in the original.
func TestNoSpanAcrossTheSampleSeam(t *testing.T) {
	d := regressionDetector(t)
	filler := "In today's fast-paced world, it is important to note that delving into this comprehensive tapestry is crucial. Additionally, this change ensures robust validation and enhances the overall maintainability of the codebase. "
	headEnd := "Furthermore, it leverages seamless integration to"
	tailStart := " ensure consistency across various modules. "
	pad := SampleHeadBytes - len(headEnd)
	head := strings.Repeat(filler, pad/len(filler)+1)[:pad] + headEnd
	middle := strings.Repeat(filler, 5000) // ~1 MB that is not scored
	tailLen := MaxScoredBytes - SampleHeadBytes
	tail := (tailStart + strings.Repeat(filler, tailLen/len(filler)+1))[:tailLen]
	text := head + middle + tail
	res := d.Score(text)
	if !res.Sampled {
		t.Fatal("not sampled")
	}
	for _, r := range res.Reasons {
		for _, s := range r.Spans {
			if s.Start < len(head) && s.End > len(head)+len(middle) {
				t.Errorf("reason %s: span %v is %d bytes long and covers the %d unscored bytes between head and tail; reason text %q (that phrase is nowhere in the original: %v)",
					r.Signal, s, s.End-s.Start, len(middle), r.Text, !strings.Contains(text, "integration to ensure consistency"))
			}
		}
	}
}

// 3. A text the model cannot judge still gets phrase reasons that claim
// evidence ("more common in generated text").
func TestCannotJudgeCarriesNoEvidence(t *testing.T) {
	d := regressionDetector(t)
	for _, text := range []string{
		"fixed, thanks",
		"Спасибо за исправление, я проверил его на своей машине, и всё работает как надо, можно сливать.",
	} {
		res := d.Score(text)
		if !res.CannotJudge {
			t.Fatalf("%q: expected cannot-judge", text)
		}
		for _, r := range res.Reasons {
			if r.Signal == "phrase" || r.Signal == "sentence_patterns" || r.Signal == "layout_patterns" {
				t.Errorf("%q: cannot_judge (note %q) but reason %q (weight %+.2f) presents evidence", text, res.Note, r.Text, r.Weight)
			}
		}
	}
}

// 4. A word inside single quotes (or followed by an apostrophe/hyphen) is a
// different "word" from the same word unquoted: the same word is reported
// twice, and apostrophe padding turns a 1-letter word into a reported one.
func TestQuotedWordReportedOnce(t *testing.T) {
	d := regressionDetector(t)
	text := "This change ensures that the 'comprehensive' flag is set. The comprehensive mode ensures robust validation, and the 'comprehensive' option enhances the overall maintainability of the codebase."
	res := d.Score(text)
	seen := map[string]string{}
	for _, r := range res.Reasons {
		if r.Signal != "phrase" {
			continue
		}
		i := strings.Index(r.Text, "\"")
		j := strings.Index(r.Text[i+1:], "\"")
		w := r.Text[i+1 : i+1+j]
		key := strings.ToLower(strings.Trim(w, "'-"))
		if prev, ok := seen[key]; ok {
			t.Errorf("word %q reported twice: %q and %q", key, prev, r.Text)
		}
		seen[key] = r.Text
	}
	res = d.Score("а''0B00") // Cyrillic а folded, then two apostrophes
	for _, r := range res.Reasons {
		if r.Signal == "phrase" && strings.Contains(r.Text, `"a''"`) {
			t.Errorf("one-letter word padded with apostrophes reported as wording: %q", r.Text)
		}
	}
}

// 5. "(N places)" counts the kept spans, capped at 5, not the places:
// every place of "ensures" is counted once, in the reasons that quote it.
func TestPlacesCountIsExact(t *testing.T) {
	d := regressionDetector(t)
	text := strings.Repeat("This change ensures robust validation. ", 8)
	res := d.Score(text)
	quotes := regexp.MustCompile(`^the (wording|phrase) "[^"]*ensures[^"]*" is [^(]*(?:\((\d+) places\))?$`)
	places, reasons := 0, 0
	for _, r := range res.Reasons {
		m := quotes.FindStringSubmatch(r.Text)
		if r.Signal != "phrase" || m == nil {
			continue
		}
		reasons++
		n := 1
		if m[2] != "" {
			n, _ = strconv.Atoi(m[2])
		}
		if want := min(n, 5); len(r.Spans) != want {
			t.Errorf("reason %q has %d spans, want %d", r.Text, len(r.Spans), want)
		}
		places += n
	}
	if reasons == 0 {
		t.Skip("ensures not among the reasons")
	}
	if places != 8 {
		t.Errorf("\"ensures\" occurs 8 times, its reasons count %d places: %v", places, res.Reasons)
	}
}

// 6. MaxReasons says "at most", but the hidden-characters note is appended
// past it, with weight 0.
func TestMaxReasonsKeepsTheCharacterNote(t *testing.T) {
	d := regressionDetector(t)
	text := strings.NewReplacer("a", "а", "e", "е", "o", "о").Replace(regressionMachineText)
	res := d.Score(text)
	if len(res.Reasons) > MaxReasons {
		t.Errorf("got %d reasons, MaxReasons is %d", len(res.Reasons), MaxReasons)
	}
	// The note is not a scoring signal (weight 0) but is always kept.
	if n := len(res.Reasons); n == 0 || res.Reasons[n-1].Signal != SignalHiddenCharacters {
		t.Errorf("the note on hidden characters is missing: %+v", res.Reasons)
	}
}

// 7. The panic-recovery result is Unsure with Score 0 but CannotJudge false:
// a Score of 0 reads as the strongest human evidence, unlike the NaN path.
func TestRecoveredPanicCannotJudge(t *testing.T) {
	d := regressionDetector(t)
	broken := &Detector{file: d.file, ext: d.ext, weights: d.weights, baselines: d.baselines} // no tokenizer: raw panics
	broken.buffers.New = func() any { return &buffers{} }
	res := broken.Score(regressionMachineText)
	if !strings.HasPrefix(res.Note, "internal error") {
		t.Fatalf("no panic: %+v", res)
	}
	if !res.CannotJudge {
		t.Errorf("internal error result: score %v verdict %v cannot_judge=false; want cannot_judge=true (its score is no evidence)", res.Score, res.Verdict)
	}
}

// 8. model.Read decodes the first JSON value of the header section and
// ignores whatever follows it.
func TestModelHeaderTrailingJunkRejected(t *testing.T) {
	le := binary.LittleEndian
	data := defaultModel
	off := 12
	n := int(le.Uint32(data[off:]))
	hdr := data[off+4 : off+4+n]
	rest := data[off+4+n : len(data)-sha256.Size]
	junk := append(append([]byte(nil), hdr...), `{"name":"other"} not json at all`...)
	b := append([]byte(nil), data[:off]...)
	b = le.AppendUint32(b, uint32(len(junk)))
	b = append(b, junk...)
	b = append(b, rest...)
	sum := sha256.Sum256(b)
	b = append(b, sum[:]...)
	if _, err := Load(b); err == nil {
		t.Errorf("Load accepted a header section with trailing data after the JSON object")
	}
}

// The embedded model gives words of mixed case their plain form before
// scoring, so a writer flipping the case of letters inside words ("ThIs
// cHange") gets the score of the plain text, and reasons still point into
// the text as written.
func TestMixedCaseFlipsDoNotMoveTheScore(t *testing.T) {
	d := regressionDetector(t)
	plain := "This change improves the robustness of the parser. Additionally, it ensures consistent handling of edge cases and adds comprehensive tests for every path."
	flipped := "ThIs chAnge imProves the robustnesS of the parser. AdditionAlly, it ensures consistent hanDling of edge cases and adds comprehensive tests for every pAth."
	a, b := d.Score(plain), d.Score(flipped)
	if a.Score != b.Score || a.Verdict != b.Verdict {
		t.Errorf("plain %.6f %v, flipped %.6f %v: want the same", a.Score, a.Verdict, b.Score, b.Verdict)
	}
	for _, r := range b.Reasons {
		for _, s := range r.Spans {
			if s.Start < 0 || s.End > len(flipped) || s.Start > s.End {
				t.Errorf("reason %q: span %+v outside the text", r.Text, s)
			}
		}
	}
}

// Reasons quote words as they were written. The mixed-case step changes
// what is scored ("IPAddressHolder" is scored as "Ipaddressholder"), not
// what a moderator is shown and may search the text for.
func TestReasonsQuoteMixedCaseWordsAsWritten(t *testing.T) {
	d := regressionDetector(t)
	quoted := regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	tests := []struct{ name, text string }{
		{"identifier in a PR", "## Summary\n- add a unit test for `IPAddressHolder.isSet`\n\n## Testing\n- `mvn` not available, so no tests were run"},
		{"identifier in a pattern", "## Summary\n- fix thread viewport scrolling logic to update `isAtBottom` after scroll completes in `useThreadViewportAutoScroll`\n\n## Testing\n- `npx tsc` fails: npm registry blocked"},
		{"class name in prose", "This PR adds a `ThreadConfinementAsserter` that ensures comprehensive validation across the codebase."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flat := strings.Join(strings.Fields(tt.text), " ")
			res := d.Score(tt.text)
			for _, r := range res.Reasons {
				for _, q := range quoted.FindAllString(r.Text, -1) {
					s, err := strconv.Unquote(q)
					if err != nil {
						t.Fatalf("reason %q: %v", r.Text, err)
					}
					// A layout reason writes a line break as ⏎.
					s = strings.Join(strings.Fields(strings.ReplaceAll(s, "⏎", "\n")), " ")
					if s = strings.TrimSuffix(s, "…"); !strings.Contains(flat, s) {
						t.Errorf("reason %q quotes %q, which is not in the text as written", r.Text, s)
					}
				}
			}
		})
	}
}
