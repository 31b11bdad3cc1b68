package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxInput is the longest input Normalize reads, in bytes. Longer input is
// cut to this length (Stats.Truncated says by how much) so that offsets fit
// in 32 bits even after the largest NFKC expansion.
const MaxInput = 128 << 20

// chunk is the size at which a run of non-ASCII text is handed to NFKC, at
// the next normalisation boundary. It bounds the scratch buffer for ordinary
// text; a single unbroken NFKC segment (endless combining marks) is still
// handled, with the scratch growing to its length.
const chunk = 4 << 10

// Text is a normalised text with a map back to byte offsets of the original.
type Text struct {
	// S is the normalised text: valid UTF-8, NFKC, no invisible characters,
	// tidy whitespace, homoglyphs folded in Latin context.
	S string
	// Stats counts what normalisation changed.
	Stats Stats

	runs runList // S → original; nil when S is the input unchanged
}

// Stats counts what normalisation changed. The counts are signals in their
// own right: human text rarely holds invisible characters or homoglyphs.
type Stats struct {
	// Homoglyphs is the number of Cyrillic or Greek letters folded to Latin.
	Homoglyphs int
	// Invisible is the number of zero-width, bidi, format and control
	// characters removed.
	Invisible int
	// InvalidBytes is the number of bytes of invalid UTF-8 replaced by U+FFFD.
	InvalidBytes int
	// Compat is the number of NFKC segments that NFKC changed.
	Compat int
	// Whitespace is the number of whitespace characters removed or replaced
	// (a "\r\n" pair counts once).
	Whitespace int
	// Truncated is the number of input bytes beyond MaxInput that were dropped.
	Truncated int
}

// Changed reports whether normalisation changed anything but whitespace.
func (s Stats) Changed() bool {
	return s.Homoglyphs+s.Invisible+s.InvalidBytes+s.Compat+s.Truncated > 0
}

// Normalize normalises s as described in the package documentation. It
// never panics, and its result is idempotent:
// Normalize(Normalize(s).S).S == Normalize(s).S.
func Normalize(s string) Text {
	if len(s) <= MaxInput && tidyASCII(s) {
		return Text{S: s}
	}
	return normalize(s)
}

// normalize is Normalize for text that needs work.
func normalize(s string) Text {
	st := new(Stats)
	if len(s) > MaxInput {
		st.Truncated = len(s) - MaxInput
		s = s[:MaxInput]
	}

	mid, m := s, runList{{s: 0, o: 0, e: int32(len(s))}}
	if !allPlainASCII(s) {
		a := passA{src: s, st: st}
		a.out.sb.Grow(len(s))
		a.run()
		mid, m = a.out.sb.String(), a.out.runs
	}

	b := passB{in: mid, m: m, st: st}
	if mayFold(mid) {
		b.folds = foldRanges(mid)
	}
	b.out.sb.Grow(len(mid))
	b.run()

	t := Text{S: b.out.sb.String(), Stats: *st, runs: b.out.runs}
	if len(t.runs) == 1 && !t.runs[0].whole && t.runs[0].o == 0 && len(t.S) == len(s) {
		t.S, t.runs = s, nil // nothing moved: share the input
	}
	if len(t.S) == 0 {
		t.runs = nil
	}
	return t
}

// allPlainASCII reports whether pass A would copy s unchanged.
func allPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || !plainASCII(c) {
			return false
		}
	}
	return true
}

// tidyASCII reports whether s is printable ASCII whose whitespace already
// follows the rules, so that Normalize(s).S == s. ASCII is NFKC-invariant.
func tidyASCII(s string) bool {
	if len(s) == 0 {
		return true
	}
	if c := s[0]; c == ' ' || c == '\n' {
		return false
	}
	if c := s[len(s)-1]; c == ' ' || c == '\n' {
		return false
	}
	space, newlines := false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c > ' ' && c < 0x7f {
			space, newlines = false, 0
			continue
		}
		switch c {
		case ' ':
			if space {
				return false
			}
			space = true
		case '\n':
			if space || newlines == 2 {
				return false
			}
			newlines++
		default:
			return false
		}
	}
	return true
}

