// Package ctxwait waits for time to pass or for goroutines to finish, and
// stops waiting when a context ends.
package ctxwait

import (
	"context"
	"sync"
	"time"
)

// Sleep waits for d, or until ctx ends, and then returns ctx's error. A d
// of 0 or less does not wait.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Drain waits for wg, then calls cancel. When ctx ends first it calls
// cancel at once, so that the goroutines stop what they are doing, waits
// for them all the same, and returns ctx's error.
func Drain(ctx context.Context, wg *sync.WaitGroup, cancel func()) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		cancel()
		return nil
	case <-ctx.Done():
		cancel()
		<-done
		return ctx.Err()
	}
}
