package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slopguard/slopguard/moderation"
)

// DefaultDiscordAPIURL is Discord's REST API, without the version.
const DefaultDiscordAPIURL = "https://discord.com/api"

// DiscordIntents are the gateway intent names a config may list.
var DiscordIntents = []string{"guilds", "guild_messages", "message_content", "direct_messages"}

// DiscordConfig configures the Discord bot. The token comes only from the
// environment (SLOPGUARD_DISCORD_TOKEN or SLOPGUARD_DISCORD_TOKEN_FILE).
type DiscordConfig struct {
	// Enabled turns the bot on; it is on when a token is configured.
	Enabled bool `yaml:"-"`
	// Token is the bot token, from the environment only.
	Token string `yaml:"-"`
	// APIURL is the REST API the bot talks to, without the version
	// (default https://discord.com/api); the gateway's address is asked
	// from it too (GET /gateway). Set it for a Discord-compatible server
	// such as Spacebar. Plain http is accepted only for a loopback host.
	APIURL string `yaml:"api_url"`
	// Intents are the gateway intents requested: guilds, guild_messages,
	// message_content (privileged) and direct_messages.
	Intents []string `yaml:"intents"`
	// ShardID and ShardCount split a large bot across processes; 0 and 1 means one process.
	ShardID    int `yaml:"shard_id"`
	ShardCount int `yaml:"shard_count"`
	// Workers is how many messages are scored at once.
	Workers int `yaml:"workers"`
	// QueueSize is how many messages may wait for a worker; more are dropped and counted.
	QueueSize int `yaml:"queue_size"`
	// MinChars is the shortest message (in characters) worth judging.
	MinChars int `yaml:"min_chars"`
	// IncludeBots checks messages from other bots and webhooks too; off by default.
	IncludeBots bool `yaml:"include_bots"`
	// Defaults are the settings of a server that has not run /slopguard setup.
	Defaults DiscordGuildDefaults `yaml:"defaults"`
}

// DiscordGuildDefaults are the per-server settings a server starts with.
type DiscordGuildDefaults struct {
	// Mode is off, observe, flag (default) or enforce.
	Mode moderation.Mode `yaml:"mode"`
	// Threshold flags messages at or above it; 0 means the model's own.
	Threshold float64 `yaml:"threshold"`
	// EnforceThreshold is the stricter score enforce mode acts at; 0 means
	// halfway from the flag threshold (the loaded model's when Threshold is
	// 0) to 1, as moderation.DefaultEnforceThreshold, so enforce stays the
	// stricter tier whatever the model.
	EnforceThreshold float64 `yaml:"enforce_threshold"`
	// Strikes is how many enforce-level messages within StrikeWindow trigger action.
	Strikes int `yaml:"strikes"`
	// StrikeWindow is how long a strike counts.
	StrikeWindow time.Duration `yaml:"strike_window"`
	// Timeout is how long enforce mode times an author out; 0 never times out; at most 28 days.
	Timeout time.Duration `yaml:"timeout"`
	// Delete makes enforce mode delete the message.
	Delete bool `yaml:"delete"`
	// ExemptThreads skips every thread.
	ExemptThreads bool `yaml:"exempt_threads"`
}

func defaultDiscord() DiscordConfig {
	return DiscordConfig{
		APIURL:     DefaultDiscordAPIURL,
		Intents:    []string{"guilds", "guild_messages", "message_content"},
		ShardCount: 1,
		Workers:    4,
		QueueSize:  256,
		MinChars:   80,
		Defaults: DiscordGuildDefaults{
			Mode:         moderation.ModeFlag,
			Strikes:      3,
			StrikeWindow: 7 * 24 * time.Hour,
			Timeout:      time.Hour,
			Delete:       true,
		},
	}
}

func (d *DiscordConfig) applyEnv(getenv Getenv) error {
	tok, err := secret(getenv, "SLOPGUARD_DISCORD_TOKEN")
	if err != nil {
		return err
	}
	if tok != "" {
		d.Token = tok
		d.Enabled = true
	}
	if v := getenv("SLOPGUARD_DISCORD_API_URL"); v != "" {
		d.APIURL = v
	}
	return nil
}

// validateAPIURL checks discord.api_url: an http(s) URL without user
// information, query or fragment, https unless the host is loopback (the
// bot token goes with every request). Errors never show a password.
func validateAPIURL(raw string) error {
	u, err := parseHTTPURL("discord.api_url", raw)
	if err != nil {
		return err
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("discord.api_url: %q has a query or fragment", u.Redacted())
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return fmt.Errorf("discord.api_url: %q sends the bot token in clear; use https (http only for a loopback host)", u.Redacted())
	}
	return nil
}

func (d DiscordConfig) validate() []error {
	var errs []error
	if err := validateAPIURL(d.APIURL); err != nil {
		errs = append(errs, err)
	}
	if !slices.Contains(d.Intents, "guilds") {
		errs = append(errs, errors.New("discord.intents: must include guilds (the channel cache that category and thread exemptions need)"))
	}
	for _, in := range d.Intents {
		if !knownIntent(in) {
			errs = append(errs, fmt.Errorf("discord.intents: %q is not one of %s", in, strings.Join(DiscordIntents, ", ")))
		}
	}
	if d.ShardCount < 1 {
		errs = append(errs, fmt.Errorf("discord.shard_count: %d is below 1", d.ShardCount))
	} else if d.ShardID < 0 || d.ShardID >= d.ShardCount {
		errs = append(errs, fmt.Errorf("discord.shard_id: %d is not in [0, %d)", d.ShardID, d.ShardCount))
	}
	if d.Workers < 1 {
		errs = append(errs, fmt.Errorf("discord.workers: %d is below 1", d.Workers))
	}
	if d.QueueSize < 1 {
		errs = append(errs, fmt.Errorf("discord.queue_size: %d is below 1", d.QueueSize))
	}
	if d.MinChars < 0 {
		errs = append(errs, fmt.Errorf("discord.min_chars: %d is negative", d.MinChars))
	}
	g := d.Defaults
	for _, e := range g.rules().Check() {
		errs = append(errs, fmt.Errorf("discord.defaults.%w", e))
	}
	// Whether the enforce threshold is below the model's is checked when
	// the model is loaded (discord.New), as config does not know it.
	if g.Threshold > 0 && g.EnforceThreshold > 0 && g.EnforceThreshold < g.Threshold {
		errs = append(errs, fmt.Errorf("discord.defaults.enforce_threshold: %g is below threshold %g", g.EnforceThreshold, g.Threshold))
	}
	return errs
}

// rules are the defaults moderation.GuildRules checks, the same rules a
// server's own settings are held to.
func (g DiscordGuildDefaults) rules() moderation.GuildRules {
	return moderation.GuildRules{
		Mode: g.Mode, Threshold: g.Threshold, EnforceThreshold: g.EnforceThreshold,
		Strikes: g.Strikes, StrikeWindow: g.StrikeWindow, Timeout: g.Timeout,
	}
}

func knownIntent(name string) bool { return slices.Contains(DiscordIntents, name) }
