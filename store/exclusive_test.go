package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/sqlstore"
)

// TestExclusiveRunsOnOneReplica runs one periodic job from two replicas on
// one store: only the lease holder runs it, until it stops and releases the
// lease, when the other takes over.
func TestExclusiveRunsOnOneReplica(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "slopguard.db")
	open := func() store.Store {
		s, err := sqlstore.Open(ctx, "sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	ran := map[string]int{}
	job := func(holder string) func(context.Context) error {
		return func(context.Context) error { ran[holder]++; return nil }
	}
	a := store.Exclusive{Store: open(), Name: "github.sweep", Holder: "replica-a", TTL: time.Hour}
	b := store.Exclusive{Store: open(), Name: "github.sweep", Holder: "replica-b", TTL: time.Hour}
	steps := []struct {
		r       store.Exclusive
		wantRan bool
	}{{a, true}, {b, false}, {a, true}, {b, false}, {b, false}}
	for i, st := range steps {
		got, err := st.r.RunOnce(ctx, job(st.r.Holder))
		if err != nil {
			t.Fatalf("step %d: %s: %v", i, st.r.Holder, err)
		}
		if got != st.wantRan {
			t.Errorf("step %d: %s ran = %v, want %v", i, st.r.Holder, got, st.wantRan)
		}
	}
	// Replica a stops: its Run releases the lease on the way out.
	stopped, cancel := context.WithCancel(ctx)
	ticks := make(chan time.Time)
	done := make(chan struct{})
	go func() { a.Run(stopped, ticks, job("replica-a")); close(done) }()
	cancel()
	<-done
	if got, err := b.RunOnce(ctx, job("replica-b")); err != nil || !got {
		t.Errorf("after replica a stopped: replica b ran = %v, %v; want true", got, err)
	}
	if ran["replica-a"] != 2 || ran["replica-b"] != 1 {
		t.Errorf("runs: %v, want replica-a 2, replica-b 1", ran)
	}
}
