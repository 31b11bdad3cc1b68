package githubapp

import (
	"net/http"
	"strings"
	"testing"
)

// The check run's details_url and the comment link to the item's page when
// the App is given DetailsURL, and carry no link without it.
func TestDetailsURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		url  func(scope, itemID string) string
		want string
	}{
		{"linked", func(scope, itemID string) string {
			return "https://sg.example.org/i?scope=" + scope + "&item=" + itemID
		}, "https://sg.example.org/i?scope=acme/widgets&item=pr/7"},
		{"no public URL", func(string, string) string { return "" }, ""},
		{"not configured", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, slop, func(o *Options) { o.DetailsURL = tt.url })
			if got := h.send("pull_request", fixture(t, "pull_request.opened.json", nil)); got != http.StatusAccepted {
				t.Fatalf("got status %d, want 202", got)
			}
			h.drain()
			writes := h.gh.writes()
			cr := bodyOf(t, writes, "POST /repos/acme/widgets/check-runs")
			got, has := cr["details_url"]
			if tt.want == "" && has {
				t.Errorf("check run details_url = %v, want none", got)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("check run details_url = %v, want %s", got, tt.want)
			}
			comment, _ := bodyOf(t, writes, "POST /repos/acme/widgets/issues/7/comments")["body"].(string)
			if linked := strings.Contains(comment, "(https://sg.example.org/"); linked != (tt.want != "") {
				t.Errorf("comment links to the page: %v, want %v\n%s", linked, tt.want != "", comment)
			}
		})
	}
}
