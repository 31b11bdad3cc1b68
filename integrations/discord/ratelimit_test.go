package discord

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

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
			w.Header().Set("X-RateLimit-Global", "true")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"message": "You are being rate limited.", "retry_after": 5, "global": true}`)
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
