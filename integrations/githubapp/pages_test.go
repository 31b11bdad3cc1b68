package githubapp

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/moderation"
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
			writes := h.deliver(t, "pull_request", fixture(t, "pull_request.opened.json", nil))
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

func TestStoredPolicy(t *testing.T) {
	t.Parallel()
	st := openTempStore(t)
	def := moderation.Policy{Mode: moderation.ModeObserve}
	p, source, err := StoredPolicy(t.Context(), st, def, "acme/widgets")
	if err != nil || p.Mode != moderation.ModeObserve || source != "server default" {
		t.Fatalf("no cached policy: %v from %q (%v); want the server default", p.Mode, source, err)
	}
	cached, _ := json.Marshal(cachedPolicy{Source: "acme/widgets:.github/slopguard.yml", YAML: "mode: enforce\nthreshold: 0.9\n", FetchedAt: 1})
	if err := st.PutSetting(t.Context(), "acme/widgets", policySetting, cached); err != nil {
		t.Fatal(err)
	}
	p, source, err = StoredPolicy(t.Context(), st, def, "acme/widgets")
	if err != nil || p.Mode != moderation.ModeEnforce || p.Threshold(0.99) != 0.9 || source != "acme/widgets:.github/slopguard.yml" {
		t.Errorf("cached policy: %v at %v from %q (%v); want enforce at 0.9 from the repository", p.Mode, p.Threshold(0.99), source, err)
	}
}
