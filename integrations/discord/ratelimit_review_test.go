package discord

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// TestGlobalLimitHandedBackDoesNotLockDiscordgo: a global 429 too long to
// wait out is handed back to discordgo, whose own limiter would then hold
// every bucket, interaction answers included, for the whole wait (in a
// time.Sleep no context ends) when the answer carries X-RateLimit-Global
// and X-RateLimit-Reset-After. RetryTransport keeps the global pause
// itself, sparing interaction answers, so discordgo must not see it.
func TestGlobalLimitHandedBackDoesNotLockDiscordgo(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-RateLimit-Global", "true")
		w.Header().Set("X-RateLimit-Scope", "global")
		w.Header().Set("Retry-After", "60")
		w.Header().Set("X-RateLimit-Reset-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"message": "You are being rate limited.", "retry_after": 60, "global": true}`)
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
