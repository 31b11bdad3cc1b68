package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/slopguard/slopguard/store"
)

// pruneRecorder is a Store whose Prune reports each call on a channel.
type pruneRecorder struct {
	store.Store // nil: only Prune is called
	calls       chan time.Time
	err         error
}

func (p *pruneRecorder) Prune(ctx context.Context, before time.Time) (int64, error) {
	p.calls <- before
	return 3, p.err
}

func TestPrunerRun(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		err  error
	}{
		{"prunes at start and on every tick", nil},
		{"keeps going after an error", errors.New("database is locked")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &pruneRecorder{calls: make(chan time.Time), err: tt.err}
			ticks := make(chan time.Time)
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan struct{})
			p := store.Pruner{Store: rec, Retention: 48 * time.Hour, Now: func() time.Time { return now }}
			go func() {
				p.Run(ctx, ticks)
				close(done)
			}()
			want := now.Add(-48 * time.Hour)
			if got := <-rec.calls; !got.Equal(want) {
				t.Errorf("first Prune before = %v, want %v", got, want)
			}
			for range 2 {
				ticks <- now
				if got := <-rec.calls; !got.Equal(want) {
					t.Errorf("Prune on tick before = %v, want %v", got, want)
				}
			}
			cancel()
			<-done
		})
	}
}

func TestPrunerStops(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		retention time.Duration
		close     bool
		wantCalls int
	}{
		// No retention still prunes expired delivery marks and jobs, with
		// a zero cut-off that keeps every dated record.
		{"zero retention prunes only what expired", 0, true, 1},
		{"negative retention prunes only what expired", -time.Hour, true, 1},
		{"closed ticks end the loop", time.Hour, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &pruneRecorder{calls: make(chan time.Time, 10)}
			ticks := make(chan time.Time)
			if tt.close {
				close(ticks)
			}
			// Run must return by itself: the context never ends.
			store.Pruner{Store: rec, Retention: tt.retention}.Run(context.Background(), ticks)
			if got := len(rec.calls); got != tt.wantCalls {
				t.Fatalf("Prune called %d times, want %d", got, tt.wantCalls)
			}
			if before := <-rec.calls; (tt.retention <= 0) != before.IsZero() {
				t.Errorf("retention %v: cut-off %v, want zero only without retention", tt.retention, before)
			}
		})
	}
}

func TestRunPrunerStopsWithContext(t *testing.T) {
	t.Parallel()
	rec := &pruneRecorder{calls: make(chan time.Time, 1)}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		store.RunPruner(ctx, rec, time.Hour, time.Hour, nil)
		close(done)
	}()
	<-rec.calls // the prune at start
	cancel()
	<-done
}
