package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestSimulateAgainstFakeGitHub runs `slopguard simulate` end to end against
// a fake GitHub REST API: it must read the pull request, the repository and
// the policy, print what it would do, and write nothing.
func TestSimulateAgainstFakeGitHub(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("../../docs/samples/agent-style-pr.md")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		calls []string
	)
	mux := http.NewServeMux()
	reply := func(v any) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(v)
		}
	}
	pr := map[string]any{
		"number": 7, "title": "Refactor configuration loading", "body": string(body), "state": "open",
		"html_url": "https://github.example/acme/widgets/pull/7",
		"user":     map[string]any{"login": "newcomer", "type": "User"}, "author_association": "FIRST_TIME_CONTRIBUTOR",
		"head": map[string]any{"sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e"},
	}
	issue := map[string]any{}
	for k, v := range pr {
		issue[k] = v
	}
	issue["pull_request"] = map[string]any{"url": "https://api.github.example/repos/acme/widgets/pulls/7"}
	mux.HandleFunc("GET /repos/acme/widgets/issues/7", reply(issue))
	mux.HandleFunc("GET /repos/acme/widgets/pulls/7", reply(pr))
	mux.HandleFunc("GET /repos/acme/widgets", reply(map[string]any{
		"name": "widgets", "full_name": "acme/widgets", "default_branch": "main",
		"owner": map[string]any{"login": "acme", "type": "Organization"},
	}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, r.Method+" "+r.URL.Path)
		mu.Unlock()
		if _, pattern := mux.Handler(r); pattern == "" {
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound) // no policy files: defaults
			return
		}
		mux.ServeHTTP(w, r)
	}))
	defer srv.Close()

	// With --store, simulate reads a current database (cached policy,
	// earlier comments) and must leave its file exactly as it was.
	db := rollbackJournalDB(t, auditDB(t, nil))
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, extra := range [][]string{nil, {"--store"}} {
		envVars := map[string]string{"SLOPGUARD_GITHUB_TOKEN": "test-token", "SLOPGUARD_GITHUB_API_URL": srv.URL + "/", "SLOPGUARD_DATABASE_URL": db}
		var out, errOut bytes.Buffer
		e := testEnv(strings.NewReader(""), &out, &errOut, envVars)
		args := append([]string{"simulate", "--repo", "acme/widgets", "--number", "7"}, extra...)
		if code := run(context.Background(), e, args); code != 0 {
			t.Fatalf("%v: exit %d, stderr %s", args, code, errOut.String())
		}
		got := out.String()
		for _, want := range []string{"item:     pr/7", "policy:", "mode:     flag", "flagged:  true", "would do:", "check_run neutral", "label possible-slop", "comment create"} {
			if !strings.Contains(got, want) {
				t.Errorf("%v: output lacks %q:\n%s", args, want, got)
			}
		}
	}
	if after, err := os.ReadFile(db); err != nil || !bytes.Equal(before, after) {
		t.Errorf("simulate --store changed the database file (read error: %v)", err)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(db + suffix); err == nil {
			t.Errorf("simulate --store left %s%s behind", filepath.Base(db), suffix)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, c := range calls {
		if !strings.HasPrefix(c, "GET ") {
			t.Errorf("simulate made a write: %s (all calls: %v)", c, calls)
		}
	}
}
