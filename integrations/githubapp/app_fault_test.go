package githubapp

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// faultHarness is a harness whose API client logs retries and give-ups into
// logs and records every backoff instead of sleeping.
func faultHarness(t *testing.T, checker moderation.Checker, mutate ...func(*Options)) (*harness, *logBuffer, *[]time.Duration) {
	t.Helper()
	var logs *logBuffer
	var mu sync.Mutex
	var sleeps []time.Duration
	h := newHarness(t, checker, append([]func(*Options){func(o *Options) {
		logs = captureLogs(o)
		rt, err := NewTransport(TransportOptions{Logger: o.Logger, Sleep: func(_ context.Context, d time.Duration) error {
			mu.Lock()
			sleeps = append(sleeps, d)
			mu.Unlock()
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		// The harness's fake GitHub is created before the options are mutated.
		client, err := NewRESTClient(rt, o.GraphQLURL[:len(o.GraphQLURL)-len("graphql")])
		if err != nil {
			t.Fatal(err)
		}
		o.Clients = StaticClients{Client: client}
	}}, mutate...)...)
	return h, logs, &sleeps
}

// TestGitHubFaults makes the comment endpoint fail in each way GitHub can
// fail and checks the bounded, jittered retries, that no comment or label is
// duplicated, and that a give-up leaves one clear log line.
func TestGitHubFaults(t *testing.T) {
	t.Parallel()
	const route = "POST /repos/acme/widgets/issues/9/comments"
	type answer struct {
		code   int
		header map[string]string
		body   string
	}
	fail := func(code int) answer { return answer{code: code, body: `{"message":"fail"}`} }
	ok := answer{code: 201, body: `{"id": 500}`}
	tests := []struct {
		name        string
		answers     []answer // the last one repeats
		wantPosts   int
		wantGiveUp  bool
		wantSleeps  []time.Duration // exact; nil checks only the jitter bounds
		wantComment bool
	}{
		// A POST that got a 5xx may have been applied: it is not re-sent
		// (the job is retried later and looks for the comment first).
		{"500 on a POST is not re-sent", []answer{fail(500)}, 1, false, []time.Duration{}, false},
		{"502 on a POST is not re-sent", []answer{fail(502), ok}, 1, false, []time.Duration{}, false},
		{"429 with Retry-After", []answer{{429, map[string]string{"Retry-After": "5"}, `{}`}, ok}, 2, false, []time.Duration{5 * time.Second}, true},
		{"secondary rate limit waits a minute", []answer{{403, nil, `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`}, ok}, 2, false, []time.Duration{time.Minute}, true},
		{"primary rate limit waits for reset", []answer{{403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "RESET"}, `{"message":"API rate limit exceeded"}`}, ok}, 2, false, []time.Duration{31 * time.Second}, true},
		{"Retry-After beyond MaxWait gives up at once", []answer{{429, map[string]string{"Retry-After": "3600"}, `{}`}}, 1, true, []time.Duration{}, false},
		{"not retried: 422", []answer{fail(422)}, 1, false, []time.Duration{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, logs, sleeps := faultHarness(t, slop)
			var n atomic.Int32
			h.gh.srv.Config.Handler = wrapRoute(h.gh.srv.Config.Handler, route, func(w http.ResponseWriter, _ *http.Request) {
				i := int(n.Add(1)) - 1
				a := tt.answers[min(i, len(tt.answers)-1)]
				for k, v := range a.header {
					if v == "RESET" {
						// Whole seconds, so the reset is 30 to 31 s away
						// when sent, and the wait (one second more) 31 to
						// 32 s less the time the request took: 31 ± 1 s
						// holds on a loaded machine too.
						v = itoa(time.Now().Add(31 * time.Second).Unix())
					}
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(a.code)
				w.Write([]byte(a.body))
			})
			h.send("issues", fixture(t, "issues.opened.json", nil))
			h.drain()
			if got := int(n.Load()); got != tt.wantPosts {
				t.Errorf("got %d comment POSTs, want %d", got, tt.wantPosts)
			}
			labels := countRoute(h.gh.writes(), "POST /repos/acme/widgets/issues/9/labels")
			if labels != 1 {
				t.Errorf("got %d label requests, want exactly 1", labels)
			}
			if got := logs.count("giving up"); (got == 1) != tt.wantGiveUp || got > 1 {
				t.Errorf("got %d give-up log lines, want give-up %v:\n%s", got, tt.wantGiveUp, logs)
			}
			if tt.wantGiveUp && !strings.Contains(logs.String(), "path=/repos/acme/widgets/issues/9/comments") {
				t.Errorf("give-up line does not name the request:\n%s", logs)
			}
			if tt.wantSleeps != nil {
				if len(*sleeps) != len(tt.wantSleeps) {
					t.Fatalf("got sleeps %v, want %v", *sleeps, tt.wantSleeps)
				}
				for i, d := range tt.wantSleeps {
					if got := (*sleeps)[i]; got < d-time.Second || got > d+time.Second {
						t.Errorf("got sleep %v, want %v (±1s)", got, d)
					}
				}
			}
			for i, d := range *sleeps {
				// Exponential backoff from 1s with jitter in [d/2, d].
				if tt.wantSleeps == nil && (d < (time.Second<<i)/2 || d > time.Second<<i) {
					t.Errorf("sleep %d: got %v, want within [%v, %v]", i, d, (time.Second<<i)/2, time.Second<<i)
				}
			}
			d, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "issue/9")
			if err != nil {
				t.Fatalf("got %v, want the decision recorded even when an action failed", err)
			}
			if got := slices.Contains(d.Actions, "comment"); got != tt.wantComment {
				t.Errorf("got actions %v, want comment done %v", d.Actions, tt.wantComment)
			}
		})
	}
}

// TestBackoffIsJittered: the waits before retrying a 5xx are not all equal
// across many requests, so a fleet does not retry in lockstep.
func TestBackoffIsJittered(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	seen := map[time.Duration]bool{}
	rt := &RetryTransport{MaxAttempts: 2, Sleep: func(_ context.Context, d time.Duration) error { seen[d] = true; return nil }}
	for range 20 {
		req, _ := http.NewRequest(http.MethodGet, srv, nil)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if len(seen) < 5 {
		t.Errorf("got %d distinct waits over 20 retries, want jitter (at least 5)", len(seen))
	}
}

// TestDroppedConnection: GitHub closes the connection mid-request. A POST is
// not replayed blind (it may have been applied), the failure is logged, the
// decision is still recorded, and nothing is duplicated.
func TestDroppedConnection(t *testing.T) {
	t.Parallel()
	const route = "POST /repos/acme/widgets/issues/9/comments"
	h, logs, _ := faultHarness(t, slop)
	var n atomic.Int32
	h.gh.srv.Config.Handler = wrapRoute(h.gh.srv.Config.Handler, route, func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	h.send("issues", fixture(t, "issues.opened.json", nil))
	h.drain()
	if got := n.Load(); got != 1 {
		t.Errorf("got %d comment POSTs, want 1", got)
	}
	if got := logs.count("github action failed"); got != 1 || !strings.Contains(logs.String(), "action=comment") {
		t.Errorf("got %d failure lines for the comment, want 1:\n%s", got, logs)
	}
	d, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "issue/9")
	if err != nil || strings.Join(d.Actions, ",") != "label,failed:comment" {
		t.Errorf("got actions %v (err %v), want label done, comment failed", d.Actions, err)
	}
}

// TestSlowGitHubCancelledByShutdown: GitHub hangs; Shutdown's deadline
// passes, the in-flight request is cancelled, Shutdown returns, and nothing
// is left running.
func TestSlowGitHubCancelledByShutdown(t *testing.T) {
	t.Parallel()
	h, logs, _ := faultHarness(t, slop)
	entered, release := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release) })
	var once sync.Once
	var hang atomic.Bool
	hang.Store(true)
	next := h.gh.srv.Config.Handler
	h.gh.srv.Config.Handler = wrapRoute(next, "POST /repos/acme/widgets/labels", func(w http.ResponseWriter, r *http.Request) {
		if !hang.Load() {
			next.ServeHTTP(w, r)
			return
		}
		once.Do(func() { close(entered) })
		select { // never answers; the client's context must end the request
		case <-r.Context().Done():
		case <-release:
		}
	})
	h.send("issues", fixture(t, "issues.opened.json", nil))
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the grace period is already over
	err := h.app.Shutdown(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want the drain to report the cancelled deadline", err)
	}
	if !strings.Contains(logs.String(), "context canceled") {
		t.Errorf("want the cancelled request logged:\n%s", logs)
	}
	// The interrupted job went back to the queue: the next process runs it.
	hang.Store(false)
	h.start()
	h.drain()
	counts, err := h.opt.Store.(store.Queue).JobCounts(context.Background(), jobPlatform)
	if err != nil || counts[store.JobDone] != 1 || counts[store.JobQueued] != 0 {
		t.Errorf("jobs by state %v (err %v), want the interrupted job done by the next process", counts, err)
	}
}

