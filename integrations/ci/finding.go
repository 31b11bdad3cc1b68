package ci

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
)

// Level is how loudly a finding is reported.
type Level int

// The levels, from quietest to loudest.
const (
	// LevelNotice: the model says machine, but the score is below the policy's threshold.
	LevelNotice Level = iota
	// LevelWarning: the input is flagged.
	LevelWarning
	// LevelError: the input reached --fail-on and fails the run.
	LevelError
)

var levelNames = [...]string{LevelNotice: "notice", LevelWarning: "warning", LevelError: "error"}

// name returns the level's name in a format's own list of names, or the
// notice level's when the list lacks it.
func (l Level) name(names []string) string {
	if l < 0 || int(l) >= len(names) {
		return names[LevelNotice]
	}
	return names[l]
}

// String returns "notice", "warning" or "error" (GitHub's annotation commands).
func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// Families are the reason families, one SARIF rule each, in report order.
var Families = []string{"phrasing", "vocabulary", "structure", "style", "characters", moderation.FamilyProvenance}

// ruleOverall is the rule of a finding about an input as a whole (no reason given).
const ruleOverall = "overall"

// Finding is one thing worth pointing at: a reason that pushed a flagged (or
// machine-judged) input towards machine, at the place its first span covers.
type Finding struct {
	// Entry is the index in Report.Entries of the input the finding is about.
	Entry int
	// Reason is the signal; nil for a finding about the input as a whole.
	Reason *detector.Reason
	Level  Level
	// Start and End locate the reason's first span, or Start alone the start of
	// the text for a reason without spans (End is then zero); HasPos is false
	// when the input has no lines to point at (events, commits).
	Start, End Position
	HasPos     bool
	// rank is the reason's place within its input, for prioritising.
	rank int
}

// Rule is the finding's rule identifier: the reason family, or "overall".
func (f Finding) Rule() string {
	if f.Reason == nil || f.Reason.Family == "" {
		return ruleOverall
	}
	return f.Reason.Family
}

// Findings lists what the report points at, loudest and most telling first:
// by level, then each input's strongest reason before any input's second, then
// by score and weight, then input order. Only inputs that are flagged, failed
// or judged machine have findings; reasons pointing towards human are left out.
func (r *Report) Findings() []Finding {
	var out []Finding
	for i := range r.Entries {
		e := &r.Entries[i]
		if !e.Checked || !(e.Flagged || e.Failed || e.Verdict.Verdict == detector.Machine) {
			continue
		}
		lvl := LevelNotice
		switch {
		case e.Failed:
			lvl = LevelError
		case e.Flagged:
			lvl = LevelWarning
		}
		var ix *lineIndex
		rank := 0
		for j := range e.Verdict.Reasons {
			rs := &e.Verdict.Reasons[j]
			// Findings are the reasons people are shown: the patterns
			// pointing towards machine writing, the note on hidden
			// characters, and disclosures and honeypots.
			if !moderation.Shown(*rs) {
				continue
			}
			f := Finding{Entry: i, Reason: rs, Level: lvl, rank: rank}
			rank++
			switch {
			case len(rs.Spans) > 0 && e.Input.Line > 0:
				if ix == nil {
					ix = newLineIndex(e.Input.Item.Text())
				}
				sp := rs.Spans[0]
				f.Start, _ = e.Input.locate(ix, sp.Start)
				f.End, f.HasPos = e.Input.locate(ix, sp.End)
			case e.Input.Line > 0:
				f.Start, f.HasPos = e.Input.start(), true // a whole-text signal points at where the text starts
			}
			out = append(out, f)
		}
		if rank == 0 {
			f := Finding{Entry: i, Level: lvl}
			if e.Input.Line > 0 {
				f.Start, f.HasPos = e.Input.start(), true
			}
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		if c := cmp.Compare(b.Level, a.Level); c != 0 {
			return c
		}
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		if c := cmp.Compare(r.Entries[b.Entry].Verdict.Score, r.Entries[a.Entry].Verdict.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(weight(b), weight(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.Entry, b.Entry)
	})
	return out
}

func weight(f Finding) float64 {
	if f.Reason == nil {
		return 0
	}
	return f.Reason.Weight
}

// message words a finding for people: the pattern, then the input's score.
// Reasons describe patterns in the text, never the author.
func (r *Report) message(f Finding) string {
	e := r.Entries[f.Entry]
	head := fmt.Sprintf("%s: score %.2f (%s", e.Input.Name, e.Verdict.Score, e.Verdict.Verdict)
	switch f.Level {
	case LevelError:
		head += fmt.Sprintf(", reaches --fail-on %.2f)", r.FailOn)
	case LevelWarning:
		head += fmt.Sprintf(", flagged at %.3f)", r.Threshold)
	default:
		head += ")"
	}
	if f.Reason == nil {
		return head + ": the text as a whole reads like machine-generated writing"
	}
	return fmt.Sprintf("%s: %s: %s", head, f.Rule(), f.Reason.Text)
}
