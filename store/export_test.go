package store_test

import (
	"strings"
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

func TestReadTrainingRecords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr string
	}{
		{"records and blank lines", "{\"text\":\"a\",\"label\":\"human\"}\n\n{\"text\":\"b\",\"label\":\"machine\"}\n", 2, ""},
		{"bad line is named", "{\"text\":\"a\"}\nnot json\n", 1, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := store.ReadTrainingRecords(strings.NewReader(tt.in))
			if len(got) != tt.want {
				t.Errorf("read %d records, want %d", len(got), tt.want)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
