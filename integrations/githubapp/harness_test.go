package githubapp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/sqlstore"
)

const testSecret = "It's a Secret to Everybody"

// fakeChecker gives every item the same score.
type fakeChecker struct {
	score       float64
	verdict     detector.Verdict
	cannotJudge bool
}

func (f fakeChecker) Check(_ context.Context, it moderation.Item) (moderation.Verdict, error) {
	return moderation.Verdict{
		Item: it,
		Result: detector.Result{Score: f.score, Verdict: f.verdict, CannotJudge: f.cannotJudge, Reasons: []detector.Reason{
			{Family: "phrasing", Signal: "delve", Text: "uses stock phrases such as \"delve into\"", Weight: 1.2},
		}},
		ModelVersion: "test-1",
		CheckedAt:    time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC),
	}, nil
}

var (
	slop  = fakeChecker{score: 0.95, verdict: detector.Machine}
	clean = fakeChecker{score: 0.10, verdict: detector.Human}
)

// call is one request the fake GitHub received.
type call struct {
	Method, Path, Body string
}

func (c call) String() string { return c.Method + " " + c.Path }

// fakeGitHub is an httptest server standing in for GitHub's REST and GraphQL
// APIs. Routes answer "METHOD /path"; unrouted requests get 404.
type fakeGitHub struct {
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []call
	routes map[string]func(body string) (int, string)
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	t.Helper()
	f := &fakeGitHub{routes: map[string]func(string) (int, string){}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.calls = append(f.calls, call{r.Method, r.URL.EscapedPath(), string(b)})
		route := f.routes[r.Method+" "+r.URL.EscapedPath()]
		f.mu.Unlock()
		if route == nil {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Not Found"}`)
			return
		}
		code, out := route(string(b))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		io.WriteString(w, out)
	}))
	t.Cleanup(f.srv.Close)
	f.defaults()
	return f
}

// defaults routes what a flagged pull request or issue needs.
func (f *fakeGitHub) defaults() {
	f.handle("POST /repos/acme/widgets/check-runs", 201, `{"id": 100}`)
	f.handle("PATCH /repos/acme/widgets/check-runs/100", 200, `{"id": 100}`)
	f.handleFunc("POST /repos/acme/widgets/labels", func(string) (int, string) {
		f.handle("GET /repos/acme/widgets/labels/possible-slop", 200, `{"name": "possible-slop"}`)
		return 201, `{"name": "possible-slop"}`
	})
	for _, n := range []int{7, 9} {
		f.handle(fmt.Sprintf("POST /repos/acme/widgets/issues/%d/labels", n), 200, `[{"name": "possible-slop"}]`)
		f.handle(fmt.Sprintf("DELETE /repos/acme/widgets/issues/%d/labels/possible-slop", n), 200, `[]`)
		f.handle(fmt.Sprintf("POST /repos/acme/widgets/issues/%d/comments", n), 201, `{"id": 500}`)
		f.handle(fmt.Sprintf("PATCH /repos/acme/widgets/issues/%d", n), 200, `{"state": "closed"}`)
		f.handle(fmt.Sprintf("GET /repos/acme/widgets/pulls/%d/commits", n), 200, `[]`)
	}
	f.handle("PATCH /repos/acme/widgets/issues/comments/500", 200, `{"id": 500}`)
	f.handle("POST /graphql", 200, `{"data": {"minimizeComment": {"minimizedComment": {"isMinimized": true}}}}`)
	pr, _ := os.ReadFile(filepath.Join("testdata", "pulls.get.json"))
	f.handle("GET /repos/acme/widgets/pulls/7", 200, string(pr))
	f.handle("GET /repos/acme/widgets/collaborators/newcomer/permission", 200, `{"permission": "read"}`)
	f.handle("GET /repos/acme/widgets/collaborators/maintainer/permission", 200, `{"permission": "write"}`)
}

func (f *fakeGitHub) handle(route string, code int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[route] = func(string) (int, string) { return code, body }
}

