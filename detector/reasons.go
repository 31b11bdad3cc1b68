package detector

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slopguard/slopguard/detector/features"
	"github.com/slopguard/slopguard/detector/normalize"
)

// MaxReasons is how many reasons a Result carries at most.
const MaxReasons = 6

// minReasonWeight drops signals too weak to be worth a person's attention (log-odds).
const minReasonWeight = 0.02

// reasons explains a score: the statistics whose bin moved the score most
// against their usual contribution, and — when withPhrases, i.e. the text is
// going to be reported — the words whose character n-grams moved it most,
// with spans in the original text. The order is deterministic: by absolute
// weight, then by signal and text.
func (d *Detector) reasons(norm normalize.Text, stats []float64, withPhrases bool, toOriginal func(int) int) []Reason {
	var out []Reason
	sx := 1 / math.Sqrt(float64(len(features.Stats)))
	for s, st := range features.Stats {
		b := d.ext.Bin(s, stats[s])
		w := (float64(d.weights[d.ext.StatFeature(s, b)]) - d.baselines[s]) * sx
		if math.Abs(w) < minReasonWeight {
			continue
		}
		// Word it by where the value lies against the training median.
		edges := d.ext.Edges()[s]
		phrase := st.Low
		if stats[s] > edges[len(edges)/2] {
			phrase = st.High
		}
		out = append(out, Reason{Family: st.Family, Signal: st.Name, Text: phrase, Weight: round4(w)})
	}
	if withPhrases {
		out = append(out, d.phraseReasons(norm, toOriginal)...)
	}
	if st := norm.Stats; st.Homoglyphs+st.Invisible > 0 {
		out = append(out, Reason{
			Family: "characters", Signal: "hidden_characters",
			Text: fmt.Sprintf("%d look-alike letters from other scripts and %d invisible characters were folded or removed before scoring", st.Homoglyphs, st.Invisible),
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		ai, aj := math.Abs(out[i].Weight), math.Abs(out[j].Weight)
		if ai != aj {
			return ai > aj
		}
		if out[i].Signal != out[j].Signal {
			return out[i].Signal < out[j].Signal
		}
		return out[i].Text < out[j].Text
	})
	if len(out) > MaxReasons {
		// Keep the character note: it is never a scoring signal but moderators need it.
		var keep []Reason
		for _, r := range out[MaxReasons:] {
			if r.Signal == "hidden_characters" {
				keep = append(keep, r)
			}
		}
		out = append(out[:MaxReasons:MaxReasons], keep...)
	}
	return out
}

// phraseReasons attributes each character n-gram's contribution to the word
// it starts in, sums per distinct (lower-cased) word, and reports the words
// that push hardest either way.
func (d *Detector) phraseReasons(norm normalize.Text, toOriginal func(int) int) []Reason {
	text := norm.S
	n := 0
	for k := d.file.Header.Features.CharMin; k <= d.file.Header.Features.CharMax; k++ {
		if len(text) >= k {
			n += len(text) - k + 1
		}
	}
	if n == 0 {
		return nil
	}
	x := 1 / math.Sqrt(float64(n))
	contrib := make([]float64, len(text))
	d.ext.CharNgrams(text, func(b uint32, start, _ int) { contrib[start] += float64(d.weights[b]) * x })

	type word struct {
		weight float64
		spans  []Span
		shown  string
	}
	words := map[string]*word{}
	var order []string
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := text[start:end]
		if utf8.RuneCountInString(w) >= 3 {
			sum := 0.0
			for i := start; i < end; i++ {
				sum += contrib[i]
			}
			key := strings.ToLower(w)
			e := words[key]
			if e == nil {
				e = &word{shown: w}
				words[key] = e
				order = append(order, key)
			}
			e.weight += sum
			if len(e.spans) < 5 {
				s, t := norm.Original(start, end)
				e.spans = append(e.spans, Span{Start: toOriginal(s), End: toOriginal(t)})
			}
		}
		start = -1
	}
	for i, r := range text {
		if unicode.IsLetter(r) || r == '\'' || r == '-' && start >= 0 {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))

	sort.SliceStable(order, func(i, j int) bool {
		wi, wj := math.Abs(words[order[i]].weight), math.Abs(words[order[j]].weight)
		if wi != wj {
			return wi > wj
		}
		return order[i] < order[j]
	})
	var out []Reason
	for _, key := range order {
		w := words[key]
		if math.Abs(w.weight) < minReasonWeight || len(out) == 3 {
			break
		}
		text := fmt.Sprintf("the wording %q is more common in generated text", w.shown)
		if w.weight < 0 {
			text = fmt.Sprintf("the wording %q is more common in text people write", w.shown)
		}
		if len(w.spans) > 1 {
			text += fmt.Sprintf(" (%d places)", len(w.spans))
		}
		out = append(out, Reason{Family: "phrasing", Signal: "phrase", Text: text, Weight: round4(w.weight), Spans: w.spans})
	}
	return out
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
