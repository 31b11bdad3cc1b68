package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/integrations/discord"
)

// startDiscord starts the Discord bot when cfg.Discord is enabled and returns
// a function that stops it. It is called by Run after the shared
// dependencies exist; it returns a no-op stop when Discord is not configured.
func startDiscord(ctx context.Context, cfg config.Config, deps *shared) (stop func(context.Context) error, err error) {
	noop := func(context.Context) error { return nil }
	if !cfg.Discord.Enabled {
		return noop, nil
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "discord")
	s, err := newDiscordSession(cfg.Discord, log)
	if err != nil {
		return nil, err
	}
	routeDiscordgoLogs(log)
	threshold := 0.9
	if deps.Detector != nil {
		threshold = deps.Detector.Threshold()
	}
	bot, err := discord.New(discord.Options{
		API: s, Channels: s.State, Checker: deps.Checker, Store: deps.Store,
		Logger: log, Metrics: deps.Metrics,
		Defaults:       discordDefaults(cfg.Discord.Defaults),
		ModelThreshold: threshold,
		Workers:        cfg.Discord.Workers, QueueSize: cfg.Discord.QueueSize, MinChars: cfg.Discord.MinChars,
		IncludeBots: cfg.Discord.IncludeBots, StoreText: cfg.Store.StoreText, ShardID: cfg.Discord.ShardID,
		Pages: deps.discordPages(),
	})
	if err != nil {
		return nil, err
	}
	bot.AddHandlers(s)
	bot.Start()
	if err := s.Open(); err != nil {
		return nil, errors.Join(fmt.Errorf("discord: open gateway: %w", err), bot.Stop(ctx))
	}
	log.Info("discord: started", "api_url", cfg.Discord.APIURL, "shard_id", cfg.Discord.ShardID, "shard_count", cfg.Discord.ShardCount,
		"intents", strings.Join(cfg.Discord.Intents, ","))
	return func(ctx context.Context) error {
		var errs []error
		if err := s.Close(); err != nil {
			errs = append(errs, fmt.Errorf("discord: close gateway: %w", err))
		}
		if err := bot.Stop(ctx); err != nil {
			errs = append(errs, err)
		}
		log.Info("discord: stopped")
		return errors.Join(errs...)
	}, nil
}

// discordRequestTimeout bounds one Discord REST call, rate-limit waits
// included. discordMaxRateLimitWait, the longest wait RetryTransport takes,
// stays well below it: a longer wait would be cut off by the timeout anyway,
// so such a 429 is handed back at once instead.
const (
	discordRequestTimeout   = 20 * time.Second
	discordMaxRateLimitWait = discord.DefaultMaxWait
)

// newDiscordSession builds a gateway session from the config without
// connecting: token, intents, sharding, and REST calls that wait out 429s
// in RetryTransport instead of discordgo's own retry.
func newDiscordSession(dc config.DiscordConfig, log *slog.Logger) (*discordgo.Session, error) {
	token := strings.TrimSpace(dc.Token)
	if token == "" {
		return nil, errors.New("discord: no token (set SLOPGUARD_DISCORD_TOKEN or SLOPGUARD_DISCORD_TOKEN_FILE)")
	}
	if !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord: new session: %w", err)
	}
	intents, err := discordIntents(dc.Intents)
	if err != nil {
		return nil, err
	}
	s.Identify.Intents = intents
	s.ShardID, s.ShardCount = dc.ShardID, dc.ShardCount
	s.ShouldRetryOnRateLimit = false
	var base http.RoundTripper // Discord's own API: http.DefaultTransport
	if dc.APIURL != "" && strings.TrimSuffix(dc.APIURL, "/") != config.DefaultDiscordAPIURL {
		api, err := url.Parse(dc.APIURL)
		if err != nil {
			return nil, fmt.Errorf("discord: api_url: %w", err)
		}
		base = &discord.EndpointTransport{API: api}
	}
	s.Client = &http.Client{Timeout: discordRequestTimeout, Transport: &discord.RetryTransport{
		Base:    base,
		MaxWait: discordMaxRateLimitWait,
		OnRetry: func(r *http.Request, wait time.Duration, global bool) {
			log.Warn("discord: rate limited; waiting", "path", discord.RedactTokens(r.URL.Path), "wait", wait, "global", global)
		},
	}}
	s.StateEnabled = true
	s.LogLevel = discordgo.LogWarning
	return s, nil
}

// discordgoLog is the logger discordgo's own lines go to: discordgo.Logger
// is one package variable, set once, that reads it.
var (
	discordgoLog     atomic.Pointer[slog.Logger]
	discordgoLogOnce sync.Once
)

// routeDiscordgoLogs sends discordgo's own log lines (gateway reconnects,
// websocket errors) to log instead of the standard logger.
func routeDiscordgoLogs(log *slog.Logger) {
	discordgoLog.Store(log)
	discordgoLogOnce.Do(func() {
		levels := map[int]slog.Level{
			discordgo.LogError: slog.LevelError, discordgo.LogWarning: slog.LevelWarn,
			discordgo.LogInformational: slog.LevelInfo, discordgo.LogDebug: slog.LevelDebug,
		}
		discordgo.Logger = func(msgL, _ int, format string, a ...any) {
			discordgoLog.Load().Log(context.Background(), levels[msgL], "discordgo: "+fmt.Sprintf(format, a...))
		}
	})
}

// discordIntents maps config intent names to gateway intent bits.
func discordIntents(names []string) (discordgo.Intent, error) {
	bits := map[string]discordgo.Intent{
		"guilds":          discordgo.IntentsGuilds,
		"guild_messages":  discordgo.IntentsGuildMessages,
		"message_content": discordgo.IntentsMessageContent,
		"direct_messages": discordgo.IntentsDirectMessages,
	}
	var in discordgo.Intent
	for _, n := range names {
		b, ok := bits[n]
		if !ok {
			return 0, fmt.Errorf("discord: unknown intent %q", n)
		}
		in |= b
	}
	return in, nil
}

// discordDefaults turns the config's per-server defaults into the bot's Settings.
func discordDefaults(d config.DiscordGuildDefaults) discord.Settings {
	return discord.Settings{
		Mode: d.Mode, Threshold: d.Threshold, EnforceThreshold: d.EnforceThreshold,
		Strikes: d.Strikes, StrikeWindow: d.StrikeWindow, Timeout: d.Timeout,
		Delete: d.Delete, ExemptThreads: d.ExemptThreads,
	}
}
