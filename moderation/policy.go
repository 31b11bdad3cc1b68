package moderation

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/slopguard/slopguard/disclosure"
)

// PolicyPath is where a repository keeps its policy file.
const PolicyPath = ".github/slopguard.yml"

// Policy is a scope's moderation policy: the repository's `.github/slopguard.yml`
// for the GitHub App and the CI check. Absent keys keep DefaultPolicy's values.
type Policy struct {
	// Mode is how far slopguard may act; flag by default.
	Mode Mode `yaml:"mode"`
	// FlagThreshold is the score at or above which an item is flagged; 0
	// means the model's own. Read it through the Threshold method.
	FlagThreshold float64 `yaml:"threshold"`
	// Surfaces says which kinds of item are checked.
	Surfaces Surfaces `yaml:"surfaces"`
	// Exemptions lists who and what is never checked; read them through Exempt.
	Exemptions Exemptions `yaml:"exempt"`
	// Label is the label added to flagged pull requests and issues.
	Label LabelPolicy `yaml:"label"`
	// Comment is the bot's one explanatory comment on a flagged item.
	Comment CommentPolicy `yaml:"comment"`
	// Enforce holds the stricter actions taken only in enforce mode.
	Enforce EnforcePolicy `yaml:"enforce"`
	// MaintainersTeam is the team ("org/team" or "team") pinged on appeals.
	MaintainersTeam string `yaml:"maintainers_team"`
	// Disclosed is what happens to an item that discloses an agent (a
	// footer, a trailer, the agent's account): label (the default), ignore
	// or flag. See Decide.
	Disclosed DisclosedAction `yaml:"disclosed"`
	// RequireDisclosure flags items the model judges machine that carry no
	// disclosure, pointing at PolicyURL.
	RequireDisclosure bool `yaml:"require_disclosure"`
	// PolicyURL links to the project's AI policy, quoted in the comment.
	PolicyURL string `yaml:"policy_url"`
	// Honeypot is an instruction only an agent would follow.
	Honeypot Honeypot `yaml:"honeypot"`
	// AuthorContext looks up who the author is, to choose who gets checked
	// and to give a flag context; off by default, never a reason to flag.
	AuthorContext AuthorContextPolicy `yaml:"author_context"`
}

// DisclosedAction is what a policy does with an item that discloses an agent.
type DisclosedAction string

// The actions for disclosed items.
const (
	// DisclosedLabel adds the neutral AssistedLabel and flags nothing.
	DisclosedLabel DisclosedAction = "label"
	// DisclosedIgnore changes nothing: the item is flagged, or not, by its text score like any other.
	DisclosedIgnore DisclosedAction = "ignore"
	// DisclosedFlag flags it, with the disclosure as the reason.
	DisclosedFlag DisclosedAction = "flag"
)

// AssistedLabel is the neutral label put on items that disclose an agent.
const (
	AssistedLabel            = "ai-assisted"
	AssistedLabelColor       = "c5def5"
	AssistedLabelDescription = "The author disclosed that an AI agent or assistant took part"
)

// Honeypot is a phrase a project hides in a file agents read (an HTML
// comment in the pull request template, a line in CONTRIBUTING.md) asking
// them to write it; people do not see it, so an item with the phrase was
// written by an agent that followed it.
type Honeypot struct {
	// Phrase is the exact wording asked for, compared ignoring case and spacing.
	Phrase string `yaml:"phrase"`
	// File is the repository file that holds the instruction, checked by
	// `slopguard config validate --repo`.
	File string `yaml:"file"`
}

// MinHoneypotPhrase is the shortest phrase accepted: a short one turns up
// in what people write.
const MinHoneypotPhrase = 12

// Surfaces switches checking per kind of item.
type Surfaces struct {
	PullRequests bool `yaml:"pull_requests"`
	Issues       bool `yaml:"issues"`
	// Comments covers issue comments, pull request comments and review comments.
	Comments bool `yaml:"comments"`
}

// Exemptions lists the authors and items slopguard leaves alone.
type Exemptions struct {
	// Associations are GitHub author associations (OWNER, MEMBER, COLLABORATOR, …).
	Associations []string `yaml:"associations"`
	// Users are logins, compared case-insensitively.
	Users []string `yaml:"users"`
	// Teams are team slugs ("team" or "org/team") whose members are exempt.
	Teams []string `yaml:"teams"`
	// Bots exempts `*[bot]` logins and bot accounts.
	Bots bool `yaml:"bots"`
	// Labels exempt items carrying any of them.
	Labels []string `yaml:"labels"`
	// Drafts exempts draft pull requests.
	Drafts bool `yaml:"drafts"`
}

