package githubapp

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

func TestSignatures(t *testing.T) {
	t.Parallel()
	body := fixture(t, "pull_request.opened.json", nil)
	good := sign(body)["X-Hub-Signature-256"]
	tests := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"valid", map[string]string{"X-Hub-Signature-256": good}, http.StatusAccepted},
		{"missing", nil, http.StatusUnauthorized},
		{"sha1 only", map[string]string{"X-Hub-Signature": "sha1=0123456789abcdef0123456789abcdef01234567"}, http.StatusUnauthorized},
		{"forged", map[string]string{"X-Hub-Signature-256": "sha256=" + strings.Repeat("ab", 32)}, http.StatusUnauthorized},
		{"wrong prefix", map[string]string{"X-Hub-Signature-256": "sha1=" + strings.Repeat("ab", 20)}, http.StatusBadRequest},
		{"not hex", map[string]string{"X-Hub-Signature-256": "sha256=zz"}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, slop)
			rec := h.sendWith("pull_request", "d-"+tt.name, body, tt.headers)
			if rec.Code != tt.want {
				t.Fatalf("got status %d, want %d", rec.Code, tt.want)
			}
			h.drain()
			_, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "pr/7")
			processed := err == nil
			if want := tt.want == http.StatusAccepted; processed != want {
				t.Errorf("got processed %v (err %v), want %v", processed, err, want)
			}
			if !processed && len(h.gh.allCalls()) != 0 {
				t.Errorf("got calls %v, want none", h.gh.allCalls())
			}
		})
	}
}

func TestBodyLimitAndBadRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop, func(o *Options) { o.MaxBodyBytes = 2048 })
	big := []byte(`{"action":"opened","pad":"` + strings.Repeat("x", 4096) + `"}`)
	if got := h.sendAs("pull_request", "big", big); got != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: got %d, want 413", got)
	}
	bad := []byte(`{"action": "opened", "pull_request": 12}`)
	if got := h.sendAs("pull_request", "bad", bad); got != http.StatusBadRequest {
		t.Errorf("bad payload: got %d, want 400", got)
	}
	ping := []byte(`{"zen": "Keep it logically awesome."}`)
	if got := h.sendAs("ping", "ping", ping); got != http.StatusOK {
		t.Errorf("ping: got %d, want 200", got)
	}
	if got := h.sendAs("star", "star", ping); got != http.StatusAccepted {
		t.Errorf("unhandled event: got %d, want 202", got)
	}
	h.drain()
	if calls := h.gh.allCalls(); len(calls) != 0 {
		t.Errorf("got calls %v, want none", calls)
	}
}

func TestFlagModePullRequest(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	writes := h.deliver(t, "pull_request", fixture(t, "pull_request.opened.json", nil))
	wantCalls(t, writes,
		"POST /repos/acme/widgets/check-runs",
		"POST /repos/acme/widgets/labels",
		"POST /repos/acme/widgets/issues/7/labels",
		"POST /repos/acme/widgets/issues/7/comments",
	)
	cr := bodyOf(t, writes, "POST /repos/acme/widgets/check-runs")
	if cr["name"] != "slopguard" || cr["conclusion"] != "neutral" || cr["head_sha"] != "6dcb09b5b57875f334f61aebed695e2e4193db5e" {
		t.Errorf("got check run %v, want slopguard/neutral on the head sha", cr)
	}
	actions, _ := cr["actions"].([]any)
	if len(actions) != 2 {
		t.Fatalf("got actions %v, want Not slop and Re-check", cr["actions"])
	}
	for i, id := range []string{ActionNotSlop, ActionRecheck} {
		if got := actions[i].(map[string]any)["identifier"]; got != id {
			t.Errorf("action %d: got %v, want %s", i, got, id)
		}
	}
	summary := cr["output"].(map[string]any)["summary"].(string)
	for _, want := range []string{"0.95", "machine", "test-1", "stock phrases such as `delve into`", "not its author"} {
		if !strings.Contains(summary, want) {
			t.Errorf("check run summary %q lacks %q", summary, want)
		}
	}
	label := bodyOf(t, writes, "POST /repos/acme/widgets/labels")
	if label["name"] != "possible-slop" || label["color"] != moderation.DefaultLabelColor || label["description"] == "" {
		t.Errorf("got label %v, want possible-slop with colour and description", label)
	}
	if got := writes[2].Body; strings.TrimSpace(got) != `["possible-slop"]` {
		t.Errorf("got add-labels body %s, want [\"possible-slop\"]", got)
	}
	comment := bodyOf(t, writes, "POST /repos/acme/widgets/issues/7/comments")["body"].(string)
	for _, want := range []string{markerPrefix + "sticky item=pr/7", "automated", "/slopguard recheck", "/slopguard appeal", "not about you"} {
		if !strings.Contains(comment, want) {
			t.Errorf("comment %q lacks %q", comment, want)
		}
	}
	d, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "pr/7")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.Actions, ","); got != "check_run,label,comment" || d.Text != "" {
		t.Errorf("got decision actions %q text %q, want check_run,label,comment and no text", got, d.Text)
	}

	// An edit updates the check run and the comment in place.
	h.gh.reset()
	edited := fixture(t, "pull_request.opened.json", map[string]any{
		"action": "edited", "pull_request.labels": []any{map[string]any{"name": "possible-slop"}},
		"pull_request.body": "Edited, still delving.",
	})
	wantCalls(t, h.deliver(t, "pull_request", edited),
		"PATCH /repos/acme/widgets/check-runs/100",
		"PATCH /repos/acme/widgets/issues/comments/500",
	)

	// Re-scored clean: the label goes, the check passes, the comment says so.
	h.gh.reset()
	h.opt.Checker = clean
	h.drain()
	writes = h.deliver(t, "pull_request", edited)
	wantCalls(t, writes,
		"PATCH /repos/acme/widgets/check-runs/100",
		"DELETE /repos/acme/widgets/issues/7/labels/possible-slop",
		"PATCH /repos/acme/widgets/issues/comments/500",
	)
	wantConclusion(t, writes, "success")
	wantSticky(t, writes, "no longer shows")
}

