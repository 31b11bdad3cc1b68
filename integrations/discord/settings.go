package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// SettingsKey is the store key under which a guild's Settings are kept; the
// store scope is the guild ID.
const SettingsKey = "discord.settings"

// MaxTimeout is the longest timeout Discord allows.
const MaxTimeout = moderation.MaxDiscordTimeout

// Settings is one server's configuration, changed with /slopguard commands
// and kept in the store.
type Settings struct {
	// Mode is off, observe, flag or enforce.
	Mode moderation.Mode
	// ModLogChannel is where flags and appeals are posted; empty means nowhere.
	ModLogChannel string
	// Threshold flags messages scoring at or above it; 0 means the model's own.
	Threshold float64
	// EnforceThreshold is the stricter score at or above which enforce mode
	// acts; 0 means halfway from the flag threshold to 1
	// (moderation.DefaultEnforceThreshold).
	EnforceThreshold float64
	// Strikes is how many enforce-level messages within StrikeWindow it takes before acting.
	Strikes int
	// StrikeWindow is how long a strike counts.
	StrikeWindow time.Duration
	// Timeout is how long enforce mode times an author out; 0 means no timeout.
	Timeout time.Duration
	// Delete makes enforce mode delete the message.
	Delete bool
	// ExemptRoles, ExemptChannels and ExemptCategories are IDs never checked.
	// A channel exemption covers the threads in it.
	ExemptRoles      []string
	ExemptChannels   []string
	ExemptCategories []string
	// ExemptThreads skips every thread.
	ExemptThreads bool
}

// settingsJSON is Settings' stored form, with durations written as "1h0m0s".
// Every key is written, zero or empty too: a stored value is read on top of
// the operator's defaults, so an omitted key would turn a server's explicit
// 0 (the model's threshold), "" or empty list back into the default. Values
// stored before every key was written still load; their missing keys keep
// the defaults.
type settingsJSON struct {
	Mode             moderation.Mode `json:"mode"`
	ModLogChannel    string          `json:"modlog_channel"`
	Threshold        float64         `json:"threshold"`
	EnforceThreshold float64         `json:"enforce_threshold"`
	Strikes          int             `json:"strikes"`
	StrikeWindow     string          `json:"strike_window"`
	Timeout          string          `json:"timeout"`
	Delete           bool            `json:"delete"`
	ExemptRoles      []string        `json:"exempt_roles"`
	ExemptChannels   []string        `json:"exempt_channels"`
	ExemptCategories []string        `json:"exempt_categories"`
	ExemptThreads    bool            `json:"exempt_threads"`
}

// MarshalJSON writes the stored form.
func (s Settings) MarshalJSON() ([]byte, error) {
	return json.Marshal(settingsJSON{
		Mode: s.Mode, ModLogChannel: s.ModLogChannel, Threshold: s.Threshold,
		EnforceThreshold: s.EnforceThreshold, Strikes: s.Strikes,
		StrikeWindow: s.StrikeWindow.String(), Timeout: s.Timeout.String(), Delete: s.Delete,
		ExemptRoles: s.ExemptRoles, ExemptChannels: s.ExemptChannels,
		ExemptCategories: s.ExemptCategories, ExemptThreads: s.ExemptThreads,
	})
}

