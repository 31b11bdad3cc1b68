package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/sqlstore"
)

// testLinkSecret signs the test pages' links.
const testLinkSecret = "audit-test-secret-0123456789abcdef0123"

// The pages are mounted only with a link secret; with a public URL the
// GitHub App and the Discord bot get links, without one they get none.
func TestMountPages(t *testing.T) {
	t.Parallel()
	st, err := sqlstore.Open(t.Context(), sqlstore.SQLite, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := st.RecordDecision(t.Context(), store.Decision{Platform: "github", Scope: "octo/repo", ItemID: "pr/1", Verdict: "human", Score: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	det, err := detector.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, secret, public string
		mounted, links       bool
	}{
		{"off", "", "", false, false},
		{"local only", testLinkSecret, "", true, false},
		{"public", testLinkSecret, "https://sg.example.org", true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Web.LinkSecret, cfg.Web.PublicURL, cfg.Web.LinkTTL = tt.secret, tt.public, time.Hour
			deps := &shared{Logger: slog.New(slog.DiscardHandler), Detector: det, Store: st}
			mux := http.NewServeMux()
			if err := mountPages(mux, cfg, deps); err != nil {
				t.Fatal(err)
			}
			var body string
			get := func(path string) int {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				b, _ := io.ReadAll(rec.Body)
				body = string(b)
				return rec.Code
			}
			want := http.StatusNotFound
			if tt.mounted {
				want = http.StatusForbidden
			}
			if got := get("/d/1?exp=99999999999&sig=forged"); got != want {
				t.Errorf("forged link: %d, want %d", got, want)
			}
			item := deps.detailsURL("octo/repo", "pr/1")
			if (item != "") != tt.links || (deps.discordPages() != nil) != tt.mounted {
				t.Errorf("details URL %q, discord pages %v; want links %v", item, deps.discordPages(), tt.links)
			}
			if tt.links {
				if got := get(strings.TrimPrefix(item, tt.public)); got != http.StatusOK {
					t.Errorf("GET the App's details URL: %d, want 200", got)
				}
				if got := get(strings.TrimPrefix(deps.Pages.DecisionURL(id), tt.public)); got != http.StatusOK {
					t.Errorf("GET the bot's decision URL: %d, want 200", got)
				}
				// No policy file was fetched for the repository: the server's
				// default applies, flagging at the model's threshold.
				if want := fmt.Sprintf("flag, flags at %.0f%%", 100*det.Threshold()); !strings.Contains(body, want) || !strings.Contains(body, "server default") {
					t.Errorf("decision page lacks the policy in force (%q from the server default)", want)
				}
			}
		})
	}
}
