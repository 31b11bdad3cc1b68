// Package loadtest drives `slopguard serve` on loopback against a fake GitHub
// API and a temporary SQLite store: it sends signed webhooks at rising rates
// until the server falls behind, and reports what the server sustained and
// whether it kept its promises (overload answered quickly, every accepted
// delivery decided exactly once, memory back to baseline after the burst).
// `slopguard loadtest` parses the flags and calls Run.
package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/sqlstore"
)

// loadtestSecret signs the load test's webhooks; the server under test is
// given it through the environment.
const loadtestSecret = "loadtest-webhook-secret"

// loadtestText is the pull request body every delivery carries: a paragraph
// long enough for the detector to judge.
const loadtestText = "This pull request refactors the widget cache so that entries expire after the " +
	"configured time instead of living forever. I added a test for the expiry path and checked that " +
	"the old behaviour is kept when no expiry is set. The benchmark shows no change in lookup time. " +
	"Please have a look at the locking in cache.go, I am not fully sure the second lock is needed."

// Options say how hard and how long to push, and how to start the server.
type Options struct {
	Step      time.Duration // how long each rate is held
	StartRate int           // first rate, deliveries per second; it doubles each step
	MaxRate   int           // highest rate tried
	Workers   int           // server webhook workers
	Procs     int           // GOMAXPROCS of a child server
	InProcess bool          // run the server in this process instead of as a child
	// Serve runs `slopguard serve` in this process with the given
	// arguments, environment and log writer until ctx ends, and returns its
	// exit code. It is used when InProcess is set or this executable is not
	// slopguard (a test binary).
	Serve func(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int
	// Log receives the server's warnings and errors.
	Log io.Writer
}

// fakeAPI is the GitHub API the server under test talks to. A check run
// created for a pull request's head commit marks the decision about it.
type fakeAPI struct {
	mu        sync.Mutex
	decided   map[string]time.Time // head sha → when its check run arrived
	checkRuns map[string]int       // head sha → check runs created
	calls     atomic.Int64
}

func newFakeAPI() *fakeAPI {
	return &fakeAPI{decided: map[string]time.Time{}, checkRuns: map[string]int{}}
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/access_tokens"):
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token":"ghs_loadtest","expires_at":%q}`, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/check-runs"):
		var cr struct {
			HeadSHA string `json:"head_sha"`
		}
		json.Unmarshal(body, &cr)
		f.mu.Lock()
		f.checkRuns[cr.HeadSHA]++
		if _, ok := f.decided[cr.HeadSHA]; !ok {
			f.decided[cr.HeadSHA] = time.Now()
		}
		n := len(f.checkRuns)
		f.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":%d}`, n)
	case r.Method == http.MethodGet && r.URL.Path == "/app/hook/deliveries":
		io.WriteString(w, `[]`) // nothing failed, for the redelivery sweep
	case r.Method == http.MethodGet:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"Not Found"}`)
	default:
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":1}`)
	}
}

// server is the `slopguard serve` under test.
type server struct {
	addr  string
	pid   int // 0 when in process
	stop  func() error
	exits chan error
}

// startServer runs `slopguard serve` as a child (or in process) and waits
// for it to log its address.
func startServer(ctx context.Context, o Options, dir, apiURL string) (*server, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	cfgPath := filepath.Join(dir, "slopguard.yml")
	cfg := fmt.Sprintf("log_level: info\ngithub:\n  webhook_path: /webhook\n  workers: %d\n", o.Workers)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	vars := map[string]string{
		"SLOPGUARD_DATABASE_URL":          filepath.Join(dir, "slopguard.db"),
		"SLOPGUARD_GITHUB_APP_ID":         "1",
		"SLOPGUARD_GITHUB_PRIVATE_KEY":    string(pemKey),
		"SLOPGUARD_GITHUB_WEBHOOK_SECRET": loadtestSecret,
		"SLOPGUARD_GITHUB_API_URL":        apiURL + "/",
	}
	args := []string{"serve", "--config", cfgPath, "--listen", "127.0.0.1:0"}
	pr, pw := io.Pipe()
	addrs := make(chan string, 1)
	go watchLog(pr, addrs, o.Log)
	s := &server{exits: make(chan error, 1)}

	exe, exeErr := os.Executable()
	if o.InProcess || exeErr != nil || strings.TrimSuffix(filepath.Base(exe), ".exe") != "slopguard" {
		if o.Serve == nil {
			return nil, errors.New("the server must run in this process (in-process run, or this executable is not slopguard), but Options.Serve is nil")
		}
		sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		go func() {
			code := o.Serve(sctx, args, func(k string) string { return vars[k] }, pw)
			pw.Close()
			if code != 0 {
				s.exits <- fmt.Errorf("serve exited with code %d", code)
			}
			close(s.exits)
		}()
		s.stop = func() error { cancel(); return <-s.exits }
	} else {
		cmd := exec.Command(exe, args...)
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(o.Procs))
		for k, v := range vars {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		cmd.Stderr = pw
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start serve: %w", err)
		}
		s.pid = cmd.Process.Pid
		go func() { s.exits <- cmd.Wait(); pw.Close(); close(s.exits) }()
		s.stop = func() error {
			cmd.Process.Signal(os.Interrupt)
			select {
			case err := <-s.exits:
				return err
			case <-time.After(40 * time.Second):
				cmd.Process.Kill()
				return errors.New("serve did not stop within 40s of SIGINT")
			}
		}
	}
	select {
	case s.addr = <-addrs:
		return s, nil
	case err := <-s.exits:
		return nil, fmt.Errorf("serve did not start: %v", err)
	case <-time.After(30 * time.Second):
		s.stop()
		return nil, errors.New("serve did not log its address within 30s")
	}
}

