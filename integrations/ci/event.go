package ci

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/slopguard/slopguard/moderation"
)

// The GitHub Actions events the CI check understands.
const (
	EventPullRequest       = "pull_request"
	EventPullRequestTarget = "pull_request_target"
	EventIssues            = "issues"
	EventIssueComment      = "issue_comment"
)

// Event is what a GitHub Actions event file gives the CI check.
type Event struct {
	// Name is the event name (GITHUB_EVENT_NAME, or inferred from the payload).
	Name string
	// Action is the payload's action ("opened", "edited", …).
	Action string
	// Input is the text to check: the pull request or issue (title + body) or the comment.
	Input Input
	// Range is "base..head" for pull requests, for --changed-only; empty otherwise.
	Range string
}

// The parts of GitHub's webhook payloads the CI check reads; the rest is ignored.
type (
	ghUser struct {
		Login string `json:"login"`
		Type  string `json:"type"`
	}
	ghRef struct {
		SHA string `json:"sha"`
	}
	ghIssue struct {
		Number            int     `json:"number"`
		Title             string  `json:"title"`
		Body              *string `json:"body"`
		HTMLURL           string  `json:"html_url"`
		User              *ghUser `json:"user"`
		AuthorAssociation string  `json:"author_association"`
		Draft             bool    `json:"draft"`
		Labels            []struct {
			Name string `json:"name"`
		} `json:"labels"`
		Base *ghRef `json:"base"`
		Head *ghRef `json:"head"`
		// PullRequest is set on an issue that is a pull request (issue_comment on a PR).
		PullRequest *struct{} `json:"pull_request"`
	}
	ghComment struct {
		ID                int64   `json:"id"`
		Body              *string `json:"body"`
		HTMLURL           string  `json:"html_url"`
		User              *ghUser `json:"user"`
		AuthorAssociation string  `json:"author_association"`
	}
	ghPayload struct {
		Action      string     `json:"action"`
		PullRequest *ghIssue   `json:"pull_request"`
		Issue       *ghIssue   `json:"issue"`
		Comment     *ghComment `json:"comment"`
		Repository  *struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
)

// ParseEvent reads a GitHub Actions event payload. name is the event name
// (GITHUB_EVENT_NAME); when empty it is inferred from the payload. An event
// of another kind is an error naming the ones supported.
func ParseEvent(name string, data []byte) (Event, error) {
	var p ghPayload
	if err := json.Unmarshal(data, &p); err != nil {
		return Event{}, fmt.Errorf("parse event: %w", err)
	}
	if name == "" {
		switch {
		case p.Comment != nil && p.Issue != nil:
			name = EventIssueComment
		case p.PullRequest != nil:
			name = EventPullRequest
		case p.Issue != nil:
			name = EventIssues
		default:
			return Event{}, fmt.Errorf("parse event: no pull_request, issue or comment in the payload")
		}
	}
	ev := Event{Name: name, Action: p.Action}
	scope := ""
	if p.Repository != nil {
		scope = p.Repository.FullName
	}
	switch name {
	case EventPullRequest, EventPullRequestTarget:
		if p.PullRequest == nil {
			return Event{}, fmt.Errorf("parse event %s: no pull_request in the payload", name)
		}
		ev.Input = issueInput(scope, moderation.KindPullRequest, "pr", "pull request", p.PullRequest)
		if p.PullRequest.Base != nil && p.PullRequest.Head != nil && p.PullRequest.Base.SHA != "" && p.PullRequest.Head.SHA != "" {
			ev.Range = p.PullRequest.Base.SHA + ".." + p.PullRequest.Head.SHA
		}
	case EventIssues:
		if p.Issue == nil {
			return Event{}, fmt.Errorf("parse event %s: no issue in the payload", name)
		}
		ev.Input = issueInput(scope, moderation.KindIssue, "issue", "issue", p.Issue)
	case EventIssueComment:
		if p.Comment == nil {
			return Event{}, fmt.Errorf("parse event %s: no comment in the payload", name)
		}
		ev.Input = commentInput(scope, p.Comment)
		if p.Issue != nil {
			ev.Input.Name += " on #" + strconv.Itoa(p.Issue.Number)
		}
	default:
		return Event{}, fmt.Errorf("event %q is not supported (want pull_request, pull_request_target, issues or issue_comment)", name)
	}
	if p.Action == "deleted" {
		ev.Input.Skip = "deleted"
	}
	return ev, nil
}

func issueInput(scope string, kind moderation.Kind, prefix, noun string, is *ghIssue) Input {
	it := moderation.Item{
		Platform:          moderation.GitHub,
		Kind:              kind,
		Scope:             scope,
		ID:                prefix + "/" + strconv.Itoa(is.Number),
		URL:               is.HTMLURL,
		AuthorAssociation: is.AuthorAssociation,
		Title:             is.Title,
	}
	if is.Body != nil {
		it.Body = *is.Body
	}
	setAuthor(&it, is.User)
	in := Input{Item: it, Name: noun + " #" + strconv.Itoa(is.Number), Draft: is.Draft}
	for _, l := range is.Labels {
		in.Labels = append(in.Labels, l.Name)
	}
	return in
}

func commentInput(scope string, c *ghComment) Input {
	it := moderation.Item{
		Platform:          moderation.GitHub,
		Kind:              moderation.KindComment,
		Scope:             scope,
		ID:                "comment/" + strconv.FormatInt(c.ID, 10),
		URL:               c.HTMLURL,
		AuthorAssociation: c.AuthorAssociation,
	}
	if c.Body != nil {
		it.Body = *c.Body
	}
	setAuthor(&it, c.User)
	return Input{Item: it, Name: "comment " + strconv.FormatInt(c.ID, 10)}
}

func setAuthor(it *moderation.Item, u *ghUser) {
	if u == nil {
		return
	}
	it.Author = u.Login
	it.AuthorIsBot = u.Type == "Bot" || strings.HasSuffix(u.Login, "[bot]")
}
