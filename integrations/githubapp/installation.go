package githubapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// onInstallation logs installs and uninstalls, drops an uninstalled
// installation's cached client and forgets the installation of its
// repositories, so the enforce sweep stops acting on them.
func (a *App) onInstallation(ctx context.Context, log *slog.Logger, ev *github.InstallationEvent) error {
	id := ev.GetInstallation().GetID()
	log.Info("installation changed", "action", ev.GetAction(), "installation_id", id,
		"account", ev.GetInstallation().GetAccount().GetLogin(), "repositories", len(ev.Repositories))
	if ev.GetAction() == "deleted" || ev.GetAction() == "suspend" {
		if f, ok := a.opt.Clients.(interface{ Forget(int64) }); ok {
			f.Forget(id)
		}
	}
	if ev.GetAction() == "deleted" {
		return a.forgetInstallation(ctx, id, ev.Repositories)
	}
	return nil
}

// forgetInstallation marks each repository as no longer reached through
// installation id (an empty installation setting), unless a newer
// installation has taken it over. The sweep skips such repositories
// instead of asking GitHub about them until their decisions age out; the
// next webhook from a new installation records it again. A store error
// fails the event, so that it is retried.
func (a *App) forgetInstallation(ctx context.Context, id int64, repos []*github.Repository) error {
	if a.readOnly {
		return nil
	}
	var errs []error
	for _, r := range repos {
		scope := r.GetFullName()
		if scope == "" {
			continue
		}
		raw, err := a.opt.Store.Setting(ctx, scope, installationSetting)
		switch {
		case errors.Is(err, store.ErrNotFound):
			continue // never seen through a webhook
		case err != nil:
			errs = append(errs, fmt.Errorf("forget installation of %s: %w", scope, err))
			continue
		case string(raw) != strconv.FormatInt(id, 10):
			continue // reached through another installation now
		}
		if err := a.opt.Store.PutSetting(ctx, scope, installationSetting, []byte{}); err != nil {
			errs = append(errs, fmt.Errorf("forget installation of %s: %w", scope, err))
		}
	}
	return errors.Join(errs...)
}

// onInstallationRepositories logs repositories added to or removed from an
// installation, forgets the cached policy of each added one and the
// installation of each removed one.
func (a *App) onInstallationRepositories(ctx context.Context, log *slog.Logger, ev *github.InstallationRepositoriesEvent) error {
	log.Info("installation repositories changed", "action", ev.GetAction(),
		"installation_id", ev.GetInstallation().GetID(),
		"added", len(ev.RepositoriesAdded), "removed", len(ev.RepositoriesRemoved))
	for _, r := range ev.RepositoriesAdded {
		if err := a.invalidatePolicy(ctx, r.GetFullName()); err != nil {
			log.Warn("reset policy cache", "repo", r.GetFullName(), "err", err)
		}
	}
	return a.forgetInstallation(ctx, ev.GetInstallation().GetID(), ev.RepositoriesRemoved)
}

// onRepository follows a renamed or transferred repository: what the App
// keeps about it (decisions, sticky comments and check runs, maintainers'
// overrides, the cached policy, strikes) moves to the new name, so the
// next event finds it instead of starting over with a second comment.
func (a *App) onRepository(ctx context.Context, log *slog.Logger, ev *github.RepositoryEvent) error {
	repo := ev.GetRepo()
	to := repo.GetFullName()
	var from string
	switch ev.GetAction() {
	case "renamed":
		from = repo.GetOwner().GetLogin() + "/" + ev.GetChanges().GetRepo().GetName().GetFrom()
	case "transferred":
		was := ev.GetChanges().GetOwner().GetOwnerInfo()
		login := was.GetUser().GetLogin()
		if login == "" {
			login = was.GetOrg().GetLogin()
		}
		from = login + "/" + repo.GetName()
	default:
		return nil
	}
	if strings.HasPrefix(from, "/") || strings.HasSuffix(from, "/") || to == "" {
		log.Warn("repository moved, but the payload does not say from where", "action", ev.GetAction(), "repo", to)
		return nil
	}
	if a.readOnly {
		return nil
	}
	if err := a.opt.Store.MoveScope(ctx, string(moderation.GitHub), from, to); err != nil {
		return fmt.Errorf("follow %s to %s: %w", from, to, err)
	}
	log.Info("repository moved", "action", ev.GetAction(), "from", from, "to", to)
	return nil
}