var servingAddr = regexp.MustCompile(`msg=serving addr=(\S+)`)

// watchLog picks the server's address out of its log and passes the first
// few warnings and errors other than queue-full ones on to w.
func watchLog(r io.Reader, addrs chan<- string, w io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	shown := 0
	for sc.Scan() {
		line := sc.Text()
		if m := servingAddr.FindStringSubmatch(line); m != nil {
			select {
			case addrs <- m[1]:
			default:
			}
			continue
		}
		if shown < 20 && !strings.Contains(line, "level=INFO") && !strings.Contains(line, "webhook queue full") {
			shown++
			fmt.Fprintf(w, "serve: %s\n", line)
		}
	}
	io.Copy(io.Discard, r)
}

// sample is one reading of the server's resources.
type sample struct {
	rss, heap  int64 // bytes
	goroutines int
	queue      int
}

// readSample reads the server's /metrics (and /proc for a child's RSS).
func readSample(c *http.Client, s *server) (sample, error) {
	resp, err := c.Get("http://" + s.addr + "/metrics")
	if err != nil {
		return sample{}, err
	}
	defer resp.Body.Close()
	var sm sample
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		f, err := strconv.ParseFloat(val, 64)
		if err != nil {
			continue
		}
		switch name {
		case "process_resident_memory_bytes":
			sm.rss = int64(f)
		case "go_memstats_heap_inuse_bytes":
			sm.heap = int64(f)
		case "go_goroutines":
			sm.goroutines = int(f)
		case "slopguard_github_queue_depth":
			sm.queue = int(f)
		}
	}
	return sm, sc.Err()
}

