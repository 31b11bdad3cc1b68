package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"
)

// RetryTransport is an http.RoundTripper that honours Discord's 429 answers:
// it waits for the longer of the Retry-After header and the body's
// retry_after, then sends the request again, up to MaxRetries times. A wait
// longer than MaxWait, or the last 429, is handed back to the caller as is.
//
// Install it as the session's Client transport with the session's own
// ShouldRetryOnRateLimit turned off, so a 429 is waited out once, here, where
// the clock can be injected. discordgo's per-bucket limiter still paces
// requests from the X-RateLimit-* headers of successful answers.
type RetryTransport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// MaxRetries bounds the retries of one request; 0 means 3.
	MaxRetries int
	// MaxWait is the longest single wait; 0 means one minute.
	MaxWait time.Duration
	// Sleep waits for d or until ctx is done; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnRetry, when set, is told about each wait (for logs and metrics).
	OnRetry func(req *http.Request, wait time.Duration, global bool)
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
	maxWait := t.MaxWait
	if maxWait == 0 {
		maxWait = time.Minute
	}
	sleep := t.Sleep
	if sleep == nil {
		sleep = sleepCtx
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
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || attempt >= maxRetries {
			return resp, err
		}
		if req.Body != nil && req.GetBody == nil {
			return resp, nil // cannot replay the body: let the caller see the 429
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("discord: read 429 body: %w", err)
		}
		wait := retryAfter(resp.Header, body)
		if wait > maxWait {
			resp.Body = io.NopCloser(bytes.NewReader(body))
			return resp, nil
		}
		global := resp.Header.Get("X-RateLimit-Global") != ""
		if t.OnRetry != nil {
			t.OnRetry(req, wait, global)
		}
		if err := sleep(req.Context(), wait); err != nil {
			return nil, fmt.Errorf("discord: wait out rate limit on %s: %w", req.URL.Path, err)
		}
	}
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

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// seconds converts fractional seconds to a duration, saturating instead of overflowing.
func seconds(s float64) time.Duration {
	if s >= float64(math.MaxInt64)/float64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(s * float64(time.Second))
}
