package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/slopguard/slopguard/internal/ctxwait"
	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// Options configure a Bot. API, Checker and Store are required.
type Options struct {
	// API makes the REST calls; a *discordgo.Session in production.
	API API
	// Channels is the gateway's channel cache, used to find a channel's
	// category and whether it is a thread; nil disables category and thread
	// exemptions.
	Channels Channels
	Checker  moderation.Checker
	Store    store.Store
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// Metrics registers the bot's collectors; nil registers nothing.
	Metrics prometheus.Registerer
	// Defaults are the settings of a server that has not changed any.
	Defaults Settings
	// ModelThreshold is the detector's own threshold, used when a server's is 0.
	ModelThreshold float64
	// Workers is how many messages are scored at once; 0 means 4.
	Workers int
	// QueueSize is how many messages may wait; 0 means 256. More are dropped and counted.
	QueueSize int
	// MinChars is the shortest text judged, in characters.
	MinChars int
	// IncludeBots checks messages from other bots and webhooks too.
	IncludeBots bool
	// StoreText keeps the scored text with each decision. The text of a
	// message the bot deletes is kept either way, for an upheld appeal.
	StoreText bool
	// ShardID is this process's shard; only shard 0 registers the commands.
	ShardID int
	// AppID and SelfID are the application's and the bot user's IDs; they are
	// learned from the gateway's Ready event when empty.
	AppID, SelfID string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// EventTimeout bounds the work done for one event; 0 means 30 seconds.
	EventTimeout time.Duration
	// Pages links to the decision pages and server dashboards; nil (or
	// links that come back "") posts none.
	Pages Pages
}

// Bot is slopguard in Discord: gateway event handlers, the scoring worker
// pool and the interaction handlers. Register its handlers with AddHandlers,
// then Start it; Stop drains the queue.
type Bot struct {
	api      API
	channels Channels
	checker  moderation.Checker
	store    store.Store
	log      *slog.Logger
	metrics  *metrics
	settings *settingsStore

	modelThreshold float64
	minChars       int
	includeBots    bool
	storeText      bool
	shardID        int
	workers        int
	now            func() time.Time
	eventTimeout   time.Duration
	pages          Pages

	ids atomic.Pointer[identity]

	dmMu      sync.Mutex      // guards dmPending
	dmPending map[string]bool // users with a DM waiting or being answered

	leftMu sync.Mutex          // guards left
	left   map[string]struct{} // guilds the bot was removed from, until it joins again

	mu      sync.RWMutex // guards closed and sends on queue
	closed  bool
	queue   chan job
	started atomic.Bool
	wg      sync.WaitGroup
	ctx     context.Context // cancelled by Stop when its deadline passes
	cancel  context.CancelFunc
}

// identity is who the bot is, learned from Ready.
type identity struct{ appID, selfID string }

// New builds a Bot from opts.
func New(opts Options) (*Bot, error) {
	var errs []error
	if opts.API == nil {
		errs = append(errs, errors.New("discord: API is required"))
	}
	if opts.Checker == nil {
		errs = append(errs, errors.New("discord: Checker is required"))
	}
	if opts.Store == nil {
		errs = append(errs, errors.New("discord: Store is required"))
	}
	if err := opts.Defaults.ValidateFor(opts.ModelThreshold); err != nil {
		errs = append(errs, fmt.Errorf("discord: default settings: %w", err))
	}
	if opts.Workers < 0 || opts.QueueSize < 0 || opts.MinChars < 0 {
		errs = append(errs, errors.New("discord: workers, queue size and min chars must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	m, err := newMetrics(opts.Metrics)
	if err != nil {
		return nil, err
	}
	b := &Bot{
		api: opts.API, channels: opts.Channels, checker: opts.Checker, store: opts.Store,
		log: opts.Logger, metrics: m,
		modelThreshold: opts.ModelThreshold, minChars: opts.MinChars,
		includeBots: opts.IncludeBots, storeText: opts.StoreText, shardID: opts.ShardID,
		workers: orDefault(opts.Workers, 4), now: opts.Now, eventTimeout: opts.EventTimeout, pages: opts.Pages,
		queue: make(chan job, orDefault(opts.QueueSize, 256)),
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.eventTimeout == 0 {
		b.eventTimeout = 30 * time.Second
	}
	b.settings = &settingsStore{store: opts.Store, defaults: opts.Defaults.clone(), ttl: 30 * time.Second, now: b.now}
	b.ids.Store(&identity{appID: opts.AppID, selfID: opts.SelfID})
	b.ctx, b.cancel = context.WithCancel(context.Background())
	return b, nil
}

// orDefault returns v, or def when v is 0.
func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Start launches the scoring workers. It returns at once; the workers run
// until Stop.
func (b *Bot) Start() {
	if !b.started.CompareAndSwap(false, true) {
		return
	}
	for range b.workers {
		b.wg.Add(1)
		go b.worker()
	}
}

// Stop refuses new messages, lets the workers finish what is queued and
// waits for them; when ctx ends first, in-flight work is cancelled.
func (b *Bot) Stop(ctx context.Context) error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()
	b.Start() // a bot never started still drains its queue
	if err := ctxwait.Drain(ctx, &b.wg, b.cancel); err != nil {
		return fmt.Errorf("discord: stop: %w", err)
	}
	return nil
}

// AddHandlers registers the bot's gateway handlers on s.
func (b *Bot) AddHandlers(s *discordgo.Session) {
	s.AddHandler(b.Ready)
	s.AddHandler(b.Connect)
	s.AddHandler(b.Disconnect)
	s.AddHandler(b.Resumed)
	s.AddHandler(b.GuildCreate)
	s.AddHandler(b.GuildDelete)
	s.AddHandler(b.MessageCreate)
	s.AddHandler(b.MessageUpdate)
	s.AddHandler(b.MessageDelete)
	s.AddHandler(b.InteractionCreate)
}

// eventContext is the context for one event's work.
func (b *Bot) eventContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, b.eventTimeout)
}

// recoverEvent turns a panic in an event handler into a log line, so one bad
// event never takes the bot down.
func (b *Bot) recoverEvent(event string, attrs ...any) {
	if r := recover(); r != nil {
		b.metrics.messages.WithLabelValues("panic").Inc()
		b.log.Error("discord: handler panicked", append(attrs, "event", event, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))...)
	}
}

