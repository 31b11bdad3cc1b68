package githubapp

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/sqlstore"
)

// statefulGitHub is a fake GitHub that keeps the check runs and comments
// created, for any pull request of acme/widgets, and answers the lookups
// the App makes before creating one again. delay slows every write, so
// jobs on several workers overlap.
type statefulGitHub struct {
	srv   *httptest.Server
	delay time.Duration
	// inflight counts the requests being handled, under inflightMu; idle
	// is signalled when it drops to zero. (A WaitGroup would be misused:
	// requests may start while settle waits.)
	inflightMu sync.Mutex
	inflight   int
	idle       *sync.Cond
	// fail5xx, when set, makes the next POST to a path matching it create
	// the object and then answer 502, as GitHub sometimes does.
	fail5xx atomic.Pointer[regexp.Regexp]

	mu        sync.Mutex
	nextID    int64
	checkRuns map[string][]int64 // head SHA → check run IDs created
	runSHA    map[int64]string
	runItem   map[int64]string
	comments  map[int][]fakeComment // PR number → comments created
	deleted   int
	posts     map[string]int // "POST /path" → count
}

type fakeComment struct {
	id   int64
	body string
}

var (
	reCheckRunsForRef = regexp.MustCompile(`^/repos/acme/widgets/commits/([0-9a-f]+)/check-runs$`)
	reCheckRun        = regexp.MustCompile(`^/repos/acme/widgets/check-runs/(\d+)$`)
	reIssueComments   = regexp.MustCompile(`^/repos/acme/widgets/issues/(\d+)/comments$`)
	reComment         = regexp.MustCompile(`^/repos/acme/widgets/issues/comments/(\d+)$`)
	reIssueLabels     = regexp.MustCompile(`^/repos/acme/widgets/issues/(\d+)/labels`)
)

// newStatefulGitHub starts the fake with delay on every write. delay is set
// before the server starts: its handlers run on connections the race
// detector cannot link to a later write by the test.
func newStatefulGitHub(t *testing.T, delay time.Duration) *statefulGitHub {
	t.Helper()
	f := &statefulGitHub{delay: delay, nextID: 1000, checkRuns: map[string][]int64{}, runSHA: map[int64]string{}, runItem: map[int64]string{},
		comments: map[int][]fakeComment{}, posts: map[string]int{}}
	f.idle = sync.NewCond(&f.inflightMu)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *statefulGitHub) serve(w http.ResponseWriter, r *http.Request) {
	f.inflightMu.Lock()
	f.inflight++
	f.inflightMu.Unlock()
	defer func() {
		f.inflightMu.Lock()
		if f.inflight--; f.inflight == 0 {
			f.idle.Broadcast()
		}
		f.inflightMu.Unlock()
	}()
	body, _ := io.ReadAll(r.Body)
	path := r.URL.Path
	if r.Method != http.MethodGet && f.delay > 0 {
		time.Sleep(f.delay) // a slow API, so that jobs overlap
	}
	w.Header().Set("Content-Type", "application/json")
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method == http.MethodPost {
		f.posts["POST "+path]++
	}
	code := 200
	var out any
	switch {
	case r.Method == http.MethodPost && path == "/repos/acme/widgets/check-runs":
		var in struct {
			HeadSHA    string `json:"head_sha"`
			ExternalID string `json:"external_id"`
		}
		json.Unmarshal(body, &in)
		f.nextID++
		f.checkRuns[in.HeadSHA] = append(f.checkRuns[in.HeadSHA], f.nextID)
		f.runSHA[f.nextID], f.runItem[f.nextID] = in.HeadSHA, in.ExternalID
		code, out = 201, map[string]any{"id": f.nextID, "head_sha": in.HeadSHA, "external_id": in.ExternalID}
	case r.Method == http.MethodGet && reCheckRunsForRef.MatchString(path):
		sha := reCheckRunsForRef.FindStringSubmatch(path)[1]
		var runs []map[string]any
		for _, id := range f.checkRuns[sha] {
			runs = append(runs, map[string]any{"id": id, "name": CheckRunName, "head_sha": sha, "external_id": f.runItem[id]})
		}
		out = map[string]any{"total_count": len(runs), "check_runs": runs}
	case r.Method == http.MethodPatch && reCheckRun.MatchString(path):
		id, _ := strconv.ParseInt(reCheckRun.FindStringSubmatch(path)[1], 10, 64)
		if _, ok := f.runSHA[id]; !ok {
			code, out = 404, map[string]any{"message": "Not Found"}
			break
		}
		out = map[string]any{"id": id}
	case r.Method == http.MethodPost && reIssueComments.MatchString(path):
		n, _ := strconv.Atoi(reIssueComments.FindStringSubmatch(path)[1])
		var in struct{ Body string }
		json.Unmarshal(body, &in)
		f.nextID++
		f.comments[n] = append(f.comments[n], fakeComment{f.nextID, in.Body})
		code, out = 201, map[string]any{"id": f.nextID, "body": in.Body}
	case r.Method == http.MethodGet && reIssueComments.MatchString(path):
		n, _ := strconv.Atoi(reIssueComments.FindStringSubmatch(path)[1])
		var cs []map[string]any
		for _, c := range f.comments[n] {
			cs = append(cs, map[string]any{"id": c.id, "body": c.body, "user": map[string]any{"login": "slopguard[bot]", "type": "Bot"}})
		}
		out = cs
	case r.Method == http.MethodPatch && reComment.MatchString(path):
		id, _ := strconv.ParseInt(reComment.FindStringSubmatch(path)[1], 10, 64)
		out = map[string]any{"id": id}
	case r.Method == http.MethodDelete && reComment.MatchString(path):
		f.deleted++
		code = 204
	case reIssueLabels.MatchString(path):
		out = []map[string]any{{"name": moderation.DefaultLabelName}}
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/repos/acme/widgets/labels/"):
		out = map[string]any{"name": moderation.DefaultLabelName}
	default:
		code, out = 404, map[string]any{"message": "Not Found"}
	}
	if re := f.fail5xx.Load(); re != nil && r.Method == http.MethodPost && re.MatchString(path) {
		f.fail5xx.Store(nil)
		code, out = 502, map[string]any{"message": "Server Error"}
	}
	w.WriteHeader(code)
	if code != 204 {
		json.NewEncoder(w).Encode(out)
	}
}

