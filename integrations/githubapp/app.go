package githubapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// Options configure an App. Clients, Checker, Store and WebhookSecret are required.
type Options struct {
	// WebhookSecret verifies X-Hub-Signature-256.
	WebhookSecret []byte
	// MaxBodyBytes caps a webhook body; 0 means 25 MiB.
	MaxBodyBytes int64
	// QueueSize is how many deliveries may wait; 0 means 256.
	QueueSize int
	// Workers process deliveries; 0 means 4.
	Workers int
	// JobTimeout bounds one delivery's processing; 0 means 2 minutes.
	JobTimeout time.Duration

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
}

// App is the GitHub App: an http.Handler for webhooks plus the workers that
// act on them. Create it with New and stop it with Shutdown.
type App struct {
	opt     Options
	log     *slog.Logger
	metrics *metrics
	now     func() time.Time

	slots chan struct{} // one per queued job
	jobs  chan job
	wg    sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	baseCtx  context.Context
	cancel   context.CancelFunc
	labelsOK sync.Map // "owner/repo\x00label" → struct{}: the label exists

	permMu      sync.Mutex
	permissions map[string]cachedPermission // "owner/repo\x00login", lower case → maintainer or not

	authors authorLookups // author contexts (author_context policy), cached and bounded
}

// New checks the options, registers metrics and starts the workers.
func New(opt Options) (*App, error) {
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
	if opt.Store == nil {
		errs = append(errs, errors.New("no store"))
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
	if opt.QueueSize <= 0 {
		opt.QueueSize = 256
	}
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	if opt.JobTimeout <= 0 {
		opt.JobTimeout = 2 * time.Minute
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
		opt:   opt,
		log:   opt.Logger,
		now:   opt.Now,
		slots: make(chan struct{}, opt.QueueSize),
		jobs:  make(chan job, opt.QueueSize),
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

// Shutdown stops accepting deliveries and waits for accepted ones to finish,
// until ctx is done; then it cancels the rest and returns ctx's error.
func (a *App) Shutdown(ctx context.Context) error {
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		close(a.jobs)
	}
	a.mu.Unlock()
	done := make(chan struct{})
	go func() { a.wg.Wait(); close(done) }()
	select {
	case <-done:
		a.cancel()
		return nil
	case <-ctx.Done():
		a.cancel()
		<-done
		return fmt.Errorf("githubapp: drain queue: %w", ctx.Err())
	}
}