// skippedCheck wants the one check run written to be "skipped": an exempt
// pull request must not leave a required check waiting.
func skippedCheck(t *testing.T, writes []call) {
	t.Helper()
	if got := bodyOf(t, writes, "POST /repos/acme/widgets/check-runs")["conclusion"]; got != "skipped" {
		t.Errorf("got conclusion %v, want skipped", got)
	}
}

func TestModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		policy  string
		checker fakeChecker
		event   string
		fixture string
		edits   map[string]any
		want    []string
		check   func(t *testing.T, writes []call)
	}{
		{
			name: "observe writes nothing", policy: "mode: observe\n", checker: slop,
			event: "pull_request", fixture: "pull_request.opened.json",
		},
		{
			name: "off writes nothing", policy: "mode: off\n", checker: slop,
			event: "issues", fixture: "issues.opened.json",
		},
		{
			name: "clean pull request gets a passing check only", checker: clean,
			event: "pull_request", fixture: "pull_request.opened.json",
			want: []string{"POST /repos/acme/widgets/check-runs"},
		},
		{
			name: "flagged issue gets label and comment", checker: slop,
			event: "issues", fixture: "issues.opened.json",
			want: []string{"POST /repos/acme/widgets/labels", "POST /repos/acme/widgets/issues/9/labels", "POST /repos/acme/widgets/issues/9/comments"},
		},
		{
			name: "comment switched off", policy: "comment: {enabled: false}\n", checker: slop,
			event: "issues", fixture: "issues.opened.json",
			want: []string{"POST /repos/acme/widgets/labels", "POST /repos/acme/widgets/issues/9/labels"},
		},
		{
			name: "issues surface off", policy: "surfaces: {issues: false}\n", checker: slop,
			event: "issues", fixture: "issues.opened.json",
		},
		{
			name: "flagged comment gets one reply", checker: slop,
			event: "issue_comment", fixture: "issue_comment.created.json",
			want: []string{"POST /repos/acme/widgets/issues/9/comments"},
			check: func(t *testing.T, writes []call) {
				if got := writes[0].Body; !strings.Contains(got, "/slopguard appeal comment/3001") {
					t.Errorf("got reply %q, want commands naming comment/3001", got)
				}
			},
		},
		{
			name: "enforce minimizes a comment", policy: "mode: enforce\nenforce: {threshold: 0.9, minimize: true}\n", checker: slop,
			event: "pull_request_review_comment", fixture: "pull_request_review_comment.created.json",
			want: []string{"POST /repos/acme/widgets/issues/7/comments", "POST /graphql"},
			check: func(t *testing.T, writes []call) {
				if got := writes[1].Body; !strings.Contains(got, "minimizeComment") || !strings.Contains(got, `"id":"PRRC_kwDOAAAAAc4AAA-h"`) || !strings.Contains(got, `"classifier":"OFF_TOPIC"`) {
					t.Errorf("got graphql body %s, want minimizeComment of the comment's node id", got)
				}
			},
		},
		{
			name: "enforce below its threshold does not minimize", policy: "mode: enforce\nenforce: {threshold: 0.99, minimize: true}\n", checker: slop,
			event: "issue_comment", fixture: "issue_comment.created.json",
			want: []string{"POST /repos/acme/widgets/issues/9/comments"},
		},
		{
			name: "enforce fails the check", policy: "mode: enforce\n", checker: fakeChecker{score: 0.99, verdict: 2},
			event: "pull_request", fixture: "pull_request.opened.json",
			want: []string{"POST /repos/acme/widgets/check-runs", "POST /repos/acme/widgets/labels", "POST /repos/acme/widgets/issues/7/labels", "POST /repos/acme/widgets/issues/7/comments"},
			check: func(t *testing.T, writes []call) {
				if got := bodyOf(t, writes, "POST /repos/acme/widgets/check-runs")["conclusion"]; got != "failure" {
					t.Errorf("got conclusion %v, want failure", got)
				}
			},
		},
		{
			name: "member is exempt", checker: slop,
			event: "pull_request", fixture: "pull_request.opened.json", edits: map[string]any{"pull_request.author_association": "MEMBER"},
			want: []string{"POST /repos/acme/widgets/check-runs"}, check: skippedCheck,
		},
		{
			name: "bot login is exempt", checker: slop,
			event: "issues", fixture: "issues.opened.json", edits: map[string]any{"issue.user.login": "dependabot[bot]"},
		},
		{
			name: "bot account is exempt", checker: slop,
			event: "issue_comment", fixture: "issue_comment.created.json", edits: map[string]any{"comment.user.type": "Bot"},
		},
		{
			name: "draft is exempt", checker: slop,
			event: "pull_request", fixture: "pull_request.opened.json", edits: map[string]any{"pull_request.draft": true},
			want: []string{"POST /repos/acme/widgets/check-runs"}, check: skippedCheck,
		},
		{
			name: "exempt label", policy: "exempt: {labels: [skip-slopguard]}\n", checker: slop,
			event: "issues", fixture: "issues.opened.json", edits: map[string]any{"issue.labels": []any{map[string]any{"name": "skip-slopguard"}}},
		},
		{
			name: "invalid policy fails the check and nothing else", policy: "mode: loud\n", checker: slop,
			event: "pull_request", fixture: "pull_request.opened.json",
			want: []string{"POST /repos/acme/widgets/check-runs"},
			check: func(t *testing.T, writes []call) {
				cr := bodyOf(t, writes, "POST /repos/acme/widgets/check-runs")
				if cr["conclusion"] != "failure" || !strings.Contains(cr["output"].(map[string]any)["summary"].(string), `unknown mode "loud"`) {
					t.Errorf("got check run %v, want a failure naming the problem", cr)
				}
			},
		},
		{
			name: "invalid policy on an issue writes nothing", policy: "mode: loud\n", checker: slop,
			event: "issues", fixture: "issues.opened.json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newPolicyHarness(t, tt.checker, tt.policy)
			writes := h.deliver(t, tt.event, fixture(t, tt.fixture, tt.edits))
			wantCalls(t, writes, tt.want...)
			if tt.check != nil && len(writes) > 0 {
				tt.check(t, writes)
			}
		})
	}
}

