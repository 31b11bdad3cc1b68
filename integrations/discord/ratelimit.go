package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slopguard/slopguard/internal/ctxwait"
)

// ErrRateLimited is returned, wrapped, for a request RetryTransport did not
// send because Discord has paused all of the bot's requests for longer than
// the request may wait.
var ErrRateLimited = errors.New("discord: rate limited")

// DefaultMaxWait is RetryTransport's longest wait when MaxWait is 0: well
// below the 20-second Timeout of discordgo's default http.Client.
const DefaultMaxWait = 10 * time.Second

// NoWaitPause is how long RetryTransport pauses every request after a 429
// that gives no usable wait, such as Cloudflare's HTML ban page.
const NoWaitPause = time.Minute

// RetryTransport is an http.RoundTripper that honours Discord's 429 answers:
// it waits for the longer of the Retry-After header and the body's
// retry_after, then sends the request again, up to MaxRetries times. A wait
// longer than MaxWait, or than the request's deadline leaves (an
// http.Client's Timeout is one), or the last 429, is handed back to the
// caller as is.
//
// Some 429s pause every request, not only the one answered: a global one
// (X-RateLimit-Global, X-RateLimit-Scope: global, or "global" in the body),
// and one that is not Discord's JSON (Cloudflare limits the whole address).
// The transport remembers until when, and each request first waits that
// out, or fails at once with ErrRateLimited, without being sent, when the
// wait is too long. Interaction answers (/interactions/… and the
// /webhooks/{application}/{token} follow-ups) are exempt from that pause:
// Discord does not count them against the global limit, and the first one
// is due within three seconds. A 429 without a usable wait is never retried: it pauses
// every request for NoWaitPause.
//
// Install it as the session's Client transport with the session's own
// ShouldRetryOnRateLimit turned off, so a 429 is waited out once, here, where
// the clock can be injected, and keep MaxWait below the client's Timeout.
// discordgo's per-bucket limiter still paces requests from the
// X-RateLimit-* headers of successful answers. Use one RetryTransport per
// bot token, by pointer; the zero value is ready to use.
type RetryTransport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// MaxRetries bounds the retries of one request; 0 means 3.
	MaxRetries int
	// MaxWait is the longest single wait; 0 means DefaultMaxWait.
	MaxWait time.Duration
	// Sleep waits for d or until ctx is done; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// OnRetry, when set, is told about each wait (for logs and metrics).
	OnRetry func(req *http.Request, wait time.Duration, global bool)

	mu           sync.Mutex
	blockedUntil time.Time // no request is sent before then
}

// RoundTrip sends req, retrying after each 429 as described on RetryTransport.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	maxRetries := t.MaxRetries
	if maxRetries == 0 {
		maxRetries = 3
	}
	sleep := t.Sleep
	if sleep == nil {
		sleep = ctxwait.Sleep
	}
	if wait := t.paused(); wait > 0 && !isInteractionPath(req.URL.Path) {
		if !t.mayWait(req, wait) {
			return nil, fmt.Errorf("%w: every request is paused for another %s; %s %s not sent",
				ErrRateLimited, wait.Round(time.Second), req.Method, RedactTokens(req.URL.Path))
		}
		if t.OnRetry != nil {
			t.OnRetry(req, wait, true)
		}
		if err := sleep(req.Context(), wait); err != nil {
			return nil, fmt.Errorf("discord: wait out rate limit on %s: %w", RedactTokens(req.URL.Path), err)
		}
	}
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			r = req.Clone(req.Context())
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, fmt.Errorf("discord: replay request body: %w", err)
				}
				r.Body = body
			}
		}
		resp, err := base.RoundTrip(r)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests {
			return resp, err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("discord: read 429 body: %w", err)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		wait, global := rateLimit(resp.Header, body)
		if global {
			// The pause is kept here, sparing interaction answers;
			// discordgo, seeing this header, would hold every request
			// for it, those answers included, in a sleep no context ends.
			resp.Header.Del("X-RateLimit-Global")
		}
		switch {
		case wait <= 0:
			// Retrying at once would only earn another 429.
			t.pause(NoWaitPause)
			return resp, nil
		case global:
			t.pause(wait)
		}
		if attempt >= maxRetries || !t.mayWait(req, wait) || (req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) {
			return resp, nil
		}
		if t.OnRetry != nil {
			t.OnRetry(req, wait, global)
		}
		if err := sleep(req.Context(), wait); err != nil {
			return nil, fmt.Errorf("discord: wait out rate limit on %s: %w", RedactTokens(req.URL.Path), err)
		}
	}
}

// isInteractionPath reports whether an API path answers an interaction:
// a callback or a follow-up through the interaction's webhook.
func isInteractionPath(path string) bool {
	return strings.Contains(path, "/interactions/") || strings.Contains(path, "/webhooks/")
}

func (t *RetryTransport) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// paused returns how long every request must still wait, or 0.
func (t *RetryTransport) paused() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return max(t.blockedUntil.Sub(t.now()), 0)
}

// pause holds every request for d from now, unless it is held longer already.
func (t *RetryTransport) pause(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if until := t.now().Add(d); until.After(t.blockedUntil) {
		t.blockedUntil = until
	}
}

// mayWait reports whether req may wait for d: at most MaxWait, and ending
// before the request's deadline, so the wait is not cut off halfway.
func (t *RetryTransport) mayWait(req *http.Request, d time.Duration) bool {
	maxWait := t.MaxWait
	if maxWait == 0 {
		maxWait = DefaultMaxWait
	}
	if d > maxWait {
		return false
	}
	deadline, ok := req.Context().Deadline()
	return !ok || t.now().Add(d).Before(deadline)
}

// rateLimit reads a 429: how long to wait (0 when it does not say) and
// whether the limit holds every request rather than this route's.
func rateLimit(h http.Header, body []byte) (wait time.Duration, global bool) {
	var b struct {
		Global bool `json:"global"`
	}
	discordJSON := json.Unmarshal(body, &b) == nil
	global = !discordJSON || b.Global || h.Get("X-RateLimit-Global") != "" || strings.EqualFold(h.Get("X-RateLimit-Scope"), "global")
	return retryAfter(h, body), global
}

// retryAfter is the longer of the Retry-After header (seconds) and the JSON
// body's retry_after (seconds, fractional).
func retryAfter(h http.Header, body []byte) time.Duration {
	var wait time.Duration
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
			wait = seconds(s)
		}
	}
	var b struct {
		RetryAfter float64 `json:"retry_after"`
	}
	if json.Unmarshal(body, &b) == nil && b.RetryAfter > 0 {
		if d := seconds(b.RetryAfter); d > wait {
			wait = d
		}
	}
	return wait
}

// seconds converts fractional seconds to a duration, saturating instead of overflowing.
func seconds(s float64) time.Duration {
	if s >= float64(math.MaxInt64)/float64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(s * float64(time.Second))
}
