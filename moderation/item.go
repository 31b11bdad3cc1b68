package moderation

import "strings"

// Platform names where an item comes from.
type Platform string

// The platforms slopguard serves.
const (
	GitHub  Platform = "github"
	Discord Platform = "discord"
	CI      Platform = "ci"
)

// Kind is what sort of text an item is; the values match the `kind` field of
// the training data where one exists.
type Kind string

// The kinds of item.
const (
	KindPullRequest   Kind = "pr"
	KindIssue         Kind = "issue"
	KindComment       Kind = "comment"
	KindReview        Kind = "review"
	KindReviewComment Kind = "review_comment"
	KindCommit        Kind = "commit"
	KindMessage       Kind = "message"
	KindFile          Kind = "file"
)

// Item is one piece of user-written text to check, with what a policy needs
// to know about where it came from.
type Item struct {
	Platform Platform `json:"platform"`
	Kind     Kind     `json:"kind"`
	// Scope is the repository ("owner/name") or guild ID the item belongs to.
	Scope string `json:"scope"`
	// ID identifies the item within its scope, e.g. "pr/12", "comment/123456" or a message ID.
	ID string `json:"id"`
	// URL links to the item for people, when there is one.
	URL string `json:"url,omitempty"`
	// Author is the login or user ID of whoever wrote the text.
	Author string `json:"author,omitempty"`
	// AuthorIsBot is true for bot and app accounts.
	AuthorIsBot bool `json:"author_is_bot,omitempty"`
	// AuthorAssociation is GitHub's author_association (OWNER, MEMBER, …), empty elsewhere.
	AuthorAssociation string `json:"author_association,omitempty"`
	Title             string `json:"title,omitempty"`
	Body              string `json:"body,omitempty"`
	// Commits are a pull request's commits, when the platform gave them;
	// their messages are read for agents' trailers, never scored.
	Commits []Commit `json:"commits,omitempty"`
}

// Text is what gets scored: the title and body separated by a blank line,
// or whichever of them is present.
func (it Item) Text() string {
	title, body := strings.TrimSpace(it.Title), strings.TrimSpace(it.Body)
	switch {
	case title == "":
		return body
	case body == "":
		return title
	default:
		return title + "\n\n" + body
	}
}