// TestShutdownMidBurstDrains: Shutdown during a burst processes every
// accepted delivery exactly once; all of them are accepted.
func TestShutdownMidBurstDrains(t *testing.T) {
	t.Parallel()
	var checks atomic.Int32
	gate := make(chan struct{})
	counting := checkerFunc(func(ctx context.Context, it moderation.Item) (moderation.Verdict, error) {
		<-gate
		checks.Add(1)
		return clean.Check(ctx, it)
	})
	h := newHarness(t, counting, func(o *Options) { o.Workers = 2 })
	accepted := 0
	for i := range 20 {
		body := fixture(t, "issues.opened.json", map[string]any{"issue.number": 1000 + i})
		switch code := h.send("issues", body); code {
		case http.StatusAccepted:
			accepted++
		case http.StatusServiceUnavailable:
		default:
			t.Fatalf("delivery %d: got %d, want 202 or 503", i, code)
		}
	}
	done := make(chan error, 1)
	go func() { done <- h.app.Shutdown(context.Background()) }()
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if accepted != 20 {
		t.Fatalf("got %d of 20 accepted, want all: they wait in the store", accepted)
	}
	if got := int(checks.Load()); got != accepted {
		t.Errorf("got %d items checked, want %d (every accepted delivery, once)", got, accepted)
	}
	ds, err := h.opt.Store.Decisions(context.Background(), store.DecisionFilter{Limit: 100})
	if err != nil || len(ds) != accepted {
		t.Errorf("got %d decisions (err %v), want %d", len(ds), err, accepted)
	}
	h.start()
}

