package store

import (
	"context"
	"log/slog"
	"time"
)

// Pruner deletes records older than Retention from Store: once when Run
// starts and then on every tick, until the context ends. Feedback is kept.
type Pruner struct {
	Store     Store
	Retention time.Duration
	Log       *slog.Logger
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// PruneOnce deletes what is older than Retention and logs the outcome. A
// failure is logged and returned; the next tick tries again.
func (p Pruner) PruneOnce(ctx context.Context) (int64, error) {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	// No retention keeps every dated record, but expired delivery marks
	// and finished jobs still go: they only ever grow.
	var before time.Time
	if p.Retention > 0 {
		before = now().Add(-p.Retention)
	}
	n, err := p.Store.Prune(ctx, before)
	log := p.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err != nil {
		log.Error("prune store", "before", before, "err", err)
		return n, err
	}
	log.Info("pruned store", "before", before, "removed", n)
	return n, nil
}

// Run prunes once, then on every value from ticks, until ctx is done or
// ticks is closed. A retention of zero or less keeps every decision,
// strike and claim, and prunes only expired delivery marks and finished jobs.
func (p Pruner) Run(ctx context.Context, ticks <-chan time.Time) {
	p.PruneOnce(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-ticks:
			if !ok {
				return
			}
			p.PruneOnce(ctx)
		}
	}
}

// RunPruner deletes decisions, deliveries, strikes and claims older than retention
// now and then every interval, until ctx is done. Start it in its own
// goroutine. A retention of zero or less keeps those, and removes only
// expired delivery marks and finished jobs.
func RunPruner(ctx context.Context, s Store, retention, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	Pruner{Store: s, Retention: retention, Log: log}.Run(ctx, t.C)
}
