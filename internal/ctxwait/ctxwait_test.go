package ctxwait

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want error
	}{
		{"waits", context.Background(), time.Millisecond, nil},
		{"no wait", context.Background(), 0, nil},
		{"negative", context.Background(), -time.Second, nil},
		{"context ended", cancelled, time.Hour, context.Canceled},
		{"context ended, no wait", cancelled, 0, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			if err := Sleep(tt.ctx, tt.d); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
			took := time.Since(start)
			if tt.want == nil && took < tt.d {
				t.Errorf("returned after %v, want it to wait %v", took, tt.d)
			}
			if tt.want != nil && took > time.Minute {
				t.Errorf("an ended context did not end the sleep (%v)", took)
			}
		})
	}
}

func TestDrain(t *testing.T) {
	t.Parallel()
	t.Run("work finishes", func(t *testing.T) {
		t.Parallel()
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { time.Sleep(time.Millisecond); wg.Done() }()
		cancels := 0
		if err := Drain(context.Background(), &wg, func() { cancels++ }); err != nil || cancels != 1 {
			t.Errorf("got %v with %d cancels, want nil and 1", err, cancels)
		}
	})
	t.Run("context ends first", func(t *testing.T) {
		t.Parallel()
		work, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		finished := false
		wg.Add(1)
		go func() { <-work.Done(); finished = true; wg.Done() }()
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		err := Drain(ctx, &wg, stop)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want the context's deadline error", err)
		}
		if !finished {
			t.Error("Drain returned before the cancelled work finished")
		}
	})
}