// UnmarshalJSON reads the stored form on top of s, so keys a stored value
// lacks keep the values s already has.
func (s *Settings) UnmarshalJSON(b []byte) error {
	j := settingsJSON{
		Mode: s.Mode, ModLogChannel: s.ModLogChannel, Threshold: s.Threshold,
		EnforceThreshold: s.EnforceThreshold, Strikes: s.Strikes,
		StrikeWindow: s.StrikeWindow.String(), Timeout: s.Timeout.String(), Delete: s.Delete,
		ExemptRoles: s.ExemptRoles, ExemptChannels: s.ExemptChannels,
		ExemptCategories: s.ExemptCategories, ExemptThreads: s.ExemptThreads,
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	window, err := time.ParseDuration(j.StrikeWindow)
	if err != nil {
		return fmt.Errorf("strike_window: %w", err)
	}
	timeout, err := time.ParseDuration(j.Timeout)
	if err != nil {
		return fmt.Errorf("timeout: %w", err)
	}
	*s = Settings{
		Mode: j.Mode, ModLogChannel: j.ModLogChannel, Threshold: j.Threshold,
		EnforceThreshold: j.EnforceThreshold, Strikes: j.Strikes, StrikeWindow: window,
		Timeout: timeout, Delete: j.Delete, ExemptRoles: nilIfEmpty(j.ExemptRoles),
		ExemptChannels: nilIfEmpty(j.ExemptChannels), ExemptCategories: nilIfEmpty(j.ExemptCategories),
		ExemptThreads: j.ExemptThreads,
	}
	return nil
}

// nilIfEmpty returns nil for an empty list, so a list read back as [] or
// null is the same.
func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// Validate reports every problem in the settings at once, by the rules
// moderation.GuildRules holds the operator's defaults to as well.
func (s Settings) Validate() error {
	var errs []error
	rules := moderation.GuildRules{
		Mode: s.Mode, Threshold: s.Threshold, EnforceThreshold: s.EnforceThreshold,
		Strikes: s.Strikes, StrikeWindow: s.StrikeWindow, Timeout: s.Timeout,
	}
	for _, e := range rules.Check() {
		// Named as the slash command's options are: "strike window".
		errs = append(errs, fmt.Errorf("%s: %s", strings.ReplaceAll(e.Field, "_", " "), e.Problem))
	}
	return errors.Join(errs...)
}

// ValidateFor is Validate plus the checks that need the loaded model's own
// flag threshold: an explicit enforce threshold must not be below the flag
// threshold (the model's when the server's is 0), or every flag would also
// be an enforcement.
func (s Settings) ValidateFor(model float64) error {
	err := s.Validate()
	if flag := s.FlagThreshold(model); s.EnforceThreshold > 0 && s.EnforceThreshold < flag {
		which := "the flag threshold"
		if s.Threshold == 0 {
			which = "the model's flag threshold"
		}
		err = errors.Join(err, fmt.Errorf("enforce threshold: %.4g is below %s %.4g (0 means halfway from it to 1, %.4g)",
			s.EnforceThreshold, which, flag, moderation.DefaultEnforceThreshold(flag)))
	}
	return err
}

// FlagThreshold is the score at or above which a message is flagged: the
// server's threshold, or model when the server leaves it at 0.
func (s Settings) FlagThreshold(model float64) float64 {
	return s.Thresholds(model).Flag
}

// ActThreshold is the score at or above which enforce mode acts: the
// server's enforce threshold, never below the flag threshold, or halfway
// from the flag threshold to 1 when the server leaves it at 0.
func (s Settings) ActThreshold(model float64) float64 {
	return s.Thresholds(model).Enforce
}

// Thresholds are the server's two thresholds for a model whose own flag
// threshold is model, as moderation.ScoreOutcome reads them.
func (s Settings) Thresholds(model float64) moderation.Thresholds {
	return moderation.ResolveThresholds(s.Threshold, s.EnforceThreshold, model)
}

func (s Settings) clone() Settings {
	s.ExemptRoles = slices.Clone(s.ExemptRoles)
	s.ExemptChannels = slices.Clone(s.ExemptChannels)
	s.ExemptCategories = slices.Clone(s.ExemptCategories)
	return s
}

// settingsStore reads and writes guild settings through the store, with a
// short-lived cache so a busy server does not read the database per message.
type settingsStore struct {
	store    store.Store
	defaults Settings
	ttl      time.Duration
	now      func() time.Time

	mu     sync.Mutex // guards cache
	cache  map[string]cachedSettings
	update sync.Mutex // serialises modify
}

type cachedSettings struct {
	s       Settings
	expires time.Time
}

// get returns the guild's settings, the defaults when it has none.
func (ss *settingsStore) get(ctx context.Context, guildID string) (Settings, error) {
	now := ss.now()
	ss.mu.Lock()
	c, ok := ss.cache[guildID]
	ss.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.s.clone(), nil
	}
	s := ss.defaults.clone()
	b, err := ss.store.Setting(ctx, guildID, SettingsKey)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return Settings{}, fmt.Errorf("read settings of guild %s: %w", guildID, err)
	default:
		if err := json.Unmarshal(b, &s); err != nil {
			return Settings{}, fmt.Errorf("decode settings of guild %s: %w", guildID, err)
		}
	}
	ss.put(guildID, s, now)
	return s.clone(), nil
}

func (ss *settingsStore) put(guildID string, s Settings, now time.Time) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.cache == nil {
		ss.cache = make(map[string]cachedSettings)
	}
	ss.cache[guildID] = cachedSettings{s: s.clone(), expires: now.Add(ss.ttl)}
}

// forget drops the guild's cached settings.
func (ss *settingsStore) forget(guildID string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.cache, guildID)
}

// modify applies change to the guild's current settings, validates the
// result and stores it. Updates are serialised within the process.
func (ss *settingsStore) modify(ctx context.Context, guildID string, change func(*Settings) error) (Settings, error) {
	ss.update.Lock()
	defer ss.update.Unlock()
	ss.mu.Lock()
	delete(ss.cache, guildID)
	ss.mu.Unlock()
	s, err := ss.get(ctx, guildID)
	if err != nil {
		return Settings{}, err
	}
	if err := change(&s); err != nil {
		return Settings{}, err
	}
	if err := s.Validate(); err != nil {
		return Settings{}, err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return Settings{}, fmt.Errorf("encode settings of guild %s: %w", guildID, err)
	}
	if err := ss.store.PutSetting(ctx, guildID, SettingsKey, b); err != nil {
		return Settings{}, fmt.Errorf("store settings of guild %s: %w", guildID, err)
	}
	ss.put(guildID, s, ss.now())
	return s.clone(), nil
}
