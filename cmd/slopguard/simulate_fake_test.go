package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
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

	envVars := map[string]string{"SLOPGUARD_GITHUB_TOKEN": "test-token", "SLOPGUARD_GITHUB_API_URL": srv.URL + "/"}
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return envVars[k] }}
	if code := run(context.Background(), e, []string{"simulate", "--repo", "acme/widgets", "--number", "7"}); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{"item:     pr/7", "policy:", "mode:     flag", "flagged:  true", "would do:", "check_run neutral", "label possible-slop", "comment create"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
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