// failingStore fails every call while down is set.
type failingStore struct {
	store.Store
	down atomic.Bool
}

var errStoreDown = errors.New("database is locked")

func (s *failingStore) MarkDelivery(ctx context.Context, p, id string, exp time.Time) (bool, error) {
	if s.down.Load() {
		return false, errStoreDown
	}
	return s.Store.MarkDelivery(ctx, p, id, exp)
}

func (s *failingStore) RecordDecision(ctx context.Context, d store.Decision) (int64, error) {
	if s.down.Load() {
		return 0, errStoreDown
	}
	return s.Store.RecordDecision(ctx, d)
}

func (s *failingStore) Setting(ctx context.Context, scope, key string) ([]byte, error) {
	if s.down.Load() {
		return nil, errStoreDown
	}
	return s.Store.Setting(ctx, scope, key)
}

func (s *failingStore) PutSetting(ctx context.Context, scope, key string, v []byte) error {
	if s.down.Load() {
		return errStoreDown
	}
	return s.Store.PutSetting(ctx, scope, key, v)
}

func (s *failingStore) ClaimMessage(ctx context.Context, m store.OwnedMessage) (string, bool, error) {
	if s.down.Load() {
		return "", false, errStoreDown
	}
	return s.Store.ClaimMessage(ctx, m)
}

