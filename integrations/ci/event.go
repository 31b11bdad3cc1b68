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
	// EventPullRequestReview is a review's text; the payload also has the pull request.
	EventPullRequestReview = "pull_request_review"
	// EventPullRequestReviewComment is a comment on a pull request's diff;
	// the payload also has the pull request.
	EventPullRequestReviewComment = "pull_request_review_comment"
)

// SupportedEvents are the event names ParseEvent reads, for messages.
var SupportedEvents = []string{
	EventPullRequest, EventPullRequestTarget, EventIssues, EventIssueComment,
	EventPullRequestReview, EventPullRequestReviewComment,
}

// supportedEventList is SupportedEvents in prose, ending with conj ("or", "and").
func supportedEventList(conj string) string {
	n := len(SupportedEvents)
	return strings.Join(SupportedEvents[:n-1], ", ") + " " + conj + " " + SupportedEvents[n-1]
}

// Event is what a GitHub Actions event file gives the CI check.
type Event struct {
	// Name is the event name (GITHUB_EVENT_NAME, or inferred from the payload).
	Name string
	// Action is the payload's action ("opened", "edited", …).
	Action string
	// Input is the text to check: the pull request or issue (title + body),
	// the comment or the review.
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
		Review      *ghComment `json:"review"`
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
		// Review and review-comment payloads also carry the pull request:
		// look for them first.
		case p.Review != nil && p.PullRequest != nil:
			name = EventPullRequestReview
		case p.Comment != nil && p.PullRequest != nil:
			name = EventPullRequestReviewComment
		case p.Comment != nil && p.Issue != nil:
			name = EventIssueComment
		case p.PullRequest != nil:
			name = EventPullRequest
		case p.Issue != nil:
			name = EventIssues
		default:
			return Event{}, fmt.Errorf("parse event: no pull_request, issue, comment or review in the payload")
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
		ev.Input = issueInput(scope, moderation.KindPullRequest, "pull request", p.PullRequest)
		ev.Range = prRange(p.PullRequest)
	case EventIssues:
		if p.Issue == nil {
			return Event{}, fmt.Errorf("parse event %s: no issue in the payload", name)
		}
		ev.Input = issueInput(scope, moderation.KindIssue, "issue", p.Issue)
	case EventIssueComment:
		if p.Comment == nil {
			return Event{}, fmt.Errorf("parse event %s: no comment in the payload", name)
		}
		ev.Input = commentInput(scope, moderation.KindComment, "comment", p.Comment)
		if p.Issue != nil {
			// The thread's labels count for the policy's exemptions, as in the GitHub App.
			ev.Input.Name += " on #" + strconv.Itoa(p.Issue.Number)
			ev.Input.Labels = labelNames(p.Issue)
		}
	case EventPullRequestReview, EventPullRequestReviewComment:
		c, kind, noun := p.Review, moderation.KindReview, "review"
		if name == EventPullRequestReviewComment {
			c, kind, noun = p.Comment, moderation.KindReviewComment, "review comment"
		}
		if c == nil {
			return Event{}, fmt.Errorf("parse event %s: no %s in the payload", name, noun)
		}
		ev.Input = commentInput(scope, kind, noun, c)
		if c.Body == nil || strings.TrimSpace(*c.Body) == "" {
			ev.Input.Skip = "no text" // e.g. an approval without a comment
		}
		if pr := p.PullRequest; pr != nil {
			ev.Input.Name += " on #" + strconv.Itoa(pr.Number)
			// The pull request's labels count for the exemptions, as in the
			// GitHub App; its draft state is the pull request's, not the review's.
			ev.Input.Labels = labelNames(pr)
			ev.Range = prRange(pr)
		}
	default:
		return Event{}, fmt.Errorf("event %q is not supported (want %s)", name, supportedEventList("or"))
	}
	if p.Action == "deleted" {
		ev.Input.Skip = "deleted"
	}
	return ev, nil
}

func issueInput(scope string, kind moderation.Kind, noun string, is *ghIssue) Input {
	it := moderation.Item{
		Platform:          moderation.GitHub,
		Kind:              kind,
		Scope:             scope,
		ID:                moderation.ItemID(kind, int64(is.Number)),
		URL:               is.HTMLURL,
		AuthorAssociation: is.AuthorAssociation,
		Title:             is.Title,
	}
	if is.Body != nil {
		it.Body = *is.Body
	}
	setAuthor(&it, is.User)
	return Input{Item: it, Name: noun + " #" + strconv.Itoa(is.Number), Labels: labelNames(is), Draft: is.Draft}
}

// labelNames returns the names of the labels of a pull request or issue.
func labelNames(is *ghIssue) []string {
	var names []string
	for _, l := range is.Labels {
		names = append(names, l.Name)
	}
	return names
}

// prRange is "base..head" of a pull request, or "" when a SHA is missing.
func prRange(pr *ghIssue) string {
	if pr.Base == nil || pr.Head == nil || pr.Base.SHA == "" || pr.Head.SHA == "" {
		return ""
	}
	return pr.Base.SHA + ".." + pr.Head.SHA
}

// commentInput builds the Input for a comment, review comment or review
// (kind), with the ID moderation.ItemID(kind, ID) and the name "noun ID".
func commentInput(scope string, kind moderation.Kind, noun string, c *ghComment) Input {
	it := moderation.Item{
		Platform:          moderation.GitHub,
		Kind:              kind,
		Scope:             scope,
		ID:                moderation.ItemID(kind, c.ID),
		URL:               c.HTMLURL,
		AuthorAssociation: c.AuthorAssociation,
	}
	if c.Body != nil {
		it.Body = *c.Body
	}
	setAuthor(&it, c.User)
	return Input{Item: it, Name: noun + " " + strconv.FormatInt(c.ID, 10)}
}

func setAuthor(it *moderation.Item, u *ghUser) {
	if u == nil {
		return
	}
	it.Author = u.Login
	it.AuthorIsBot = u.Type == "Bot" || moderation.IsBotLogin(u.Login)
}
