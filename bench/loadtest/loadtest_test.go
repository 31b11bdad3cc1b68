package loadtest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestPct(t *testing.T) {
	t.Parallel()
	ms := func(n ...int) []time.Duration {
		var ds []time.Duration
		for _, v := range n {
			ds = append(ds, time.Duration(v)*time.Millisecond)
		}
		return ds
	}
	for _, tc := range []struct {
		name string
		ds   []time.Duration
		p    int
		want time.Duration
	}{
		{"empty", nil, 99, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of unsorted", ms(5, 1, 3), 50, 3 * time.Millisecond},
		{"p99 is the top of a short list", ms(4, 9, 2, 1), 99, 9 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pct(tc.ds, tc.p); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWatchLogFindsAddressAndPassesWarnings(t *testing.T) {
	t.Parallel()
	log := strings.Join([]string{
		`time=x level=INFO msg=starting`,
		`time=x level=INFO msg=serving addr=127.0.0.1:4711`,
		`time=x level=WARN msg="webhook queue full"`,
		`time=x level=ERROR msg="store write failed"`,
	}, "\n") + "\n"
	addrs := make(chan string, 1)
	var out strings.Builder
	watchLog(strings.NewReader(log), addrs, &out)
	if got := <-addrs; got != "127.0.0.1:4711" {
		t.Errorf("got address %q, want 127.0.0.1:4711", got)
	}
	if got, want := out.String(), "serve: time=x level=ERROR msg=\"store write failed\"\n"; got != want {
		t.Errorf("got passed-on log %q, want %q", got, want)
	}
}

// TestDeliverSignsAndFakeAPICounts sends one delivery to a loopback server
// that checks the signature, then has the fake API record a check run.
func TestDeliverSignsAndFakeAPICounts(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(loadtestSecret))
		mac.Write(body)
		if r.Header.Get("X-Hub-Signature-256") != "sha256="+hex.EncodeToString(mac.Sum(nil)) ||
			r.Header.Get("X-GitHub-Event") != "pull_request" || !strings.Contains(string(body), `"sha":"abc"`) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	if got := deliver(context.Background(), srv.Client(), addr, 1000001, "abc"); got != http.StatusAccepted {
		t.Fatalf("got status %d, want %d", got, http.StatusAccepted)
	}

	api := newFakeAPI()
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()
	for range 2 {
		resp, err := http.Post(apiSrv.URL+"/repos/acme/widgets/check-runs", "application/json", strings.NewReader(`{"head_sha":"abc"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if got := api.checkRuns["abc"]; got != 2 {
		t.Errorf("got %d check runs for abc, want 2", got)
	}
	if !waitDecided(context.Background(), api, []string{"abc"}, time.Second) {
		t.Error("abc not decided after its check run")
	}
}

func TestRunInProcessNeedsServe(t *testing.T) {
	t.Parallel()
	_, err := Run(context.Background(), Options{InProcess: true, Step: time.Millisecond, StartRate: 1, MaxRate: 1})
	if err == nil || !strings.Contains(err.Error(), "Options.Serve") {
		t.Errorf("got error %v, want one naming Options.Serve", err)
	}
}
