package moderation

import (
	"fmt"
	"time"
)

// MaxDiscordTimeout is the longest member timeout Discord accepts (28 days).
const MaxDiscordTimeout = 28 * 24 * time.Hour

// GuildRules are the per-server moderation settings of a Discord server
// that both the operator's defaults (config) and a server's stored settings
// (integrations/discord) hold, so they are checked by the same rules.
type GuildRules struct {
	// Mode is off, observe, flag or enforce.
	Mode Mode
	// Threshold flags at or above it; 0 means the model's own.
	Threshold float64
	// EnforceThreshold is the stricter score enforce mode acts at; 0 means
	// halfway from the flag threshold to 1 (DefaultEnforceThreshold).
	EnforceThreshold float64
	// Strikes is how many enforce-level messages within StrikeWindow it takes.
	Strikes int
	// StrikeWindow is how long a strike counts.
	StrikeWindow time.Duration
	// Timeout is how long enforce mode times an author out; 0 never times out.
	Timeout time.Duration
}

// SettingError is one invalid setting: Field is its configuration key
// (mode, threshold, enforce_threshold, strikes, strike_window, timeout),
// Problem what is wrong with the value.
type SettingError struct {
	Field   string
	Problem string
}

// Error returns "field: problem".
func (e *SettingError) Error() string { return e.Field + ": " + e.Problem }

// Check reports every problem in the rules at once, in field order; nil
// means they are valid. Whether the enforce threshold is below the flag
// threshold is left to the caller, which alone knows the loaded model's.
func (g GuildRules) Check() []*SettingError {
	var errs []*SettingError
	add := func(field, format string, args ...any) {
		errs = append(errs, &SettingError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if g.Mode < ModeOff || g.Mode > ModeEnforce {
		add("mode", "%d is not off, observe, flag or enforce", int(g.Mode))
	}
	// Written as !(in range) so NaN is refused too.
	if !(g.Threshold >= 0 && g.Threshold <= 1) {
		add("threshold", "%g is not between 0 and 1", g.Threshold)
	}
	if !(g.EnforceThreshold >= 0 && g.EnforceThreshold <= 1) {
		add("enforce_threshold", "%g is not between 0 (halfway from the flag threshold to 1) and 1", g.EnforceThreshold)
	}
	if g.Strikes < 1 {
		add("strikes", "%d is below 1", g.Strikes)
	}
	if g.StrikeWindow <= 0 {
		add("strike_window", "%s is not positive", g.StrikeWindow)
	}
	if g.Timeout < 0 || g.Timeout > MaxDiscordTimeout {
		add("timeout", "%s is not between 0 and 28 days (672h)", g.Timeout)
	}
	return errs
}
