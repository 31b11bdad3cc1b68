package moderation

import (
	"fmt"
	"strings"
	"time"
)

// AuthorContextPolicy switches on the author signals. They only choose who
// gets checked and add context to a flag; they never flag on their own:
// maintainers have asked tools to stop rejecting people on account signals.
type AuthorContextPolicy struct {
	// Enabled looks up the author's account age and recent pull requests
	// (GitHub App only; off by default).
	Enabled bool `yaml:"enabled"`
	// OnlyNewAuthors checks only new authors: a first contribution to the
	// repository, or an account younger than NewAccountDays. An author
	// whose context could not be looked up is checked.
	OnlyNewAuthors bool `yaml:"only_new_authors"`
	// NewAccountDays is the account age under which an author is new; 0 means 30.
	NewAccountDays int `yaml:"new_account_days"`
	// BusyPRsPerDay is the number of pull requests opened across GitHub in
	// the last day at which a flag's comment points it out; 0 means 10.
	BusyPRsPerDay int `yaml:"busy_prs_per_day"`
}

// AuthorContext is what is known about an item's author, for routing and
// for people reading a flag.
type AuthorContext struct {
	// FirstContribution is true for a first contribution to the repository
	// (GitHub's FIRST_TIME_CONTRIBUTOR or FIRST_TIMER association).
	FirstContribution bool `json:"first_contribution"`
	// AccountCreated is when the account was created; zero when unknown.
	AccountCreated time.Time `json:"account_created,omitzero"`
	// PRsLastDay counts pull requests the author opened across GitHub in the
	// last day; -1 when unknown.
	PRsLastDay int `json:"prs_last_day"`
	// LookedUp is false when the account could not be looked up (budget
	// spent, API error): only FirstContribution is then known.
	LookedUp bool `json:"looked_up"`
}

func (c AuthorContextPolicy) newAccountAge() time.Duration {
	days := c.NewAccountDays
	if days <= 0 {
		days = 30
	}
	return time.Duration(days) * 24 * time.Hour
}

func (c AuthorContextPolicy) busy() int {
	if c.BusyPRsPerDay <= 0 {
		return 10
	}
	return c.BusyPRsPerDay
}

// NewAuthor reports whether the policy counts the author as new: a first
// contribution, an account younger than new_account_days, or an author
// that could not be looked up (checking is the safe side).
func (p Policy) NewAuthor(c AuthorContext, now time.Time) bool {
	if c.FirstContribution || !c.LookedUp || c.AccountCreated.IsZero() {
		return true
	}
	return now.Sub(c.AccountCreated) < p.AuthorContext.newAccountAge()
}

// AuthorNotes words the author context for a flag's comment and check run:
// context for maintainers, never a reason to flag.
func (p Policy) AuthorNotes(c AuthorContext, now time.Time) []string {
	var out []string
	if c.FirstContribution {
		out = append(out, "first contribution to this repository")
	}
	if c.LookedUp && !c.AccountCreated.IsZero() {
		if age := now.Sub(c.AccountCreated); age < p.AuthorContext.newAccountAge() {
			out = append(out, fmt.Sprintf("account created %d days ago", int(age.Hours()/24)))
		}
	}
	if c.LookedUp && c.PRsLastDay >= p.AuthorContext.busy() {
		out = append(out, fmt.Sprintf("opened %d pull requests across GitHub in the last day", c.PRsLastDay))
	}
	return out
}

// validateAuthorContext reports the author_context problems.
func (c AuthorContextPolicy) validate() []error {
	var errs []error
	if c.NewAccountDays < 0 || c.NewAccountDays > 3650 {
		errs = append(errs, fmt.Errorf("author_context.new_account_days: %d is not between 0 (30 days) and 3650", c.NewAccountDays))
	}
	if c.BusyPRsPerDay < 0 {
		errs = append(errs, fmt.Errorf("author_context.busy_prs_per_day: %d is negative", c.BusyPRsPerDay))
	}
	if c.OnlyNewAuthors && !c.Enabled {
		errs = append(errs, fmt.Errorf("author_context.only_new_authors: needs author_context.enabled: true"))
	}
	return errs
}

// IsFirstContribution reports whether a GitHub author association marks a
// first contribution.
func IsFirstContribution(association string) bool {
	a := strings.ToUpper(association)
	return a == "FIRST_TIME_CONTRIBUTOR" || a == "FIRST_TIMER"
}
