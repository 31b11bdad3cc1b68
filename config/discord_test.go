package config

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slopguard/slopguard/moderation"
)

func TestDiscordDefaultsValidate(t *testing.T) {
	t.Parallel()
	if errs := defaultDiscord().validate(); len(errs) != 0 {
		t.Fatalf("default discord config: got errors %v, want none", errs)
	}
	if d := defaultDiscord(); d.Enabled || d.Defaults.Mode != moderation.ModeFlag {
		t.Errorf("default: got enabled=%v mode=%s, want false flag", d.Enabled, d.Defaults.Mode)
	}
}

func TestDiscordParse(t *testing.T) {
	t.Parallel()
	yml := `
discord:
  intents: [guilds, guild_messages]
  shard_id: 1
  shard_count: 4
  workers: 8
  queue_size: 10
  min_chars: 20
  include_bots: true
  defaults:
    mode: enforce
    threshold: 0.8
    enforce_threshold: 0.95
    strikes: 2
    strike_window: 24h
    timeout: 30m
    delete: false
    exempt_threads: true
`
	cfg := Default()
	if err := Parse([]byte(yml), &cfg); err != nil {
		t.Fatalf("parse: %v", err)
	}
	d := cfg.Discord
	want := DiscordGuildDefaults{Mode: moderation.ModeEnforce, Threshold: 0.8, EnforceThreshold: 0.95, Strikes: 2,
		StrikeWindow: 24 * time.Hour, Timeout: 30 * time.Minute, Delete: false, ExemptThreads: true}
	if d.Defaults != want {
		t.Errorf("defaults: got %+v, want %+v", d.Defaults, want)
	}
	if strings.Join(d.Intents, ",") != "guilds,guild_messages" || d.ShardID != 1 || d.ShardCount != 4 ||
		d.Workers != 8 || d.QueueSize != 10 || d.MinChars != 20 || !d.IncludeBots {
		t.Errorf("got %+v, want the values in the YAML", d)
	}
	if errs := d.validate(); len(errs) != 0 {
		t.Errorf("validate: got %v, want none", errs)
	}
}

func TestDiscordToken(t *testing.T) {
	t.Parallel()
	file := writeTemp(t, "token", "Bot abc.def\n")
	empty := writeTemp(t, "empty", "\n")
	tests := []struct {
		name        string
		env         map[string]string
		wantToken   string
		wantEnabled bool
		wantErr     string
	}{
		{"none", nil, "", false, ""},
		{"env", map[string]string{"SLOPGUARD_DISCORD_TOKEN": "tok"}, "tok", true, ""},
		{"file", map[string]string{"SLOPGUARD_DISCORD_TOKEN_FILE": file}, "Bot abc.def", true, ""},
		{"both", map[string]string{"SLOPGUARD_DISCORD_TOKEN": "a", "SLOPGUARD_DISCORD_TOKEN_FILE": file}, "", false, "both set"},
		{"missing file", map[string]string{"SLOPGUARD_DISCORD_TOKEN_FILE": filepath.Join(t.TempDir(), "nope")}, "", false, "SLOPGUARD_DISCORD_TOKEN_FILE"},
		{"empty file", map[string]string{"SLOPGUARD_DISCORD_TOKEN_FILE": empty}, "", false, "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := defaultDiscord()
			if checkErr(t, d.applyEnv(func(k string) string { return tt.env[k] }), tt.wantErr) {
				return
			}
			if d.Token != tt.wantToken || d.Enabled != tt.wantEnabled {
				t.Errorf("got token %q enabled %v, want %q %v", d.Token, d.Enabled, tt.wantToken, tt.wantEnabled)
			}
		})
	}
}

func TestDiscordValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*DiscordConfig)
		want   string
	}{
		{"unknown intent", func(d *DiscordConfig) { d.Intents = []string{"guilds", "presences"} }, `"presences" is not one of`},
		{"no intents", func(d *DiscordConfig) { d.Intents = nil }, "must include guilds"},
		{"no guilds intent", func(d *DiscordConfig) { d.Intents = []string{"guild_messages"} }, "must include guilds"},
		{"shard id", func(d *DiscordConfig) { d.ShardID = 2; d.ShardCount = 2 }, "shard_id: 2 is not in [0, 2)"},
		{"shard count", func(d *DiscordConfig) { d.ShardCount = 0 }, "shard_count: 0"},
		{"workers", func(d *DiscordConfig) { d.Workers = 0 }, "workers: 0"},
		{"queue", func(d *DiscordConfig) { d.QueueSize = 0 }, "queue_size: 0"},
		{"min chars", func(d *DiscordConfig) { d.MinChars = -1 }, "min_chars"},
		{"threshold", func(d *DiscordConfig) { d.Defaults.Threshold = 1.5 }, "defaults.threshold"},
		{"enforce below flag", func(d *DiscordConfig) { d.Defaults.Threshold = 0.9; d.Defaults.EnforceThreshold = 0.8 }, "below threshold"},
		{"enforce NaN", func(d *DiscordConfig) { d.Defaults.EnforceThreshold = math.NaN() }, "enforce_threshold: NaN"},
		{"enforce negative", func(d *DiscordConfig) { d.Defaults.EnforceThreshold = -0.5 }, "enforce_threshold: -0.5"},
		{"threshold NaN", func(d *DiscordConfig) { d.Defaults.Threshold = math.NaN() }, "defaults.threshold: NaN"},
		{"strikes", func(d *DiscordConfig) { d.Defaults.Strikes = 0 }, "strikes: 0"},
		{"window", func(d *DiscordConfig) { d.Defaults.StrikeWindow = 0 }, "strike_window"},
		{"timeout too long", func(d *DiscordConfig) { d.Defaults.Timeout = 29 * 24 * time.Hour }, "28 days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := defaultDiscord()
			tt.mutate(&d)
			errs := d.validate()
			var all []string
			for _, e := range errs {
				all = append(all, e.Error())
			}
			if got := strings.Join(all, "; "); !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want an error containing %q", got, tt.want)
			}
		})
	}
}

func TestDiscordAPIURL(t *testing.T) {
	t.Parallel()
	if got := defaultDiscord().APIURL; got != "https://discord.com/api" {
		t.Errorf("default api_url: got %q, want Discord's https://discord.com/api", got)
	}
	cfg := Default()
	if err := Parse([]byte("discord:\n  api_url: https://spacebar.example.org/api\n"), &cfg); err != nil || cfg.Discord.APIURL != "https://spacebar.example.org/api" {
		t.Errorf("parse api_url: got %q, %v", cfg.Discord.APIURL, err)
	}
	if err := cfg.Discord.applyEnv(func(k string) string {
		return map[string]string{"SLOPGUARD_DISCORD_API_URL": "https://other.example.org/api"}[k]
	}); err != nil || cfg.Discord.APIURL != "https://other.example.org/api" {
		t.Errorf("SLOPGUARD_DISCORD_API_URL: got %q, %v", cfg.Discord.APIURL, err)
	}
}
