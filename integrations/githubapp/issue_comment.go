package githubapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"
)

// onIssueComment runs `/slopguard` commands, and checks other new or edited
// comments on issues and pull requests.
func (a *App) onIssueComment(ctx context.Context, log *slog.Logger, ev *github.IssueCommentEvent) error {
	switch ev.GetAction() {
	case "created", "edited", "deleted":
	default:
		return nil
	}
	if ev.Issue == nil || ev.Comment == nil {
		return fmt.Errorf("issue_comment: payload has no issue or comment")
	}
	inst := ev.GetInstallation().GetID()
	t := commentTarget(inst, ev.GetRepo(), ev.GetIssue(), ev.GetComment())
	if ev.GetAction() == "deleted" {
		return a.onCommentDeleted(ctx, t)
	}
	gh, err := a.installation(ctx, inst)
	if err != nil {
		return err
	}
	body := ev.GetComment().GetBody()
	if cmd, ok := parseCommand(body); ok {
		var cmdErr error
		if ev.GetAction() == "created" { // an edited command is not run again
			cmdErr = a.runCommand(ctx, t.logger(log), gh, ev, cmd)
		}
		// A command line does not exempt the text after it from the check:
		// otherwise "/slopguard hi" on top of any text would.
		if !textAfterCommand(body) {
			return cmdErr
		}
		return errors.Join(cmdErr, a.moderate(ctx, log, gh, t))
	}
	return a.moderate(ctx, log, gh, t)
}

// textAfterCommand reports whether a command comment has more than its
// command line.
func textAfterCommand(body string) bool {
	_, rest, _ := strings.Cut(strings.TrimSpace(body), "\n")
	return strings.TrimSpace(rest) != ""
}

// onCommentDeleted deletes the App's reply to a comment its author deleted:
// the reply quoted and named a comment that no longer exists. A comment the
// App never replied to costs one store lookup and no API call.
func (a *App) onCommentDeleted(ctx context.Context, t target) error {
	id, err := a.stickyID(ctx, t)
	if err != nil || id == 0 {
		return err
	}
	gh, err := a.installation(ctx, t.installation)
	if err != nil {
		return err
	}
	resp, err := gh.Issues.DeleteComment(ctx, t.owner, t.repo, id)
	if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
		return fmt.Errorf("delete the reply %d to a deleted comment: %w", id, err)
	}
	key := stickyKey(t)
	if err := a.opt.Store.ReleaseMessage(ctx, key.Platform, key.Scope, key.ItemID, key.Kind); err != nil {
		return fmt.Errorf("forget the reply to a deleted comment: %w", err)
	}
	return nil
}