func TestObserveRecordsDecision(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop, func(o *Options) { o.StoreText = true })
	h.gh.policy("mode: observe\n")
	h.send("issues", fixture(t, "issues.opened.json", nil))
	h.drain()
	d, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "issue/9")
	if err != nil {
		t.Fatalf("got %v, want a recorded decision", err)
	}
	if got := strings.Join(d.Actions, ","); got != "observe" || d.Verdict != "machine" || !strings.Contains(d.Text, "pivotal") {
		t.Errorf("got actions %q verdict %q text %q, want observe, machine and the text", got, d.Verdict, d.Text)
	}
}

// blockingChecker holds every check until released.
type blockingChecker struct {
	entered chan struct{}
	release chan struct{}
}

func (b blockingChecker) Check(ctx context.Context, it moderation.Item) (moderation.Verdict, error) {
	b.entered <- struct{}{}
	<-b.release
	return clean.Check(ctx, it)
}

// TestBurstIsKept: with every worker busy, a burst of deliveries is
// accepted and recorded, and each is processed once the worker is free; a
// full in-memory queue no longer loses events.
func TestBurstIsKept(t *testing.T) {
	t.Parallel()
	bc := blockingChecker{entered: make(chan struct{}, 64), release: make(chan struct{})}
	h := newHarness(t, bc, func(o *Options) { o.Workers = 1 })
	if got := h.send("issues", fixture(t, "issues.opened.json", nil)); got != http.StatusAccepted {
		t.Fatalf("first: got %d, want 202", got)
	}
	<-bc.entered // the worker is busy with the first delivery
	for i := range 40 {
		body := fixture(t, "issues.opened.json", map[string]any{"issue.number": 100 + i})
		if got := h.send("issues", body); got != http.StatusAccepted {
			t.Fatalf("burst delivery %d: got %d, want 202", i, got)
		}
	}
	close(bc.release)
	h.drain()
	ds, err := h.opt.Store.Decisions(context.Background(), store.DecisionFilter{Limit: 100})
	if err != nil || len(ds) != 41 {
		t.Errorf("got %d decisions (err %v), want 41: every accepted delivery processed", len(ds), err)
	}
}

