package githubapp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// sweepLookback bounds how far back the sweep reads decisions.
const sweepLookback = 60 * 24 * time.Hour

// RunSweeper runs Sweep every interval until ctx is done; an interval of
// zero or less disables it.
func (a *App) RunSweeper(ctx context.Context, interval time.Duration) {
	a.every(ctx, interval, false, "enforce sweep", func(ctx context.Context) error {
		_, err := a.sweepIfLeader(ctx, interval)
		return err
	})
}

// every calls fn every interval until ctx is done, first at once when now
// is set, logging its errors under what; an interval of zero or less
// disables it.
func (a *App) every(ctx context.Context, interval time.Duration, now bool, what string, fn func(context.Context) error) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if now {
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				a.log.Error(what, "err", err)
			}
		}
		now = true
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweepIfLeader runs Sweep if this App holds (or takes) the enforce
// sweep's lease for interval, so that one replica sweeps; it reports
// whether it swept.
func (a *App) sweepIfLeader(ctx context.Context, interval time.Duration) (bool, error) {
	held, err := a.queue.TakeLease(ctx, enforceLease, a.id, a.now(), interval)
	if err != nil {
		return false, fmt.Errorf("take the enforce sweep lease: %w", err)
	}
	if !held {
		return false, nil
	}
	return true, a.Sweep(ctx)
}

// Sweep closes pull requests and issues that are still flagged past the
// enforce threshold close_after_hours after they were first flagged, in
// repositories whose policy is enforce mode. An item is left open when a
// maintainer marked it not slop, removed the label, or it is already closed.
// Errors about single items are joined; the sweep goes on past them.
func (a *App) Sweep(ctx context.Context) error {
	now := a.now()
	ds, err := a.opt.Store.Decisions(ctx, store.DecisionFilter{Platform: string(moderation.GitHub), Since: now.Add(-sweepLookback), Limit: 10000})
	if err != nil {
		return fmt.Errorf("list decisions: %w", err)
	}
	// Group newest-first decisions by item, keeping first-seen order.
	type itemKey struct{ scope, id string }
	var order []itemKey
	byItem := map[itemKey][]store.Decision{}
	for _, d := range ds {
		if kind, _, err := moderation.ParseItemID(d.ItemID); err != nil || (kind != moderation.KindPullRequest && kind != moderation.KindIssue) {
			continue
		}
		k := itemKey{d.Scope, d.ItemID}
		if _, ok := byItem[k]; !ok {
			order = append(order, k)
		}
		byItem[k] = append(byItem[k], d)
	}
	var errs []error
	for _, k := range order {
		if err := a.sweepItem(ctx, k.scope, k.id, byItem[k], now); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", k.scope, k.id, err))
		}
	}
	return errors.Join(errs...)
}

func (a *App) sweepItem(ctx context.Context, scope, itemID string, ds []store.Decision, now time.Time) error {
	// The sweep closes an item once: when a maintainer reopens it, the
	// reopening is their decision, and a later sweep must not undo it.
	if slices.ContainsFunc(ds, func(d store.Decision) bool { return slices.Contains(d.Actions, actionClose) }) {
		return nil
	}
	owner, repo, _ := strings.Cut(scope, "/")
	kind, n, _ := moderation.ParseItemID(itemID) // Sweep kept pull requests and issues only
	number := int(n)
	raw, err := a.opt.Store.Setting(ctx, scope, installationSetting)
	if err != nil || len(raw) == 0 {
		return nil // never seen through a webhook, or uninstalled: nothing to act with
	}
	inst, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return fmt.Errorf("installation setting %q: %w", raw, err)
	}
	gh, err := a.opt.Clients.Installation(ctx, inst)
	if err != nil {
		return err
	}
	pol, _, err := a.policyFor(ctx, gh, owner, repo)
	if err != nil || pol.Mode != moderation.ModeEnforce || pol.Enforce.CloseAfterHours == 0 {
		return nil
	}
	limit := pol.EnforceThreshold(a.opt.ModelThreshold)
	over := func(d store.Decision) bool { return moderation.FlaggedScore(d.Score, d.CannotJudge, limit) }
	// The flag started at the oldest decision of the newest run over the limit.
	var since time.Time
	for _, d := range ds {
		if !over(d) {
			break
		}
		since = d.CreatedAt
	}
	// Compared in hours: a duration of a huge close_after_hours would overflow.
	if since.IsZero() || now.Sub(since).Hours() < float64(pol.Enforce.CloseAfterHours) {
		return nil
	}
	t := target{installation: inst, owner: owner, repo: repo, number: number}
	t.item = moderation.Item{Platform: moderation.GitHub, Scope: scope, ID: itemID, Kind: kind}
	if a.override(ctx, t) == overrideHuman {
		return nil
	}
	is, _, err := gh.Issues.Get(ctx, owner, repo, number)
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	hasLabel := slices.ContainsFunc(is.Labels, func(l *github.Label) bool { return strings.EqualFold(l.GetName(), pol.Label.Name) })
	if is.GetState() != "open" || !hasLabel {
		return nil
	}
	log := t.logger(a.log)
	body := closedBody(itemID, pol.Enforce.CloseAfterHours)
	var done []string
	if pol.Comment.Enabled {
		if err := a.upsertSticky(ctx, gh, t, body, true); err != nil {
			log.Error("explain close", "err", err)
		} else {
			done = append(done, actionComment)
		}
	}
	if _, _, err := gh.Issues.Edit(ctx, owner, repo, number, &github.IssueRequest{State: github.String("closed"), StateReason: github.String("not_planned")}); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	done = append(done, actionClose)
	d := ds[0]
	d.ID, d.Actions, d.CreatedAt, d.Text = 0, done, now.UTC(), ""
	if _, err := a.opt.Store.RecordDecision(ctx, d); err != nil {
		log.Error("record close", "err", err)
	}
	log.Info("closed after grace period", "flagged_since", since, "grace_hours", pol.Enforce.CloseAfterHours)
	return nil
}
