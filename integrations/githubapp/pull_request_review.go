package githubapp

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/google/go-github/v60/github"
)

// onReview checks the text of a submitted or edited pull request review: the
// summary a reviewer (or a review bot passing as one) writes above its line
// comments. A review without text, such as a bare approval, is nothing to
// judge, unless an edit emptied a review the App had already answered: its
// comment is then brought up to date.
func (a *App) onReview(ctx context.Context, log *slog.Logger, ev *github.PullRequestReviewEvent) error {
	switch ev.GetAction() {
	case "submitted", "edited":
	default:
		return nil
	}
	if ev.PullRequest == nil || ev.Review == nil {
		return fmt.Errorf("pull_request_review: payload has no pull request or review")
	}
	inst := ev.GetInstallation().GetID()
	t := reviewTarget(inst, ev.GetRepo(), ev.GetPullRequest(), ev.GetReview())
	if strings.TrimSpace(t.item.Body) == "" {
		answered := false
		if ev.GetAction() == "edited" {
			id, err := a.stickyID(ctx, t)
			if err != nil {
				return err
			}
			answered = id != 0
		}
		if !answered {
			log.Debug("review without text", "review", ev.GetReview().GetID())
			return nil
		}
	}
	return a.moderateTarget(ctx, log, t)
}
