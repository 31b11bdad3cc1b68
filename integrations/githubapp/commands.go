package githubapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// command is a parsed `/slopguard VERB [ITEM]` comment.
type command struct {
	verb string // recheck, appeal, not-slop, confirm
	// itemID names a comment ("comment/123", "review_comment/456") or a
	// review ("review/789"); empty means the thread.
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
	// A permission that could not be checked is not a "no": the command
	// fails, its job is retried, and no refusal is posted meanwhile.
	var permErr error
	maintainer := func() bool {
		ok, err := a.isMaintainer(ctx, gh, t.owner, t.repo, sender, ev.GetComment().GetAuthorAssociation())
		permErr = err
		return ok
	}
	refuse := func(why string) error {
		if permErr != nil {
			return permErr
		}
		return a.refuse(ctx, log, gh, t, sender, why)
	}
	switch cmd.verb {
	case "recheck":
		if !strings.EqualFold(sender, t.item.Author) && !maintainer() {
			return refuse("only the author or a maintainer can ask for a re-check")
		}
		return a.moderate(ctx, log, gh, t)
	case "appeal":
		if !strings.EqualFold(sender, t.item.Author) && !maintainer() {
			return refuse("only the author can appeal")
		}
		// Every comment is an item: without this, anyone could have the App
		// ping the maintainers about items it never flagged.
		flagged, err := a.wasFlagged(ctx, gh, t)
		if err != nil {
			return err
		}
		if !flagged {
			return a.refuse(ctx, log, gh, t, sender, "slopguard has not flagged this, so there is nothing to appeal")
		}
		return a.appeal(ctx, log, gh, t, sender, ev.GetComment().GetID())
	case "not-slop", "confirm":
		if !maintainer() {
			return refuse("only maintainers can answer with `/slopguard not-slop` or `/slopguard confirm`; `/slopguard appeal` asks them to look")
		}
		return a.judge(ctx, log, gh, t, sender, cmd.verb == "not-slop")
	default:
		return a.refuse(ctx, log, gh, t, sender, fmt.Sprintf("`%s` is not a slopguard command (recheck, appeal, not-slop, confirm)", cmd.verb))
	}
}

// commandTarget finds the item a command is about: the thread, or a named comment.
func (a *App) commandTarget(ctx context.Context, gh *github.Client, inst int64, ev *github.IssueCommentEvent, itemID string) (target, error) {
	repo, is := ev.GetRepo(), ev.GetIssue()
	// A malformed ID names nothing: kind stays empty and the last case says so.
	kind, id, _ := moderation.ParseItemID(itemID)
	switch {
	case itemID == "" && is.IsPullRequest():
		pr, _, err := gh.PullRequests.Get(ctx, repo.GetOwner().GetLogin(), repo.GetName(), is.GetNumber())
		if err != nil {
			return target{}, fmt.Errorf("get pull request %d: %w", is.GetNumber(), err)
		}
		return prTarget(inst, repo, pr), nil
	case itemID == "":
		return issueTarget(inst, repo, is), nil
	case kind == moderation.KindComment:
		c, _, err := gh.Issues.GetComment(ctx, repo.GetOwner().GetLogin(), repo.GetName(), id)
		if err != nil {
			return target{}, fmt.Errorf("get comment %d: %w", id, err)
		}
		// The number, labels and the App's reply come from this thread: a
		// comment of another thread would be acted on in the wrong place.
		if !strings.HasSuffix(c.GetIssueURL(), "/issues/"+strconv.Itoa(is.GetNumber())) {
			return target{}, fmt.Errorf("comment %d belongs to %q, not to #%d", id, c.GetIssueURL(), is.GetNumber())
		}
		return commentTarget(inst, repo, is, c), nil
	case kind == moderation.KindReviewComment && is.IsPullRequest():
		c, _, err := gh.PullRequests.GetComment(ctx, repo.GetOwner().GetLogin(), repo.GetName(), id)
		if err != nil {
			return target{}, fmt.Errorf("get review comment %d: %w", id, err)
		}
		if !strings.HasSuffix(c.GetPullRequestURL(), "/pulls/"+strconv.Itoa(is.GetNumber())) {
			return target{}, fmt.Errorf("review comment %d belongs to %q, not to #%d", id, c.GetPullRequestURL(), is.GetNumber())
		}
		pr, _, err := gh.PullRequests.Get(ctx, repo.GetOwner().GetLogin(), repo.GetName(), is.GetNumber())
		if err != nil {
			return target{}, fmt.Errorf("get pull request %d: %w", is.GetNumber(), err)
		}
		return reviewCommentTarget(inst, repo, pr, c), nil
	case kind == moderation.KindReview && is.IsPullRequest():
		// Asked for under this pull request's number, and checked against
		// the pull request the answer names, as for review comments.
		r, _, err := gh.PullRequests.GetReview(ctx, repo.GetOwner().GetLogin(), repo.GetName(), is.GetNumber(), id)
		if err != nil {
			return target{}, fmt.Errorf("get review %d of #%d: %w", id, is.GetNumber(), err)
		}
		if !strings.HasSuffix(r.GetPullRequestURL(), "/pulls/"+strconv.Itoa(is.GetNumber())) {
			return target{}, fmt.Errorf("review %d belongs to %q, not to #%d", id, r.GetPullRequestURL(), is.GetNumber())
		}
		pr, _, err := gh.PullRequests.Get(ctx, repo.GetOwner().GetLogin(), repo.GetName(), is.GetNumber())
		if err != nil {
			return target{}, fmt.Errorf("get pull request %d: %w", is.GetNumber(), err)
		}
		return reviewTarget(inst, repo, pr, r), nil
	}
	return target{}, fmt.Errorf("%q does not name an item (comment/ID, review_comment/ID or review/ID)", itemID)
}