// settle waits until the requests already sent are handled, as GitHub
// handles a dead process's last requests long before its leases expire.
func (f *statefulGitHub) settle() {
	f.inflightMu.Lock()
	defer f.inflightMu.Unlock()
	for f.inflight > 0 {
		f.idle.Wait()
	}
}

// verify checks every pull request in prs has exactly one check run for
// its head commit and at most one comment, and nothing was deleted.
func (f *statefulGitHub) verify(t *testing.T, prs []int) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range prs {
		if got := len(f.checkRuns[headSHA(n)]); got != 1 {
			t.Errorf("PR #%d: %d check runs on its head commit, want exactly 1", n, got)
		}
		if got := len(f.comments[n]); got > 1 {
			t.Errorf("PR #%d: %d comments, want at most 1", n, got)
		}
	}
	if f.deleted != 0 {
		t.Errorf("%d comments were deleted, want none (never posted then deleted)", f.deleted)
	}
}

func headSHA(n int) string { return fmt.Sprintf("%040x", 0xabc000+n) }

// prDelivery is the body of a pull_request delivery for PR n of acme/widgets.
func prDelivery(t *testing.T, action string, n int) []byte {
	return fixture(t, "pull_request.opened.json", map[string]any{
		"action": action, "number": n, "pull_request.number": n, "pull_request.head.sha": headSHA(n),
		"pull_request.html_url": fmt.Sprintf("https://github.com/acme/widgets/pull/%d", n),
	})
}

// replicaClock is one clock for every replica of a test, moved by hand.
type replicaClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *replicaClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *replicaClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// replica is one App ("process") on a shared store and fake GitHub.
type replica struct {
	t   *testing.T
	app *App
}

func startReplica(t *testing.T, gh *statefulGitHub, st store.Store, clock *replicaClock, checker moderation.Checker) *replica {
	t.Helper()
	rt, err := NewTransport(TransportOptions{Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	client, err := NewRESTClient(rt, gh.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	app, err := New(Options{
		WebhookSecret: []byte(testSecret),
		// Workers: 0 is the production default.
		Clients:       StaticClients{Client: client},
		GraphQLURL:    gh.srv.URL + "/graphql",
		Checker:       checker,
		Store:         st,
		DefaultPolicy: moderation.DefaultPolicy(),
		Now:           clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Shutdown(context.Background()) })
	return &replica{t: t, app: app}
}

func (r *replica) deliver(event, delivery string, body []byte) int {
	req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(string(body)))
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", delivery)
	req.Header.Set("X-Hub-Signature-256", sign(body)["X-Hub-Signature-256"])
	rec := httptest.NewRecorder()
	r.app.ServeHTTP(rec, req)
	return rec.Code
}

func (r *replica) drain() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.app.Shutdown(ctx); err != nil {
		r.t.Fatalf("Shutdown: %v", err)
	}
}

// TestConcurrentEventsForOnePullRequest: "opened" and "edited" of one pull
// request at once, on the production number of workers, make one check
// run and one comment; nothing is posted and then deleted.
func TestConcurrentEventsForOnePullRequest(t *testing.T) {
	t.Parallel()
	gh := newStatefulGitHub(t, 20*time.Millisecond)
	st := openTempStore(t)
	clock := &replicaClock{now: time.Now().UTC()}
	r := startReplica(t, gh, st, clock, slop)
	var wg sync.WaitGroup
	for i, action := range []string{"opened", "edited", "synchronize", "edited"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code := r.deliver("pull_request", fmt.Sprintf("one-pr-%d", i), prDelivery(t, action, 7)); code != http.StatusAccepted {
				t.Errorf("delivery %d: got %d, want 202", i, code)
			}
		}()
	}
	wg.Wait()
	r.drain()
	gh.verify(t, []int{7})
	if got := gh.posts["POST /repos/acme/widgets/issues/7/comments"]; got != 1 {
		t.Errorf("got %d comment POSTs, want 1", got)
	}
}

