package discord

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// writeGlobal429 answers as Discord does when the bot's global rate limit
// is hit: the headers given as name, value pairs, status 429, and a JSON
// body with retry_after (in seconds).
func writeGlobal429(w http.ResponseWriter, retryAfter string, header ...string) {
	for i := 0; i+1 < len(header); i += 2 {
		w.Header().Set(header[i], header[i+1])
	}
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprintf(w, `{"message": "You are being rate limited.", "retry_after": %s, "global": true}`, retryAfter)
}

func TestRateLimitedPostIsRetriedAfterRetryAfter(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	post := "POST /channels/" + modlogID + "/messages"
	h.api.limited[post] = 1
	h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
	calls := h.api.Calls()
	wantPaths(t, calls, post, post)
	if calls[0].Raw != calls[1].Raw {
		t.Errorf("the retry sent a different body:\n%s\n%s", calls[0].Raw, calls[1].Raw)
	}
	// Retry-After: 2 beats the body's retry_after: 1.5.
	if got := h.api.Sleeps(); len(got) != 1 || got[0] != 2*time.Second {
		t.Errorf("waits: got %v, want [2s]", got)
	}
	if owned, _, _ := h.store.ClaimMessage(context.Background(), ownedKey("1001")); owned == "" {
		t.Errorf("the post was not recorded after the retry")
	}
}

func TestRateLimitGivesUpAfterMaxRetries(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t)
	post := "POST /channels/" + modlogID + "/messages"
	f.limited[post] = 10
	_, err := f.session().ChannelMessageSendComplex(modlogID, &discordgo.MessageSend{Content: "hi"})
	var rl *discordgo.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("got error %v, want a *discordgo.RateLimitError", err)
	}
	if got := len(f.Calls()); got != 4 {
		t.Errorf("requests: got %d, want 4 (one and three retries)", got)
	}
	if got := len(f.Sleeps()); got != 3 {
		t.Errorf("waits: got %d, want 3", got)
	}
}

func TestRetryTransport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		header    http.Header
		body      string
		wantWaits []time.Duration
		wantCode  int
	}{
		{"header only", http.Header{"Retry-After": {"3"}}, `{}`, []time.Duration{3 * time.Second}, 200},
		{"body only", nil, `{"retry_after": 0.25}`, []time.Duration{250 * time.Millisecond}, 200},
		{"longer body wins", http.Header{"Retry-After": {"1"}}, `{"retry_after": 1.75}`, []time.Duration{1750 * time.Millisecond}, 200},
		{"global", http.Header{"Retry-After": {"1"}, "X-Ratelimit-Global": {"true"}}, `{"retry_after": 1, "global": true}`, []time.Duration{time.Second}, 200},
		{"too long to wait", http.Header{"Retry-After": {"3600"}}, `{}`, nil, 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var bodies []string
			n := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				bodies = append(bodies, string(b))
				n++
				first := n == 1
				mu.Unlock()
				if first {
					for k, v := range tt.header {
						w.Header()[k] = v
					}
					w.WriteHeader(http.StatusTooManyRequests)
					io.WriteString(w, tt.body)
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			t.Cleanup(srv.Close)
			var waits []time.Duration
			var globals []bool
			rt := &RetryTransport{
				Sleep:   func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
				OnRetry: func(_ *http.Request, _ time.Duration, global bool) { globals = append(globals, global) },
			}
			req, _ := http.NewRequest("POST", srv.URL+"/x", strings.NewReader(`{"a":1}`))
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantCode {
				t.Errorf("status: got %d, want %d", resp.StatusCode, tt.wantCode)
			}
			if len(waits) != len(tt.wantWaits) || (len(waits) > 0 && waits[0] != tt.wantWaits[0]) {
				t.Errorf("waits: got %v, want %v", waits, tt.wantWaits)
			}
			if tt.name == "global" && (len(globals) != 1 || !globals[0]) {
				t.Errorf("global: got %v, want [true]", globals)
			}
			for i, b := range bodies {
				if b != `{"a":1}` {
					t.Errorf("request %d body: got %q, want the original", i, b)
				}
			}
		})
	}
}

