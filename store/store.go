// Package store is slopguard's memory: webhook deliveries already handled,
// decisions and why they were made, feedback from maintainers and moderators,
// per-scope settings, strike counts, and the platform messages the bot owns.
//
// Two backends implement Store: SQLite (the embedded default, one file) and
// PostgreSQL (for several replicas). Writes that must happen once are made
// safe by constraints and transactions, never by in-process locks.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a requested record does not exist.
var ErrNotFound = errors.New("not found")

// Decision is one verdict slopguard reached about one item, and what it did.
type Decision struct {
	ID       int64
	Platform string // "github", "discord", "ci"
	Scope    string // "owner/repo" or guild ID
	ItemID   string // e.g. "pr/12", "comment/123", a message ID
	ItemURL  string
	// ChannelID is the Discord channel (or thread) the message was posted
	// in; empty on other platforms and on decisions stored before schema 9,
	// whose channel is in ItemURL's jump link.
	ChannelID string
	Author    string
	Score     float64
	Verdict   string // "human", "unsure", "machine"
	// CannotJudge is true when the model declined to judge the text (too
	// short, another language): such an item is never flagged, whatever
	// its score and the threshold.
	CannotJudge bool
	Reasons     []string // the reasons' human-readable texts, strongest first
	Model       string   // model version
	Actions     []string // e.g. "check_run", "label", "comment", "minimize", "close", "delete", "timeout"
	// Kind is the item's kind ("pr", "issue", "comment", "message", …); optional.
	Kind string
	// Title names the item for people: a pull request's or issue's title
	// (for a comment or review, its thread's), a Discord message's
	// "#channel"; optional. Text someone wrote, so like Text it is kept
	// only when the scope's settings allow storing texts.
	Title string
	// Text is the scored text; empty unless the scope's settings allow storing it.
	Text      string
	CreatedAt time.Time
}

// DecisionFilter selects decisions; zero fields do not filter.
type DecisionFilter struct {
	Platform string
	Scope    string
	ItemID   string
	Verdict  string
	Kind     string
	Author   string
	Since    time.Time
	Until    time.Time
	Limit    int // 0 means 100
}

// Feedback is a person's judgement on a decision or a text: "this is not slop"
// (human) or "this is slop" (machine). It keeps the text, since retraining needs it.
type Feedback struct {
	ID         int64
	DecisionID int64 // 0 when the feedback is not tied to a stored decision
	Platform   string
	Scope      string
	ItemID     string
	By         string // who gave it
	Label      string // "human" or "machine"
	Note       string
	Text       string
	CreatedAt  time.Time
	// Kind is the item's kind ("pr", "issue", "comment", "message", …); optional,
	// exported as the training record's kind.
	Kind string
}

// FeedbackFilter selects feedback; zero fields do not filter.
type FeedbackFilter struct {
	Platform string
	Scope    string
	ItemID   string
	Since    time.Time
	Limit    int // 0 means no limit
}

// OwnedMessage is a platform message or comment the bot posted and may edit
// later, such as GitHub's sticky comment or a Discord mod-log post. Claimed
// with a fixed MessageID it is also a once-only guard: a Discord appeal, or
// a moderator handling a mod-log post (the MessageID is then who did).
type OwnedMessage struct {
	Platform  string
	Scope     string
	ItemID    string
	Kind      string // "comment", "check_run", "modlog", or one of the claim kinds below
	MessageID string
	UpdatedAt time.Time
}

// The claim kinds of OwnedMessage guard a once-only action on a decision:
// its one appeal, or the first moderator's press on its mod-log post. They
// matter only while the decision exists, so Prune removes them with it;
// every other kind names a message that may still be edited.
const (
	KindAppealClaim  = "appeal"
	KindHandledClaim = "handled"
)

// ScoreBins is how many equal-width bins of [0, 1] ScopeStats.Scores has.
const ScoreBins = 20

// DayCount is how many decisions of each verdict were made on one UTC day.
type DayCount struct {
	Day                    time.Time // midnight UTC
	Human, Unsure, Machine int
}

// ScopeStats sums up the decisions made in one scope since a time: per day
// and verdict, and a histogram of their scores. The records of an appeal
// (a decision whose only action is "appeal") are not decisions and are not
// counted; nor are texts the model could not judge in Scores.
type ScopeStats struct {
	Days        []DayCount // oldest first, only days with decisions
	Scores      [ScoreBins]int
	Total       int
	CannotJudge int
}

