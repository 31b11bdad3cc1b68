package server

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slopguard/slopguard/config"
)

// TestServeGivesUpOnASilentDatabase points serve at a server that accepts
// connections and never answers: start-up fails with an error after the
// open timeout instead of hanging. Not parallel: it shortens the timeout.
func TestServeGivesUpOnASilentDatabase(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // hold it open, say nothing
		}
	}()
	defer func(d time.Duration) { storeOpenTimeout = d }(storeOpenTimeout)
	storeOpenTimeout = 300 * time.Millisecond
	// An old file's key: logged, then ignored.
	path := filepath.Join(t.TempDir(), "slopguard.yaml")
	if err := os.WriteFile(path, []byte("github:\n  queue_size: 256\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, func(k string) string {
		return map[string]string{"SLOPGUARD_DATABASE_URL": "postgres://slopguard@" + ln.Addr().String() + "/slopguard?sslmode=disable"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = "127.0.0.1:0"
	var errOut bytes.Buffer
	start := time.Now()
	err = Run(context.Background(), cfg, &errOut)
	if err == nil {
		t.Fatalf("serve against a silent database returned no error (log %s)", errOut.String())
	}
	if !strings.Contains(errOut.String(), "github.queue_size is no longer used") {
		t.Errorf("log %q does not warn about github.queue_size", errOut.String())
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("serve took %s to give up", took)
	}
	if !strings.Contains(err.Error(), "open store") {
		t.Errorf("error %q does not say the store failed to open", err)
	}
}

func TestCachedCheckRunsAtMostOncePerInterval(t *testing.T) {
	t.Parallel()
	calls := 0
	c := &cachedCheck{every: time.Hour, check: func(context.Context) error { calls++; return nil }}
	for range 5 {
		if err := c.run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Errorf("check ran %d times within its interval, want 1", calls)
	}
	c.at = time.Now().Add(-2 * time.Hour)
	c.run(context.Background())
	if calls != 2 {
		t.Errorf("check ran %d times after its interval passed, want 2", calls)
	}
}