// sharedStore opens one database twice, as two replicas would: PostgreSQL
// when SLOPGUARD_TEST_POSTGRES_DSN is set (scripts/with-postgres.sh sets
// it), otherwise one SQLite file.
func sharedStore(t *testing.T) (a, b store.Store) {
	t.Helper()
	open := func(driver, dsn string) store.Store {
		s, err := sqlstore.Open(t.Context(), driver, dsn)
		if err != nil {
			t.Fatalf("open %s store: %v", driver, err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	if dsn := os.Getenv("SLOPGUARD_TEST_POSTGRES_DSN"); dsn != "" {
		dsn = freshPostgresSchema(t, dsn)
		return open("postgres", dsn), open("postgres", dsn)
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but SLOPGUARD_TEST_POSTGRES_DSN is not set: run the tests under scripts/with-postgres.sh")
	}
	t.Log("SLOPGUARD_TEST_POSTGRES_DSN not set: two replicas on one SQLite file (run under scripts/with-postgres.sh for PostgreSQL)")
	path := filepath.Join(t.TempDir(), "slopguard.db")
	return open("sqlite", path), open("sqlite", path)
}

var schemaSeq atomic.Int64

// freshPostgresSchema creates a schema for t, dropped when t ends, and
// returns a DSN whose search_path is that schema.
func freshPostgresSchema(t *testing.T, dsn string) string {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("githubapp_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, schemaSeq.Add(1))
	if _, err := admin.ExecContext(t.Context(), `CREATE SCHEMA `+name); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() { admin.ExecContext(context.Background(), `DROP SCHEMA `+name+` CASCADE`) })
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + name
	}
	return dsn + " search_path=" + name
}

// TestTwoReplicasAndACrash is the production scenario: two replicas on
// one store, each pull request delivered to both at once together with an
// "edited" delivery of it; then more pull requests delivered to one
// replica, which dies (as with SIGKILL) right after answering, and a new
// process on the same store. Every accepted pull request ends with exactly
// one check run and at most one comment.
func TestTwoReplicasAndACrash(t *testing.T) {
	t.Parallel()
	gh := newStatefulGitHub(t, 5*time.Millisecond)
	stA, stB := sharedStore(t)
	clock := &replicaClock{now: time.Now().UTC()}
	a := startReplica(t, gh, stA, clock, slop)
	b := startReplica(t, gh, stB, clock, slop)

	var prs []int
	var wg sync.WaitGroup
	for n := 1; n <= 12; n++ {
		prs = append(prs, n)
		opened, edited := prDelivery(t, "opened", n), prDelivery(t, "edited", n)
		for _, send := range []func(){
			func() { a.deliver("pull_request", fmt.Sprintf("open-%d", n), opened) },
			func() { b.deliver("pull_request", fmt.Sprintf("open-%d", n), opened) },
			func() { a.deliver("pull_request", fmt.Sprintf("edit-%d", n), edited) },
		} {
			wg.Add(1)
			go func() { defer wg.Done(); send() }()
		}
	}
	wg.Wait()

	// Twelve more to replica A only, which dies right after answering.
	for n := 13; n <= 24; n++ {
		prs = append(prs, n)
		if code := a.deliver("pull_request", fmt.Sprintf("open-%d", n), prDelivery(t, "opened", n)); code != http.StatusAccepted {
			t.Fatalf("PR #%d: got %d, want 202", n, code)
		}
	}
	a.app.kill()
	gh.settle()
	b.drain()
	// A new process on the same store, after the dead one's leases expired.
	clock.Advance(a.app.lease() + time.Second)
	a2 := startReplica(t, gh, stA, clock, slop)
	a2.drain()

	gh.verify(t, prs)
	counts, err := stA.(store.Queue).JobCounts(t.Context(), jobPlatform)
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.JobDone] != 36 || counts[store.JobQueued] != 0 || counts[store.JobFailed] != 0 {
		t.Errorf("jobs by state: %v, want 36 done", counts)
	}
}
