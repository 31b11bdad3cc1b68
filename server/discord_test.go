package server

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/integrations/discord"
	"github.com/slopguard/slopguard/moderation"
)

func TestStartDiscordDisabledIsNoop(t *testing.T) {
	t.Parallel()
	stop, err := startDiscord(context.Background(), config.Default(), &shared{})
	if err != nil {
		t.Fatalf("got %v, want no error", err)
	}
	if err := stop(context.Background()); err != nil {
		t.Errorf("stop: got %v, want nil", err)
	}
}

func TestNewDiscordSession(t *testing.T) {
	t.Parallel()
	dc := config.Default().Discord
	dc.Token, dc.Enabled = "abc.def", true
	dc.ShardID, dc.ShardCount = 1, 3
	s, err := newDiscordSession(dc, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if s.Token != "Bot abc.def" || s.Identify.Token != "Bot abc.def" {
		t.Errorf("token: got %q, want the Bot prefix added", s.Token)
	}
	want := discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsMessageContent
	if s.Identify.Intents != want {
		t.Errorf("intents: got %d, want %d", s.Identify.Intents, want)
	}
	if s.ShardID != 1 || s.ShardCount != 3 {
		t.Errorf("shard: got %d/%d, want 1/3", s.ShardID, s.ShardCount)
	}
	if s.ShouldRetryOnRateLimit {
		t.Errorf("discordgo's own 429 retry is on; RetryTransport should be the only one")
	}
	if _, ok := s.Client.Transport.(*discord.RetryTransport); !ok {
		t.Errorf("transport: got %T, want *discord.RetryTransport", s.Client.Transport)
	}

	dc.Token = ""
	if _, err := newDiscordSession(dc, slog.New(slog.DiscardHandler)); err == nil {
		t.Errorf("no token: got nil error")
	}
}

func TestDiscordIntents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		names   []string
		want    discordgo.Intent
		wantErr bool
	}{
		{[]string{"guilds"}, discordgo.IntentsGuilds, false},
		{[]string{"guilds", "guild_messages", "direct_messages"}, discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages, false},
		{[]string{"presences"}, 0, true},
	}
	for _, tt := range tests {
		got, err := discordIntents(tt.names)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("discordIntents(%v): got %d, %v; want %d, error=%v", tt.names, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestDiscordDefaultsAreValidSettings(t *testing.T) {
	t.Parallel()
	d := config.Default().Discord.Defaults
	s := discordDefaults(d)
	if err := s.Validate(); err != nil {
		t.Fatalf("default settings: %v", err)
	}
	if s.Mode != moderation.ModeFlag || s.Timeout != time.Hour || s.Strikes != 3 || !s.Delete {
		t.Errorf("got %+v, want flag mode, 1h timeout, 3 strikes, delete on", s)
	}
}
