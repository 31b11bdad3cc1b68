package moderation

import (
	"fmt"

	"github.com/slopguard/slopguard/detector"
)

// This file holds the one decision every surface makes about an item:
// whether it is checked at all (Screen), what a checked item's verdict
// leads to (Policy.Outcome for a repository, ScoreOutcome for a Discord
// server), and which reasons people are shown (ShownReasons).

// Checks reports whether a scope in mode m checks anything: every mode
// but off.
func (m Mode) Checks() bool { return m != ModeOff }

// Tells reports whether a scope in mode m tells people on the platform
// (flag and enforce); observe scores and records only.
func (m Mode) Tells() bool { return m >= ModeFlag }

// Skip is why an item is not checked.
type Skip int

// The reasons for not checking an item, in the order Screen tries them.
const (
	// SkipNone: the item is checked.
	SkipNone Skip = iota
	// SkipModeOff: the scope's mode is off.
	SkipModeOff
	// SkipSurface: the policy switches this kind of item off (Surfaces).
	SkipSurface
	// SkipExempt: the author or the item is exempt (Exemptions).
	SkipExempt
)

// Screen says whether the policy checks an item at all, in the order every
// surface applies: mode off, then the surface for the item's kind, then the
// exemptions (Exempt, with labels, draft and teams as there). why is
// Exempt's reason for SkipExempt, empty otherwise; each surface words the
// other skips itself.
func (p Policy) Screen(it Item, labels []string, draft bool, teams []string) (skip Skip, why string) {
	switch {
	case !p.Mode.Checks():
		return SkipModeOff, ""
	case !p.Checks(it.Kind):
		return SkipSurface, ""
	}
	if ok, why := p.Exempt(it, labels, draft, teams); ok {
		return SkipExempt, why
	}
	return SkipNone, ""
}

// Thresholds are the two scores a scope reads verdicts against.
type Thresholds struct {
	// Flag is the score at or above which an item is flagged.
	Flag float64
	// Enforce is the stricter score at or above which enforce mode acts;
	// never below Flag.
	Enforce float64
}

// ResolveThresholds reads a configured flag and enforce threshold, where
// 0 means unset, for a model whose own flag threshold is model: flag is
// model when unset; enforce is never below flag, and
// DefaultEnforceThreshold of flag when unset. Policies and Discord server
// settings both read their thresholds through it.
func ResolveThresholds(flag, enforce, model float64) Thresholds {
	if !(flag > 0) {
		flag = model
	}
	if enforce <= 0 {
		return Thresholds{Flag: flag, Enforce: DefaultEnforceThreshold(flag)}
	}
	return Thresholds{Flag: flag, Enforce: max(enforce, flag)}
}

// Thresholds returns the policy's thresholds for a model whose own flag
// threshold is model (Threshold and EnforceThreshold).
func (p Policy) Thresholds(model float64) Thresholds {
	return ResolveThresholds(p.FlagThreshold, p.Enforce.Threshold, model)
}

// FlaggedScore is the one rule that flags by score: a text the model could
// judge whose score reaches threshold. Verdict.Flagged applies it to a
// verdict; code holding only a stored decision's score and CannotJudge
// applies it directly.
func FlaggedScore(score float64, cannotJudge bool, threshold float64) bool {
	return !cannotJudge && score >= threshold
}

// Outcome is what a surface does about one checked item: the Decision
// (which rule flagged it, if any), and whether enforce mode acts on it.
type Outcome struct {
	Decision
	// Mode is the scope's mode; only Mode.Tells writes to the platform.
	Mode Mode
	// EnforceThreshold is the score at or above which enforce mode acts.
	EnforceThreshold float64
	// Enforce is true when enforce mode acts on the item: the mode is
	// enforce, the item is flagged by a rule other than a disclosure, and
	// its score reaches EnforceThreshold.
	Enforce bool
}

// Outcome decides a checked item under the policy: Decide's rules
// (honeypot, disclosed, require_disclosure, score), then whether enforce
// mode acts. model is the model's default flag threshold (see Decide for a
// verdict with a KindThreshold).
func (p Policy) Outcome(v Verdict, model float64) Outcome {
	return outcome(p.Mode, p.Decide(v, model), p.EnforceThreshold(v.ModelThreshold(model)))
}

// ScoreOutcome decides a checked item by its score alone, for a scope
// without provenance rules (a Discord server): flagged by RuleScore when
// the verdict reaches t.Flag.
func ScoreOutcome(mode Mode, v Verdict, t Thresholds) Outcome {
	d := Decision{Verdict: v, Threshold: t.Flag}
	if v.Flagged(t.Flag) {
		d.Flagged, d.Rule = true, RuleScore
		d.Why = fmt.Sprintf("The text scores %.2f, at or above the threshold %.2f.", v.Score, t.Flag)
	}
	return outcome(mode, d, max(t.Enforce, t.Flag))
}

func outcome(mode Mode, d Decision, enforceAt float64) Outcome {
	return Outcome{
		Decision: d, Mode: mode, EnforceThreshold: enforceAt,
		Enforce: mode == ModeEnforce && d.Flagged && d.Rule != RuleDisclosed && d.Verdict.Flagged(enforceAt),
	}
}

// Shown reports whether people are shown a reason as a pattern found: it
// points towards machine writing (a model signal of positive weight, or a
// provenance reason: a disclosure or a honeypot), or it is the note on
// hidden characters, which is shown whatever its weight. Reasons pointing
// towards human writing stay in the record but are never listed as
// patterns found.
func Shown(r detector.Reason) bool {
	return r.Weight > 0 || r.Family == FamilyProvenance || r.Signal == detector.SignalHiddenCharacters
}

// ShownReasons returns the reasons people are shown (Shown): up to n of
// them in order, then the note on hidden characters, which is never cut.
func ShownReasons(reasons []detector.Reason, n int) []detector.Reason {
	var out, notes []detector.Reason
	for _, r := range reasons {
		switch {
		case r.Signal == detector.SignalHiddenCharacters:
			notes = append(notes, r)
		case Shown(r) && len(out) < n:
			out = append(out, r)
		}
	}
	return append(out, notes...)
}
