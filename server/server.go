// Package server wires `slopguard serve`: from a loaded config.Config it
// builds what the surfaces share once (logger, detector, scoring slots,
// store, metrics registry, the pages' link signer), mounts health,
// readiness, metrics, the pages and the GitHub App's webhook on one HTTP
// listener, starts the Discord bot and the background loops (pruner, App
// sweepers), and on shutdown drains them in order within a grace period.
//
// It is the composition root of the long-running process; cmd/slopguard
// only parses flags, loads the config and calls Run.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/integrations/discord"
	"github.com/slopguard/slopguard/integrations/githubapp"
	"github.com/slopguard/slopguard/integrations/web"
	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/sqlstore"
)

// shared are the parts `slopguard serve` builds once and hands to
// the GitHub App and the Discord bot.
type shared struct {
	Logger   *slog.Logger
	Detector *detector.Detector
	Checker  moderation.Checker
	Store    store.Store
	Metrics  prometheus.Registerer
	// Pages signs links to the decision pages and dashboards; nil when
	// they are off (no link secret).
	Pages *web.Signer
}

// detailsURL links to the page of a GitHub item's latest decision, or "".
func (d *shared) detailsURL(scope, itemID string) string {
	return d.Pages.ItemURL("github", scope, itemID)
}

// discordPages is what the Discord bot links with; nil when pages are off.
func (d *shared) discordPages() discord.Pages {
	if d.Pages == nil {
		return nil
	}
	return d.Pages
}

// shutdownGrace bounds how long serve drains work after SIGTERM.
const shutdownGrace = 30 * time.Second

// httpShutdownGrace is the part of shutdownGrace open HTTP requests get.
const httpShutdownGrace = 10 * time.Second

// scoringSlots is how many texts serve scores at once: detector.workers,
// or the number of CPUs when it is 0.
func scoringSlots(workers int) int {
	if workers > 0 {
		return workers
	}
	return runtime.NumCPU()
}

// storeOpenTimeout bounds connecting to the database and migrating it.
var storeOpenTimeout = 30 * time.Second

