package githubapp

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-github/v60/github"
)

// onIssueComment runs `/slopguard` commands, and checks other new or edited
// comments on issues and pull requests.
func (a *App) onIssueComment(ctx context.Context, log *slog.Logger, payload any) error {
	ev, ok := payload.(*github.IssueCommentEvent)
	if !ok {
		return fmt.Errorf("issue_comment: unexpected payload %T", payload)
	}
	switch ev.GetAction() {
	case "created", "edited":
	default:
		return nil
	}
	if ev.Issue == nil || ev.Comment == nil {
		return fmt.Errorf("issue_comment: payload has no issue or comment")
	}
	inst := ev.GetInstallation().GetID()
	gh, err := a.opt.Clients.Installation(ctx, inst)
	if err != nil {
		return fmt.Errorf("installation %d client: %w", inst, err)
	}
	t := commentTarget(inst, ev.GetRepo(), ev.GetIssue(), ev.GetComment())
	if cmd, ok := parseCommand(ev.GetComment().GetBody()); ok {
		if ev.GetAction() != "created" {
			return nil // an edited command is not run again
		}
		return a.runCommand(ctx, t.logger(log), gh, ev, cmd)
	}
	return a.moderate(ctx, log, gh, t)
}
