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

// command is a parsed `/slopguard VERB [ITEM]` comment.
type command struct {
	verb string // recheck, appeal, not-slop, confirm
	// itemID names a comment ("comment/123", "review_comment/456"); empty means the thread.
	itemID string
}

// parseCommand reads a command from the first line of a comment.
func parseCommand(body string) (command, bool) {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	fields := strings.Fields(line)
	if len(fields) < 2 || !strings.EqualFold(fields[0], "/slopguard") {
		return command{}, false
	}
	c := command{verb: strings.ToLower(fields[1])}
	if len(fields) > 2 {
		c.itemID = fields[2]
	}
	return c, true
}

// overrideSetting is the store key prefix of a maintainer's decision about
// an item ("human" or "machine"), which later edits do not undo.
const overrideSetting = "github.override/"

// runCommand answers a command comment.
func (a *App) runCommand(ctx context.Context, log *slog.Logger, gh *github.Client, ev *github.IssueCommentEvent, cmd command) error {
	inst := ev.GetInstallation().GetID()
	sender := ev.GetComment().GetUser().GetLogin()
	log = log.With("command", cmd.verb, "sender", sender)
	t, err := a.commandTarget(ctx, gh, inst, ev, cmd.itemID)
	if err != nil {
		log.Warn("command target", "err", err)
		return nil
	}
	log = log.With("target", t.item.ID)
	maintainer := func() bool {
		return a.isMaintainer(ctx, gh, t.owner, t.repo, sender, ev.GetComment().GetAuthorAssociation())
	}
	switch cmd.verb {
	case "recheck":
		if !strings.EqualFold(sender, t.item.Author) && !maintainer() {
			return a.refuse(ctx, log, gh, t, sender, "only the author or a maintainer can ask for a re-check")
		}
		return a.moderate(ctx, log, gh, t)
	case "appeal":
		if !strings.EqualFold(sender, t.item.Author) && !maintainer() {
			return a.refuse(ctx, log, gh, t, sender, "only the author can appeal")
		}
		return a.appeal(ctx, log, gh, t, sender, ev.GetComment().GetID())
	case "not-slop", "confirm":
		if !maintainer() {
			return a.refuse(ctx, log, gh, t, sender, "only maintainers can answer with `/slopguard not-slop` or `/slopguard confirm`; `/slopguard appeal` asks them to look")
		}
		return a.judge(ctx, log, gh, t, sender, cmd.verb == "not-slop")
	default:
		return a.refuse(ctx, log, gh, t, sender, fmt.Sprintf("`%s` is not a slopguard command (recheck, appeal, not-slop, confirm)", cmd.verb))
	}
}

// commandTarget finds the item a command is about: the thread, or a named comment.
func (a *App) commandTarget(ctx context.Context, gh *github.Client, inst int64, ev *github.IssueCommentEvent, itemID string) (target, error) {
	repo, is := ev.GetRepo(), ev.GetIssue()
	kind, idText, _ := strings.Cut(itemID, "/")
	id, _ := strconv.ParseInt(idText, 10, 64)
	switch {
	case itemID == "" && is.IsPullRequest():
		pr, _, err := gh.PullRequests.Get(ctx, repo.GetOwner().GetLogin(), repo.GetName(), is.GetNumber())
		if err != nil {
			return target{}, fmt.Errorf("get pull request %d: %w", is.GetNumber(), err)
		}
		return prTarget(inst, repo, pr), nil
	case itemID == "":
		return issueTarget(inst, repo, is), nil
	case kind == "comment" && id > 0:
		c, _, err := gh.Issues.GetComment(ctx, repo.GetOwner().GetLogin(), repo.GetName(), id)
		if err != nil {
			return target{}, fmt.Errorf("get comment %d: %w", id, err)
		}
		return commentTarget(inst, repo, is, c), nil
	case kind == "review_comment" && id > 0 && is.IsPullRequest():
		c, _, err := gh.PullRequests.GetComment(ctx, repo.GetOwner().GetLogin(), repo.GetName(), id)
		if err != nil {
			return target{}, fmt.Errorf("get review comment %d: %w", id, err)
		}
		pr, _, err := gh.PullRequests.Get(ctx, repo.GetOwner().GetLogin(), repo.GetName(), is.GetNumber())
		if err != nil {
			return target{}, fmt.Errorf("get pull request %d: %w", is.GetNumber(), err)
		}
		return reviewCommentTarget(inst, repo, pr, c), nil
	}
	return target{}, fmt.Errorf("%q does not name an item (comment/ID or review_comment/ID)", itemID)
}

// isMaintainer reports whether login may judge items: an owner, member or
// collaborator by association, or anyone with write access.
func (a *App) isMaintainer(ctx context.Context, gh *github.Client, owner, repo, login, association string) bool {
	switch strings.ToUpper(association) {
	case "OWNER", "MEMBER", "COLLABORATOR":
		return true
	}
	perm, _, err := gh.Repositories.GetPermissionLevel(ctx, owner, repo, login)
	if err != nil {
		return false
	}
	switch perm.GetPermission() {
	case "admin", "maintain", "write":
		return true
	}
	return false
}

// reply re-renders the App's comment about t with a status line. It writes
// nothing in observe mode and creates no comment where there was none.
func (a *App) reply(ctx context.Context, log *slog.Logger, gh *github.Client, t target, status string) {
	p, err := a.plan(ctx, gh, t)
	if err != nil || p.PolicyError != "" || p.Mode < moderation.ModeFlag || !p.policy.Comment.Enabled {
		log.Info("command answered without a comment", "status", status, "err", err)
		return
	}
	if err := a.upsertSticky(ctx, gh, t, stickyBody(t, p, status), false); err != nil {
		log.Error("answer command", "err", err)
	}
}

