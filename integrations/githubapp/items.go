package githubapp

import (
	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/moderation"
)

// Translating go-github types into targets happens here and nowhere else.

func labelNames(ls []*github.Label) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.GetName())
	}
	return out
}

func isBot(u *github.User) bool {
	return u.GetType() == "Bot" || moderation.IsBotLogin(u.GetLogin())
}

// newItem is the Item of a text of kind k numbered n (moderation.ItemID)
// in t's repository, written by u.
func newItem(t target, k moderation.Kind, n int64, u *github.User, url, association, title, body string) moderation.Item {
	return moderation.Item{
		Platform: moderation.GitHub, Kind: k, Scope: t.scope(), ID: moderation.ItemID(k, n), URL: url,
		Author: u.GetLogin(), AuthorIsBot: isBot(u), AuthorAssociation: association, Title: title, Body: body,
	}
}

func baseTarget(inst int64, repo *github.Repository) target {
	return target{installation: inst, owner: repo.GetOwner().GetLogin(), repo: repo.GetName()}
}

func prTarget(inst int64, repo *github.Repository, pr *github.PullRequest) target {
	t := baseTarget(inst, repo)
	t.number, t.isPR = pr.GetNumber(), true
	t.headSHA = pr.GetHead().GetSHA()
	t.labels, t.draft, t.state = labelNames(pr.Labels), pr.GetDraft(), pr.GetState()
	t.item = newItem(t, moderation.KindPullRequest, int64(pr.GetNumber()), pr.GetUser(), pr.GetHTMLURL(), pr.GetAuthorAssociation(), pr.GetTitle(), pr.GetBody())
	return t
}

func issueTarget(inst int64, repo *github.Repository, is *github.Issue) target {
	t := baseTarget(inst, repo)
	t.number, t.isPR = is.GetNumber(), is.IsPullRequest()
	t.labels, t.state = labelNames(is.Labels), is.GetState()
	kind := moderation.KindIssue
	if t.isPR {
		kind = moderation.KindPullRequest
	}
	t.item = newItem(t, kind, int64(is.GetNumber()), is.GetUser(), is.GetHTMLURL(), is.GetAuthorAssociation(), is.GetTitle(), is.GetBody())
	return t
}

// commentTarget is an issue or pull request conversation comment.
func commentTarget(inst int64, repo *github.Repository, is *github.Issue, c *github.IssueComment) target {
	t := baseTarget(inst, repo)
	t.number, t.isPR = is.GetNumber(), is.IsPullRequest()
	t.labels, t.state = labelNames(is.Labels), is.GetState()
	t.commentID, t.nodeID, t.threadTitle = c.GetID(), c.GetNodeID(), is.GetTitle()
	t.item = newItem(t, moderation.KindComment, c.GetID(), c.GetUser(), c.GetHTMLURL(), c.GetAuthorAssociation(), "", c.GetBody())
	return t
}

// inPullRequest is the target of an item inside pull request pr's thread.
func inPullRequest(inst int64, repo *github.Repository, pr *github.PullRequest) target {
	t := baseTarget(inst, repo)
	t.number, t.isPR = pr.GetNumber(), true
	t.labels, t.state, t.threadTitle = labelNames(pr.Labels), pr.GetState(), pr.GetTitle()
	return t
}

// reviewCommentTarget is a comment on a pull request's diff.
func reviewCommentTarget(inst int64, repo *github.Repository, pr *github.PullRequest, c *github.PullRequestComment) target {
	t := inPullRequest(inst, repo, pr)
	t.commentID, t.nodeID = c.GetID(), c.GetNodeID()
	t.item = newItem(t, moderation.KindReviewComment, c.GetID(), c.GetUser(), c.GetHTMLURL(), c.GetAuthorAssociation(), "", c.GetBody())
	return t
}

// reviewTarget is a pull request review's own text (its summary, not its
// line comments, which are review comments).
func reviewTarget(inst int64, repo *github.Repository, pr *github.PullRequest, r *github.PullRequestReview) target {
	t := inPullRequest(inst, repo, pr)
	t.commentID, t.nodeID = r.GetID(), r.GetNodeID()
	t.item = newItem(t, moderation.KindReview, r.GetID(), r.GetUser(), r.GetHTMLURL(), r.GetAuthorAssociation(), "", r.GetBody())
	return t
}
