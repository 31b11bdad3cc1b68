package moderation

import (
	"fmt"
	"strconv"
	"strings"
)

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

// ItemID is the ID of a numbered item within its scope: "kind/n", e.g.
// ItemID(KindPullRequest, 12) is "pr/12" and ItemID(KindComment, 345) is
// "comment/345". Pull requests and issues are numbered per repository;
// comments, reviews and review comments by GitHub's own IDs. A Discord
// message's item ID is the message's own snowflake, a CI file's its path.
func ItemID(k Kind, n int64) string {
	return string(k) + "/" + strconv.FormatInt(n, 10)
}

// ParseItemID reads an ID written by ItemID back into its kind and number.
// It accepts only the numbered kinds (pr, issue, comment, review,
// review_comment) and a positive number.
func ParseItemID(id string) (Kind, int64, error) {
	prefix, num, ok := strings.Cut(id, "/")
	if !ok {
		return "", 0, fmt.Errorf("item ID %q is not kind/number", id)
	}
	k := Kind(prefix)
	switch k {
	case KindPullRequest, KindIssue, KindComment, KindReview, KindReviewComment:
	default:
		return "", 0, fmt.Errorf("item ID %q: %q is not a numbered kind (pr, issue, comment, review, review_comment)", id, prefix)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return "", 0, fmt.Errorf("item ID %q: %q is not a positive number", id, num)
	}
	return k, n, nil
}

// IsBotLogin reports whether login is an app account's login such as
// "dependabot[bot]", in any case.
func IsBotLogin(login string) bool {
	return strings.HasSuffix(strings.ToLower(login), "[bot]")
}
