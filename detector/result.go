package detector

import "fmt"

// Verdict is the detector's decision about one text.
type Verdict int

// The verdicts, ordered from least to most suspicious.
const (
	Human Verdict = iota
	Unsure
	Machine
)

var verdictNames = [...]string{Human: "human", Unsure: "unsure", Machine: "machine"}

// String returns "human", "unsure" or "machine".
func (v Verdict) String() string {
	if v < 0 || int(v) >= len(verdictNames) {
		return fmt.Sprintf("Verdict(%d)", int(v))
	}
	return verdictNames[v]
}

// ParseVerdict is the inverse of Verdict.String.
func ParseVerdict(s string) (Verdict, error) {
	for i, name := range verdictNames {
		if s == name {
			return Verdict(i), nil
		}
	}
	return Unsure, fmt.Errorf("unknown verdict %q (want human, unsure or machine)", s)
}

// MarshalText encodes the verdict as its name, so JSON carries "machine", not 2.
func (v Verdict) MarshalText() ([]byte, error) {
	if v < 0 || int(v) >= len(verdictNames) {
		return nil, fmt.Errorf("invalid verdict %d", int(v))
	}
	return []byte(v.String()), nil
}

// UnmarshalText decodes a verdict name.
func (v *Verdict) UnmarshalText(b []byte) error {
	p, err := ParseVerdict(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// Span is a half-open byte range [Start, End) of the original, un-normalised text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Reason is one signal that moved the score, worded as a pattern in the text
// rather than a claim about its author.
type Reason struct {
	// Family groups signals for reporting (one SARIF rule per family):
	// "phrasing", "vocabulary", "structure", "style" or "characters".
	Family string `json:"family"`
	// Signal is a stable machine-readable identifier of the signal.
	Signal string `json:"signal"`
	// Text is a short human-readable phrase.
	Text string `json:"text"`
	// Weight is the signal's contribution to the score in log-odds;
	// positive pushes towards machine, negative towards human. For a word
	// or a phrase of neighbouring words (Signal "phrase") it is the
	// contribution of one of its places, on average: a word the topic
	// repeats does not weigh more for it.
	Weight float64 `json:"weight"`
	// Spans point at the original text where the signal comes from a span.
	Spans []Span `json:"spans,omitempty"`
}

// Result is the outcome of scoring one text.
type Result struct {
	// Score is the calibrated probability that the text is machine-generated.
	Score float64 `json:"score"`
	// Verdict is Score read against the model's thresholds, or Unsure when
	// the text cannot be judged (too short, unsupported language).
	Verdict Verdict `json:"verdict"`
	// Reasons are the strongest signals, strongest first.
	Reasons []Reason `json:"reasons,omitempty"`
	// Note explains an Unsure verdict or a sampled text, for people.
	Note string `json:"note,omitempty"`
	// CannotJudge is true when the text is outside what the model can judge
	// (too short, a language or script it was not trained on): its Score is
	// no evidence, and no threshold should flag it. An Unsure verdict
	// between the model's thresholds is not CannotJudge.
	CannotJudge bool `json:"cannot_judge,omitempty"`
	// Sampled is true when the text exceeded the size cap and only a sample was scored.
	Sampled bool `json:"sampled,omitempty"`
}
