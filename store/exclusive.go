package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Exclusive runs a periodic job on one replica at a time: each run first
// takes or renews the lease Name in Store for Holder, and a replica that
// does not hold it skips the run. When the holder stops (Run releases the
// lease) or dies (the lease expires after TTL), another replica's next tick
// takes over.
//
// TTL should be longer than the interval between ticks, so that the holder
// renews before it expires, and longer than one run, so that a slow run is
// not started again elsewhere.
type Exclusive struct {
	Store  Leases
	Name   string // e.g. "github.sweep"
	Holder string // this replica, unique among replicas
	TTL    time.Duration
	Log    *slog.Logger
}

// RunOnce runs fn if this replica holds or takes the lease, and reports
// whether it ran. fn's error is returned.
func (e Exclusive) RunOnce(ctx context.Context, fn func(context.Context) error) (bool, error) {
	held, err := e.Store.TakeLease(ctx, e.Name, e.Holder, time.Now(), e.TTL)
	if err != nil {
		return false, fmt.Errorf("%s: %w", e.Name, err)
	}
	if !held {
		return false, nil
	}
	if err := fn(ctx); err != nil {
		return true, fmt.Errorf("%s: %w", e.Name, err)
	}
	return true, nil
}

// Run calls RunOnce on every value from ticks until ctx is done or ticks is
// closed, logging failures, then releases the lease.
func (e Exclusive) Run(ctx context.Context, ticks <-chan time.Time, fn func(context.Context) error) {
	log := e.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := e.Store.ReleaseLease(rctx, e.Name, e.Holder); err != nil {
			log.Warn("release lease", "lease", e.Name, "err", err)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-ticks:
			if !ok {
				return
			}
			ran, err := e.RunOnce(ctx, fn)
			if err != nil {
				log.Error("periodic job", "lease", e.Name, "err", err)
			}
			log.Debug("periodic job", "lease", e.Name, "holder", e.Holder, "ran", ran)
		}
	}
}

// RunExclusive runs fn every interval on the one replica holding the lease
// name, until ctx is done; the lease lasts two intervals. Start it in its
// own goroutine. An interval of zero or less disables the job.
func RunExclusive(ctx context.Context, s Leases, name, holder string, every time.Duration, fn func(context.Context) error, log *slog.Logger) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	Exclusive{Store: s, Name: name, Holder: holder, TTL: 2 * every, Log: log}.Run(ctx, t.C, fn)
}
