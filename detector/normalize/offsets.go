package normalize

// run maps a piece of an output buffer back to the input it came from. The
// piece starts at output byte s and ends where the next run starts (or at the
// end of the output). It came from input bytes [o, e).
//
// An identity run (whole == false) is a verbatim copy: output byte s+k came
// from input byte o+k, and e-o equals the piece's length. A whole run is an
// indivisible replacement (an NFKC expansion, a folded homoglyph, a repaired
// byte, a normalised newline): every byte of the piece maps to all of [o, e).
type run struct {
	s, o, e int32
	whole   bool
}

// runList is an ordered list of runs covering an output buffer with no gaps.
// Runs never have zero length, so their starts strictly increase. Input bytes
// between the end of one run and the start of the next were deleted.
type runList []run

// ident records that n bytes written at output offset s are a verbatim copy
// of input bytes starting at o. It extends the previous run when it can.
func (rl *runList) ident(s, o, n int) {
	if n == 0 {
		return
	}
	if k := len(*rl); k > 0 {
		last := &(*rl)[k-1]
		if !last.whole && int(last.e) == o {
			last.e += int32(n)
			return
		}
	}
	*rl = append(*rl, run{s: int32(s), o: int32(o), e: int32(o + n)})
}

// whole records that n bytes written at output offset s replace input bytes
// [o, e) as a unit. Consecutive pieces from the same input unit share one run.
func (rl *runList) whole(s, n, o, e int) {
	if n == 0 {
		return
	}
	if k := len(*rl); k > 0 {
		last := (*rl)[k-1]
		if last.whole && int(last.o) == o && int(last.e) == e {
			return
		}
	}
	*rl = append(*rl, run{s: int32(s), o: int32(o), e: int32(e), whole: true})
}

// find returns the index of the run holding output byte p, starting the
// search at *cur and leaving *cur there. Queries must not go backwards by
// more than the hint allows; find falls back to a binary search when they do.
func (rl runList) find(p int, cur *int) int {
	k := *cur
	if k >= len(rl) || int(rl[k].s) > p {
		k = rl.search(p)
	}
	for k+1 < len(rl) && int(rl[k+1].s) <= p {
		k++
	}
	*cur = k
	return k
}

// search returns the index of the last run starting at or before p.
func (rl runList) search(p int) int {
	lo, hi := 0, len(rl)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int(rl[m].s) <= p {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return 0
	}
	return lo - 1
}

// startOf returns the input offset where output byte p (inside run k) begins.
func (rl runList) startOf(k, p int) int {
	r := rl[k]
	if r.whole {
		return int(r.o)
	}
	return int(r.o) + p - int(r.s)
}

// endOf returns the input offset where output byte p-1 (inside run k) ends.
func (rl runList) endOf(k, p int) int {
	r := rl[k]
	if r.whole {
		return int(r.e)
	}
	return int(r.o) + p - int(r.s)
}

// span maps the non-empty output range [x, y) to an input range.
func (rl runList) span(x, y int, cur *int) (int, int) {
	a := rl.startOf(rl.find(x, cur), x)
	c := *cur
	b := rl.endOf(rl.find(y-1, &c), y)
	return a, b
}

// Original maps the half-open byte span [start, end) of t.S to the half-open
// byte span of the original input it came from. Out-of-range arguments are
// clamped to [0, len(t.S)] and end < start is treated as end == start. An
// empty span maps to an empty span at the corresponding input position. A
// span that covers part of an indivisible replacement (say "f" out of the
// "ffi" that NFKC made of "ﬃ") maps to the whole of that replacement's
// source. Original never panics.
func (t Text) Original(start, end int) (int, int) {
	start = min(max(start, 0), len(t.S))
	end = min(max(end, start), len(t.S))
	if t.runs == nil {
		if len(t.S) == 0 {
			return 0, 0
		}
		return start, end
	}
	cur := t.runs.search(start)
	if start == end {
		if start == len(t.S) {
			last := len(t.runs) - 1
			p := t.runs.endOf(last, start)
			return p, p
		}
		p := t.runs.startOf(t.runs.find(start, &cur), start)
		return p, p
	}
	return t.runs.span(start, end, &cur)
}

// Truncate returns t with S cut to at most n bytes, on a character
// boundary. Original still maps every offset of what is left.
func (t Text) Truncate(n int) Text {
	if len(t.S) > n {
		t.S = t.S[:RuneFloor(t.S, n)]
	}
	return t
}

// RuneFloor returns the largest index j <= i that does not fall inside a
// UTF-8 sequence of s, so s[:j] cuts no character in two. An i past the end
// of s is returned as is.
func RuneFloor(s string, i int) int {
	for i > 0 && i < len(s) && s[i]&0xC0 == 0x80 {
		i--
	}
	return i
}