// panicChecker panics on the first item and is fine afterwards.
type panicChecker struct{ n *int }

func (p panicChecker) Check(ctx context.Context, it moderation.Item) (moderation.Verdict, error) {
	*p.n++
	if *p.n == 1 {
		panic("boom")
	}
	return slop.Check(ctx, it)
}

func TestPanicDoesNotStopOthers(t *testing.T) {
	t.Parallel()
	n := 0
	h := newHarness(t, panicChecker{&n})
	h.send("issues", fixture(t, "issues.opened.json", nil))
	h.send("pull_request", fixture(t, "pull_request.opened.json", nil))
	h.drain()
	if _, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "pr/7"); err != nil {
		t.Errorf("got %v, want the second delivery processed after the first panicked", err)
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string // "" means PATCH
		answers    []func(w http.ResponseWriter)
		wantStatus int
		wantCalls  int
		wantSleeps []time.Duration // exact ones; nil means "any, as many as retries"
	}{
		{
			name: "5xx then success",
			answers: []func(http.ResponseWriter){
				func(w http.ResponseWriter) { w.WriteHeader(502) },
				func(w http.ResponseWriter) { w.WriteHeader(201) },
			},
			wantStatus: 201, wantCalls: 2,
		},
		{
			name:   "5xx to a POST is not re-sent (it may have been applied)",
			method: http.MethodPost,
			answers: []func(http.ResponseWriter){
				func(w http.ResponseWriter) { w.WriteHeader(502) },
				func(w http.ResponseWriter) { w.WriteHeader(201) },
			},
			wantStatus: 502, wantCalls: 1,
		},
		{
			name: "secondary rate limit honours Retry-After",
			answers: []func(http.ResponseWriter){
				func(w http.ResponseWriter) {
					w.Header().Set("Retry-After", "7")
					w.WriteHeader(403)
					w.Write([]byte(`{"message":"You have exceeded a secondary rate limit."}`))
				},
				func(w http.ResponseWriter) { w.WriteHeader(201) },
			},
			wantStatus: 201, wantCalls: 2, wantSleeps: []time.Duration{7 * time.Second},
		},
		{
			name: "429 with Retry-After",
			answers: []func(http.ResponseWriter){
				func(w http.ResponseWriter) { w.Header().Set("Retry-After", "3"); w.WriteHeader(429) },
				func(w http.ResponseWriter) { w.WriteHeader(201) },
			},
			wantStatus: 201, wantCalls: 2, wantSleeps: []time.Duration{3 * time.Second},
		},
		{
			name: "plain 403 is not retried",
			answers: []func(http.ResponseWriter){
				func(w http.ResponseWriter) {
					w.WriteHeader(403)
					w.Write([]byte(`{"message":"Resource not accessible by integration"}`))
				},
			},
			wantStatus: 403, wantCalls: 1, wantSleeps: []time.Duration{},
		},
		{
			name: "gives up after four attempts",
			answers: []func(http.ResponseWriter){
				func(w http.ResponseWriter) { w.WriteHeader(503) },
				func(w http.ResponseWriter) { w.WriteHeader(503) },
				func(w http.ResponseWriter) { w.WriteHeader(503) },
				func(w http.ResponseWriter) { w.WriteHeader(503) },
				func(w http.ResponseWriter) { w.WriteHeader(201) },
			},
			wantStatus: 503, wantCalls: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var n int
			var bodies []string
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				b := make([]byte, 64)
				k, _ := r.Body.Read(b)
				bodies = append(bodies, string(b[:k]))
				tt.answers[n](w)
				n++
			})
			var sleeps []time.Duration
			rt := &RetryTransport{Sleep: func(_ context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil }}
			method := tt.method
			if method == "" {
				method = http.MethodPatch
			}
			req, _ := http.NewRequest(method, srv, strings.NewReader(`{"x":1}`))
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || n != tt.wantCalls {
				t.Errorf("got status %d after %d calls, want %d after %d", resp.StatusCode, n, tt.wantStatus, tt.wantCalls)
			}
			for i, b := range bodies {
				if b != `{"x":1}` {
					t.Errorf("call %d: got body %q, want the request body replayed", i, b)
				}
			}
			if len(sleeps) != tt.wantCalls-1 {
				t.Errorf("got %d sleeps, want %d", len(sleeps), tt.wantCalls-1)
			}
			if tt.wantSleeps != nil {
				for i := range tt.wantSleeps {
					if i >= len(sleeps) || sleeps[i] != tt.wantSleeps[i] {
						t.Errorf("got sleeps %v, want %v", sleeps, tt.wantSleeps)
						break
					}
				}
			}
			for _, d := range sleeps {
				if d <= 0 || d > 2*time.Minute {
					t.Errorf("got sleep %v, want a positive bounded backoff", d)
				}
			}
		})
	}
}

