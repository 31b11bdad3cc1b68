package githubapp

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-github/v60/github"
)

// onPullRequest checks a pull request's title and body when it is opened,
// edited, reopened or marked ready for review. On synchronize (new commits)
// the text is unchanged but GitHub shows check runs per head commit, so the
// new head gets its check run and nothing else is rewritten.
func (a *App) onPullRequest(ctx context.Context, log *slog.Logger, ev *github.PullRequestEvent) error {
	switch ev.GetAction() {
	case "opened", "edited", "reopened", "ready_for_review", "synchronize":
	default:
		return nil
	}
	if ev.PullRequest == nil {
		return fmt.Errorf("pull_request: payload has no pull request")
	}
	inst := ev.GetInstallation().GetID()
	t := prTarget(inst, ev.GetRepo(), ev.GetPullRequest())
	t.checkRunOnly = ev.GetAction() == "synchronize"
	return a.moderateTarget(ctx, log, t)
}