// Run serves cfg until ctx ends or the listener fails, then shuts down
// within shutdownGrace. Logs go to logw, in cfg's level and format.
func Run(ctx context.Context, cfg config.Config, logw io.Writer) error {
	log := newLogger(logw, cfg.LogLevel, cfg.LogFormat)
	for _, w := range cfg.Warnings() {
		log.Warn("config warning", "detail", w)
	}

	det, err := detector.Open(cfg.Detector.Model)
	if err != nil {
		return err
	}
	// A database that accepts connections but never answers must not hang
	// start-up forever. A signal meanwhile lets the open finish (or time
	// out) and then shuts down as usual.
	log.Info("opening store", "driver", cfg.Store.Driver)
	octx, cancelOpen := context.WithTimeout(context.WithoutCancel(ctx), storeOpenTimeout)
	st, err := sqlstore.Open(octx, cfg.Store.Driver, cfg.Store.DSN)
	cancelOpen()
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	d := &shared{
		Logger: log, Detector: det, Store: st, Metrics: reg,
		Checker: &moderation.Pipeline{Scorer: det, Slots: moderation.NewSlots(scoringSlots(cfg.Detector.Workers))},
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	writable := &cachedCheck{every: 15 * time.Second, check: st.Writable}
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		pctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := st.Ping(pctx); err != nil {
			log.Warn("readiness: store does not answer", "err", err)
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
		// A full disk or read-only file system still answers pings. The
		// write is made at most every 15 s, however often /readyz is asked.
		if err := writable.run(pctx); err != nil {
			log.Warn("readiness: store takes no writes", "err", err)
			http.Error(w, "store not writable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	if cfg.MetricsListen == "" {
		mux.Handle("GET /metrics", metrics)
	}
	if err := mountPages(mux, cfg, d); err != nil {
		return err
	}

	// Bind before starting anything, so a taken port fails fast and leaves
	// nothing running.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	metricsAddr := ln.Addr().String()
	var metricsSrv *http.Server
	if cfg.MetricsListen != "" {
		mln, err := net.Listen("tcp", cfg.MetricsListen)
		if err != nil {
			return fmt.Errorf("metrics listen: %w", err)
		}
		defer mln.Close()
		metricsAddr = mln.Addr().String()
		mmux := http.NewServeMux()
		mmux.Handle("GET /metrics", metrics)
		metricsSrv = &http.Server{Handler: mmux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		go func() {
			if err := metricsSrv.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics listener failed", "err", err)
			}
		}()
		defer metricsSrv.Close()
	}

	// Background loops (pruner, sweeper) stop before the store closes.
	runCtx, cancelRun := context.WithCancel(context.WithoutCancel(ctx))
	var bg sync.WaitGroup
	defer bg.Wait()
	defer cancelRun()
	var app *githubapp.App
	if !cfg.GitHub.Enabled && !cfg.Discord.Enabled {
		log.Warn("neither the GitHub App (github.app_id) nor the Discord bot (discord token) is configured: serving only health checks and metrics")
	}
	if cfg.GitHub.Enabled {
		var appClient *github.Client
		app, appClient, err = startGitHub(cfg, d)
		if err != nil {
			return err
		}
		mux.Handle("POST "+cfg.GitHub.WebhookPath, app)
		bg.Go(func() { app.RunSweeper(runCtx, cfg.GitHub.SweepInterval) })
		bg.Go(func() { app.RunRedeliverySweep(runCtx, appClient, cfg.GitHub.RedeliverInterval) })
		log.Info("github app enabled", "app_id", cfg.GitHub.AppID, "webhook_path", cfg.GitHub.WebhookPath, "api_url", redactURL(cfg.GitHub.APIURL))
	}
	stopDiscord, err := startDiscord(ctx, cfg, d)
	if err != nil {
		return fmt.Errorf("start discord: %w", err)
	}
	bg.Go(func() {
		store.RunPruner(runCtx, st, time.Duration(cfg.Store.RetentionDays)*24*time.Hour, 6*time.Hour, log)
	})

	srv := &http.Server{
		Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		// A client that stalls mid-body must not hold a connection (and,
		// at shutdown, the grace period) for ever.
		ReadTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "metrics_addr", metricsAddr, "model", det.Version(), "store", cfg.Store.Driver)

	var errs []error
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		// The listener failed: still drain what was accepted and stop the bot.
		errs = append(errs, fmt.Errorf("serve: %w", err))
	}
	log.Info("shutting down", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	// HTTP gets a share of the grace: requests still open after it are cut,
	// so that the queue and the bot keep the rest to finish their work.
	hctx, cancelHTTP := context.WithTimeout(sctx, httpShutdownGrace)
	if err := srv.Shutdown(hctx); err != nil {
		log.Warn("http shutdown: closing connections still open", "err", err)
		srv.Close()
	}
	cancelHTTP()
	if app != nil {
		if err := app.Shutdown(sctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := stopDiscord(sctx); err != nil {
		errs = append(errs, fmt.Errorf("stop discord: %w", err))
	}
	cancelRun()
	bg.Wait()
	return errors.Join(errs...)
}

// startGitHub builds the GitHub App from the config and the shared deps,
// and returns it with a client authenticated as the App (for the
// redelivery sweep).
func startGitHub(cfg config.Config, d *shared) (*githubapp.App, *github.Client, error) {
	g := cfg.GitHub
	rt, err := githubapp.NewTransport(githubapp.TransportOptions{Logger: d.Logger, Metrics: d.Metrics})
	if err != nil {
		return nil, nil, err
	}
	clients, err := githubapp.NewAppClients(g.AppID, []byte(g.PrivateKey), g.APIURL, rt)
	if err != nil {
		return nil, nil, err
	}
	appClient, err := clients.App()
	if err != nil {
		return nil, nil, err
	}
	app, err := githubapp.New(githubapp.Options{
		WebhookSecret:       []byte(g.WebhookSecret),
		MaxBodyBytes:        g.MaxBodyBytes,
		MaxConcurrentBodies: g.MaxConcurrentBodies,
		Workers:             g.Workers,
		Clients:             clients,
		GraphQLURL:          g.GraphQL(),
		Checker:             d.Checker,
		ModelThreshold:      d.Detector.Threshold(),
		Store:               d.Store,
		StoreText:           cfg.Store.StoreText,
		DetailsURL:          d.detailsURL,
		DefaultPolicy:       g.Policy,
		PolicyPath:          g.PolicyPath,
		PolicyTTL:           g.PolicyCacheTTL,
		Logger:              d.Logger.With("component", "github"),
		Metrics:             d.Metrics,
		AllowedAccounts:     g.AllowedAccounts,
	})
	if err != nil {
		return nil, nil, err
	}
	return app, appClient, nil
}

// redactURL hides any password in a URL before it is logged.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// newLogger builds the process logger from the config's level and format.
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lv = slog.LevelDebug
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// cachedCheck runs check at most once per every and answers with its last
// result in between.
type cachedCheck struct {
	every time.Duration
	check func(context.Context) error
	mu    sync.Mutex
	at    time.Time
	err   error
}

func (c *cachedCheck) run(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || time.Since(c.at) >= c.every {
		c.err, c.at = c.check(ctx), time.Now()
	}
	return c.err
}