// TestRetryThroughApp: a 502 to the comment POST is not re-sent at once;
// the job is queued again, and its retry looks for the comment (none: the
// 502 did not create it) and posts it.
func TestRetryThroughApp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	failures := 1
	h.gh.handleFunc("POST /repos/acme/widgets/issues/9/comments", func(string) (int, string) {
		if failures > 0 {
			failures--
			return 502, `{"message":"Bad Gateway"}`
		}
		return 201, `{"id": 500}`
	})
	h.gh.handle("GET /repos/acme/widgets/issues/9/comments", 200, `[]`)
	wantCalls(t, h.deliver(t, "issues", fixture(t, "issues.opened.json", nil)),
		"POST /repos/acme/widgets/labels",
		"POST /repos/acme/widgets/issues/9/labels",
		"POST /repos/acme/widgets/issues/9/comments",
	)
	d, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "issue/9")
	if err != nil || strings.Join(d.Actions, ",") != "label,failed:comment" {
		t.Errorf("got decision %v (err %v), want label,failed:comment", d.Actions, err)
	}
	h.gh.reset()
	h.clock.Advance(time.Hour) // past the job's backoff
	h.drain()
	wantCalls(t, h.gh.writes(),
		"POST /repos/acme/widgets/issues/9/labels",
		"POST /repos/acme/widgets/issues/9/comments",
	)
	if calls := callList(h.gh.allCalls()); !strings.Contains(calls, "GET /repos/acme/widgets/issues/9/comments\nPOST /repos/acme/widgets/issues/9/comments") {
		t.Errorf("the retry did not look for the comment before posting it:\n%s", calls)
	}
	d, err = h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "issue/9")
	if err != nil || strings.Join(d.Actions, ",") != "label,comment" {
		t.Errorf("after the retry: got decision %v (err %v), want label,comment", d.Actions, err)
	}
}

func TestCommands(t *testing.T) {
	t.Parallel()
	command := func(body, login, assoc string) []byte {
		return fixture(t, "issue_comment.created.json", map[string]any{
			"comment.body": body, "comment.user.login": login, "comment.author_association": assoc,
			"comment.id": 3002, "issue.labels": []any{map[string]any{"name": "possible-slop"}},
		})
	}
	t.Run("maintainer not-slop clears the flag", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, slop)
		writes := h.flagThen(t, "issue_comment", command("/slopguard not-slop", "maintainer", "MEMBER"))
		wantCalls(t, writes,
			"DELETE /repos/acme/widgets/issues/9/labels/possible-slop",
			"PATCH /repos/acme/widgets/issues/comments/500",
		)
		wantSticky(t, writes, "cleared the flag")
		fb, err := h.feedback()
		if err != nil || len(fb) != 1 || fb[0].Label != "human" || fb[0].By != "maintainer" || fb[0].ItemID != "issue/9" {
			t.Fatalf("got feedback %+v (err %v), want one human label by maintainer on issue/9", fb, err)
		}
		// A later edit does not re-flag what a maintainer cleared.
		h.gh.reset()
		wantCalls(t, h.deliver(t, "issues", fixture(t, "issues.opened.json", map[string]any{"action": "edited"})))
	})
	t.Run("non-maintainer is politely refused", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, slop)
		writes := h.flagThen(t, "issue_comment", command("/slopguard not-slop", "newcomer", "NONE"))
		wantCalls(t, writes, "PATCH /repos/acme/widgets/issues/comments/500")
		wantSticky(t, writes, "@newcomer, sorry: only maintainers")
		fb, _ := h.feedback()
		if len(fb) != 0 {
			t.Errorf("got feedback %+v, want none", fb)
		}
	})
	t.Run("confirm keeps the label", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, slop)
		// The label is on already; confirm moderates again, which keeps it
		// and says so in the comment.
		writes := h.flagThen(t, "issue_comment", command("/slopguard confirm", "maintainer", "OWNER"))
		wantCalls(t, writes, "PATCH /repos/acme/widgets/issues/comments/500")
		wantSticky(t, writes, "@maintainer) reviewed this and confirmed the flag")
		fb, _ := h.feedback()
		if len(fb) != 1 || fb[0].Label != "machine" {
			t.Errorf("got feedback %+v, want one machine label", fb)
		}
	})
	t.Run("appeal pings the maintainers team", func(t *testing.T) {
		t.Parallel()
		h := newPolicyHarness(t, slop, "maintainers_team: triage\n")
		writes := h.flagThen(t, "issue_comment", command("/slopguard appeal", "newcomer", "NONE"))
		wantCalls(t, writes, "POST /repos/acme/widgets/issues/9/comments", "PATCH /repos/acme/widgets/issues/comments/500")
		if got := writes[0].Body; !strings.Contains(got, "@acme/triage") {
			t.Errorf("got ping %q, want it to mention @acme/triage", got)
		}
		d, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "issue/9")
		if err != nil || strings.Join(d.Actions, ",") != "appeal" {
			t.Errorf("got decision %+v (err %v), want the appeal recorded", d, err)
		}
	})
	t.Run("commands in observe mode write nothing", func(t *testing.T) {
		t.Parallel()
		h := newPolicyHarness(t, slop, "mode: observe\n")
		h.send("issue_comment", command("/slopguard not-slop", "maintainer", "MEMBER"))
		h.send("issue_comment", command("/slopguard appeal", "newcomer", "NONE"))
		h.drain()
		wantCalls(t, h.gh.writes())
		fb, _ := h.feedback()
		if len(fb) != 1 {
			t.Errorf("got %d feedback rows, want 1", len(fb))
		}
	})
}

