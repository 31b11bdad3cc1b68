package web

import (
	"fmt"
	"net/http/httptest"
	"os"
	"os/signal"
	"testing"
)

// TestDevServer serves the fixture until interrupted, for working on the
// pages: SLOPGUARD_WEB_DEV=1 go test -run TestDevServer ./integrations/web
func TestDevServer(t *testing.T) {
	if os.Getenv("SLOPGUARD_WEB_DEV") == "" {
		t.Skip("set SLOPGUARD_WEB_DEV=1 to serve the test pages")
	}
	f := newFixture(t)
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	fmt.Println(ts.URL + f.decisionPath(f.slopID))
	fmt.Println(ts.URL + f.scopePath())
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	<-c
}
