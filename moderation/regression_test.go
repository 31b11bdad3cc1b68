package moderation

import (
	"math"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// 1. A policy file with only comments (or the "# empty file\n" the GitHub App
// substitutes for an empty file) must be the default policy, not an error.
func TestPolicyCommentOnlyPolicyIsDefault(t *testing.T) {
	for _, s := range []string{"# empty file\n", "# mode: enforce\n# threshold: 0.9\n"} {
		p, err := ParsePolicy([]byte(s))
		if err != nil {
			t.Errorf("ParsePolicy(%q): got error %v, want the default policy", s, err)
			continue
		}
		if !reflect.DeepEqual(p, DefaultPolicy()) {
			t.Errorf("ParsePolicy(%q) = %+v, want DefaultPolicy", s, p)
		}
	}
}

// 2. NaN thresholds pass Validate (every comparison with NaN is false).
func TestPolicyNaNThresholdsRejected(t *testing.T) {
	for _, s := range []string{"threshold: .nan\n", "enforce: {threshold: .nan}\n", "mode: enforce\nenforce: {threshold: .NaN}\n"} {
		p, err := ParsePolicy([]byte(s))
		if err == nil {
			t.Errorf("ParsePolicy(%q): accepted; FlagThreshold=%v EnforceThreshold(0.9)=%v", s, p.FlagThreshold, p.EnforceThreshold(0.9))
		}
	}
	p := DefaultPolicy()
	p.Enforce.Threshold = math.NaN()
	if err := p.Validate(); err == nil {
		t.Errorf("Validate accepted enforce.threshold NaN; EnforceThreshold(0.9) = %v, so no score ever reaches it", p.EnforceThreshold(0.9))
	}
}

// 3. close_after_hours: values whose hour count overflows time.Duration are
// accepted, and sweep.go's time.Duration(h)*time.Hour goes negative, which
// means "close at once". Fractions are silently truncated (0.5 -> 0 = never).
func TestPolicyCloseAfterHoursRange(t *testing.T) {
	p, err := ParsePolicy([]byte("mode: enforce\nenforce: {close_after_hours: 9999999}\n"))
	if err == nil {
		d := time.Duration(p.Enforce.CloseAfterHours) * time.Hour
		t.Errorf("close_after_hours 9999999 accepted; as a grace period it is %v (negative: every flagged item is closed at the next sweep)", d)
	}
	p, err = ParsePolicy([]byte("enforce: {close_after_hours: 0.5}\n"))
	if err == nil {
		t.Errorf("close_after_hours 0.5 accepted as %d", p.Enforce.CloseAfterHours)
	}
}

// 4. comment.text is unbounded; GitHub rejects comment bodies over 65536 characters.
func TestPolicyCommentTextLength(t *testing.T) {
	p := DefaultPolicy()
	p.Comment.Text = strings.Repeat("x", 70000)
	if err := p.Validate(); err == nil {
		t.Error("Validate accepted a 70000-character comment.text; every sticky comment would exceed GitHub's 65536 limit")
	}
}

// 5. Label limits are GitHub characters, but Validate counts bytes.
func TestPolicyLabelLengthsCountCharacters(t *testing.T) {
	p := DefaultPolicy()
	p.Label.Name = "🤖 " + strings.Repeat("é", 30) // 32 characters
	p.Label.Description = "Le texte présente des motifs fréquents dans l'écriture générée ; un mainteneur l'examinera bientôt."
	t.Logf("name %d chars/%d bytes, description %d chars/%d bytes", utf8.RuneCountInString(p.Label.Name), len(p.Label.Name),
		utf8.RuneCountInString(p.Label.Description), len(p.Label.Description))
	if err := p.Validate(); err != nil {
		t.Errorf("Validate rejected labels within GitHub's 50/100 character limits: %v", err)
	}
}

// 6. A second YAML document is silently ignored by a "strict" parser.
func TestPolicySecondDocumentRejected(t *testing.T) {
	p, err := ParsePolicy([]byte("mode: flag\n---\nmode: off\n"))
	if err == nil {
		t.Errorf("two-document policy accepted with mode %v; the second document was ignored", p.Mode)
	}
}

// Control: the documented defaults match DefaultPolicy (expected to pass).
func TestPolicyDocumentedDefaults(t *testing.T) {
	norm := func(p Policy) Policy {
		for _, s := range []*[]string{&p.Exemptions.Users, &p.Exemptions.Teams, &p.Exemptions.Labels, &p.Exemptions.Associations} {
			if len(*s) == 0 {
				*s = nil
			}
		}
		return p
	}
	doc, err := os.ReadFile("../docs/github-app.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## 4\\. The policy file.*?```yaml\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("no yaml block")
	}
	p, err := ParsePolicy(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(norm(p), norm(DefaultPolicy())) {
		t.Errorf("docs block = %+v, DefaultPolicy = %+v", p, DefaultPolicy())
	}
	ex, err := os.ReadFile("../config/slopguard.example.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(ex)
	i := strings.Index(s, "  policy:\n")
	j := strings.Index(s[i:], "\n# ----")
	var lines []string
	for _, l := range strings.Split(s[i+len("  policy:\n"):i+j], "\n") {
		lines = append(lines, strings.TrimPrefix(l, "    "))
	}
	p, err = ParsePolicy([]byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(norm(p), norm(DefaultPolicy())) {
		t.Errorf("example block = %+v, DefaultPolicy = %+v", p, DefaultPolicy())
	}
}
