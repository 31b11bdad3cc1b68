package detector

import (
	"fmt"
	"math"
	"slices"
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

// SignalHiddenCharacters is the Signal of the note that look-alike letters
// or invisible characters were folded or removed before scoring. It is not
// a scoring signal (its Weight is 0), but moderators need to see it.
const SignalHiddenCharacters = "hidden_characters"

// reasons explains a score: the statistics whose bin moved the score most
// against their usual contribution, and — when withPhrases, i.e. the text is
// going to be reported — the words whose n-grams moved it most and the
// sentence construction, with spans in the original text. The order is
// deterministic: by absolute weight, then by signal and text. The note on
// hidden characters is always kept, within MaxReasons. seam is the sample
// offset where a sampled text's head and tail were joined, or -1.
func (d *Detector) reasons(norm normalize.Text, doc *features.Doc, buf *buffers, stats []float64, withPhrases bool, toOriginal func(int) int, seam int) []Reason {
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
		out = append(out, d.phraseReasons(norm, doc, buf, toOriginal, seam)...)
	}
	var note []Reason
	if st := norm.Stats; st.Homoglyphs+st.Invisible > 0 {
		note = append(note, Reason{
			Family: "characters", Signal: SignalHiddenCharacters,
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
	if n := MaxReasons - len(note); len(out) > n {
		out = out[:n:n]
	}
	return append(out, note...)
}

// phraseReasons attributes the contribution of every hashed n-gram (token,
// character and word n-grams) to the bytes it was read from, sums it per
// place of each distinct (lower-cased) word, and reports the words whose
// average place pushes hardest either way: a word the topic needs sixteen
// times weighs what one of its places weighs, not sixteen times that. The
// masked word n-grams and the function words and pronouns ("and", "you"),
// which carry sentence construction rather than a tell a reader can point
// at, are reported together as one reason of their own.
//
// The contributions are the ones raw summed (buf.contrib): Occurrences
// walks the n-grams in the order ExtractDoc added them, so the k-th
// occurrence is the k-th entry of the feature vector.
func (d *Detector) phraseReasons(norm normalize.Text, doc *features.Doc, buf *buffers, toOriginal func(int) int, seam int) []Reason {
	text := norm.S
	if len(text) == 0 {
		return nil
	}
	// diff is a difference array: an n-gram's weight is spread evenly over
	// its bytes, and contrib is its running sum.
	diff := slices.Grow(buf.diff[:0], len(text)+1)[:len(text)+1]
	clear(diff)
	buf.diff = diff
	masked := buf.masked[:0]
	defer func() { buf.masked = masked[:0] }()
	maskedTotal := 0.0 // the masked n-grams' and the function words' contribution
	spans := d.tokenSpans(text, buf.tokSpans, len(buf.ids))
	if spans == nil && len(buf.ids) > 0 {
		return nil // cannot happen; without token spans the walk would not line up
	}
	k := 0
	d.ext.Occurrences(doc, buf.ids, spans, func(o features.Occurrence) {
		if k >= len(buf.contrib) {
			return // cannot happen: raw added these features in this order
		}
		w := buf.contrib[k]
		k++
		if o.Group == features.GroupMasked {
			maskedTotal += w
			masked = append(masked, pattern{w, o.Start, o.End})
			return
		}
		per := w / float64(o.End-o.Start)
		diff[o.Start] += per
		diff[o.End] -= per
	})
	contrib := diff[:len(text)]
	for i := 1; i < len(contrib); i++ {
		contrib[i] += contrib[i-1]
	}

	type word struct {
		weight float64
		count  int
		spans  []Span // the first five
		shown  string
	}
	words := map[string]*word{}
	var order []string
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		// Apostrophes and hyphens at either end are quotes and dashes,
		// not part of the word.
		for start < end && (text[start] == '\'' || text[start] == '-') {
			start++
		}
		for end > start && (text[end-1] == '\'' || text[end-1] == '-') {
			end--
		}
		w := text[start:end]
		if utf8.RuneCountInString(w) >= 3 {
			sum := 0.0
			for i := start; i < end; i++ {
				sum += contrib[i]
			}
			key := strings.ToLower(w)
			if features.IsFunctionWord(key) {
				maskedTotal += sum
				masked = append(masked, pattern{sum, start, end})
				start = -1
				return
			}
			e := words[key]
			if e == nil {
				e = &word{shown: clip(w, maxQuoted)}
				words[key] = e
				order = append(order, key)
			}
			e.weight += sum
			e.count++
			if len(e.spans) < 5 {
				e.spans = append(e.spans, d.originalSpan(norm, start, end, toOriginal))
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

	// A word's weight is its average place's.
	for _, w := range words {
		w.weight /= float64(w.count)
	}
	// Strongest first, then by word; ranked caches the map lookups.
	type rankedWord struct {
		key    string
		w      *word
		weight float64 // |w.weight|
	}
	ranked := make([]rankedWord, len(order))
	for i, key := range order {
		w := words[key]
		ranked[i] = rankedWord{key, w, math.Abs(w.weight)}
	}
	// The same stable merge sort as sort.SliceStable, without reflection;
	// it only asks whether cmp < 0, which is when a ranks before b.
	slices.SortStableFunc(ranked, func(a, b rankedWord) int {
		if a.weight != b.weight {
			if a.weight > b.weight {
				return -1
			}
			return 1
		}
		return strings.Compare(a.key, b.key)
	})
	var out []Reason
	for _, r := range ranked {
		w := r.w
		if math.Abs(w.weight) < minReasonWeight || len(out) == 3 {
			break
		}
		text := fmt.Sprintf("the wording %q is more common in generated text", w.shown)
		if w.weight < 0 {
			text = fmt.Sprintf("the wording %q is more common in text people write", w.shown)
		}
		if w.count > 1 {
			text += fmt.Sprintf(" (%d places)", w.count)
		}
		out = append(out, Reason{Family: "phrasing", Signal: "phrase", Text: text, Weight: round4(w.weight), Spans: w.spans})
	}
	if r, ok := d.patternReason(norm, masked, maskedTotal, toOriginal, seam); ok {
		out = append(out, r)
	}
	return out
}

// pattern is one masked word n-gram occurrence and its contribution.
type pattern struct {
	weight     float64
	start, end int
}

// patternReason reports the masked word n-grams as one reason: how the
// sentences are built (function words and word lengths), with the
// occurrences that push hardest in the overall direction as its spans.
func (d *Detector) patternReason(norm normalize.Text, masked []pattern, total float64, toOriginal func(int) int, seam int) (Reason, bool) {
	if math.Abs(total) < minReasonWeight {
		return Reason{}, false
	}
	// Up to three non-overlapping occurrences, strongest in the direction
	// of the total first (the earliest on a tie): three linear passes.
	sign := math.Copysign(1, total)
	var picked []pattern
	for range 3 {
		best := -1
		for i, p := range masked {
			if p.weight*sign <= 0 || best >= 0 && p.weight*sign <= masked[best].weight*sign {
				continue
			}
			if slices.ContainsFunc(picked, func(q pattern) bool { return p.start < q.end && q.start < p.end }) {
				continue
			}
			// A pattern across the join of a sampled text's head and tail
			// is not in the text the user wrote.
			if s, t := norm.Original(p.start, p.end); seam >= 0 && s <= seam && t > seam {
				continue
			}
			best = i
		}
		if best < 0 {
			break
		}
		picked = append(picked, masked[best])
	}
	var spans []Span
	var example string
	for _, p := range picked {
		if example == "" {
			example = clip(strings.Join(strings.Fields(norm.S[p.start:p.end]), " "), 2*maxQuoted)
		}
		spans = append(spans, d.originalSpan(norm, p.start, p.end, toOriginal))
	}
	where := "generated text"
	if total < 0 {
		where = "text people write"
	}
	text := fmt.Sprintf("its sentence construction (function words and word lengths, not the topic) is more typical of %s", where)
	if example != "" {
		text += fmt.Sprintf(", e.g. %q", example)
	}
	return Reason{Family: "phrasing", Signal: "sentence_patterns", Text: text, Weight: round4(total), Spans: spans}, true
}

// originalSpan maps a byte range of the normalised text to the original.
func (d *Detector) originalSpan(norm normalize.Text, start, end int, toOriginal func(int) int) Span {
	s, t := norm.Original(start, end)
	return Span{Start: toOriginal(s), End: toOriginal(t)}
}

// tokenSpans trims the leading spaces off the token ranges raw kept (the
// space belongs to the word's token, not to the word a reader sees), or
// returns nil when there is not one range per token.
func (d *Detector) tokenSpans(text string, spans [][2]int, n int) [][2]int {
	if len(spans) != n {
		return nil
	}
	for i, sp := range spans {
		for sp[0] < sp[1]-1 && text[sp[0]] == ' ' {
			sp[0]++
		}
		spans[i] = sp
	}
	return spans
}

// maxQuoted is how many characters of a word a reason quotes: reasons are
// read in narrow places (a Discord embed field, a check run title).
const maxQuoted = 40

// clip shortens s to at most n runes, ending it with an ellipsis when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