func TestRetryTransportStopsWithContext(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The real timer: cancelling just before the 5 s wait must end it at once.
	rt := &RetryTransport{OnRetry: func(*http.Request, time.Duration, bool) { cancel() }}
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	_, err := rt.RoundTrip(req)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "wait out rate limit") {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// TestGlobalPauseSparesInteractionCallbacks: Discord does not count
// interaction endpoints against the bot's global limit, so a global 429 must
// not hold the answers users wait for (three seconds for the first one),
// while other requests wait it out.
func TestGlobalPauseSparesInteractionCallbacks(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if first {
			writeGlobal429(w, "5", "X-RateLimit-Global", "true")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	var waits []string
	rt := &RetryTransport{
		MaxRetries: -1, // hand the first 429 back: the pause is what is tested
		Sleep:      func(_ context.Context, d time.Duration) error { return nil },
		OnRetry:    func(r *http.Request, d time.Duration, _ bool) { waits = append(waits, r.URL.Path) },
	}
	send := func(path string) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(`{}`))
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		resp.Body.Close()
	}
	send("/api/v10/channels/1/messages") // answered with the global 429
	waits = nil
	for _, path := range []string{
		"/api/v10/interactions/123/tok/callback",
		"/api/v10/webhooks/700/tok/messages/@original",
		"/api/v10/webhooks/700/tok",
	} {
		send(path)
	}
	if len(waits) != 0 {
		t.Errorf("interaction requests waited for the global pause: %v", waits)
	}
	send("/api/v10/channels/1/messages")
	if len(waits) != 1 {
		t.Errorf("a channel message after a global 429: waits %v, want one", waits)
	}
}

func TestGlobalRateLimitPausesLaterRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	var hits atomic.Int32
	next := h.api.srv.Config.Handler
	h.api.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v"+discordgo.APIVersion+"/channels/") {
			hits.Add(1)
			// Discord's documented global 429.
			writeGlobal429(w, "64.57", "Content-Type", "application/json", "Retry-After", "65",
				"X-RateLimit-Global", "true", "X-RateLimit-Scope", "global")
			return
		}
		next.ServeHTTP(w, r)
	})
	for i := range 20 {
		h.bot.process(context.Background(), job{msg: msg(fmt.Sprint(2000+i), slopText)})
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("after a global 429 (retry after 65 s) the bot sent %d requests, want 1", n)
	}
}

func TestRateLimitWithoutUsableWaitIsNotRetried(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	f := newFakeDiscord(t)
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `<html><title>Access denied | discord.com used Cloudflare to restrict access</title>error code: 1015</html>`)
	})
	s := f.session()
	for range 3 {
		_, _ = s.ChannelMessageSendComplex(modlogID, &discordgo.MessageSend{Content: "hi"})
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("a 429 without Retry-After: %d requests sent, want 1 (then a pause)", n)
	}
	if waits := f.Sleeps(); len(waits) != 0 {
		t.Errorf("waits %v, want none: a minute's pause is longer than a request may wait", waits)
	}
}

