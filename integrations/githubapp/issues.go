package githubapp

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-github/v60/github"
)

// onIssues checks an issue's title and body when it is opened or edited.
func (a *App) onIssues(ctx context.Context, log *slog.Logger, ev *github.IssuesEvent) error {
	switch ev.GetAction() {
	case "opened", "edited", "reopened":
	default:
		return nil
	}
	if ev.Issue == nil {
		return fmt.Errorf("issues: payload has no issue")
	}
	inst := ev.GetInstallation().GetID()
	return a.moderateTarget(ctx, log, issueTarget(inst, ev.GetRepo(), ev.GetIssue()))
}
