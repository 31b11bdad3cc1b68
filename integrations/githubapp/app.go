package githubapp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slopguard/slopguard/internal/ctxwait"
	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// Options configure an App. Clients, Checker, Store and WebhookSecret are required.
type Options struct {
	// WebhookSecret verifies X-Hub-Signature-256.
	WebhookSecret []byte
	// MaxBodyBytes caps a webhook body; 0 means 25 MiB.
	MaxBodyBytes int64
	// MaxConcurrentBodies caps the webhook bodies being read (before their
	// signature is checked) at once; more requests get 503. 0 means 8.
	MaxConcurrentBodies int
	// BodySlotWait is how long a request waits for one of those slots
	// before it gets 503; 0 means 2 seconds.
	BodySlotWait time.Duration
	// Workers process deliveries; 0 means 4.
	Workers int
	// JobTimeout bounds one delivery's processing; 0 means 2 minutes. A
	// claimed job is leased for JobTimeout plus 30 seconds.
	JobTimeout time.Duration
	// MaxAttempts is how many times a failing job runs before it is marked
	// failed; 0 means 5.
	MaxAttempts int
	// RetryDelay is the wait before a failed job's second attempt, doubling
	// after each; 0 means 30 seconds.
	RetryDelay time.Duration
	// PollInterval is how often an idle worker looks for jobs left by other
	// replicas or expired leases; 0 means 2 seconds.
	PollInterval time.Duration
	// Queue holds accepted deliveries as jobs; nil means Store, which must
	// then implement store.Queue.
	Queue store.Queue

	// Clients gives an API client per installation.
	Clients ClientFactory
	// GraphQLURL is the GraphQL endpoint (for minimizeComment); empty means github.com's.
	GraphQLURL string
	// Checker scores items.
	Checker moderation.Checker
	// ModelThreshold is the model's own flag threshold, used when a policy sets none.
	ModelThreshold float64
	// Store remembers deliveries, decisions, feedback, policies and owned comments.
	Store store.Store
	// StoreText keeps the scored text with each decision.
	StoreText bool
	// DetailsURL links to the page explaining the latest decision about an
	// item (the check run's details_url, a line in the comment); nil or ""
	// posts no link.
	DetailsURL func(scope, itemID string) string

	// DefaultPolicy applies to repositories with no policy file.
	DefaultPolicy moderation.Policy
	// PolicyPath is the policy file's path; empty means .github/slopguard.yml.
	PolicyPath string
	// PolicyTTL is how long a cached policy is used without refetching; 0 means 1 hour.
	PolicyTTL time.Duration

	// Logger receives one line per problem; nil discards.
	Logger *slog.Logger
	// Metrics registers the App's collectors; nil registers nowhere.
	Metrics prometheus.Registerer
	// Now returns the time; nil means time.Now.
	Now func() time.Time

	// AllowedAccounts, when not empty, are the only accounts (user or
	// organization logins, any case) whose installations are served: a
	// delivery for any other account is answered 202, logged and counted
	// (result not_allowed), and nothing is done or written for it.
	AllowedAccounts []string
}

// App is the GitHub App: an http.Handler for webhooks plus the workers that
// act on them. Create it with New and stop it with Shutdown.
type App struct {
	opt     Options
	log     *slog.Logger
	metrics *metrics
	now     func() time.Time

	queue    store.Queue
	reads    PlanReader    // what plan reads: Options.Store, or Simulate's reader
	readOnly bool          // Simulate: plan writes nothing, not even the policy cache
	id       string        // this process, as the owner of leases
	bodies   chan struct{} // one per webhook body being read
	wake     chan struct{} // a job was enqueued
	stopping chan struct{} // closed by Shutdown: drain, then stop
	stopOnce sync.Once
	killed   atomic.Bool // tests: the process "died"; write nothing more
	wg       sync.WaitGroup

	baseCtx  context.Context
	cancel   context.CancelFunc
	labelsOK sync.Map // "owner/repo\x00label" → struct{}: the label exists

	permMu      sync.Mutex
	permissions map[string]cachedPermission // "owner/repo\x00login", lower case → maintainer or not

	authors authorLookups // author contexts (author_context policy), cached and bounded
}

