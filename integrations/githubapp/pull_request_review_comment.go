package githubapp

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-github/v60/github"
)

// onReviewComment checks new or edited comments on a pull request's diff.
func (a *App) onReviewComment(ctx context.Context, log *slog.Logger, ev *github.PullRequestReviewCommentEvent) error {
	switch ev.GetAction() {
	case "created", "edited":
	default:
		return nil
	}
	if ev.PullRequest == nil || ev.Comment == nil {
		return fmt.Errorf("pull_request_review_comment: payload has no pull request or comment")
	}
	inst := ev.GetInstallation().GetID()
	return a.moderateTarget(ctx, log, reviewCommentTarget(inst, ev.GetRepo(), ev.GetPullRequest(), ev.GetComment()))
}