// peakRSS is the child's high-water RSS from /proc, or 0 when unknown.
func peakRSS(pid int) int64 {
	if pid == 0 {
		pid = os.Getpid()
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// stepResult is what one rate step saw.
type stepResult struct {
	rate                   int
	overloaded             bool
	sent, accepted, busy   int
	other                  int
	decided                int // decisions made during the step
	elapsed                time.Duration
	p99Answer              time.Duration // time to answer, all requests
	p99Busy                time.Duration // time to answer a 503
	peak                   sample
	acceptedAt             map[string]time.Time
	acceptedSHAs, busySHAs []string
}

// Report is the whole run's outcome.
type Report struct {
	mode                          string
	steps                         []stepResult
	baseline, peak, after         sample
	peakRSS                       int64
	sustained                     float64 // decisions per second while overloaded
	p50, p99                      time.Duration
	accepted, busy                int
	decidedOnce, decidedTwice     int
	missing, decidedBusy          int
	storeDecisions, storeDistinct int
	drained, memoryBack, fast503  bool // fast503: overload answered quickly (2xx or 503)
	drainTime                     time.Duration
	shutdownErr                   error
}

// OK reports whether every promise held: overload answered quickly, every
// accepted delivery decided exactly once, memory back after the burst and a
// clean shutdown.
func (r *Report) OK() bool {
	return r.drained && r.memoryBack && r.fast503 && r.missing == 0 && r.decidedTwice == 0 &&
		r.decidedBusy == 0 && r.storeDistinct == r.accepted && r.storeDecisions == r.accepted && r.shutdownErr == nil
}

// Run runs the whole load test until every step is done or ctx ends; the
// report is partial on error.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	dir, err := os.MkdirTemp("", "slopguard-loadtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	api := newFakeAPI()
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()
	srv, err := startServer(ctx, o, dir, apiSrv.URL)
	if err != nil {
		return nil, err
	}
	stopped := false
	defer func() {
		if !stopped {
			srv.stop()
		}
	}()
	r := &Report{mode: "child process"}
	if srv.pid == 0 {
		r.mode = "in process"
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}}
	defer client.CloseIdleConnections()

	// Warm up, then take the baseline.
	var seq atomic.Int64
	warm := runStep(ctx, client, srv.addr, 40, 500*time.Millisecond, &seq)
	waitDecided(ctx, api, warm.acceptedSHAs, 10*time.Second)
	client.CloseIdleConnections() // idle keep-alive connections hold server goroutines
	if r.baseline, err = settle(ctx, client, srv); err != nil {
		return r, err
	}
	allAccepted := maps.Clone(warm.acceptedAt)
	r.accepted = warm.accepted
	allBusy := []string{}
	overloaded := 0
	for rate := o.StartRate; rate <= o.MaxRate && ctx.Err() == nil; rate *= 2 {
		before := len(decidedSet(api))
		st := runStepSampled(ctx, client, srv, rate, o.Step, &seq)
		st.decided = len(decidedSet(api)) - before
		// Overloaded: the server falls behind (deliveries wait in the
		// store) or refuses some.
		st.overloaded = st.busy > 0 || st.decided < st.accepted*9/10
		r.steps = append(r.steps, st)
		for sha, t := range st.acceptedAt {
			allAccepted[sha] = t
		}
		allBusy = append(allBusy, st.busySHAs...)
		if st.peak.rss > r.peak.rss {
			r.peak.rss = st.peak.rss
		}
		if st.peak.heap > r.peak.heap {
			r.peak.heap = st.peak.heap
		}
		r.peak.goroutines = max(r.peak.goroutines, st.peak.goroutines)
		r.peak.queue = max(r.peak.queue, st.peak.queue)
		if st.overloaded {
			overloaded++
			if overloaded == 2 {
				break // one step past the first overflow shows the plateau
			}
			rate /= 2 // hold the overflowing rate once more
		}
	}
	for _, st := range r.steps {
		r.accepted += st.accepted
		r.busy += st.busy
	}
	// Sustained throughput: decisions per second over the overloaded steps.
	var dec int
	var secs float64
	for _, st := range r.steps {
		if st.overloaded {
			dec += st.decided
			secs += st.elapsed.Seconds()
		}
	}
	if secs > 0 {
		r.sustained = float64(dec) / secs
	}
	r.fast503 = overloaded > 0
	for _, st := range r.steps {
		if st.overloaded && (st.p99Answer > 250*time.Millisecond || (st.busy > 0 && st.p99Busy > 250*time.Millisecond)) {
			r.fast503 = false
		}
	}

	// Drain: every accepted delivery must be decided.
	start := time.Now()
	shas := make([]string, 0, len(allAccepted))
	for sha := range allAccepted {
		shas = append(shas, sha)
	}
	r.drained = waitDecided(ctx, api, shas, 30*time.Second)
	r.drainTime = time.Since(start)
	client.CloseIdleConnections()
	if r.after, err = settle(ctx, client, srv); err != nil {
		return r, err
	}
	r.peakRSS = peakRSS(srv.pid)
	r.memoryBack = r.after.heap <= r.baseline.heap*3/2+16<<20 && r.after.goroutines <= r.baseline.goroutines+8

	// Time to decision and exactly-once, at the fake API.
	api.mu.Lock()
	var lat []time.Duration
	for sha, sent := range allAccepted {
		switch n := api.checkRuns[sha]; {
		case n == 0:
			r.missing++
		case n == 1:
			r.decidedOnce++
			lat = append(lat, api.decided[sha].Sub(sent))
		default:
			r.decidedTwice++
		}
	}
	for _, sha := range allBusy {
		if api.checkRuns[sha] > 0 {
			r.decidedBusy++
		}
	}
	api.mu.Unlock()
	slices.Sort(lat)
	if len(lat) > 0 {
		r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}

	stopped = true
	r.shutdownErr = srv.stop()
	// Exactly once, in the store.
	st, err := sqlstore.Open(context.WithoutCancel(ctx), "sqlite", filepath.Join(dir, "slopguard.db"))
	if err != nil {
		return r, fmt.Errorf("open the server's store: %w", err)
	}
	defer st.Close()
	ds, err := st.Decisions(context.WithoutCancel(ctx), store.DecisionFilter{Platform: "github", Limit: 1 << 30})
	if err != nil {
		return r, fmt.Errorf("read decisions: %w", err)
	}
	seen := map[string]bool{}
	for _, d := range ds {
		if strings.HasPrefix(d.ItemID, "pr/") && d.ItemID >= "pr/1000000" {
			r.storeDecisions++
			seen[d.ItemID] = true
		}
	}
	r.storeDistinct = len(seen)
	return r, nil
}