// New checks the options, registers metrics and starts the workers.
func New(opt Options) (*App, error) { return newApp(opt, nil) }

// newApp is New; with a non-nil reads (Simulate) the App needs no Store:
// plan reads from reads and writes nothing.
func newApp(opt Options, reads PlanReader) (*App, error) {
	var errs []error
	if len(opt.WebhookSecret) == 0 {
		errs = append(errs, errors.New("webhook secret is empty"))
	}
	if opt.Clients == nil {
		errs = append(errs, errors.New("no client factory"))
	}
	if opt.Checker == nil {
		errs = append(errs, errors.New("no checker"))
	}
	if opt.Store == nil && reads == nil {
		errs = append(errs, errors.New("no store"))
	}
	if opt.Queue == nil {
		if q, ok := opt.Store.(store.Queue); ok {
			opt.Queue = q
		} else if opt.Store != nil {
			errs = append(errs, errors.New("the store keeps no job queue: pass Queue"))
		}
	}
	if err := opt.DefaultPolicy.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("default policy: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("githubapp: %w", err)
	}
	if opt.MaxBodyBytes <= 0 {
		opt.MaxBodyBytes = 25 << 20
	}
	if opt.MaxConcurrentBodies <= 0 {
		opt.MaxConcurrentBodies = 8
	}
	if opt.BodySlotWait <= 0 {
		opt.BodySlotWait = 2 * time.Second
	}
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	if opt.JobTimeout <= 0 {
		opt.JobTimeout = 2 * time.Minute
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 5
	}
	if opt.RetryDelay <= 0 {
		opt.RetryDelay = 30 * time.Second
	}
	if opt.PollInterval <= 0 {
		opt.PollInterval = 2 * time.Second
	}
	if opt.GraphQLURL == "" {
		opt.GraphQLURL = "https://api.github.com/graphql"
	}
	if opt.PolicyPath == "" {
		opt.PolicyPath = moderation.PolicyPath
	}
	if opt.PolicyTTL <= 0 {
		opt.PolicyTTL = time.Hour
	}
	if opt.ModelThreshold <= 0 {
		opt.ModelThreshold = 0.9
	}
	a := &App{
		opt:      opt,
		log:      opt.Logger,
		now:      opt.Now,
		queue:    opt.Queue,
		reads:    opt.Store,
		id:       processID(),
		bodies:   make(chan struct{}, opt.MaxConcurrentBodies),
		wake:     make(chan struct{}, opt.Workers),
		stopping: make(chan struct{}),
	}
	if reads != nil {
		a.reads, a.readOnly = reads, true
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	m, err := newMetrics(opt.Metrics)
	if err != nil {
		return nil, fmt.Errorf("githubapp: %w", err)
	}
	a.metrics = m
	a.baseCtx, a.cancel = context.WithCancel(context.Background())
	for range opt.Workers {
		a.wg.Add(1)
		go a.work()
	}
	return a, nil
}

// Shutdown stops the workers once nothing is left to claim, and waits for
// the jobs running to finish, until ctx is done; then it cancels the rest,
// which go back to the queue, and returns ctx's error. Deliveries that
// arrive meanwhile are still recorded: this or another replica runs them.
func (a *App) Shutdown(ctx context.Context) error {
	a.stopOnce.Do(func() { close(a.stopping) })
	if err := ctxwait.Drain(ctx, &a.wg, a.cancel); err != nil {
		return fmt.Errorf("githubapp: drain queue: %w", err)
	}
	return nil
}

// kill stops the App as SIGKILL would, for tests: the workers stop at once
// and nothing more is written to the store, so claimed jobs stay leased
// until their lease expires.
func (a *App) kill() {
	a.killed.Store(true)
	a.stopOnce.Do(func() { close(a.stopping) })
	a.cancel()
	a.wg.Wait()
}

// processID names this App instance as the owner of sweep leases.
func processID() string {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	rand.Read(b)
	return fmt.Sprintf("%s/%d/%x", host, os.Getpid(), b)
}
