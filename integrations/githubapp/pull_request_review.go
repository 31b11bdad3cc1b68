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
// comments. A review without text, such as a bare approval, is nothing to judge.
func (a *App) onReview(ctx context.Context, log *slog.Logger, payload any) error {
	ev, ok := payload.(*github.PullRequestReviewEvent)
	if !ok {
		return fmt.Errorf("pull_request_review: unexpected payload %T", payload)
	}
	switch ev.GetAction() {
	case "submitted", "edited":
	default:
		return nil
	}
	if ev.PullRequest == nil || ev.Review == nil {
		return fmt.Errorf("pull_request_review: payload has no pull request or review")
	}
	if strings.TrimSpace(ev.GetReview().GetBody()) == "" {
		log.Debug("review without text", "review", ev.GetReview().GetID())
		return nil
	}
	inst := ev.GetInstallation().GetID()
	gh, err := a.opt.Clients.Installation(ctx, inst)
	if err != nil {
		return fmt.Errorf("installation %d client: %w", inst, err)
	}
	return a.moderate(ctx, log, gh, reviewTarget(inst, ev.GetRepo(), ev.GetPullRequest(), ev.GetReview()))
}