// builder accumulates an output string and its run list.
type builder struct {
	sb   strings.Builder
	runs runList
}

func (b *builder) ident(text string, o int) {
	b.runs.ident(b.sb.Len(), o, len(text))
	b.sb.WriteString(text)
}

func (b *builder) wholeBytes(text []byte, o, e int) {
	b.runs.whole(b.sb.Len(), len(text), o, e)
	b.sb.Write(text)
}

func (b *builder) whole(text string, o, e int) {
	b.runs.whole(b.sb.Len(), len(text), o, e)
	b.sb.WriteString(text)
}

// copyThrough appends in[x:y] to dst, mapping it to the original through m
// (which maps in to the original); cur is m's search hint.
func copyThrough(dst *builder, in string, x, y int, m runList, cur *int) {
	k := m.find(x, cur)
	for x < y {
		r := m[k]
		z := y
		if k+1 < len(m) {
			z = min(z, int(m[k+1].s))
		}
		if r.whole {
			dst.whole(in[x:z], int(r.o), int(r.e))
		} else {
			dst.ident(in[x:z], int(r.o)+x-int(r.s))
		}
		x = z
		k++
	}
	*cur = k - 1
}

// passA repairs UTF-8, removes invisible characters and applies NFKC.
type passA struct {
	src string
	st  *Stats
	out builder
	// ctx says whether the last starter kept and every rune kept after it
	// are in the joiner context. NFKC may reorder those marks, and so can
	// change which of them ends up next to a joiner; checking them all keeps
	// the joiner rule stable.
	ctx bool

	tmp  []byte  // pending non-ASCII text awaiting NFKC
	tmap runList // tmp → src
	seg  []byte  // scratch for one NFKC segment
	it   norm.Iter
}

// plainASCII reports whether c is an ASCII byte kept as is by pass A.
func plainASCII(c byte) bool {
	return c >= ' ' && c < 0x7f || c >= '\t' && c <= '\r'
}

