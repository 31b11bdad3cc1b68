package store_test

import (
	"testing"

	"github.com/slopguard/slopguard/store"
)

func TestFeedbackRecordKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    store.Feedback
		want string
	}{
		{"explicit kind", store.Feedback{Platform: "github", ItemID: "comment/1", Kind: "review"}, "review"},
		{"from item id", store.Feedback{Platform: "github", ItemID: "issue/4"}, "issue"},
		{"discord message", store.Feedback{Platform: "discord", ItemID: "123456"}, "message"},
		{"fallback", store.Feedback{Platform: "ci", ItemID: "README.md"}, "comment"},
		{"leading slash is not a kind", store.Feedback{Platform: "github", ItemID: "/x"}, "comment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := store.FeedbackRecord(tt.f).Kind; got != tt.want {
				t.Errorf("kind = %q, want %q", got, tt.want)
			}
		})
	}
}
