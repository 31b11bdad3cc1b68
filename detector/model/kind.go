package model

// The groups of item kinds that can have their own machine threshold
// (Header.KindThresholds). Every other kind uses the model's default
// threshold.
const (
	// KindGroupPR is pull-request descriptions and titles.
	KindGroupPR = "pr"
	// KindGroupComment is issues, comments, reviews and review comments.
	KindGroupComment = "comment"
	// KindGroupCommit is commit messages.
	KindGroupCommit = "commit"
	// KindGroupChat is chat messages (Discord, Slack, IRC, Gitter).
	KindGroupChat = "chat"
)

// KindGroups lists the kind groups in the order reports show them.
var KindGroups = []string{KindGroupPR, KindGroupComment, KindGroupCommit, KindGroupChat}

// KnownKindGroup reports whether g is one of KindGroups.
func KnownKindGroup(g string) bool {
	for _, k := range KindGroups {
		if k == g {
			return true
		}
	}
	return false
}

// KindGroup maps what is known about a text to its kind group, or "" for
// the default. kind is the item kind the product knows (moderation's Item
// kinds: "pr", "issue", "comment", "review", "review_comment", "commit",
// "message", "file") or a training record's `kind` field; domain is a
// training record's `domain` field, read only when kind is empty (a domain
// "review" is a product review, not a code review). This is the one place
// the mapping is written: training chooses thresholds with it and the
// detector applies them with it.
func KindGroup(kind, domain string) string {
	switch kind {
	case "pr", "pr_title":
		return KindGroupPR
	case "issue", "comment", "review", "review_comment", "pr_comment":
		return KindGroupComment
	case "commit":
		return KindGroupCommit
	case "message", "chat":
		return KindGroupChat
	case "":
		switch domain {
		case "comment":
			return KindGroupComment
		case "chat":
			return KindGroupChat
		}
	}
	return ""
}

// MachineThreshold is the machine threshold for an item of kind kind
// (see KindGroup): its group's own threshold when the model has one, else
// Thresholds.Machine.
func (h *Header) MachineThreshold(kind, domain string) float64 {
	if t, ok := h.KindThresholds[KindGroup(kind, domain)]; ok {
		return t
	}
	return h.Thresholds.Machine
}