func (a *passA) run() {
	src := a.src
	n := len(src)
	for i := 0; i < n; {
		c := src[i]
		if c < utf8.RuneSelf {
			if !plainASCII(c) {
				a.st.Invisible++ // control character
				i++
				continue
			}
			j := i + 1
			for j < n && src[j] < utf8.RuneSelf && plainASCII(src[j]) {
				j++
			}
			a.flush()
			if j < n {
				// The last byte may combine with what follows (e + U+0301),
				// possibly across removed characters: let NFKC see it.
				a.out.ident(src[i:j-1], i)
				a.tmap.ident(len(a.tmp), j-1, 1)
				a.tmp = append(a.tmp, src[j-1])
			} else {
				a.out.ident(src[i:j], i)
			}
			a.ctx = false
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size == 1 {
			// A run of invalid bytes becomes one U+FFFD, as
			// strings.ToValidUTF8 does: binary junk costs one rune, not
			// three bytes and an offset-map entry per byte.
			j := i + 1
			for j < n {
				if r2, s2 := utf8.DecodeRuneInString(src[j:]); r2 != utf8.RuneError || s2 != 1 {
					break
				}
				j++
			}
			a.st.InvalidBytes += j - i
			a.tmap.whole(len(a.tmp), len(string(utf8.RuneError)), i, j)
			a.tmp = utf8.AppendRune(a.tmp, utf8.RuneError)
			a.ctx = false
			i = j
			continue
		}
		if a.remove(r, src[i+size:]) {
			a.st.Invisible++
			i += size
			continue
		}
		if len(a.tmp) >= chunk && norm.NFKC.PropertiesString(src[i:]).BoundaryBefore() {
			a.flush()
		}
		a.tmap.ident(len(a.tmp), i, size)
		a.tmp = append(a.tmp, src[i:i+size]...)
		if !joinerContext(r) {
			a.ctx = false
		} else if norm.NFKC.PropertiesString(src[i:]).CCC() == 0 {
			a.ctx = true
		}
		i += size
	}
	a.flush()
}

// remove reports whether the non-ASCII rune r, followed by rest, is removed.
func (a *passA) remove(r rune, rest string) bool {
	if r == zwnj || r == zwj {
		if !a.ctx || rest == "" {
			return true
		}
		next, _ := utf8.DecodeRuneInString(rest)
		pr := norm.NFKC.PropertiesString(rest)
		return !joinerContext(next) || pr.CCC() != 0 || pr.LeadCCC() != 0
	}
	return invisible(r)
}

// flush applies NFKC to the pending non-ASCII text and appends the result.
func (a *passA) flush() {
	if len(a.tmp) == 0 {
		return
	}
	var t string
	if r := a.tmap[0]; len(a.tmap) == 1 && !r.whole {
		t = a.src[r.o:r.e] // a plain slice of the input: no copy needed
	} else {
		t = string(a.tmp)
	}
	cur := 0
	for p := 0; p < len(t); {
		if q := p + norm.NFKC.QuickSpanString(t[p:]); q > p {
			copyThrough(&a.out, t, p, q, a.tmap, &cur)
			p = q
			if p == len(t) {
				break
			}
		}
		// The next segment, extended over stream-safe splits so that NFKC
		// sees a whole run of combining marks at once.
		q := p + norm.NFKC.NextBoundaryInString(t[p:], true)
		for q < len(t) && !norm.NFKC.PropertiesString(t[q:]).BoundaryBefore() {
			q += norm.NFKC.NextBoundaryInString(t[q:], true)
		}
		a.seg = a.seg[:0]
		for a.it.InitString(norm.NFKC, t[p:q]); !a.it.Done(); {
			a.seg = append(a.seg, a.it.Next()...)
		}
		if string(a.seg) == t[p:q] {
			copyThrough(&a.out, t, p, q, a.tmap, &cur)
		} else {
			a.st.Compat++
			o, e := a.tmap.span(p, q, &cur)
			if string(a.seg) == a.src[o:e] {
				a.out.ident(a.src[o:e], o)
			} else {
				a.out.wholeBytes(a.seg, o, e)
			}
		}
		p = q
	}
	a.tmp = a.tmp[:0]
	a.tmap = a.tmap[:0]
}

const (
	zwnj = '\u200C'
	zwj  = '\u200D'
)

// invisible reports whether the non-ASCII rune r is removed: C1 controls
// (but NEL), format characters (Cf) other than the visible prepended
// concatenation marks, and the Hangul fillers that render as nothing.
func invisible(r rune) bool {
	switch {
	case r < 0xA0:
		return r != 0x85
	case r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0:
		return true
	case r >= 0x0600 && r <= 0x0605, r == 0x06DD, r == 0x070F, r == 0x0890, r == 0x0891,
		r == 0x08E2, r == 0x110BD, r == 0x110CD:
		return false
	}
	return unicode.Is(unicode.Cf, r)
}

// joinerContext reports whether r is a rune next to which ZWJ and ZWNJ are
// kept: emoji and the Arabic and Indic scripts, where joiners change how
// text renders. The set is closed under NFKC, which keeps the rule stable.
func joinerContext(r rune) bool {
	switch {
	case r >= 0x0600 && r <= 0x06FF, r >= 0x0750 && r <= 0x077F, r >= 0x08A0 && r <= 0x08FF:
		return true // Arabic
	case r >= 0x0900 && r <= 0x0DFF:
		return true // Devanagari to Sinhala
	case r >= 0x2600 && r <= 0x27BF, r >= 0x1F300 && r <= 0x1FAFF, r >= 0x1F1E6 && r <= 0x1F1FF,
		r == 0xFE0F:
		return true // emoji, regional indicators, emoji presentation selector
	}
	return false
}

// passB folds homoglyphs and tidies whitespace.
type passB struct {
	in    string
	m     runList // in → original
	cur   int
	st    *Stats
	out   builder
	folds []span
	fi    int

	cs, ce  int // pending verbatim copy of in[cs:ce]
	started bool
	nl      int     // newlines pending
	nls     [2]span // the first two of them
	sp      bool    // a space pending
	sps     span
}

func (p *passB) run() {
	in := p.in
	n := len(in)
	for i := 0; i < n; {
		c := in[i]
		if c < utf8.RuneSelf {
			switch {
			case c > ' ' && c < 0x7f:
				j := i + 1
				for j < n {
					if c := in[j]; c > ' ' && c < 0x7f {
						j++
					} else if c == ' ' && j+1 < n && in[j+1] > ' ' && in[j+1] < 0x7f {
						j += 2
					} else {
						break
					}
				}
				p.text(i, j)
				i = j
			case c == '\n':
				p.newline(i, i+1)
				i++
			case c == '\r':
				j := i + 1
				if j < n && in[j] == '\n' {
					j++
				}
				p.newline(i, j)
				i = j
			default: // ' ', '\t', '\v', '\f'
				p.space(i, i+1)
				i++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(in[i:])
		switch {
		case r == 0x85 || r == 0x2028 || r == 0x2029:
			p.newline(i, i+size)
		case unicode.IsSpace(r):
			p.space(i, i+size)
		case p.inFold(i) && foldOf(r) != "":
			size = p.fold(i, r, size)
		default:
			p.text(i, i+size)
		}
		i += size
	}
	p.st.Whitespace += p.nl
	if p.sp {
		p.st.Whitespace++
	}
	p.flushCopy()
}

// inFold reports whether in[i] lies in a fold range.
func (p *passB) inFold(i int) bool {
	for p.fi < len(p.folds) && p.folds[p.fi].end <= i {
		p.fi++
	}
	return p.fi < len(p.folds) && p.folds[p.fi].start <= i
}

// fold replaces the homoglyph r at in[i:i+size], with any combining marks
// after it, and returns the number of bytes consumed.
func (p *passB) fold(i int, r rune, size int) int {
	q := i + size
	for q < len(p.in) {
		pr := norm.NFKC.PropertiesString(p.in[q:])
		if pr.Size() == 0 || pr.BoundaryBefore() {
			break
		}
		q += pr.Size()
	}
	repl := foldOf(r)
	if q > i+size {
		repl = norm.NFKC.String(repl + p.in[i+size:q])
	}
	p.flushSpace()
	p.started = true
	p.replace(repl, i, q)
	p.st.Homoglyphs++
	return q - i
}

// text emits in[x:y], which holds no whitespace change.
func (p *passB) text(x, y int) {
	p.flushSpace()
	p.started = true
	p.copy(x, y)
}

func (p *passB) space(x, y int) {
	if !p.started || p.sp {
		p.st.Whitespace++
		return
	}
	p.sp, p.sps = true, span{x, y}
}

func (p *passB) newline(x, y int) {
	if !p.started {
		p.st.Whitespace++
		return
	}
	if p.sp {
		p.sp = false // trailing space
		p.st.Whitespace++
	}
	if p.nl < 2 {
		p.nls[p.nl] = span{x, y}
	} else {
		p.st.Whitespace++
	}
	p.nl++
}

// flushSpace emits the pending newlines and space before more text.
func (p *passB) flushSpace() {
	for k := range min(p.nl, 2) {
		p.emitAs("\n", p.nls[k])
	}
	p.nl = 0
	if p.sp {
		p.emitAs(" ", p.sps)
		p.sp = false
	}
}

// emitAs emits want for in[sp.start:sp.end], copying when they are equal.
func (p *passB) emitAs(want string, sp span) {
	if p.in[sp.start:sp.end] == want {
		p.copy(sp.start, sp.end)
		return
	}
	p.st.Whitespace++
	p.replace(want, sp.start, sp.end)
}

func (p *passB) copy(x, y int) {
	if p.ce == x && p.ce > p.cs {
		p.ce = y
		return
	}
	p.flushCopy()
	p.cs, p.ce = x, y
}

func (p *passB) flushCopy() {
	if p.ce > p.cs {
		copyThrough(&p.out, p.in, p.cs, p.ce, p.m, &p.cur)
	}
	p.cs, p.ce = 0, 0
}

// replace emits text in place of in[x:y].
func (p *passB) replace(text string, x, y int) {
	p.flushCopy()
	o, e := p.m.span(x, y, &p.cur)
	p.out.whole(text, o, e)
}
