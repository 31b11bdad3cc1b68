package moderation

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/disclosure"
)

// Rule names the policy rule that decided an item.
type Rule string

// The rules, in the order Decide tries them.
const (
	// RuleNone: no rule fired; the item is not flagged.
	RuleNone Rule = ""
	// RuleHoneypot: the text holds the project's honeypot phrase.
	RuleHoneypot Rule = "honeypot"
	// RuleDisclosed: the item discloses an agent (policy key `disclosed`).
	RuleDisclosed Rule = "disclosed"
	// RuleUndisclosed: the model judges it machine and it discloses
	// nothing, in a project that requires disclosure.
	RuleUndisclosed Rule = "require_disclosure"
	// RuleScore: the text score reached the threshold.
	RuleScore Rule = "score"
)

// String returns the rule's policy-file name, or "none".
func (r Rule) String() string {
	if r == RuleNone {
		return "none"
	}
	return string(r)
}

// Decision is what a policy makes of a verdict: whether to flag, which rule
// said so, and whether to put the neutral AssistedLabel on.
type Decision struct {
	// Verdict is the verdict the decision was made on; a honeypot makes it
	// machine with the honeypot as first reason.
	Verdict Verdict
	// Threshold is the score at or above which the text score flags.
	Threshold float64
	// Flagged is true when the item should be flagged.
	Flagged bool
	// Rule is the rule that decided; RuleDisclosed with Flagged false is the label.
	Rule Rule
	// Assisted is true when the item gets AssistedLabel.
	Assisted bool
	// Why says in one sentence which rule fired and why; empty when none did.
	Why string
}

// SignalHoneypot is the signal of the reason a honeypot adds.
const SignalHoneypot = "honeypot"

// Decide applies the policy's provenance rules and threshold to a verdict,
// in this order; the first that fires decides:
//  1. honeypot: a pull request or issue whose text holds the honeypot
//     phrase is flagged as agent-written, whatever else;
//  2. disclosed: an item that discloses an agent (Verdict.Disclosure.Own)
//     gets AssistedLabel and no flag (label, the default), is flagged
//     (flag), or is treated like any other item (ignore);
//  3. require_disclosure: an item the model judges machine, or whose score
//     reaches the threshold, that discloses nothing is flagged, pointing at
//     the policy;
//  4. score: the text score reaches the threshold (Verdict.Flagged).
//
// modelThreshold is the model's default flag threshold; a verdict with a
// KindThreshold (the model's threshold for its item's kind) uses that
// instead (Verdict.ModelThreshold). The policy's own threshold, when set,
// replaces either.
//
// Exemptions are not Decide's business: callers skip exempt items first.
func (p Policy) Decide(v Verdict, modelThreshold float64) Decision {
	d := Decision{Verdict: v, Threshold: p.Threshold(v.ModelThreshold(modelThreshold))}
	if r, ok := p.honeypotReason(v.Item); ok {
		d.Verdict.Reasons = append([]detector.Reason{r}, v.Reasons...)
		d.Verdict.Verdict = detector.Machine
		d.Flagged, d.Rule = true, RuleHoneypot
		d.Why = "The text contains the phrase that " + p.Honeypot.where() + " asks only AI agents to write."
		return d
	}
	disclosed := v.Disclosure != nil && v.Disclosure.Own
	if disclosed && p.Disclosed != DisclosedIgnore {
		d.Rule = RuleDisclosed
		if p.Disclosed == DisclosedFlag {
			d.Flagged = true
			d.Why = "The item " + v.Disclosure.Sentence() + ", and this project does not accept AI-generated contributions (`disclosed: flag`)."
		} else {
			d.Assisted = true
			d.Why = "The item " + v.Disclosure.Sentence() + "; it is labelled " + AssistedLabel + " and not flagged (`disclosed: label`)."
		}
		return d
	}
	scored := v.Flagged(d.Threshold)
	if p.RequireDisclosure && !disclosed && !v.CannotJudge && (scored || v.Verdict == detector.Machine) {
		d.Flagged, d.Rule = true, RuleUndisclosed
		d.Why = "The text reads as machine-generated and discloses no AI assistance; this project asks contributors to disclose it (`require_disclosure`)"
		if p.PolicyURL != "" {
			d.Why += ": see " + p.PolicyURL
		}
		d.Why += "."
		return d
	}
	if scored {
		d.Flagged, d.Rule = true, RuleScore
		d.Why = fmt.Sprintf("The text scores %.2f, at or above this project's threshold %.2f.", v.Score, d.Threshold)
	}
	return d
}

// where names the honeypot's file for people.
func (h Honeypot) where() string {
	if h.File == "" {
		return "this project"
	}
	return "`" + h.File + "`"
}

// honeypotPattern matches the phrase ignoring case and how the words are spaced.
func honeypotPattern(phrase string) *regexp.Regexp {
	words := strings.Fields(phrase)
	if len(words) == 0 {
		return nil
	}
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(`(?i)` + strings.Join(words, `\s+`))
}

// honeypotReason is the reason for a pull request or issue whose text holds
// the honeypot phrase.
func (p Policy) honeypotReason(it Item) (detector.Reason, bool) {
	if it.Kind != KindPullRequest && it.Kind != KindIssue {
		return detector.Reason{}, false
	}
	re := honeypotPattern(p.Honeypot.Phrase)
	if re == nil {
		return detector.Reason{}, false
	}
	// The instruction usually sits in an HTML comment of the template, which
	// a person's description keeps when they leave the template in place:
	// only text people can see counts. A person asking about the instruction
	// quotes it (in code or a blockquote); an agent following it writes it.
	text := it.Text()
	var loc []int
	for _, l := range re.FindAllStringIndex(blankHTMLComments(text), -1) {
		if !disclosure.Quoted(text, l[0], l[1]) {
			loc = l
			break
		}
	}
	if loc == nil {
		return detector.Reason{}, false
	}
	return detector.Reason{
		Family: FamilyProvenance, Signal: SignalHoneypot,
		Text:  fmt.Sprintf("contains the honeypot phrase %q, which %s asks only AI agents to write", strings.TrimSpace(p.Honeypot.Phrase), p.Honeypot.where()),
		Spans: []detector.Span{{Start: loc[0], End: loc[1]}},
	}, true
}

// Found reports whether text holds the phrase, ignoring case and spacing;
// `config validate` uses it on the honeypot's file, where the phrase may sit
// inside the HTML comment that hides the instruction (Decide, on items,
// skips HTML comments).
func (h Honeypot) Found(text string) bool {
	re := honeypotPattern(h.Phrase)
	return re != nil && re.MatchString(text)
}

// htmlComment matches an HTML comment, or an unclosed one to the end of the
// text (GitHub hides both).
var htmlComment = regexp.MustCompile(`(?s)<!--.*?(?:-->|\z)`)

// blankHTMLComments replaces HTML comments with spaces of the same length,
// so spans into the result are spans into text.
func blankHTMLComments(text string) string {
	return htmlComment.ReplaceAllStringFunc(text, func(c string) string { return strings.Repeat(" ", len(c)) })
}