func (s *failingStore) LatestDecision(ctx context.Context, p, scope, id string) (store.Decision, error) {
	if s.down.Load() {
		return store.Decision{}, errStoreDown
	}
	return s.Store.LatestDecision(ctx, p, scope, id)
}

// TestStoreDownFailsOpen: with the store failing (all but its job queue),
// a delivery is still accepted, nothing is written to GitHub (the App
// cannot know whether it already commented), the failure is logged and the
// job queued again with backoff; once the store is back the next delivery
// is handled normally.
func TestStoreDownFailsOpen(t *testing.T) {
	t.Parallel()
	var fs *failingStore
	var logs *logBuffer
	h := newHarness(t, slop, func(o *Options) {
		fs = &failingStore{Store: o.Store}
		o.Queue = o.Store.(store.Queue)
		o.Store = fs
		logs = captureLogs(o)
	})
	fs.down.Store(true)
	app := h.app
	if got := h.send("issues", fixture(t, "issues.opened.json", nil)); got != http.StatusAccepted {
		t.Fatalf("store down: got %d, want 202 (accepted; dedupe failing open)", got)
	}
	h.drain()
	if w := h.gh.writes(); len(w) != 0 {
		t.Errorf("store down: got writes %v, want none", w)
	}
	if logs.count("webhook handler failed") != 1 {
		t.Errorf("store down: want one 'webhook handler failed' line:\n%s", logs)
	}
	if got := testutil.ToFloat64(app.metrics.jobs.WithLabelValues("issues", "retry")); got != 1 {
		t.Errorf("got jobs{result=retry} %v, want 1", got)
	}

	fs.down.Store(false)
	wantCalls(t, h.deliver(t, "issues", fixture(t, "issues.opened.json", nil)),
		"POST /repos/acme/widgets/labels",
		"POST /repos/acme/widgets/issues/9/labels",
		"POST /repos/acme/widgets/issues/9/comments",
	)
}

// TestStoreClosedFailsOpen: the database handle is closed under the App
// (the store went away): a delivery cannot be recorded, so it is answered
// 503 (GitHub marks it failed, and the redelivery sweep asks for it again),
// nothing is written to GitHub, and the process stays up.
func TestStoreClosedFailsOpen(t *testing.T) {
	t.Parallel()
	h, logs, _ := faultHarness(t, slop)
	if c, ok := h.opt.Store.(interface{ Close() error }); ok {
		c.Close()
	} else {
		t.Fatal("store has no Close")
	}
	if got := h.send("issues", fixture(t, "issues.opened.json", nil)); got != http.StatusServiceUnavailable {
		t.Fatalf("got %d, want 503", got)
	}
	if w := h.gh.writes(); len(w) != 0 {
		t.Errorf("got writes %v, want none", w)
	}
	if !strings.Contains(logs.String(), "database is closed") {
		t.Errorf("want the closed database logged:\n%s", logs)
	}
}

// checkerFunc adapts a function to moderation.Checker.
type checkerFunc func(ctx context.Context, it moderation.Item) (moderation.Verdict, error)

func (f checkerFunc) Check(ctx context.Context, it moderation.Item) (moderation.Verdict, error) {
	return f(ctx, it)
}