func TestCheckRunNotSlopButton(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	h.send("pull_request", fixture(t, "pull_request.opened.json", nil))
	h.drain()
	h.gh.reset()
	writes := h.deliver(t, "check_run", fixture(t, "check_run.requested_action.json", nil))
	wantCalls(t, writes,
		"DELETE /repos/acme/widgets/issues/7/labels/possible-slop",
		"PATCH /repos/acme/widgets/check-runs/100",
		"PATCH /repos/acme/widgets/issues/comments/500",
	)
	wantConclusion(t, writes, "success")

	// The same button from someone without write access does nothing.
	h2 := newHarness(t, slop)
	h2.send("check_run", fixture(t, "check_run.requested_action.json", map[string]any{"sender.login": "newcomer"}))
	h2.drain()
	wantCalls(t, h2.gh.writes())
}

func TestPushRefreshesPolicy(t *testing.T) {
	t.Parallel()
	h := newPolicyHarness(t, slop, "mode: observe\n")
	wantCalls(t, h.deliver(t, "issues", fixture(t, "issues.opened.json", nil)))

	h.gh.policy("mode: flag\n")
	wantCalls(t, h.deliver(t, "issues", fixture(t, "issues.opened.json", map[string]any{"action": "edited"}))) // still cached

	h.send("push", fixture(t, "push.policy.json", nil))
	wantCalls(t, h.deliver(t, "issues", fixture(t, "issues.opened.json", map[string]any{"action": "edited"})), "POST /repos/acme/widgets/labels", "POST /repos/acme/widgets/issues/9/labels", "POST /repos/acme/widgets/issues/9/comments")
}

func TestOrgPolicyFallback(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	content := "bW9kZTogb2JzZXJ2ZQo=" // "mode: observe\n"
	h.gh.handle("GET /repos/acme/.github/contents/.github/slopguard.yml", 200,
		`{"type": "file", "encoding": "base64", "path": ".github/slopguard.yml", "content": "`+content+`"}`)
	wantCalls(t, h.deliver(t, "issues", fixture(t, "issues.opened.json", nil)))
	got := callList(h.gh.allCalls())
	want := "GET /repos/acme/widgets/contents/.github/slopguard.yml\nGET /repos/acme/.github/contents/.github/slopguard.yml\n"
	if got != want {
		t.Errorf("got calls:\n%swant:\n%s", got, want)
	}
}

func TestShutdownDrainsAndKeeps(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	h.send("issues", fixture(t, "issues.opened.json", nil))
	if err := h.app.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "issue/9"); err != nil {
		t.Errorf("got %v, want the accepted delivery processed before shutdown returned", err)
	}
	// After shutdown a delivery is still recorded (202): the next process,
	// or another replica, runs it.
	if got := h.send("issues", fixture(t, "issues.opened.json", map[string]any{"issue.number": 10})); got != http.StatusAccepted {
		t.Errorf("after shutdown: got %d, want 202", got)
	}
	h.start()
	h.drain()
	if _, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "issue/10"); err != nil {
		t.Errorf("got %v, want the delivery accepted after shutdown processed by the next process", err)
	}
}