// LabelPolicy describes the label put on flagged items.
type LabelPolicy struct {
	Name string `yaml:"name"`
	// Color is six hex digits without '#'.
	Color       string `yaml:"color"`
	Description string `yaml:"description"`
}

// CommentPolicy controls the bot's explanatory comment.
type CommentPolicy struct {
	Enabled bool `yaml:"enabled"`
	// Text replaces the comment's opening paragraph; empty means the built-in wording.
	Text string `yaml:"text"`
}

// EnforcePolicy holds enforce mode's stricter limits and actions.
type EnforcePolicy struct {
	// Threshold is the score at or above which enforce actions apply; 0
	// means halfway from the flag threshold to 1 (DefaultEnforceThreshold).
	// Read it through Policy.EnforceThreshold.
	Threshold float64 `yaml:"threshold"`
	// CloseAfterHours closes pull requests and issues still flagged this long
	// after they were flagged; 0 never closes.
	CloseAfterHours int `yaml:"close_after_hours"`
	// Minimize hides comments over Threshold as spam-like ("minimized").
	Minimize bool `yaml:"minimize"`
}

// The default label.
const (
	DefaultLabelName        = "possible-slop"
	DefaultLabelColor       = "d4c5f9"
	DefaultLabelDescription = "Text shows patterns common in machine-generated writing; a maintainer will take a look"
)

// DefaultPolicy is the policy of a scope without a policy file.
func DefaultPolicy() Policy {
	return Policy{
		Mode:     ModeFlag,
		Surfaces: Surfaces{PullRequests: true, Issues: true, Comments: true},
		Exemptions: Exemptions{
			Associations: []string{"OWNER", "MEMBER", "COLLABORATOR"},
			Bots:         true,
			Drafts:       true,
		},
		Label:         LabelPolicy{Name: DefaultLabelName, Color: DefaultLabelColor, Description: DefaultLabelDescription},
		Comment:       CommentPolicy{Enabled: true},
		Enforce:       EnforcePolicy{Threshold: 0}, // derived from the flag threshold
		Disclosed:     DisclosedLabel,
		AuthorContext: AuthorContextPolicy{NewAccountDays: 30, BusyPRsPerDay: 10},
	}
}

// MaxCloseAfterHours bounds enforce.close_after_hours (ten years): a larger
// value is meant as "never", and would overflow a duration.
const MaxCloseAfterHours = 10 * 365 * 24

// MaxCommentText bounds comment.text, leaving room in a GitHub comment
// (65,536 characters) for the rest of slopguard's text.
const MaxCommentText = 60000

// ParsePolicy decodes a policy file strictly on top of DefaultPolicy: unknown
// keys and invalid values are errors, all reported at once.
func ParsePolicy(data []byte) (Policy, error) {
	p := DefaultPolicy()
	if len(bytes.TrimSpace(data)) == 0 {
		return p, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var errs []error
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return p, nil // only comments: the defaults, as for an empty file
		}
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return Policy{}, fmt.Errorf("parse policy: %w", err)
		}
		for _, msg := range te.Errors {
			errs = append(errs, errors.New(strings.TrimPrefix(msg, "yaml: ")))
		}
	}
	// yaml.v3 reads 0.5 into an int as 0 ("never close") without a word.
	if v := mappingValue(data, "enforce", "close_after_hours"); v != nil && v.Tag != "!!int" && v.Tag != "!!null" {
		errs = append(errs, fmt.Errorf("line %d: enforce.close_after_hours: %q is not a whole number of hours", v.Line, v.Value))
	}
	// A second YAML document would be ignored silently.
	if err := dec.Decode(new(yaml.Node)); !errors.Is(err, io.EOF) {
		errs = append(errs, errors.New("the file holds more than one YAML document (a second ---): put everything in one"))
	}
	if err := p.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return Policy{}, fmt.Errorf("invalid policy: %w", err)
	}
	return p, nil
}

