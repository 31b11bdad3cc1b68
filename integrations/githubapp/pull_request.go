package githubapp

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-github/v60/github"
)

// onPullRequest checks a pull request's title and body when it is opened,
// edited, reopened or marked ready for review.
func (a *App) onPullRequest(ctx context.Context, log *slog.Logger, payload any) error {
	ev, ok := payload.(*github.PullRequestEvent)
	if !ok {
		return fmt.Errorf("pull_request: unexpected payload %T", payload)
	}
	switch ev.GetAction() {
	case "opened", "edited", "reopened", "ready_for_review":
	default:
		return nil
	}
	if ev.PullRequest == nil {
		return fmt.Errorf("pull_request: payload has no pull request")
	}
	inst := ev.GetInstallation().GetID()
	gh, err := a.opt.Clients.Installation(ctx, inst)
	if err != nil {
		return fmt.Errorf("installation %d client: %w", inst, err)
	}
	return a.moderate(ctx, log, gh, prTarget(inst, ev.GetRepo(), ev.GetPullRequest()))
}