// permissionTTL is how long a collaborator permission answer is reused.
const permissionTTL = 5 * time.Minute

// cachedPermission is one answer of the collaborator permission API.
type cachedPermission struct {
	maintainer bool
	at         time.Time
}

// collaboratorPermission is the collaborator permission API's answer.
// go-github v60 does not decode role_name, which names the repository role
// ("admin", "maintain", "write", "triage", "read" or a custom role), while
// permission gives the legacy level ("admin", "write", "read", "none").
type collaboratorPermission struct {
	Permission string `json:"permission"`
	RoleName   string `json:"role_name"`
}

// isMaintainer reports whether login may judge items: the repository's
// owner (author_association OWNER), or anyone whose repository role is
// admin, maintain or write. MEMBER and COLLABORATOR associations are not
// enough: they include organisation members and collaborators with read or
// triage access only. Answers (404 counts as "no access") are cached per
// repository and login for permissionTTL; a failed lookup is an error (the
// caller must not answer "only maintainers can…") and is not cached.
func (a *App) isMaintainer(ctx context.Context, gh *github.Client, owner, repo, login, association string) (bool, error) {
	if strings.EqualFold(association, "OWNER") {
		return true, nil
	}
	key := strings.ToLower(owner + "/" + repo + "\x00" + login)
	now := a.now()
	a.permMu.Lock()
	c, ok := a.permissions[key]
	a.permMu.Unlock()
	if ok && now.Sub(c.at) < permissionTTL {
		return c.maintainer, nil
	}
	perm, err := a.permission(ctx, gh, owner, repo, login)
	var gherr *github.ErrorResponse
	notFound := errors.As(err, &gherr) && gherr.Response != nil && gherr.Response.StatusCode == http.StatusNotFound
	if err != nil && !notFound {
		return false, fmt.Errorf("could not check the permission of %s on %s/%s: %w", login, owner, repo, err)
	}
	// 404: login has no access to the repository at all.
	maintainer := !notFound && (isWriteRole(perm.Permission) || isWriteRole(perm.RoleName))
	a.permMu.Lock()
	if a.permissions == nil {
		a.permissions = map[string]cachedPermission{}
	}
	if len(a.permissions) >= 4096 { // drop stale answers so the cache stays small
		for k, v := range a.permissions {
			if now.Sub(v.at) >= permissionTTL {
				delete(a.permissions, k)
			}
		}
	}
	a.permissions[key] = cachedPermission{maintainer: maintainer, at: now}
	a.permMu.Unlock()
	return maintainer, nil
}

// isWriteRole reports whether a permission or role name may judge items.
func isWriteRole(role string) bool {
	switch strings.ToLower(role) {
	case "admin", "maintain", "write":
		return true
	}
	return false
}

