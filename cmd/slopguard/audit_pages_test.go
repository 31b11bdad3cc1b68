package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slopguard/slopguard/integrations/web"
	"github.com/slopguard/slopguard/store/sqlstore"
)

const testLinkSecret = "audit-test-secret-0123456789abcdef0123"

func TestAuditLinks(t *testing.T) {
	t.Parallel()
	db, ids := auditSeed(t)
	id := strconv.FormatInt(ids[0], 10)
	vars := map[string]string{"SLOPGUARD_WEB_LINK_SECRET": testLinkSecret, "SLOPGUARD_PUBLIC_URL": "https://sg.example.org"}

	code, out, errOut := auditRun(t, vars, "audit", "show", "--db", db, id)
	if code != 0 || !strings.Contains(out, "page: https://sg.example.org/d/"+id+"?") {
		t.Fatalf("audit show with a link secret: exit %d, output:\n%s%s\nwant a page link", code, out, errOut)
	}
	if _, out, _ := auditRun(t, nil, "audit", "show", "--db", db, id); strings.Contains(out, "page:") {
		t.Errorf("audit show without a link secret prints a link:\n%s", out)
	}
	code, dash, errOut := auditRun(t, vars, "audit", "dashboard-url", "--scope", "octo/repo")
	if code != 0 || !strings.HasPrefix(dash, "https://sg.example.org/dashboard?") || !strings.Contains(dash, "platform=github") {
		t.Fatalf("dashboard-url: exit %d, %q %s", code, dash, errOut)
	}
	if _, guild, _ := auditRun(t, vars, "audit", "dashboard-url", "--scope", "123456"); !strings.Contains(guild, "platform=discord") {
		t.Errorf("dashboard-url for a numeric scope: %q, want the discord platform", guild)
	}
	for _, args := range [][]string{{}, {"--scope", "a/b", "--platform", "gitlab"}, {"--scope", "a/b", "--ttl", "-1h"}} {
		if code, _, _ := auditRun(t, vars, append([]string{"audit", "dashboard-url"}, args...)...); code != 2 {
			t.Errorf("dashboard-url %v: exit %d, want 2", args, code)
		}
	}
	if code, _, errOut := auditRun(t, nil, "audit", "dashboard-url", "--scope", "a/b"); code != 2 || !strings.Contains(errOut, "SLOPGUARD_WEB_LINK_SECRET") {
		t.Errorf("dashboard-url without a secret: exit %d, %s", code, errOut)
	}

	// The links the CLI prints open the pages a server with the same secret serves.
	st, err := sqlstore.Open(t.Context(), sqlstore.SQLite, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	signer, err := web.NewSigner([]byte(testLinkSecret), "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{Store: st, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	pageLine := out[strings.Index(out, "page: "):]
	for _, link := range []string{strings.TrimSpace(strings.TrimPrefix(pageLine, "page: ")), strings.TrimSpace(dash)} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, strings.TrimPrefix(link, "https://sg.example.org"), nil))
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", link, rec.Code)
		}
	}
}

// TestAuditLinksReadTheServerConfig: with --config, dashboard-url and show
// build their links from the file serve reads — web.public_url and
// web.link_ttl — with the environment on top, as serve does.
func TestAuditLinksReadTheServerConfig(t *testing.T) {
	t.Parallel()
	db, ids := auditSeed(t)
	cfg := filepath.Join(t.TempDir(), "slopguard.yml")
	if err := os.WriteFile(cfg, []byte("web:\n  public_url: https://from-config.example.org\n  link_ttl: 2h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"SLOPGUARD_WEB_LINK_SECRET": testLinkSecret}
	before := time.Now()
	code, dash, errOut := auditRun(t, vars, "audit", "dashboard-url", "--config", cfg, "--scope", "octo/repo")
	if code != 0 || !strings.HasPrefix(dash, "https://from-config.example.org/dashboard?") {
		t.Fatalf("dashboard-url --config: exit %d, %q %s; want a link on web.public_url", code, dash, errOut)
	}
	u, err := url.Parse(strings.TrimSpace(dash))
	if err != nil {
		t.Fatal(err)
	}
	exp, err := strconv.ParseInt(u.Query().Get("exp"), 10, 64)
	if err != nil {
		t.Fatalf("link %q: no exp: %v", dash, err)
	}
	if got := time.Unix(exp, 0).Sub(before); got < 2*time.Hour-time.Minute || got > 2*time.Hour+time.Minute {
		t.Errorf("link valid for %v, want web.link_ttl 2h", got)
	}

	// The environment overrides the file, as for serve.
	env := map[string]string{"SLOPGUARD_WEB_LINK_SECRET": testLinkSecret, "SLOPGUARD_PUBLIC_URL": "https://from-env.example.org"}
	if _, dash, _ := auditRun(t, env, "audit", "dashboard-url", "--config", cfg, "--scope", "octo/repo"); !strings.HasPrefix(dash, "https://from-env.example.org/") {
		t.Errorf("SLOPGUARD_PUBLIC_URL with --config: %q, want the environment's address", dash)
	}
	id := strconv.FormatInt(ids[0], 10)
	if code, out, errOut := auditRun(t, vars, "audit", "show", "--db", db, "--config", cfg, id); code != 0 || !strings.Contains(out, "page: https://from-config.example.org/d/"+id+"?") {
		t.Errorf("audit show --config: exit %d, %s%s; want a page link on web.public_url", code, out, errOut)
	}
	// A config serve would refuse is refused here too.
	bad := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(bad, []byte("web:\n  link_ttl: -1h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := auditRun(t, vars, "audit", "dashboard-url", "--config", bad, "--scope", "a/b"); code == 0 || !strings.Contains(errOut, "link_ttl") {
		t.Errorf("dashboard-url with an invalid config: exit %d, %s; want an error naming web.link_ttl", code, errOut)
	}
}
