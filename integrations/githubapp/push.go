package githubapp

import (
	"context"
	"log/slog"
	"slices"

	"github.com/google/go-github/v60/github"
)

// onPush refreshes a repository's cached policy when a push to its default
// branch touches the policy file. Policies inherited from the owner's .github
// repository are refreshed within the policy cache TTL.
func (a *App) onPush(ctx context.Context, log *slog.Logger, ev *github.PushEvent) error {
	repo := ev.GetRepo()
	if ev.GetRef() != "refs/heads/"+repo.GetDefaultBranch() {
		return nil
	}
	touched := false
	for _, c := range ev.Commits {
		for _, files := range [][]string{c.Added, c.Modified, c.Removed} {
			if slices.Contains(files, a.opt.PolicyPath) {
				touched = true
			}
		}
	}
	if !touched {
		return nil
	}
	scope := repo.GetFullName()
	log.Info("policy file changed; cache reset", "repo", scope)
	return a.invalidatePolicy(ctx, scope)
}