func (f *fakeGitHub) handleFunc(route string, fn func(body string) (int, string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[route] = fn
}

// policy serves a policy file from the repository's default branch.
func (f *fakeGitHub) policy(yaml string) {
	content := base64.StdEncoding.EncodeToString([]byte(yaml))
	f.handle("GET /repos/acme/widgets/contents/.github/slopguard.yml", 200,
		fmt.Sprintf(`{"type": "file", "encoding": "base64", "name": "slopguard.yml", "path": ".github/slopguard.yml", "content": %q}`, content))
}

// writes returns every call but GETs.
func (f *fakeGitHub) writes() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method != http.MethodGet {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeGitHub) allCalls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

func (f *fakeGitHub) reset() {
	f.mu.Lock()
	f.calls = nil
	f.mu.Unlock()
}

// harness is an App wired to a fake GitHub and a SQLite store in a temp dir.
type harness struct {
	t      *testing.T
	app    *App
	gh     *fakeGitHub
	opt    Options
	sleeps []time.Duration
	// clock is the App's clock, moved by the test; workers read it while
	// idle, so it is guarded.
	clock *replicaClock
}

// openTempStore opens a SQLite store in the test's temporary directory,
// closed when the test ends.
func openTempStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), "sqlite", filepath.Join(t.TempDir(), "slopguard.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newPolicyHarness is newHarness with policy as the repository's policy
// file, or no file when policy is empty.
func newPolicyHarness(t *testing.T, checker moderation.Checker, policy string) *harness {
	t.Helper()
	h := newHarness(t, checker)
	if policy != "" {
		h.gh.policy(policy)
	}
	return h
}

func newHarness(t *testing.T, checker moderation.Checker, mutate ...func(*Options)) *harness {
	t.Helper()
	h := &harness{t: t, gh: newFakeGitHub(t), clock: &replicaClock{now: time.Now().UTC().Truncate(time.Second)}}
	st := openTempStore(t)
	var mu sync.Mutex
	rt, err := NewTransport(TransportOptions{Sleep: func(_ context.Context, d time.Duration) error {
		mu.Lock()
		h.sleeps = append(h.sleeps, d)
		mu.Unlock()
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	client, err := NewRESTClient(rt, h.gh.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	h.opt = Options{
		WebhookSecret: []byte(testSecret),
		Workers:       1,
		Clients:       StaticClients{Client: client},
		GraphQLURL:    h.gh.srv.URL + "/graphql",
		Checker:       checker,
		Store:         st,
		DefaultPolicy: moderation.DefaultPolicy(),
		Now:           h.clock.Now,
	}
	for _, m := range mutate {
		m(&h.opt)
	}
	h.start()
	return h
}

func (h *harness) start() {
	h.t.Helper()
	app, err := New(h.opt)
	if err != nil {
		h.t.Fatalf("New: %v", err)
	}
	h.app = app
	h.t.Cleanup(func() { app.Shutdown(context.Background()) })
}

// drain waits for every accepted delivery to be processed, then restarts the
// App on the same store so the test can continue.
func (h *harness) drain() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.app.Shutdown(ctx); err != nil {
		h.t.Fatalf("Shutdown: %v", err)
	}
	h.start()
}

var deliverySeq struct {
	sync.Mutex
	n int
}

func nextDelivery() string {
	deliverySeq.Lock()
	defer deliverySeq.Unlock()
	deliverySeq.n++
	return fmt.Sprintf("delivery-%d", deliverySeq.n)
}

// send signs and delivers a payload and returns the response code.
func (h *harness) send(event string, body []byte) int {
	h.t.Helper()
	return h.sendAs(event, nextDelivery(), body)
}

// sendAs signs and delivers a payload under the delivery ID delivery and
// returns the response code.
func (h *harness) sendAs(event, delivery string, body []byte) int {
	h.t.Helper()
	return h.sendWith(event, delivery, body, sign(body)).Code
}

func (h *harness) sendWith(event, delivery string, body []byte, headers map[string]string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", delivery)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.app.ServeHTTP(rec, req)
	return rec
}

func sign(body []byte) map[string]string {
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write(body)
	return map[string]string{"X-Hub-Signature-256": "sha256=" + hex.EncodeToString(mac.Sum(nil))}
}

// fixture reads testdata/name and applies edits, keyed by dotted paths
// ("pull_request.user.login"); a nil value deletes the key.
func fixture(t *testing.T, name string, edits map[string]any) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for path, v := range edits {
		keys := strings.Split(path, ".")
		m := doc
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				t.Fatalf("%s: no object at %q", name, k)
			}
			m = next
		}
		if v == nil {
			delete(m, keys[len(keys)-1])
		} else {
			m[keys[len(keys)-1]] = v
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// callList renders calls as "METHOD /path" lines for comparison.
func callList(cs []call) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.String() + "\n")
	}
	return b.String()
}

func wantCalls(t *testing.T, got []call, want ...string) {
	t.Helper()
	w := ""
	for _, c := range want {
		w += c + "\n"
	}
	if g := callList(got); g != w {
		t.Errorf("got calls:\n%swant:\n%s", g, w)
	}
}

// deliver sends a payload, wants it accepted (202), waits until it is
// processed and returns the writes to GitHub so far.
func (h *harness) deliver(t *testing.T, event string, body []byte) []call {
	t.Helper()
	if got := h.send(event, body); got != http.StatusAccepted {
		t.Fatalf("got status %d, want 202", got)
	}
	h.drain()
	return h.gh.writes()
}

// openIssue delivers the opened issue 9, waits until it is processed and
// forgets the writes it made.
func (h *harness) openIssue(t *testing.T) {
	t.Helper()
	h.send("issues", fixture(t, "issues.opened.json", nil))
	h.drain()
	h.gh.reset()
}

// enforceIssue has issue 9 flagged under a policy that closes flagged
// items after 24 hours, and GitHub show it open with the label still on.
func (h *harness) enforceIssue(t *testing.T) {
	t.Helper()
	h.gh.policy("mode: enforce\nenforce: {threshold: 0.9, close_after_hours: 24}\n")
	h.send("issues", fixture(t, "issues.opened.json", nil))
	h.drain()
	h.gh.handle("GET /repos/acme/widgets/issues/9", 200,
		`{"number": 9, "state": "open", "labels": [{"name": "possible-slop"}]}`)
}

// flagThen delivers the opened issue 9 (flagged by a slop checker), forgets
// the writes it made, then delivers event and returns the writes it made.
func (h *harness) flagThen(t *testing.T, event string, body []byte) []call {
	t.Helper()
	h.openIssue(t)
	h.send(event, body)
	h.drain()
	return h.gh.writes()
}

// sweep runs the App's sweep once, failing the test on an error.
func (h *harness) sweep(t *testing.T) {
	t.Helper()
	if err := h.app.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// feedback returns the feedback recorded for acme/widgets.
func (h *harness) feedback() ([]store.Feedback, error) {
	return h.opt.Store.Feedback(context.Background(), store.FeedbackFilter{Scope: "acme/widgets"})
}

// wantSticky wants the edit to the sticky comment among calls to contain want.
func wantSticky(t *testing.T, calls []call, want string) {
	t.Helper()
	if got := stickyEdit(t, calls); !strings.Contains(got, want) {
		t.Errorf("got comment %q, want it to contain %q", got, want)
	}
}

// wantConclusion wants check run 100 updated to conclusion among calls.
func wantConclusion(t *testing.T, calls []call, want string) {
	t.Helper()
	if got := bodyOf(t, calls, "PATCH /repos/acme/widgets/check-runs/100")["conclusion"]; got != want {
		t.Errorf("got check run conclusion %v, want %s", got, want)
	}
}

// stickyEdit returns the text of the edit to the sticky comment among calls.
func stickyEdit(t *testing.T, calls []call) string {
	t.Helper()
	return bodyOf(t, calls, "PATCH /repos/acme/widgets/issues/comments/500")["body"].(string)
}

// countRoute counts the calls to route ("METHOD /path") among calls.
func countRoute(calls []call, route string) int {
	n := 0
	for _, c := range calls {
		if c.String() == route {
			n++
		}
	}
	return n
}

// bodyOf returns the JSON body of the first call to route, decoded.
func bodyOf(t *testing.T, calls []call, route string) map[string]any {
	t.Helper()
	for _, c := range calls {
		if c.String() == route {
			var m map[string]any
			if err := json.Unmarshal([]byte(c.Body), &m); err != nil {
				t.Fatalf("%s body %q: %v", route, c.Body, err)
			}
			return m
		}
	}
	t.Fatalf("no call %s", route)
	return nil
}

// newServer starts a plain test server and returns its URL.
func newServer(t *testing.T, fn http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(fn)
	t.Cleanup(srv.Close)
	return srv.URL
}
