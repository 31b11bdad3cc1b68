package githubapp

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/moderation"
)

// onCheckRun handles the check run's buttons ("Not slop", "Re-check") and
// "Re-run" requests.
func (a *App) onCheckRun(ctx context.Context, log *slog.Logger, ev *github.CheckRunEvent) error {
	run := ev.GetCheckRun()
	if run.GetName() != CheckRunName {
		return nil
	}
	number, ok := checkRunPullRequest(run)
	if !ok {
		return nil
	}
	var verb string
	switch ev.GetAction() {
	case "rerequested":
		verb = ActionRecheck
	case "requested_action":
		verb = ev.GetRequestedAction().Identifier
	default:
		return nil
	}
	inst := ev.GetInstallation().GetID()
	gh, err := a.installation(ctx, inst)
	if err != nil {
		return err
	}
	repo := ev.GetRepo()
	pr, _, err := gh.PullRequests.Get(ctx, repo.GetOwner().GetLogin(), repo.GetName(), number)
	if err != nil {
		return fmt.Errorf("get pull request %d: %w", number, err)
	}
	t := prTarget(inst, repo, pr)
	sender := ev.GetSender().GetLogin()
	log = t.logger(log).With("command", verb, "sender", sender)
	switch verb {
	case ActionRecheck:
		return a.moderate(ctx, log, gh, t)
	case ActionNotSlop:
		ok, err := a.isMaintainer(ctx, gh, t.owner, t.repo, sender, "")
		if err != nil {
			return err // not a "no": the job is retried
		}
		if !ok {
			log.Info("not-slop button refused: sender is not a maintainer")
			return nil
		}
		return a.judge(ctx, log, gh, t, sender, true)
	}
	log.Warn("unknown check run action")
	return nil
}

// checkRunPullRequest returns the number of the pull request a check run
// belongs to. GitHub leaves pull_requests empty for pull requests from
// forks, so the external ID the App gave the run ("pr/N") is the fallback.
// An event without a check run (a malformed payload) has none.
func checkRunPullRequest(run *github.CheckRun) (int, bool) {
	if run == nil {
		return 0, false
	}
	if len(run.PullRequests) > 0 {
		return run.PullRequests[0].GetNumber(), true
	}
	kind, n, err := moderation.ParseItemID(run.GetExternalID())
	if err != nil || kind != moderation.KindPullRequest {
		return 0, false
	}
	return int(n), true
}