// mappingValue returns the node at path in the first YAML document of
// data, or nil when there is none.
func mappingValue(data []byte, path ...string) *yaml.Node {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	n := doc.Content[0]
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

var (
	hexColor    = regexp.MustCompile(`^[0-9a-fA-F]{6}$`)
	knownAssocs = map[string]bool{
		"OWNER": true, "MEMBER": true, "COLLABORATOR": true, "CONTRIBUTOR": true,
		"FIRST_TIME_CONTRIBUTOR": true, "FIRST_TIMER": true, "MANNEQUIN": true, "NONE": true,
	}
)

// Validate reports every problem in the policy at once.
func (p Policy) Validate() error {
	var errs []error
	if p.Mode < ModeOff || p.Mode > ModeEnforce {
		errs = append(errs, fmt.Errorf("mode: %d is not off, observe, flag or enforce", int(p.Mode)))
	}
	if math.IsNaN(p.FlagThreshold) || p.FlagThreshold < 0 || p.FlagThreshold > 1 {
		errs = append(errs, fmt.Errorf("threshold: %g is not between 0 and 1", p.FlagThreshold))
	}
	if math.IsNaN(p.Enforce.Threshold) || p.Enforce.Threshold < 0 || p.Enforce.Threshold > 1 {
		errs = append(errs, fmt.Errorf("enforce.threshold: %g is not between 0 (derived from the flag threshold) and 1", p.Enforce.Threshold))
	}
	if p.FlagThreshold > 0 && p.Enforce.Threshold > 0 && p.Enforce.Threshold < p.FlagThreshold {
		errs = append(errs, fmt.Errorf("enforce.threshold: %g is below threshold %g (it must be at least as strict)", p.Enforce.Threshold, p.FlagThreshold))
	}
	if p.Enforce.CloseAfterHours < 0 || p.Enforce.CloseAfterHours > MaxCloseAfterHours {
		errs = append(errs, fmt.Errorf("enforce.close_after_hours: %d is not between 0 (never close) and %d (ten years)", p.Enforce.CloseAfterHours, MaxCloseAfterHours))
	}
	for _, a := range p.Exemptions.Associations {
		if !knownAssocs[strings.ToUpper(a)] {
			errs = append(errs, fmt.Errorf("exempt.associations: %q is not a GitHub author association (OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, FIRST_TIME_CONTRIBUTOR, FIRST_TIMER, MANNEQUIN, NONE)", a))
		}
	}
	for _, list := range []struct {
		key  string
		vals []string
	}{{"exempt.users", p.Exemptions.Users}, {"exempt.teams", p.Exemptions.Teams}, {"exempt.labels", p.Exemptions.Labels}} {
		for i, v := range list.vals {
			if strings.TrimSpace(v) == "" {
				errs = append(errs, fmt.Errorf("%s[%d]: must not be empty", list.key, i))
			}
		}
	}
	if strings.TrimSpace(p.Label.Name) == "" {
		errs = append(errs, errors.New("label.name: must not be empty"))
	} else if utf8.RuneCountInString(p.Label.Name) > 50 {
		errs = append(errs, fmt.Errorf("label.name: %q is longer than GitHub's 50 characters", p.Label.Name))
	}
	if p.Label.Color != "" && !hexColor.MatchString(p.Label.Color) {
		errs = append(errs, fmt.Errorf("label.color: %q is not six hex digits like d4c5f9", p.Label.Color))
	}
	if utf8.RuneCountInString(p.Label.Description) > 100 {
		errs = append(errs, errors.New("label.description: longer than GitHub's 100 characters"))
	}
	if n := utf8.RuneCountInString(p.Comment.Text); n > MaxCommentText {
		errs = append(errs, fmt.Errorf("comment.text: %d characters, more than %d (a GitHub comment holds 65,536 with the rest of slopguard's text)", n, MaxCommentText))
	}
	if t := p.MaintainersTeam; t != "" && (strings.Count(t, "/") > 1 || strings.HasPrefix(t, "/") || strings.HasSuffix(t, "/") || strings.ContainsAny(t, " @")) {
		errs = append(errs, fmt.Errorf("maintainers_team: %q is not \"team\" or \"org/team\"", t))
	}
	switch p.Disclosed {
	case DisclosedLabel, DisclosedIgnore, DisclosedFlag:
	default:
		errs = append(errs, fmt.Errorf("disclosed: %q is not label, ignore or flag", string(p.Disclosed)))
	}
	if u := p.PolicyURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		errs = append(errs, fmt.Errorf("policy_url: %q is not an http(s) link", u))
	}
	if p.RequireDisclosure && p.PolicyURL == "" {
		errs = append(errs, errors.New("require_disclosure: set policy_url too, so the comment can point people at the policy"))
	}
	errs = append(errs, p.AuthorContext.validate()...)
	hp := p.Honeypot
	switch {
	case hp.Phrase == "" && hp.File == "":
	case strings.TrimSpace(hp.Phrase) == "":
		errs = append(errs, errors.New("honeypot.phrase: must not be empty when honeypot.file is set"))
	case utf8.RuneCountInString(strings.TrimSpace(hp.Phrase)) < MinHoneypotPhrase:
		errs = append(errs, fmt.Errorf("honeypot.phrase: %q is shorter than %d characters; a short phrase turns up in what people write", hp.Phrase, MinHoneypotPhrase))
	case strings.TrimSpace(hp.File) == "":
		errs = append(errs, errors.New("honeypot.file: name the file that holds the instruction (e.g. .github/pull_request_template.md)"))
	}
	return errors.Join(errs...)
}