// Store is everything slopguard remembers. Implementations are safe for
// concurrent use by many goroutines and, for PostgreSQL, many processes.
type Store interface {
	// MarkDelivery records a webhook delivery or event ID. It returns true for
	// the one caller that saw it first, false for every redelivery before expiry.
	MarkDelivery(ctx context.Context, platform, deliveryID string, expires time.Time) (first bool, err error)
	// ForgetDelivery removes a delivery's mark, so that a redelivery of an
	// event whose processing failed is processed. Forgetting an unknown ID
	// is not an error.
	ForgetDelivery(ctx context.Context, platform, deliveryID string) error

	// RecordDecision stores a decision and returns its ID.
	RecordDecision(ctx context.Context, d Decision) (int64, error)
	// Decision returns one decision by ID, or ErrNotFound.
	Decision(ctx context.Context, id int64) (Decision, error)
	// LatestDecision returns the newest decision for an item, or ErrNotFound.
	LatestDecision(ctx context.Context, platform, scope, itemID string) (Decision, error)
	// Decisions lists decisions newest first.
	Decisions(ctx context.Context, f DecisionFilter) ([]Decision, error)
	// UpdateDecision records what was done about a stored decision once it
	// is known: actions replace the decision's actions, and a non-empty text
	// replaces its text (an empty one leaves it as it is). It returns
	// ErrNotFound for an unknown ID.
	UpdateDecision(ctx context.Context, id int64, actions []string, text string) error

	// ScopeStats sums up a scope's decisions since a time (zero: all).
	ScopeStats(ctx context.Context, platform, scope string, since time.Time) (ScopeStats, error)
	// PendingAppeals lists a scope's appeals (claims of KindAppealClaim)
	// that no feedback on their item has answered since, oldest first. An
	// appeal whose post (its MessageID) has a KindHandledClaim, as a
	// moderator's Dismiss leaves, is answered too.
	PendingAppeals(ctx context.Context, platform, scope string) ([]OwnedMessage, error)

	// AddFeedback stores feedback and returns its ID.
	AddFeedback(ctx context.Context, f Feedback) (int64, error)
	// Feedback lists feedback oldest first.
	Feedback(ctx context.Context, f FeedbackFilter) ([]Feedback, error)

	// MoveScope moves what is kept about scope from to scope to (a
	// repository was renamed or transferred): its decisions, feedback and
	// owned messages on platform, and its settings and strikes (whose
	// scopes are the platform's own, such as "owner/repo"). Where to
	// already has a row of the same key, to's row wins and from's is
	// dropped. Moving a scope to itself does nothing.
	MoveScope(ctx context.Context, platform, from, to string) error

	// Setting returns a scope's setting value, or ErrNotFound.
	Setting(ctx context.Context, scope, key string) ([]byte, error)
	// PutSetting creates or replaces a scope's setting.
	PutSetting(ctx context.Context, scope, key string, value []byte) error

	// ClaimMessage records that the bot owns messageID for (platform, scope,
	// itemID, kind) unless another message is already recorded; it returns the
	// recorded message ID and whether this call's ID won. Pass an empty
	// messageID to only look up. won is true only for the one call that
	// recorded the ID; claiming the same ID again returns false.
	ClaimMessage(ctx context.Context, m OwnedMessage) (current string, won bool, err error)
	// ReplaceMessage records messageID for the key, replacing any earlier one.
	ReplaceMessage(ctx context.Context, m OwnedMessage) error
	// ReleaseMessage forgets the owned message for the key (e.g. it was deleted).
	ReleaseMessage(ctx context.Context, platform, scope, itemID, kind string) error

	// AddStrike records a strike against user in scope for itemID (the item
	// that earned it; may be empty) at time at and returns how many strikes
	// the user has within window ending at at. An item earns one strike:
	// adding it again (another replica handling the same message) records
	// nothing more and returns the count.
	AddStrike(ctx context.Context, scope, user, itemID string, at time.Time, window time.Duration) (int, error)
	// RemoveStrike deletes the strikes user earned in scope for itemID (a
	// moderator overturned it) and reports whether there was one. itemID
	// must not be empty.
	RemoveStrike(ctx context.Context, scope, user, itemID string) (bool, error)
	// Strikes counts a user's strikes within window ending at at.
	Strikes(ctx context.Context, scope, user string, at time.Time, window time.Duration) (int, error)

	// Prune deletes decisions, deliveries, strikes and claims (KindAppealClaim,
	// KindHandledClaim) older than before, and expired deliveries; it returns
	// how many rows it removed. Feedback is kept.
	Prune(ctx context.Context, before time.Time) (int64, error)

	// Leases lets replicas take turns: one of them at a time runs a
	// periodic job.
	Leases

	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}
