package githubapp

import (
	"context"
	"log/slog"

	"github.com/google/go-github/v60/github"
)

// onInstallation logs installs and uninstalls and drops an uninstalled
// installation's cached client.
func (a *App) onInstallation(ctx context.Context, log *slog.Logger, ev *github.InstallationEvent) error {
	id := ev.GetInstallation().GetID()
	log.Info("installation changed", "action", ev.GetAction(), "installation_id", id,
		"account", ev.GetInstallation().GetAccount().GetLogin(), "repositories", len(ev.Repositories))
	if ev.GetAction() == "deleted" || ev.GetAction() == "suspend" {
		if f, ok := a.opt.Clients.(interface{ Forget(int64) }); ok {
			f.Forget(id)
		}
	}
	return nil
}

// onInstallationRepositories logs repositories added to or removed from an
// installation and forgets the cached policy of each added one.
func (a *App) onInstallationRepositories(ctx context.Context, log *slog.Logger, ev *github.InstallationRepositoriesEvent) error {
	log.Info("installation repositories changed", "action", ev.GetAction(),
		"installation_id", ev.GetInstallation().GetID(),
		"added", len(ev.RepositoriesAdded), "removed", len(ev.RepositoriesRemoved))
	for _, r := range ev.RepositoriesAdded {
		if err := a.invalidatePolicy(ctx, r.GetFullName()); err != nil {
			log.Warn("reset policy cache", "repo", r.GetFullName(), "err", err)
		}
	}
	return nil
}