// TestRetryTransportRemembersPauses drives the transport with a fake clock:
// a global 429, or one with no usable wait, pauses every later request,
// which waits out what is left or fails unsent when that is too long.
func TestRetryTransportRemembersPauses(t *testing.T) {
	t.Parallel()
	type step struct {
		after     time.Duration // the clock moves this far before the request
		wantSends int
		wantWaits []time.Duration
		wantCode  int // 0: failed unsent with ErrRateLimited
	}
	global := http.Header{"Retry-After": {"30"}, "X-Ratelimit-Global": {"true"}, "Content-Type": {"application/json"}}
	tests := []struct {
		name   string
		header http.Header
		body   string
		steps  []step
	}{
		{"global, longer than MaxWait", global, `{"retry_after": 30, "global": true}`, []step{
			{0, 1, nil, 429},
			{0, 0, nil, 0},
			{25 * time.Second, 1, []time.Duration{5 * time.Second}, 200},
			{0, 1, nil, 200},
		}},
		{"global by scope and body only", http.Header{"Retry-After": {"30"}, "X-Ratelimit-Scope": {"global"}}, `{"retry_after": 30}`, []step{
			{0, 1, nil, 429},
			{0, 0, nil, 0},
		}},
		{"global, short: waited out and retried", http.Header{"Retry-After": {"2"}, "X-Ratelimit-Global": {"true"}}, `{"global": true}`, []step{
			{0, 2, []time.Duration{2 * time.Second}, 200},
			{0, 1, nil, 200},
		}},
		{"Cloudflare: no usable wait", http.Header{"Content-Type": {"text/html"}}, `<html>error code: 1015</html>`, []step{
			{0, 1, nil, 429},
			{0, 0, nil, 0},
			{55 * time.Second, 1, []time.Duration{5 * time.Second}, 200},
		}},
		{"route limit: not remembered", http.Header{"Retry-After": {"30"}}, `{"retry_after": 30, "global": false}`, []step{
			{0, 1, nil, 429},
			{0, 1, nil, 200},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			var sends int
			var waits []time.Duration
			rt := &RetryTransport{
				MaxWait: 10 * time.Second,
				Now:     func() time.Time { return clock },
				Sleep: func(_ context.Context, d time.Duration) error {
					waits = append(waits, d)
					clock = clock.Add(d)
					return nil
				},
				Base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
					sends++
					if sends == 1 {
						return &http.Response{StatusCode: http.StatusTooManyRequests, Header: tt.header, Body: io.NopCloser(strings.NewReader(tt.body)), Request: r}, nil
					}
					return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}, nil
				}),
			}
			for i, st := range tt.steps {
				clock = clock.Add(st.after)
				before := sends
				waits = nil
				req, _ := http.NewRequest("POST", "https://discord.test/api/v10/channels/1/messages", strings.NewReader(`{"a":1}`))
				resp, err := rt.RoundTrip(req)
				code := 0
				if err == nil {
					code = resp.StatusCode
					resp.Body.Close()
				} else if !errors.Is(err, ErrRateLimited) {
					t.Fatalf("request %d: got error %v, want ErrRateLimited or an answer", i, err)
				}
				if code != st.wantCode || sends-before != st.wantSends || !slices.Equal(waits, st.wantWaits) {
					t.Errorf("request %d: status %d, sent %d times, waits %v; want %d, %d, %v", i, code, sends-before, waits, st.wantCode, st.wantSends, st.wantWaits)
				}
			}
		})
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestRetryTransportDoesNotWaitPastTheClientTimeout: a wait within MaxWait
// but longer than the http.Client's Timeout leaves is handed back at once,
// not started and then cut off by the timeout.
func TestRetryTransportDoesNotWaitPastTheClientTimeout(t *testing.T) {
	t.Parallel()
	var sends atomic.Int32
	var waits []time.Duration
	client := &http.Client{Timeout: 3 * time.Second, Transport: &RetryTransport{
		MaxWait: time.Minute,
		Sleep:   func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
		Base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sends.Add(1)
			return &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"5"}},
				Body: io.NopCloser(strings.NewReader(`{"retry_after": 5}`)), Request: r}, nil
		}),
	}}
	resp, err := client.Get("https://discord.test/api/v10/gateway")
	if err != nil {
		t.Fatalf("got %v, want the 429 handed back", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || sends.Load() != 1 || len(waits) != 0 {
		t.Errorf("status %d, sent %d, waits %v; want 429 at once", resp.StatusCode, sends.Load(), waits)
	}
}

// TestGlobalLimitHandedBackDoesNotLockDiscordgo: a global 429 too long to
// wait out is handed back to discordgo, whose own limiter would then hold
// every bucket, interaction answers included, for the whole wait (in a
// time.Sleep no context ends) when the answer carries X-RateLimit-Global
// and X-RateLimit-Reset-After. RetryTransport keeps the global pause
// itself, sparing interaction answers, so discordgo must not see it.
func TestGlobalLimitHandedBackDoesNotLockDiscordgo(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeGlobal429(w, "60", "Content-Type", "application/json", "X-RateLimit-Global", "true",
			"X-RateLimit-Scope", "global", "Retry-After", "60", "X-RateLimit-Reset-After", "60")
	}))
	t.Cleanup(srv.Close)
	api, err := url.Parse(srv.URL + "/api")
	if err != nil {
		t.Fatal(err)
	}
	s, err := discordgo.New("Bot test")
	if err != nil {
		t.Fatal(err)
	}
	s.ShouldRetryOnRateLimit = false
	s.Client = &http.Client{Timeout: 5 * time.Second, Transport: &RetryTransport{Base: &EndpointTransport{API: api}, MaxWait: time.Second}}
	if _, err := s.ChannelMessageSend("1", "hello"); err == nil {
		t.Fatal("send: want the 429 as an error")
	}
	b := s.Ratelimiter.GetBucket(discordgo.EndpointInteractionResponse("123", "tok"))
	if wait := s.Ratelimiter.GetWaitTime(b, 1); wait > 0 {
		t.Errorf("discordgo holds an interaction answer for %v after the global 429 was handed back", wait)
	}
}
