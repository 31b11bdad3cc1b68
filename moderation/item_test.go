package moderation

import "testing"

func TestItemIDRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		kind Kind
		n    int64
		want string
	}{
		{KindPullRequest, 12, "pr/12"},
		{KindIssue, 7, "issue/7"},
		{KindComment, 345, "comment/345"},
		{KindReview, 9, "review/9"},
		{KindReviewComment, 1234567890123, "review_comment/1234567890123"},
	} {
		id := ItemID(tt.kind, tt.n)
		if id != tt.want {
			t.Errorf("ItemID(%s, %d) = %q, want %q", tt.kind, tt.n, id, tt.want)
		}
		k, n, err := ParseItemID(id)
		if err != nil || k != tt.kind || n != tt.n {
			t.Errorf("ParseItemID(%q) = %s, %d, %v; want %s, %d", id, k, n, err, tt.kind, tt.n)
		}
	}
}

func TestParseItemIDRejects(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", "12", "pr/", "pr/x", "pr/0", "pr/-3", "commit/abc123", "message/5", "file/README.md", "pr/1/2"} {
		if k, n, err := ParseItemID(id); err == nil {
			t.Errorf("ParseItemID(%q) = %s, %d, nil; want an error", id, k, n)
		}
	}
}

func TestIsBotLogin(t *testing.T) {
	t.Parallel()
	for login, want := range map[string]bool{
		"dependabot[bot]": true, "Renovate[BOT]": true, "alice": false, "bot": false, "[bot]alice": false,
	} {
		if got := IsBotLogin(login); got != want {
			t.Errorf("IsBotLogin(%q) = %v, want %v", login, got, want)
		}
	}
}
