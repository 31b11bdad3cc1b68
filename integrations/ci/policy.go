package ci

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/slopguard/slopguard/moderation"
)

// PolicyOverrides are the command line's changes to the repository policy.
type PolicyOverrides struct {
	// Mode replaces the policy's mode (off, observe, flag or enforce); ""
	// keeps it.
	Mode string
	// Threshold replaces the policy's flag threshold, and raises an
	// explicit enforce threshold to at least it; 0 keeps both.
	Threshold float64
}

// LoadPolicy reads the policy file at path (moderation.PolicyPath when
// path is empty) and applies the overrides. A missing file means the
// default policy, unless explicit says the path was asked for by name, when
// it is an error. It returns the path it read, "" for the defaults.
func LoadPolicy(path string, explicit bool, o PolicyOverrides) (moderation.Policy, string, error) {
	if path == "" {
		path = moderation.PolicyPath
	}
	pol := moderation.DefaultPolicy()
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		pol, err = moderation.ParsePolicy(data)
		if err != nil {
			return pol, path, fmt.Errorf("policy %q: %w", path, err)
		}
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		path = "" // no policy file: defaults
	default:
		return pol, path, fmt.Errorf("policy: %w", err)
	}
	if o.Mode != "" {
		m, err := moderation.ParseMode(o.Mode)
		if err != nil {
			return pol, path, fmt.Errorf("mode: %w", err)
		}
		pol.Mode = m
	}
	if o.Threshold > 0 {
		pol.FlagThreshold = o.Threshold
		if pol.Enforce.Threshold > 0 { // 0 follows the flag threshold
			pol.Enforce.Threshold = max(pol.Enforce.Threshold, o.Threshold)
		}
	}
	return pol, path, nil
}