// wrapRoute answers "METHOD /path" with fn and everything else with next.
func wrapRoute(next http.Handler, route string, fn func(w http.ResponseWriter, r *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method+" "+r.URL.Path == route {
			fn(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestFailedWriteIsShown: a write GitHub refuses (403, a missing
// permission) is not silent: the check run says so, /metrics counts it,
// the audit log records it as failed, and the job is not counted ok.
func TestFailedWriteIsShown(t *testing.T) {
	t.Parallel()
	h, _, _ := faultHarness(t, slop)
	h.gh.handle("POST /repos/acme/widgets/issues/7/labels", 403, `{"message":"Resource not accessible by integration"}`)
	h.send("pull_request", fixture(t, "pull_request.opened.json", nil))
	app := h.app
	h.drain()
	var patched string
	for _, c := range h.gh.writes() {
		if c.String() == "PATCH /repos/acme/widgets/check-runs/100" {
			patched = c.Body
		}
	}
	if !strings.Contains(patched, "could not") || !strings.Contains(patched, "label") || !strings.Contains(patched, "403") {
		t.Errorf("check run not updated with the failed write; PATCH body %q", patched)
	}
	if got := testutil.ToFloat64(app.metrics.actions.WithLabelValues("label", "failed")); got != 1 {
		t.Errorf("got actions{label,failed} %v, want 1", got)
	}
	if got := testutil.ToFloat64(app.metrics.jobs.WithLabelValues("pull_request", "ok")); got != 0 {
		t.Errorf("got jobs{ok} %v, want 0: a job with a failed write is not ok", got)
	}
	if got := testutil.ToFloat64(app.metrics.jobs.WithLabelValues("pull_request", "action_failed")); got != 1 {
		t.Errorf("got jobs{action_failed} %v, want 1", got)
	}
	d, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "pr/7")
	if err != nil || !slices.Contains(d.Actions, "failed:label") {
		t.Errorf("decision actions %v (err %v), want failed:label in the audit log", d.Actions, err)
	}
}

// TestPost5xxIsNotResent: a POST answered 502 may have been applied, so it
// is not sent again blindly: the job is retried later, looks for the
// comment by its marker, and adopts it. One comment in the end.
func TestPost5xxIsNotResent(t *testing.T) {
	t.Parallel()
	gh := newStatefulGitHub(t, 0)
	gh.fail5xx.Store(regexp.MustCompile(`/issues/7/comments$`))
	st := openTempStore(t)
	clock := &replicaClock{now: time.Now().UTC()}
	r := startReplica(t, gh, st, clock, slop)
	r.deliver("pull_request", "d-5xx", prDelivery(t, "opened", 7))
	r.drain()
	if got := gh.posts["POST /repos/acme/widgets/issues/7/comments"]; got != 1 {
		t.Fatalf("got %d comment POSTs in the first attempt, want 1 (not re-sent after a 502)", got)
	}
	j, err := st.Job(t.Context(), jobPlatform, "d-5xx")
	if err != nil || j.State != store.JobQueued || j.Attempts != 1 {
		t.Fatalf("job after the 502: %+v, %v; want queued for a retry", j, err)
	}
	clock.Advance(time.Hour)
	r = startReplica(t, gh, st, clock, slop)
	r.drain()
	gh.verify(t, []int{7})
	if got := gh.posts["POST /repos/acme/widgets/issues/7/comments"]; got != 1 {
		t.Errorf("got %d comment POSTs in all, want 1: the retry adopts the comment the 502 created", got)
	}
	if j, _ := st.Job(t.Context(), jobPlatform, "d-5xx"); j.State != store.JobDone {
		t.Errorf("job after the retry: state %q, want done", j.State)
	}
}

// TestSecondaryRateLimitPausesEveryRequest: after GitHub answers one
// request with a secondary rate limit, other requests through the same
// transport (other workers) wait too instead of going out.
func TestSecondaryRateLimitPausesEveryRequest(t *testing.T) {
	t.Parallel()
	var limited atomic.Bool
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" && limited.CompareAndSwap(false, true) {
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message":"You have exceeded a secondary rate limit"}`))
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	var sleeps []string
	rt := &RetryTransport{Now: func() time.Time { return now }, Sleep: func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		sleeps = append(sleeps, d.String())
		mu.Unlock()
		return nil
	}}
	for _, path := range []string{"/a", "/b"} {
		req, _ := http.NewRequest(http.MethodGet, srv+path, nil)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// /a waits its minute; /b, sent while the pause lasts (the clock did
	// not move), waits for the same pause before going out.
	if got := strings.Join(sleeps, " "); got != "1m0s 1m0s" {
		t.Errorf("got sleeps %q, want %q: the second request must wait for the pause too", got, "1m0s 1m0s")
	}
}
