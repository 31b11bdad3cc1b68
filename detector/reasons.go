package detector

import (
	"fmt"
	"math"
	"math/bits"
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
// going to be reported — the phrases and words whose n-grams moved it most
// and the sentence construction, with spans in the original text. The order is
// deterministic: by absolute weight, then by signal and text. The note on
// hidden characters is always kept, within MaxReasons. seam is the sample
// offset where a sampled text's head and tail were joined, or -1.
func (d *Detector) reasons(norm normalize.Text, doc *features.Doc, buf *buffers, stats []float64, withPhrases bool, toOriginal func(int) int, seam int) []Reason {
	var out []Reason
	sx := 1 / math.Sqrt(float64(len(features.Stats)))
	for s, st := range d.ext.Stats() {
		b := d.ext.Bin(s, stats[s])
		w := (float64(d.weights[d.ext.StatFeature(s, b)]) - d.baselines[s]) * sx
		if math.Abs(w) < minReasonWeight {
			continue
		}
		// Word it by where the value lies against the training median, and
		// say how common that is: each bin then has its own text, so one
		// text never points one way here and the other way elsewhere.
		edges := d.ext.Edges()[s]
		high := 0
		if stats[s] > edges[len(edges)/2] {
			high = 1
		}
		out = append(out, Reason{Family: st.Family, Signal: st.Name, Text: d.statTexts[s][b][high], Weight: round4(w)})
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
// character and word n-grams) to the bytes it was read from and reports the
// phrases and words whose average place pushes hardest either way.
//
// A phrase is two to four words of one line, with only spaces between them
// (no punctuation), that begins and ends with a word which pushes hard the
// same way, and where every other word either pushes that way too or is a
// function word or a word of one or two letters ("important to note",
// "comprehensive test suite"). Its weight at a place is the contribution of
// every byte from its first letter to its last, the function words between
// included. A word that pushes alone is reported as a word, weighed by the
// contribution of its own bytes.
//
// Phrases and words are counted per place of each distinct (lower-cased)
// form and weigh what their average place weighs: a word the topic needs
// sixteen times weighs what one of its places weighs, not sixteen times
// that. The masked word n-grams and the function words and pronouns ("and",
// "you") outside phrases, which carry sentence construction rather than a
// tell a reader can point at, are reported together as one reason of their
// own; the shape n-grams (layout and punctuation) are another.
//
// The contributions are the ones raw summed (buf.contrib): Occurrences
// walks the n-grams in the order ExtractDoc added them, so the k-th
// occurrence is the k-th entry of the feature vector.
func (d *Detector) phraseReasons(norm normalize.Text, doc *features.Doc, buf *buffers, toOriginal func(int) int, seam int) []Reason {
	text := norm.S
	if len(text) == 0 {
		return nil
	}
	contrib, masked, layout, ok := d.byteContributions(text, doc, buf)
	// The patterns' storage goes back to the buffers once this function,
	// which appends to them, is done with it.
	defer func() { buf.masked, buf.layout = masked.list[:0], layout.list[:0] }()
	if !ok {
		return nil
	}
	sum := func(start, end int) float64 {
		s := 0.0
		for i := start; i < end; i++ {
			s += contrib[i]
		}
		return s
	}
	words := scanWords(text, buf.words[:0])
	defer func() { buf.words = words[:0] }()
	for i := range words {
		w := &words[i]
		w.sum = sum(w.start, w.end)
		// Words on either side of the seam of a sampled text are not next
		// to each other in the text the user wrote.
		if w.joined && seam >= 0 {
			if s, t := norm.Original(words[i-1].start, w.end); s <= seam && t > seam {
				w.joined = false
			}
		}
	}

	// One entry per phrase or word, in the order first met; the storage
	// goes back to the buffers when done.
	if buf.entryIndex == nil {
		buf.entryIndex = map[string]int{}
	}
	index, entries := buf.entryIndex, buf.entries[:0]
	defer func() {
		clear(index)
		clear(entries) // drop the strings they hold
		buf.entries = entries[:0]
	}()
	add := func(key, shown string, phrase bool, weight float64, start, end int) {
		i, ok := index[key]
		if !ok {
			i = len(entries)
			index[key] = i
			entries = append(entries, phraseEntry{key: key, shown: shown, phrase: phrase})
		}
		e := &entries[i]
		e.weight += weight
		if e.count < maxReasonSpans {
			e.places[e.count] = [2]int32{int32(start), int32(end)}
		}
		e.count++
	}
	for i := 0; i < len(words); {
		w := words[i]
		if last := phraseEnd(words, i); last > i {
			keys := make([]string, 0, last-i+1)
			shown := make([]string, 0, last-i+1)
			for _, v := range words[i : last+1] {
				keys = append(keys, v.key)
				shown = append(shown, text[v.start:v.end])
			}
			start, end := w.start, words[last].end
			add(strings.Join(keys, " "), clip(strings.Join(shown, " "), 2*maxQuoted), true, sum(start, end), start, end)
			i = last + 1
			continue
		}
		switch w.kind {
		case wordContent:
			add(w.key, clip(text[w.start:w.end], maxQuoted), false, w.sum, w.start, w.end)
		case wordFunction:
			masked.add(w.sum, w.start, w.end)
		}
		i++
	}

	// A phrase's or word's weight is its average place's.
	for i := range entries {
		entries[i].weight /= float64(entries[i].count)
	}
	// Strongest first, then by key (keys are distinct, so the order is
	// total).
	slices.SortFunc(entries, func(a, b phraseEntry) int {
		if wa, wb := math.Abs(a.weight), math.Abs(b.weight); wa != wb {
			if wa > wb {
				return -1
			}
			return 1
		}
		return strings.Compare(a.key, b.key)
	})
	var out []Reason
	for i := range entries {
		e := &entries[i]
		if math.Abs(e.weight) < minReasonWeight || len(out) == 3 {
			break
		}
		what := "wording"
		if e.phrase {
			what = "phrase"
		}
		where := "generated text"
		if e.weight < 0 {
			where = "text people write"
		}
		text := fmt.Sprintf("the %s %q is more common in %s", what, e.shown, where)
		if e.count > 1 {
			text += fmt.Sprintf(" (%d places)", e.count)
		}
		spans := make([]Span, 0, min(e.count, maxReasonSpans))
		for _, p := range e.places[:cap(spans)] {
			spans = append(spans, d.originalSpan(norm, int(p[0]), int(p[1]), toOriginal))
		}
		out = append(out, Reason{Family: "phrasing", Signal: "phrase", Text: text, Weight: round4(e.weight), Spans: spans})
	}
	if r, ok := d.patternReason(norm, masked, sentencePatterns, toOriginal, seam); ok {
		out = append(out, r)
	}
	if r, ok := d.patternReason(norm, layout, layoutPatterns, toOriginal, seam); ok {
		out = append(out, r)
	}
	return out
}

// byteContributions spreads the contribution of every hashed n-gram but
// the masked and the shape ones evenly over the bytes it was read from and
// returns it per byte of text, with the masked n-grams (how sentences are
// built) and the shape n-grams (layout and punctuation) apart. ok is false
// when the token spans do not line up with the tokens (it cannot happen).
func (d *Detector) byteContributions(text string, doc *features.Doc, buf *buffers) (contrib []float64, masked, layout patterns, ok bool) {
	// diff is a difference array: an n-gram's weight is spread evenly over
	// its bytes, and contrib is its running sum.
	diff := slices.Grow(buf.diff[:0], len(text)+1)[:len(text)+1]
	clear(diff)
	buf.diff = diff
	masked.list, layout.list = buf.masked[:0], buf.layout[:0]
	spans := d.tokenSpans(text, buf.tokSpans, len(buf.ids))
	if spans == nil && len(buf.ids) > 0 {
		return nil, masked, layout, false // without token spans the walk would not line up
	}
	add := func(o features.Occurrence, w float64) {
		switch o.Group {
		case features.GroupMasked:
			masked.add(w, o.Start, o.End)
			return
		case features.GroupShape:
			layout.add(w, o.Start, o.End)
			return
		}
		per := w / float64(o.End-o.Start)
		diff[o.Start] += per
		diff[o.End] -= per
	}
	if d.ext.Config().Presence {
		// A bucket counts once per family, whatever its occurrences: its
		// contribution is shared evenly among them.
		places, counts, ok := presenceEntries(d.ext, doc, buf, spans)
		if !ok {
			return nil, masked, layout, false
		}
		for _, p := range places {
			o := features.Occurrence{Group: features.Group(p.group), Start: int(p.start), End: int(p.end)}
			add(o, buf.contrib[p.entry]/float64(counts[p.entry]))
		}
	} else {
		k := 0
		d.ext.Occurrences(doc, buf.ids, spans, func(o features.Occurrence) {
			if k >= len(buf.contrib) {
				return // cannot happen: raw added these features in this order
			}
			add(o, buf.contrib[k])
			k++
		})
	}
	contrib = diff[:len(text)]
	for i := 1; i < len(contrib); i++ {
		contrib[i] += contrib[i-1]
	}
	return contrib, masked, layout, true
}

// place is one n-gram occurrence as the explanation needs it: its bytes,
// its group and its entry in the feature vector.
type place struct {
	start, end int32
	entry      int32
	group      uint8
}

// presenceEntries returns, for a model with features.Config.Presence, every
// n-gram occurrence (in Occurrences order) with its entry in buf.vec, which
// holds one entry per bucket and group in the order of their first
// occurrences, and counts each entry's occurrences. It finds repeats with
// an open-addressing table keyed by group and bucket, in time linear in
// the occurrences. ok is false when the walk does not line up with the
// vector (it cannot happen).
func presenceEntries(ext *features.Extractor, doc *features.Doc, buf *buffers, spans [][2]int) (places []place, counts []int32, ok bool) {
	n := len(buf.vec.Idx)
	size := 1 << bits.Len(uint(2*n+1)) // at most half full
	buf.slotKey = slices.Grow(buf.slotKey[:0], size)[:size]
	buf.slotEntry = slices.Grow(buf.slotEntry[:0], size)[:size]
	clear(buf.slotKey)
	buf.counts = slices.Grow(buf.counts[:0], n)[:n]
	clear(buf.counts)
	places = buf.places[:0]
	mask := uint64(size - 1)
	next := int32(0)
	ok = true
	ext.Occurrences(doc, buf.ids, spans, func(o features.Occurrence) {
		// Buckets stay below 2^24 and groups below 8: the key is never 0.
		key := uint64(o.Group+1)<<32 | uint64(o.Bucket)
		h := (key * 0x9e3779b97f4a7c15 >> 32) & mask
		for buf.slotKey[h] != 0 && buf.slotKey[h] != key {
			h = (h + 1) & mask
		}
		if buf.slotKey[h] == 0 {
			if int(next) >= n || buf.vec.Idx[next] != o.Bucket {
				ok = false
				return
			}
			buf.slotKey[h], buf.slotEntry[h] = key, next
			next++
		}
		e := buf.slotEntry[h]
		buf.counts[e]++
		places = append(places, place{int32(o.Start), int32(o.End), e, uint8(o.Group)})
	})
	buf.places = places
	return places, buf.counts, ok
}

// phraseEntry is one phrase or word of phraseReasons. Only the reported
// ones need their places mapped to the original text, so each keeps the
// byte ranges of its first few in the normalised text.
type phraseEntry struct {
	key    string
	weight float64 // the sum of its places' contributions, then their mean
	count  int     // its places
	places [maxReasonSpans][2]int32
	shown  string // as quoted
	phrase bool   // several words, not one
}

// maxReasonSpans is how many places a phrase or word reason points at.
const maxReasonSpans = 5

// maxPhraseWords is how many words a phrase reason quotes at most.
const maxPhraseWords = 4

// minPhraseWordWeight is how hard (log-odds, at one place) a word must push
// to begin or end a phrase.
const minPhraseWordWeight = 0.1

// wordKind says what a word can be in a reason.
type wordKind int

const (
	wordContent  wordKind = iota // three letters or more, not a function word: a reason of its own
	wordFunction                 // a function word or pronoun: the sentence construction's
	wordShort                    // one or two letters: never a reason on its own
)

// textWord is one word of the text as the reasons read it: a run of
// letters, with apostrophes and hyphens inside it.
type textWord struct {
	start, end int
	key        string // lower-cased
	kind       wordKind
	// joined is true when only spaces or tabs separate the word from the
	// one before it.
	joined bool
	sum    float64 // the contribution of its bytes
}

// scanWords appends the words of text to out, in order.
func scanWords(text string, out []textWord) []textWord {
	start, prevEnd := -1, -1
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
		if start < end {
			w := textWord{start: start, end: end, key: strings.ToLower(text[start:end])}
			switch {
			case utf8.RuneCountInString(w.key) < 3:
				w.kind = wordShort
			case features.IsFunctionWord(w.key):
				w.kind = wordFunction
			}
			w.joined = prevEnd >= 0 && strings.Trim(text[prevEnd:start], " \t") == ""
			out = append(out, w)
			prevEnd = end
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
	return out
}

// phraseEnd returns the index of the last word of the phrase that begins
// at words[i], or i when no phrase begins there: from a word that pushes
// hard, the furthest word within maxPhraseWords that pushes hard the same
// way, across words joined by spaces that push that way too, however
// little, or are function or short words.
func phraseEnd(words []textWord, i int) int {
	strong := func(w textWord) bool {
		return w.kind == wordContent && math.Abs(w.sum) >= minPhraseWordWeight
	}
	if !strong(words[i]) {
		return i
	}
	sign := math.Signbit(words[i].sum)
	last := i
	for k := i + 1; k < len(words) && k-i < maxPhraseWords && words[k].joined; k++ {
		w := words[k]
		if w.kind != wordContent {
			continue
		}
		if w.sum == 0 || math.Signbit(w.sum) != sign {
			break
		}
		if strong(w) {
			last = k
		}
	}
	return last
}

// pattern is one masked word or shape n-gram occurrence and its
// contribution.
type pattern struct {
	weight     float64
	start, end int
}

// patterns are the occurrences of one kind of pattern and their total.
type patterns struct {
	list  []pattern
	total float64
}

func (p *patterns) add(w float64, start, end int) {
	p.total += w
	p.list = append(p.list, pattern{w, start, end})
}

// patternKind is what a pattern reason says and its Signal.
type patternKind struct {
	signal, about string
	// breaks quotes line breaks as ⏎ in the example rather than folding
	// them into spaces: where lines begin is part of a layout.
	breaks bool
}

var (
	sentencePatterns = patternKind{"sentence_patterns", "its sentence construction (function words and word lengths, not the topic)", false}
	layoutPatterns   = patternKind{"layout_patterns", "its layout and punctuation (line breaks, headings, list markers, emphasis; not the words)", true}
)

// patternReason reports one kind of pattern as one reason: how the
// sentences are built (the masked word n-grams and the function words) or
// how the text is laid out (the shape n-grams), with the occurrences that
// push hardest in the overall direction as its spans.
func (d *Detector) patternReason(norm normalize.Text, ps patterns, kind patternKind, toOriginal func(int) int, seam int) (Reason, bool) {
	list, total := ps.list, ps.total
	if math.Abs(total) < minReasonWeight {
		return Reason{}, false
	}
	// Up to three non-overlapping occurrences, strongest in the direction
	// of the total first (the earliest on a tie): three linear passes.
	sign := math.Copysign(1, total)
	var picked []pattern
	for range 3 {
		best := -1
		for i, p := range list {
			if p.weight*sign <= 0 || best >= 0 && p.weight*sign <= list[best].weight*sign {
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
		picked = append(picked, list[best])
	}
	var spans []Span
	var example string
	for _, p := range picked {
		if example == "" {
			quoted := norm.S[p.start:p.end]
			if kind.breaks {
				quoted = strings.ReplaceAll(strings.TrimRight(quoted, " \t"), "\n", "⏎")
			}
			example = clip(strings.Join(strings.Fields(quoted), " "), 2*maxQuoted)
		}
		spans = append(spans, d.originalSpan(norm, p.start, p.end, toOriginal))
	}
	where := "generated text"
	if total < 0 {
		where = "text people write"
	}
	text := fmt.Sprintf("%s is more typical of %s", kind.about, where)
	if example != "" {
		text += fmt.Sprintf(", e.g. %q", example)
	}
	return Reason{Family: "phrasing", Signal: kind.signal, Text: text, Weight: round4(total), Spans: spans}, true
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

// maxQuoted is how many characters of a word a reason quotes (of a phrase,
// twice that): reasons are read in narrow places (a Discord embed field, a
// check run title).
const maxQuoted = 40

// clip shortens s to at most n runes, ending it with an ellipsis when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// statReasonTexts words every statistic's reason for every bin, below and
// above the training median, once when the model loads: texts[s][b][h].
func statReasonTexts(stats []features.Stat, bins int) [][][2]string {
	texts := make([][][2]string, len(stats))
	for s, st := range stats {
		texts[s] = make([][2]string, bins)
		for b := range bins {
			texts[s][b] = [2]string{st.Low + rankNote(false, b, bins), st.High + rankNote(true, b, bins)}
		}
	}
	return texts
}

// rankNote says how common a statistic's value is among the training
// texts, from its bin b of bins quantile bins: "more so than in 3 of every
// 4" when at least half of them are less marked, else how many are at
// least as low. A value above the median (high) lies at or above the
// b/bins quantile; one at or below it lies below the (b+1)/bins quantile.
func rankNote(high bool, b, bins int) string {
	if high {
		return ", more so than in " + share(b, bins) + " training texts"
	}
	if k := bins - 1 - b; 2*k >= bins {
		return ", more so than in " + share(k, bins) + " training texts"
	}
	return ", like at least " + share(b, bins) + " training texts"
}

// share writes k/n in words: "half of the", "3 of every 4".
func share(k, n int) string {
	if 2*k == n {
		return "half of the"
	}
	g := gcd(k, n)
	return fmt.Sprintf("%d of every %d", k/g, n/g)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