// refuse answers a command the sender may not use, politely.
func (a *App) refuse(ctx context.Context, log *slog.Logger, gh *github.Client, t target, sender, why string) error {
	log.Info("command refused", "why", why)
	a.reply(ctx, log, gh, t, fmt.Sprintf("@%s, sorry: %s.", sender, why))
	return nil
}

// appeal records the author's request for a human decision and pings the maintainers team.
// commandID is the appeal comment's ID: the first appeal's ID wins the claim.
func (a *App) appeal(ctx context.Context, log *slog.Logger, gh *github.Client, t target, sender string, commandID int64) error {
	d, err := a.opt.Store.LatestDecision(ctx, string(moderation.GitHub), t.scope(), t.item.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("latest decision: %w", err)
	}
	if d.Verdict == "" {
		d.Verdict = "unsure"
	}
	d.ID, d.Platform, d.Scope, d.ItemID, d.ItemURL, d.Author = 0, string(moderation.GitHub), t.scope(), t.item.ID, t.item.URL, t.item.Author
	d.Actions, d.CreatedAt, d.Text = []string{"appeal"}, a.now().UTC(), ""
	if _, err := a.opt.Store.RecordDecision(ctx, d); err != nil {
		return fmt.Errorf("record appeal: %w", err)
	}
	pol, _, err := a.policyFor(ctx, gh, t.owner, t.repo)
	if err != nil || pol.Mode < moderation.ModeFlag {
		log.Info("appeal recorded", "err", err)
		return nil
	}
	status := fmt.Sprintf("@%s asked for a human review; a maintainer will take a look.", sender)
	// Ping the team once per item, however often the command is repeated.
	_, first, err := a.opt.Store.ClaimMessage(ctx, store.OwnedMessage{Platform: string(moderation.GitHub),
		Scope: t.scope(), ItemID: t.item.ID, Kind: "appeal", MessageID: strconv.FormatInt(commandID, 10)})
	if err != nil {
		log.Error("remember appeal", "err", err)
	}
	if team := pol.MaintainersTeam; team != "" && first {
		if !strings.Contains(team, "/") {
			team = t.owner + "/" + team
		}
		ping := fmt.Sprintf("%sappeal item=%s -->\n@%s: @%s asks for a human review of %s flagged by slopguard. "+
			"Answer with `/slopguard not-slop` or `/slopguard confirm`.", markerPrefix, t.item.ID, team, sender, t.item.ID)
		if _, _, err := gh.Issues.CreateComment(ctx, t.owner, t.repo, t.number, &github.IssueComment{Body: github.String(ping)}); err != nil {
			log.Error("ping maintainers", "err", err)
		}
	}
	a.reply(ctx, log, gh, t, status)
	log.Info("appeal recorded")
	return nil
}

// judge stores a maintainer's answer as feedback and clears or keeps the flag.
func (a *App) judge(ctx context.Context, log *slog.Logger, gh *github.Client, t target, by string, notSlop bool) error {
	label := "machine"
	if notSlop {
		label = "human"
	}
	fb := store.Feedback{
		Platform: string(moderation.GitHub), Scope: t.scope(), ItemID: t.item.ID, By: by, Label: label,
		Note: "github command", Text: t.item.Text(), CreatedAt: a.now().UTC(),
	}
	if d, err := a.opt.Store.LatestDecision(ctx, fb.Platform, fb.Scope, fb.ItemID); err == nil {
		fb.DecisionID = d.ID
	}
	if _, err := a.opt.Store.AddFeedback(ctx, fb); err != nil {
		return fmt.Errorf("store feedback: %w", err)
	}
	if err := a.opt.Store.PutSetting(ctx, t.scope(), overrideSetting+t.item.ID, []byte(label)); err != nil {
		log.Error("remember maintainer decision", "err", err)
	}
	log.Info("maintainer feedback stored", "label", label)
	pol, _, err := a.policyFor(ctx, gh, t.owner, t.repo)
	if err != nil || pol.Mode < moderation.ModeFlag {
		return nil // observe mode (or no policy): nothing written to GitHub
	}
	if !notSlop {
		if !t.isComment() {
			if err := a.addLabel(ctx, gh, t, pol.Label); err != nil {
				log.Error("keep label", "err", err)
			}
		}
		a.reply(ctx, log, gh, t, fmt.Sprintf("A maintainer (@%s) reviewed this and confirmed the flag.", by))
		return nil
	}
	if !t.isComment() {
		if err := a.removeLabel(ctx, gh, t, pol.Label.Name); err != nil {
			log.Error("clear label", "err", err)
		}
	}
	if t.item.Kind == moderation.KindPullRequest && t.headSHA != "" {
		cr := checkRun{conclusion: "success", title: "Marked not slop by a maintainer",
			summary: fmt.Sprintf("@%s reviewed this pull request and cleared slopguard's flag.", by)}
		if err := a.upsertCheckRun(ctx, gh, t, cr); err != nil {
			log.Error("clear check run", "err", err)
		}
	}
	body := fmt.Sprintf("%ssticky item=%s -->\n**slopguard** · automated check\n\nA maintainer (@%s) reviewed this and cleared the flag. Sorry for the noise, and thanks for your patience!\n",
		markerPrefix, t.item.ID, by)
	if err := a.upsertSticky(ctx, gh, t, body, false); err != nil {
		log.Error("update comment", "err", err)
	}
	return nil
}

// override returns a maintainer's earlier decision about an item, if any.
func (a *App) override(ctx context.Context, t target) string {
	v, err := a.opt.Store.Setting(ctx, t.scope(), overrideSetting+t.item.ID)
	if err != nil {
		return ""
	}
	return string(v)
}