func TestSharedFixtures(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "github-webhooks")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared webhook fixtures not available (%v)", err)
	}
	for _, tc := range []struct{ event, file string }{
		{"pull_request", "opened.payload.json"},
		{"pull_request", "edited.payload.json"},
		{"issues", "opened.payload.json"},
		{"issues", "edited.payload.json"},
		{"issue_comment", "created.payload.json"},
		{"issue_comment", "edited.payload.json"},
		{"pull_request_review", "submitted.payload.json"},
		{"pull_request_review", "dismissed.payload.json"},
		{"pull_request_review_comment", "created.payload.json"},
		{"check_run", "requested_action.payload.json"},
		{"installation", "created.payload.json"},
		{"installation_repositories", "added.payload.json"},
	} {
		t.Run(tc.event+"/"+tc.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join(dir, tc.event, tc.file))
			if errors.Is(err, os.ErrNotExist) {
				t.Skipf("%s not in the shared fixtures", tc.file)
			}
			if err != nil {
				t.Fatal(err)
			}
			h := newHarness(t, clean)
			h.deliver(t, tc.event, body)
		})
	}
}

func TestSweepClosesOnlyAfterGrace(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	h.enforceIssue(t)
	h.gh.reset()

	h.clock.Advance(23 * time.Hour)
	h.sweep(t)
	wantCalls(t, h.gh.writes())

	h.clock.Advance(2 * time.Hour)
	h.sweep(t)
	writes := h.gh.writes()
	wantCalls(t, writes, "PATCH /repos/acme/widgets/issues/comments/500", "PATCH /repos/acme/widgets/issues/9")
	if got := bodyOf(t, writes, "PATCH /repos/acme/widgets/issues/9")["state"]; got != "closed" {
		t.Errorf("got state %v, want closed", got)
	}

	// Already closed: the next sweep does nothing.
	h.gh.reset()
	h.sweep(t)
	wantCalls(t, h.gh.writes())
}

func TestSweepLeavesFlagModeAlone(t *testing.T) {
	t.Parallel()
	h := newPolicyHarness(t, slop, "enforce: {close_after_hours: 1}\n")
	h.openIssue(t)
	h.clock.Advance(48 * time.Hour)
	h.sweep(t)
	wantCalls(t, h.gh.writes())
}

func TestAppealPingsOnce(t *testing.T) {
	t.Parallel()
	h := newPolicyHarness(t, slop, "maintainers_team: acme/triage\n")
	h.openIssue(t)
	for id := range 2 {
		h.send("issue_comment", fixture(t, "issue_comment.created.json", map[string]any{"comment.body": "/slopguard appeal", "comment.id": 3100 + id}))
	}
	h.drain()
	wantCalls(t, h.gh.writes(),
		"POST /repos/acme/widgets/issues/9/comments",
		"PATCH /repos/acme/widgets/issues/comments/500",
		"PATCH /repos/acme/widgets/issues/comments/500",
	)
	// The second appeal finds the first still waiting and records nothing.
	ds, err := h.opt.Store.Decisions(context.Background(), store.DecisionFilter{Platform: "github"})
	if err != nil {
		t.Fatal(err)
	}
	appeals := 0
	for _, d := range ds {
		if slices.Contains(d.Actions, actionAppeal) {
			appeals++
		}
	}
	if appeals != 1 {
		t.Errorf("recorded %d appeal decisions for two appeals of one item, want 1", appeals)
	}
}

func TestSynchronizePostsOnlyTheNewHeadCheckRun(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	if got := h.send("pull_request", fixture(t, "pull_request.opened.json", nil)); got != http.StatusAccepted {
		t.Fatalf("opened: got status %d, want 202", got)
	}
	h.drain()
	before := len(h.gh.writes())
	const newHead = "0123456789abcdef0123456789abcdef01234567"
	sync := fixture(t, "pull_request.opened.json", map[string]any{"action": "synchronize", "pull_request.head.sha": newHead})
	if got := h.send("pull_request", sync); got != http.StatusAccepted {
		t.Fatalf("synchronize: got status %d, want 202", got)
	}
	h.drain()
	after := h.gh.writes()[before:]
	wantCalls(t, after, "POST /repos/acme/widgets/check-runs")
	if cr := bodyOf(t, after, "POST /repos/acme/widgets/check-runs"); cr["head_sha"] != newHead || cr["conclusion"] != "neutral" {
		t.Errorf("got check run %v, want neutral on the new head", cr)
	}
}