func (b *Bot) selfID() string { return b.ids.Load().selfID }
func (b *Bot) appID() string  { return b.ids.Load().appID }

// Ready records who the bot is and, on shard 0, registers the commands.
func (b *Bot) Ready(_ *discordgo.Session, r *discordgo.Ready) {
	defer b.recoverEvent("ready")
	cur := *b.ids.Load()
	if r.User != nil {
		cur.selfID = r.User.ID
	}
	if r.Application != nil && r.Application.ID != "" {
		cur.appID = r.Application.ID
	} else if cur.appID == "" {
		cur.appID = cur.selfID
	}
	b.ids.Store(&cur)
	shard := ""
	if r.Shard != nil {
		shard = fmt.Sprintf("%d/%d", r.Shard[0], r.Shard[1])
	}
	b.log.Info("discord: gateway ready", "session_id", r.SessionID, "user_id", cur.selfID,
		"app_id", cur.appID, "guilds", len(r.Guilds), "shard", shard)
	if b.shardID != 0 {
		return
	}
	ctx, cancel := b.eventContext()
	defer cancel()
	if err := b.RegisterCommands(ctx); err != nil {
		b.log.Error("discord: register commands", "err", err)
	}
}

// Connect logs that the gateway connected.
func (b *Bot) Connect(_ *discordgo.Session, _ *discordgo.Connect) {
	b.log.Info("discord: gateway connected", "shard_id", b.shardID)
}

// Disconnect logs that the gateway dropped; discordgo reconnects on its own.
func (b *Bot) Disconnect(_ *discordgo.Session, _ *discordgo.Disconnect) {
	b.log.Warn("discord: gateway disconnected; reconnecting", "shard_id", b.shardID)
}

// Resumed logs that the gateway resumed a session after a reconnect.
func (b *Bot) Resumed(_ *discordgo.Session, _ *discordgo.Resumed) {
	b.log.Info("discord: gateway resumed", "shard_id", b.shardID)
}

// GuildCreate logs a server becoming available (at start or on joining);
// a server the bot had left is acted in again.
func (b *Bot) GuildCreate(_ *discordgo.Session, g *discordgo.GuildCreate) {
	if g.Guild == nil {
		return
	}
	b.leftMu.Lock()
	delete(b.left, g.ID)
	b.leftMu.Unlock()
	b.log.Info("discord: guild available", "guild_id", g.ID, "guild", g.Name, "members", g.MemberCount)
}

// GuildDelete logs a server going away. When the bot was removed (not an
// outage, which sets Unavailable), the server's queued messages are dropped
// unhandled and its cached settings forgotten: any REST call there would
// fail.
func (b *Bot) GuildDelete(_ *discordgo.Session, g *discordgo.GuildDelete) {
	if g.Guild == nil {
		return
	}
	b.log.Info("discord: guild unavailable or left", "guild_id", g.ID, "unavailable", g.Unavailable)
	if g.Unavailable {
		return
	}
	b.leftMu.Lock()
	if b.left == nil {
		b.left = make(map[string]struct{})
	}
	b.left[g.ID] = struct{}{}
	b.leftMu.Unlock()
	b.settings.forget(g.ID)
}

// hasLeft reports whether the bot was removed from the guild.
func (b *Bot) hasLeft(guildID string) bool {
	b.leftMu.Lock()
	defer b.leftMu.Unlock()
	_, ok := b.left[guildID]
	return ok
}