// settle waits for the server's queue to empty and its heap to stop
// shrinking, then returns a reading.
func settle(ctx context.Context, c *http.Client, s *server) (sample, error) {
	var last sample
	for i := 0; i < 40 && ctx.Err() == nil; i++ {
		sm, err := readSample(c, s)
		if err != nil {
			return sm, fmt.Errorf("read metrics: %w", err)
		}
		if i > 0 && sm.queue == 0 && sm.heap >= last.heap*95/100 && sm.goroutines >= last.goroutines {
			return sm, nil
		}
		last = sm
		time.Sleep(250 * time.Millisecond)
	}
	return last, nil
}

func decidedSet(api *fakeAPI) map[string]time.Time {
	api.mu.Lock()
	defer api.mu.Unlock()
	return maps.Clone(api.decided)
}

// waitDecided waits until every sha has a check run, or the timeout.
func waitDecided(ctx context.Context, api *fakeAPI, shas []string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		api.mu.Lock()
		missing := 0
		for _, sha := range shas {
			if api.checkRuns[sha] == 0 {
				missing++
			}
		}
		api.mu.Unlock()
		if missing == 0 {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runStepSampled runs one step while sampling the server's resources.
func runStepSampled(ctx context.Context, c *http.Client, s *server, rate int, d time.Duration, seq *atomic.Int64) stepResult {
	done := make(chan struct{})
	var peak sample
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if sm, err := readSample(c, s); err == nil {
					peak.rss = max(peak.rss, sm.rss)
					peak.heap = max(peak.heap, sm.heap)
					peak.goroutines = max(peak.goroutines, sm.goroutines)
					peak.queue = max(peak.queue, sm.queue)
				}
			}
		}
	})
	st := runStep(ctx, c, s.addr, rate, d, seq)
	close(done)
	wg.Wait()
	st.peak = peak
	return st
}

// runStep sends rate signed deliveries per second for d, each a new pull
// request, and records the answers.
func runStep(ctx context.Context, c *http.Client, addr string, rate int, d time.Duration, seq *atomic.Int64) stepResult {
	st := stepResult{rate: rate, acceptedAt: map[string]time.Time{}}
	var mu sync.Mutex
	var answers, busyAnswers []time.Duration
	total := int(float64(rate) * d.Seconds())
	tokens := make(chan struct{}, 1024)
	var wg sync.WaitGroup
	for range min(256, max(4, rate/10)) {
		wg.Go(func() {
			for range tokens {
				n := 1_000_000 + seq.Add(1)
				sha := fmt.Sprintf("%040d", n)
				sent := time.Now()
				code := deliver(ctx, c, addr, n, sha)
				took := time.Since(sent)
				mu.Lock()
				st.sent++
				answers = append(answers, took)
				switch {
				case code == http.StatusAccepted:
					st.accepted++
					st.acceptedAt[sha] = sent
					st.acceptedSHAs = append(st.acceptedSHAs, sha)
				case code == http.StatusServiceUnavailable:
					st.busy++
					st.busySHAs = append(st.busySHAs, sha)
					busyAnswers = append(busyAnswers, took)
				default:
					st.other++
				}
				mu.Unlock()
			}
		})
	}
	start := time.Now()
	tick := 10 * time.Millisecond
	for i := 0; i < total && ctx.Err() == nil; {
		due := int(float64(rate) * time.Since(start).Seconds())
		for ; i < min(due, total); i++ {
			tokens <- struct{}{}
		}
		time.Sleep(tick)
	}
	close(tokens)
	wg.Wait()
	st.elapsed = time.Since(start)
	st.p99Answer = pct(answers, 99)
	st.p99Busy = pct(busyAnswers, 99)
	return st
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, len(ds)*p/100)]
}

