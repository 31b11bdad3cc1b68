package githubapp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slopguard/slopguard/internal/ctxwait"
)

// RetryTransport retries GitHub API requests that failed for reasons that
// pass: 5xx answers (except to a POST, which may have been applied), 429,
// and 403 secondary or primary rate limits. It honours Retry-After and
// X-RateLimit-Reset; a rate limit that gives neither waits a minute,
// doubling per attempt, as GitHub asks; a 5xx backs off exponentially with
// jitter. A rate limit pauses every request sent through the transport
// (every worker) until it passes, as GitHub asks; a pause longer than
// MaxWait fails requests at once, without sending them, so the job is
// retried later rather than held. It gives up (returning the last answer)
// after MaxAttempts or when the wait would be longer than MaxWait.
type RetryTransport struct {
	// Next sends the requests; nil means http.DefaultTransport.
	Next http.RoundTripper
	// MaxAttempts counts the first try; 0 means 4.
	MaxAttempts int
	// BaseDelay is the first backoff; 0 means 1 second.
	BaseDelay time.Duration
	// MaxWait is the longest single wait; 0 means 2 minutes.
	MaxWait time.Duration
	// Sleep waits d or until ctx is done; nil means a timer. Tests inject it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for X-RateLimit-Reset; nil means time.Now.
	Now func() time.Time
	// Logger receives give-ups; nil discards.
	Logger *slog.Logger
	// OnGiveUp is called when retries are exhausted (for metrics); may be nil.
	OnGiveUp func(req *http.Request)

	mu          sync.Mutex
	pausedUntil time.Time // no request goes out before then (a rate limit)
}

// RoundTrip sends req, retrying as described on RetryTransport.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	attempts := t.MaxAttempts
	if attempts <= 0 {
		attempts = 4
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		attempts = 1 // cannot replay the body
	}
	slept := false // this request just waited out the pause it set
	for attempt := 1; ; attempt++ {
		if !slept {
			if err := t.waitPause(req); err != nil {
				return nil, err
			}
		}
		slept = false
		r := req
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(req.Context())
			r.Body = body
		}
		resp, err := next.RoundTrip(r)
		wait, retry, limited := t.shouldRetry(req, resp, err, attempt)
		if !retry {
			return resp, err
		}
		if limited {
			t.pause(wait)
		}
		if attempt >= attempts || wait > t.maxWait() {
			t.giveUp(req, resp, err, attempt, wait)
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
		slept = limited
	}
}

// pause holds every request until d from now (or later, if already paused).
func (t *RetryTransport) pause(d time.Duration) {
	until := t.now().Add(d)
	t.mu.Lock()
	if until.After(t.pausedUntil) {
		t.pausedUntil = until
	}
	t.mu.Unlock()
}

// waitPause waits out a rate-limit pause before a request goes out, or
// fails at once when the pause is longer than MaxWait.
func (t *RetryTransport) waitPause(req *http.Request) error {
	t.mu.Lock()
	wait := t.pausedUntil.Sub(t.now())
	t.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	if wait > t.maxWait() {
		return &rateLimitedError{wait: wait, err: fmt.Errorf("%s %s not sent: GitHub rate limit pause", req.Method, req.URL.Path)}
	}
	return t.sleep(req.Context(), wait)
}

func (t *RetryTransport) maxWait() time.Duration {
	if t.MaxWait > 0 {
		return t.MaxWait
	}
	return 2 * time.Minute
}

func (t *RetryTransport) sleep(ctx context.Context, d time.Duration) error {
	if t.Sleep != nil {
		return t.Sleep(ctx, d)
	}
	return ctxwait.Sleep(ctx, d)
}

// shouldRetry decides whether an answer is worth another try, and after how long.
func (t *RetryTransport) shouldRetry(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool, bool) {
	if err != nil {
		return 0, false, false // context cancelled or a transport failure the caller should see
	}
	limited := false
	switch {
	case resp.StatusCode >= 500 && req.Method == http.MethodPost && !idempotentPost(req.URL.Path):
		// The comment or check run may have been created: the caller looks
		// for it before trying again.
		return 0, false, false
	case resp.StatusCode >= 500:
	case resp.StatusCode == http.StatusTooManyRequests:
		limited = true
	case resp.StatusCode == http.StatusForbidden && t.rateLimited(resp):
		limited = true
	default:
		return 0, false, false
	}
	if d, ok := retryAfter(resp.Header.Get("Retry-After"), t.now()); ok {
		return d, true, limited
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Unix(reset, 0).Sub(t.now()), 0) + time.Second, true, limited
		}
	}
	if limited {
		// GitHub: without Retry-After or a reset time, wait at least a
		// minute, and longer after each further limit.
		return rateLimitWait << (attempt - 1), true, true
	}
	base := t.BaseDelay
	if base <= 0 {
		base = time.Second
	}
	d := base << (attempt - 1)
	return d/2 + rand.N(d/2+1), true, false
}

// idempotentPost reports whether a POST creates nothing that a second one
// would duplicate: an installation token, or a GraphQL call (the App's
// mutations hide or show a comment).
func idempotentPost(path string) bool {
	return strings.HasSuffix(path, "/access_tokens") || strings.HasSuffix(path, "/graphql")
}

// rateLimitWait is the first wait after a rate limit that says nothing of
// when to retry.
const rateLimitWait = time.Minute

// rateLimited reports whether a 403 is a rate limit rather than a refusal;
// it peeks at the body and puts it back.
func (t *RetryTransport) rateLimited(resp *http.Response) bool {
	if resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-RateLimit-Remaining") == "0" {
		return true
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return bytes.Contains(bytes.ToLower(b), []byte("rate limit"))
}

func (t *RetryTransport) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func (t *RetryTransport) giveUp(req *http.Request, resp *http.Response, err error, attempts int, wait time.Duration) {
	if t.OnGiveUp != nil {
		t.OnGiveUp(req)
	}
	if t.Logger == nil {
		return
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	t.Logger.Warn("github api: giving up", "method", req.Method, "path", req.URL.Path,
		"status", status, "attempts", attempts, "next_wait", wait, "err", err)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// rateLimitedError is a request GitHub refused for a rate limit, with how
// long it asked to wait; the job is retried after that, not in a worker's sleep.
type rateLimitedError struct {
	wait time.Duration
	err  error
}

func (e *rateLimitedError) Error() string {
	return fmt.Sprintf("rate limited for %s: %v", e.wait, e.err)
}

func (e *rateLimitedError) Unwrap() error { return e.err }