// Threshold is the score at or above which an item is flagged: the policy's
// own threshold, or modelDefault when the policy leaves it at 0.
func (p Policy) Threshold(modelDefault float64) float64 {
	return p.Thresholds(modelDefault).Flag
}

// EnforceThreshold is the score at or above which enforce actions apply: the
// enforce threshold, never below the flag threshold; when the policy leaves
// it at 0, DefaultEnforceThreshold of the flag threshold.
func (p Policy) EnforceThreshold(modelDefault float64) float64 {
	return p.Thresholds(modelDefault).Enforce
}

// DefaultEnforceThreshold is the enforce threshold for a flag threshold
// when none is set: halfway from it to 1, so enforce is always the stricter
// tier, whatever the loaded model's threshold (0.9888 gives 0.9944).
func DefaultEnforceThreshold(flag float64) float64 { return flag + (1-flag)/2 }

// Checks reports whether the policy checks items of kind k at all.
func (p Policy) Checks(k Kind) bool {
	if p.Mode == ModeOff {
		return false
	}
	switch k {
	case KindPullRequest:
		return p.Surfaces.PullRequests
	case KindIssue:
		return p.Surfaces.Issues
	case KindComment, KindReview, KindReviewComment:
		return p.Surfaces.Comments
	default:
		return true
	}
}

// Exempt reports whether the policy leaves the item alone, and why. labels are
// the item's labels, draft whether it is a draft pull request, and teams the
// author's team slugs ("org/team" or "team") when known.
func (p Policy) Exempt(it Item, labels []string, draft bool, teams []string) (bool, string) {
	ex := p.Exemptions
	// A coding agent's own account is not a service bot: what it writes is
	// what the disclosure policy is about.
	if ex.Bots && (it.AuthorIsBot || IsBotLogin(it.Author)) && !disclosure.IsAgentAccount(it.Author) {
		return true, fmt.Sprintf("author %s is a bot", it.Author)
	}
	for _, u := range ex.Users {
		if it.Author != "" && strings.EqualFold(u, it.Author) {
			return true, fmt.Sprintf("author %s is an exempt user", it.Author)
		}
	}
	for _, a := range ex.Associations {
		if it.AuthorAssociation != "" && strings.EqualFold(a, it.AuthorAssociation) {
			return true, fmt.Sprintf("author association %s is exempt", strings.ToUpper(it.AuthorAssociation))
		}
	}
	for _, want := range ex.Teams {
		for _, have := range teams {
			if teamMatches(want, have) {
				return true, fmt.Sprintf("author is in exempt team %s", want)
			}
		}
	}
	for _, want := range ex.Labels {
		for _, have := range labels {
			if strings.EqualFold(want, have) {
				return true, fmt.Sprintf("label %q is exempt", have)
			}
		}
	}
	if ex.Drafts && draft {
		return true, "drafts are exempt"
	}
	return false, ""
}

// UnmarshalYAML decodes a mode name and, unlike UnmarshalText, lets a strict
// decoder report a bad mode together with every other problem in the file.
func (m *Mode) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: mode must be a name (off, observe, flag or enforce)", n.Line)}}
	}
	v, err := ParseMode(n.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: mode: %v", n.Line, err)}}
	}
	*m = v
	return nil
}

// teamMatches compares team names where either may carry an "org/" prefix.
func teamMatches(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	slug := func(s string) string { return s[strings.LastIndex(s, "/")+1:] }
	if strings.Contains(a, "/") && strings.Contains(b, "/") {
		return false
	}
	return strings.EqualFold(slug(a), slug(b))
}
