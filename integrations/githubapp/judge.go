package githubapp

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// A maintainer's judgement on an item, from `/slopguard not-slop`,
// `/slopguard confirm` or the check run's Not slop button: stored as
// feedback and as the item's override, then shown on GitHub.

// judge stores a maintainer's answer as feedback and makes GitHub show it:
// "not slop" clears the label, passes the check run, un-hides a comment the
// App hid and says so in the App's comment; "confirm" moderates the item
// again, which the stored override keeps flagged.
func (a *App) judge(ctx context.Context, log *slog.Logger, gh *github.Client, t target, by string, notSlop bool) error {
	label := overrideMachine
	if notSlop {
		label = overrideHuman
	}
	fb := store.Feedback{
		Platform: string(moderation.GitHub), Scope: t.scope(), ItemID: t.item.ID, Kind: string(t.item.Kind), By: by, Label: label,
		Note: "github command", Text: t.item.Text(), CreatedAt: a.now().UTC(),
	}
	if d, err := a.opt.Store.LatestDecision(ctx, fb.Platform, fb.Scope, fb.ItemID); err == nil {
		fb.DecisionID = d.ID
	}
	if _, err := a.opt.Store.AddFeedback(ctx, fb); err != nil {
		return fmt.Errorf("store feedback: %w", err)
	}
	if err := a.opt.Store.PutSetting(ctx, t.scope(), overrideSetting+t.item.ID, []byte(label)); err != nil {
		log.Error("remember maintainer decision", "err", err)
	}
	log.Info("maintainer feedback stored", "label", label)
	pol, _, err := a.policyFor(ctx, gh, t.owner, t.repo)
	if err != nil || !pol.Mode.Tells() {
		return nil // observe mode (or no policy): nothing written to GitHub
	}
	if !notSlop {
		// Label, check run and comment are rebuilt as for a flagged item,
		// also when an earlier "not slop" had cleared them.
		return a.moderateNote(ctx, log, gh, t, fmt.Sprintf("A maintainer (@%s) reviewed this and confirmed the flag.", by))
	}
	if !t.isComment() {
		if err := a.removeLabel(ctx, gh, t, pol.Label.Name); err != nil {
			log.Error("clear label", "err", err)
		}
	}
	if t.item.Kind == moderation.KindPullRequest && t.headSHA != "" {
		if err := a.upsertCheckRun(ctx, gh, t, notSlopCheckRun(by)); err != nil {
			log.Error("clear check run", "err", err)
		}
	}
	if t.minimizable() {
		minimized, err := a.minimizedByApp(ctx, t)
		if err != nil {
			log.Error("look up minimize", "err", err)
		}
		if minimized {
			if err := a.graphqlMutation(ctx, gh, "unminimize comment", unminimizeMutation, map[string]string{"id": t.nodeID}); err != nil {
				log.Error("unhide comment", "err", err)
			}
		}
	}
	if err := a.upsertSticky(ctx, gh, t, clearedBody(t.item.ID, by), false); err != nil {
		log.Error("update comment", "err", err)
	}
	return nil
}

// minimizedByApp reports whether the App hid the comment: a recorded
// decision about it lists the minimize action. A comment a maintainer hid
// themselves stays hidden.
func (a *App) minimizedByApp(ctx context.Context, t target) (bool, error) {
	ds, err := a.opt.Store.Decisions(ctx, store.DecisionFilter{Platform: string(moderation.GitHub), Scope: t.scope(), ItemID: t.item.ID})
	if err != nil {
		return false, fmt.Errorf("decisions of %s: %w", t.item.ID, err)
	}
	return slices.ContainsFunc(ds, func(d store.Decision) bool { return slices.Contains(d.Actions, actionMinimize) }), nil
}
