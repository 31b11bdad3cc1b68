package discord

import (
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// TestDiscordServerErrors: Discord answers the mod-log post with a server
// error. The bot makes a bounded number of attempts, posts no duplicate,
// logs one failure line, still records the decision, and handles the next
// message normally once Discord is back.
func TestDiscordServerErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		code      int
		wantPosts int32 // discordgo itself re-sends a 502 up to MaxRestRetries (3) times, without backoff
	}{
		{"500", http.StatusInternalServerError, 1},
		{"502", http.StatusBadGateway, 4},
		{"503", http.StatusServiceUnavailable, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			h := newHarness(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
			var posts, failing atomic.Int32
			failing.Store(1)
			next := h.api.srv.Config.Handler
			h.api.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/channels/"+modlogID+"/messages") && failing.Load() == 1 {
					posts.Add(1)
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(tt.code)
					w.Write([]byte(`{"message": "server error", "code": 0}`))
					return
				}
				next.ServeHTTP(w, r)
			})
			h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1001", slopText)})
			h.bot.Stop(t.Context())
			if got := posts.Load(); got != tt.wantPosts {
				t.Errorf("got %d mod-log posts, want %d", got, tt.wantPosts)
			}
			if n := strings.Count(logs.String(), "level=ERROR") + strings.Count(logs.String(), "level=WARN"); n != 1 {
				t.Errorf("got %d warning/error lines, want 1:\n%s", n, logs)
			}
			if ds := h.decisions(t); len(ds) != 1 {
				t.Errorf("got %d decisions, want 1", len(ds))
			}

			failing.Store(0)
			h2 := newHarness(t, func(o *Options) { o.Store = h.store; o.API = h.api.session() })
			h2.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1002", slopText)})
			h2.drain(t)
			if ds := h.decisions(t); len(ds) != 2 {
				t.Errorf("after recovery: got %d decisions, want 2", len(ds))
			}
		})
	}
}
