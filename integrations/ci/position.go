package ci

import (
	"sort"
	"unicode/utf8"
)

// Position is a 1-based place in a text: Line, Column in Unicode code points
// (what SARIF's "unicodeCodePoints" and GitHub annotations expect) and
// ByteColumn in UTF-8 bytes (what reviewdog's rdjson expects).
type Position struct {
	Line       int `json:"line"`
	Column     int `json:"column"`
	ByteColumn int `json:"-"`
}

// lineIndex maps byte offsets of one text to positions. Building it is one
// pass over the text; each lookup is a binary search, so even a 10 MB input
// with many spans stays cheap.
type lineIndex struct {
	text   string
	starts []int // byte offset at which each line starts; starts[0] == 0
}

func newLineIndex(text string) *lineIndex {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{text: text, starts: starts}
}

// position converts a byte offset, clamped to the text, to a Position.
func (ix *lineIndex) position(off int) Position {
	off = max(0, min(off, len(ix.text)))
	// The line is the last one starting at or before off.
	line := sort.SearchInts(ix.starts, off+1) - 1
	start := ix.starts[line]
	return Position{
		Line:       line + 1,
		Column:     utf8.RuneCountInString(ix.text[start:off]) + 1,
		ByteColumn: off - start + 1,
	}
}