// TestSweepSkipsUninstalledRepositories: once the App is uninstalled, or
// the repository removed from its installation, the sweep neither closes
// the flagged issue nor asks GitHub anything about it, until a webhook from
// a new installation brings the repository back. The uninstall of an
// installation that no longer serves the repository changes nothing.
func TestSweepSkipsUninstalledRepositories(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, event, file string
		edits             map[string]any
		installed         bool // the repository's installation is still there
	}{
		{"installation deleted", "installation", "installation.created.json", map[string]any{"action": "deleted"}, false},
		{"repository removed", "installation_repositories", "installation_repositories.removed.json", nil, false},
		{"another installation deleted", "installation", "installation.created.json", map[string]any{"action": "deleted", "installation.id": 999}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, slop)
			h.enforceIssue(t)
			h.send(tc.event, fixture(t, tc.file, tc.edits))
			h.drain()
			h.gh.reset()
			h.clock.Advance(25 * time.Hour)
			h.sweep(t)
			if !tc.installed {
				if calls := h.gh.allCalls(); len(calls) != 0 {
					t.Fatalf("sweep of an uninstalled repository called GitHub: %v", calls)
				}
				// Installed again: the next event records the installation.
				h.send("issues", fixture(t, "issues.opened.json", map[string]any{"action": "edited"}))
				h.drain()
				h.gh.reset()
				h.sweep(t)
			}
			if got := bodyOf(t, h.gh.writes(), "PATCH /repos/acme/widgets/issues/9")["state"]; got != "closed" {
				t.Errorf("got state %v, want closed", got)
			}
		})
	}
}

// TestRenamedRepositoryKeepsItsState: after a rename, the App edits the
// sticky comment it posted under the old name instead of posting a second
// one, and the item's decisions are found under the new name.
func TestRenamedRepositoryKeepsItsState(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	h.openIssue(t)
	h.send("repository", fixture(t, "repository.renamed.json", nil))
	h.drain()
	for _, r := range []string{"POST /repos/acme/gadgets/issues/9/labels", "PATCH /repos/acme/gadgets/issues/comments/500", "POST /repos/acme/gadgets/issues/9/comments"} {
		h.gh.handle(r, 200, `{"id": 500}`)
	}
	h.gh.handle("GET /repos/acme/gadgets/labels/possible-slop", 200, `{"name": "possible-slop"}`)
	h.gh.reset()
	edited := fixture(t, "issues.opened.json", map[string]any{"action": "edited", "repository.name": "gadgets", "repository.full_name": "acme/gadgets"})
	h.send("issues", edited)
	h.drain()
	var patched, posted bool
	for _, c := range h.gh.writes() {
		patched = patched || c.Method+" "+c.Path == "PATCH /repos/acme/gadgets/issues/comments/500"
		posted = posted || c.Method+" "+c.Path == "POST /repos/acme/gadgets/issues/9/comments"
	}
	if !patched || posted {
		t.Errorf("after the rename: edited the old comment %v, posted a second one %v; want true, false (writes %v)", patched, posted, h.gh.writes())
	}
	ds, err := h.opt.Store.Decisions(context.Background(), store.DecisionFilter{Platform: "github", Scope: "acme/gadgets", ItemID: "issue/9"})
	if err != nil || len(ds) < 2 {
		t.Errorf("decisions under the new name: %d, %v; want the one before the rename and the one after", len(ds), err)
	}
}

// TestTransferredRepositoryKeepsItsState: a transfer moves what was kept
// under the old owner's name.
func TestTransferredRepositoryKeepsItsState(t *testing.T) {
	t.Parallel()
	h := newHarness(t, clean)
	ctx := context.Background()
	if err := h.opt.Store.PutSetting(ctx, "octo/widgets", overrideSetting+"issue/9", []byte("human")); err != nil {
		t.Fatal(err)
	}
	body := fixture(t, "repository.renamed.json", map[string]any{
		"action":               "transferred",
		"changes":              map[string]any{"owner": map[string]any{"from": map[string]any{"user": map[string]any{"login": "octo", "id": 1}}}},
		"repository.name":      "widgets",
		"repository.full_name": "acme/widgets",
	})
	h.send("repository", body)
	h.drain()
	if got, err := h.opt.Store.Setting(ctx, "acme/widgets", overrideSetting+"issue/9"); err != nil || string(got) != "human" {
		t.Errorf("override under the new owner = %q, %v; want human", got, err)
	}
}
