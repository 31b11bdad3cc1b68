package githubapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// StoredPolicy returns the policy the App last read for a repository
// (cached in st), or def when it has read none, and where it came from. It
// makes no API call: it is for the pages that show the policy in force.
func StoredPolicy(ctx context.Context, st store.Store, def moderation.Policy, scope string) (moderation.Policy, string, error) {
	raw, err := st.Setting(ctx, scope, policySetting)
	if errors.Is(err, store.ErrNotFound) {
		return def, "server default", nil
	}
	if err != nil {
		return moderation.Policy{}, "", fmt.Errorf("read policy of %s: %w", scope, err)
	}
	var c cachedPolicy
	if err := json.Unmarshal(raw, &c); err != nil {
		return moderation.Policy{}, "", fmt.Errorf("decode policy of %s: %w", scope, err)
	}
	a := &App{opt: Options{DefaultPolicy: def}}
	return a.parseCached(c)
}

// detailsURL is the link to the page explaining the item's latest
// decision, or "" when the App posts none.
func (a *App) detailsURL(t target) string {
	if a.opt.DetailsURL == nil {
		return ""
	}
	return a.opt.DetailsURL(t.scope(), t.item.ID)
}

// withDetails adds the details link to a check run.
func (a *App) withDetails(cr checkRun, t target) checkRun {
	cr.detailsURL = a.detailsURL(t)
	return cr
}

// detailsLine is the comment's line linking to the page, or "" (no link,
// or the item is not flagged: a "no longer flagged" note needs none).
func (a *App) detailsLine(t target, p Plan) string {
	u := a.detailsURL(t)
	if u == "" || p.Verdict == nil || !p.Flagged {
		return ""
	}
	return fmt.Sprintf("\n[See the text with the patterns marked](%s)\n", u)
}

// optional is nil for "", so an absent field is left out of the request.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