// permission asks GitHub for login's permission on the repository.
func (a *App) permission(ctx context.Context, gh *github.Client, owner, repo, login string) (collaboratorPermission, error) {
	var perm collaboratorPermission
	u := fmt.Sprintf("repos/%s/%s/collaborators/%s/permission", url.PathEscape(owner), url.PathEscape(repo), url.PathEscape(login))
	req, err := gh.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return perm, fmt.Errorf("permission of %s: %w", login, err)
	}
	if _, err := gh.Do(ctx, req, &perm); err != nil {
		return perm, fmt.Errorf("permission of %s: %w", login, err)
	}
	return perm, nil
}

// reply re-renders the App's comment about t with a status line. It writes
// nothing in observe mode and creates no comment where there was none.
func (a *App) reply(ctx context.Context, log *slog.Logger, gh *github.Client, t target, status string) {
	p, err := a.plan(ctx, gh, t)
	if err != nil || p.PolicyError != "" || !p.Mode.Tells() || !p.policy.Comment.Enabled {
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
	// An appeal already waiting (the latest decision is one) is not recorded
	// again: repeating the command adds no row.
	pending := err == nil && slices.Contains(d.Actions, actionAppeal)
	if d.Verdict == "" {
		d.Verdict = "unsure"
	}
	d.ID, d.Platform, d.Scope, d.ItemID, d.ItemURL, d.Author = 0, string(moderation.GitHub), t.scope(), t.item.ID, t.item.URL, t.item.Author
	d.Kind = string(t.item.Kind)
	d.Actions, d.CreatedAt, d.Text = []string{actionAppeal}, a.now().UTC(), ""
	if !pending {
		if _, err := a.opt.Store.RecordDecision(ctx, d); err != nil {
			return fmt.Errorf("record appeal: %w", err)
		}
	}
	pol, _, err := a.policyFor(ctx, gh, t.owner, t.repo)
	if err != nil || !pol.Mode.Tells() {
		log.Info("appeal recorded", "err", err)
		return nil
	}
	status := fmt.Sprintf("@%s asked for a human review; a maintainer will take a look.", sender)
	// Ping the team once per item, however often the command is repeated.
	_, first, err := a.opt.Store.ClaimMessage(ctx, appealKey(t, commandID))
	if err != nil {
		log.Error("remember appeal", "err", err)
	}
	if team := pol.MaintainersTeam; team != "" && first {
		if !strings.Contains(team, "/") {
			team = t.owner + "/" + team
		}
		ping := appealPing(t.item.ID, team, sender)
		if _, _, err := gh.Issues.CreateComment(ctx, t.owner, t.repo, t.number, &github.IssueComment{Body: github.String(ping)}); err != nil {
			log.Error("ping maintainers", "err", err)
		}
	}
	a.reply(ctx, log, gh, t, status)
	log.Info("appeal recorded")
	return nil
}

// wasFlagged reports whether the App flagged t: a maintainer confirmed
// the flag, the pull request or issue carries the policy's label, the App
// wrote its comment about the item, or the latest decision reached the
// policy's threshold (a text the model could not judge does not count, as
// in the sweep and moderation.Verdict.Flagged).
func (a *App) wasFlagged(ctx context.Context, gh *github.Client, t target) (bool, error) {
	if a.override(ctx, t) == overrideMachine {
		return true, nil
	}
	id, err := a.stickyID(ctx, t)
	if err != nil {
		return false, err
	}
	if id != 0 {
		return true, nil
	}
	pol, _, err := a.policyFor(ctx, gh, t.owner, t.repo)
	var perr *policyError
	if errors.As(err, &perr) {
		return false, nil // an invalid policy flags nothing
	}
	if err != nil {
		return false, fmt.Errorf("policy: %w", err)
	}
	// A comment's labels are its thread's: they say nothing about the comment.
	if !t.isComment() && t.hasLabel(pol.Label.Name) {
		return true, nil
	}
	d, err := a.opt.Store.LatestDecision(ctx, string(moderation.GitHub), t.scope(), t.item.ID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("latest decision: %w", err)
	}
	return moderation.FlaggedScore(d.Score, d.CannotJudge, pol.Threshold(a.opt.ModelThreshold)), nil
}