// deliver sends one signed pull_request.opened webhook and returns the status.
func deliver(ctx context.Context, c *http.Client, addr string, n int64, sha string) int {
	body := loadtestPayload(n, sha)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/webhook", bytes.NewReader(body))
	if err != nil {
		return 0
	}
	mac := hmac.New(sha256.New, []byte(loadtestSecret))
	mac.Write(body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "pull_request")
	req.Header.Set("X-GitHub-Delivery", "loadtest-"+strconv.FormatInt(n, 10))
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func loadtestPayload(n int64, sha string) []byte {
	p := map[string]any{
		"action": "opened",
		"number": n,
		"pull_request": map[string]any{
			"number": n, "state": "open", "draft": false, "title": "Expire widget cache entries",
			"body": loadtestText, "html_url": fmt.Sprintf("https://github.com/acme/widgets/pull/%d", n),
			"user":               map[string]any{"login": "newcomer", "id": 5001, "type": "User"},
			"author_association": "NONE",
			"head":               map[string]any{"sha": sha, "ref": "cache-expiry"},
			"labels":             []any{},
		},
		"repository":   map[string]any{"name": "widgets", "full_name": "acme/widgets", "owner": map[string]any{"login": "acme"}, "default_branch": "main"},
		"installation": map[string]any{"id": 4242},
		"sender":       map[string]any{"login": "newcomer", "id": 5001, "type": "User"},
	}
	b, _ := json.Marshal(p)
	return b
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// Print writes the report as plain text.
func (r *Report) Print(w io.Writer, o Options) {
	procs := o.Procs
	if r.mode == "in process" {
		procs = runtime.GOMAXPROCS(0)
	}
	fmt.Fprintf(w, "slopguard loadtest: server %s with GOMAXPROCS=%d on a %d-CPU machine (load generator included), %d workers, step %v\n",
		r.mode, procs, runtime.NumCPU(), o.Workers, o.Step)
	fmt.Fprintf(w, "%8s %7s %8s %6s %6s %9s %10s %10s %9s %10s %6s\n",
		"rate/s", "sent", "accepted", "503", "other", "decided/s", "p99 answer", "p99 503", "peak RSS", "peak heap", "gor.")
	for _, st := range r.steps {
		fmt.Fprintf(w, "%8d %7d %8d %6d %6d %9.0f %10v %10v %9s %10s %6d\n", st.rate, st.sent, st.accepted, st.busy, st.other,
			float64(st.decided)/st.elapsed.Seconds(), st.p99Answer.Round(time.Microsecond*100), st.p99Busy.Round(time.Microsecond*100),
			mib(st.peak.rss), mib(st.peak.heap), st.peak.goroutines)
	}
	fmt.Fprintf(w, "sustained: %.0f decisions/s while overloaded\n", r.sustained)
	fmt.Fprintf(w, "time to decision (accepted deliveries): p50 %v, p99 %v\n", r.p50.Round(time.Millisecond), r.p99.Round(time.Millisecond))
	fmt.Fprintf(w, "peak: RSS %s (high-water %s), heap in use %s, goroutines %d, queue depth %d\n",
		mib(r.peak.rss), mib(r.peakRSS), mib(r.peak.heap), r.peak.goroutines, r.peak.queue)
	fmt.Fprintf(w, "baseline: RSS %s, heap %s, goroutines %d; after drain: RSS %s, heap %s, goroutines %d\n",
		mib(r.baseline.rss), mib(r.baseline.heap), r.baseline.goroutines, mib(r.after.rss), mib(r.after.heap), r.after.goroutines)
	check := func(ok bool) string {
		if ok {
			return "ok"
		}
		return "FAILED"
	}
	fmt.Fprintf(w, "(a) overload answered quickly, deliveries kept in the store (p99 under 250ms, heap bounded): %s (%d answered 503)\n", check(r.fast503), r.busy)
	fmt.Fprintf(w, "(b) every 2xx processed exactly once: %s (accepted %d; check runs: once %d, twice+ %d, missing %d; for 503s: %d; store decisions %d for %d items)\n",
		check(r.missing == 0 && r.decidedTwice == 0 && r.decidedBusy == 0 && r.storeDecisions == r.accepted && r.storeDistinct == r.accepted),
		r.accepted, r.decidedOnce, r.decidedTwice, r.missing, r.decidedBusy, r.storeDecisions, r.storeDistinct)
	fmt.Fprintf(w, "(c) memory back to baseline after the burst: %s (drained in %v)\n", check(r.memoryBack && r.drained), r.drainTime.Round(time.Millisecond))
	if r.shutdownErr != nil {
		fmt.Fprintf(w, "shutdown: %v\n", r.shutdownErr)
	}
}
