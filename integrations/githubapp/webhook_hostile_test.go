package githubapp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slopguard/slopguard/store"
)

// logBuffer is a goroutine-safe log sink for a slog handler.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// count returns how many log lines contain s.
func (l *logBuffer) count(s string) int {
	n := 0
	for _, line := range strings.Split(l.String(), "\n") {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

func captureLogs(o *Options) *logBuffer {
	buf := &logBuffer{}
	o.Logger = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return buf
}

// TestHostileDeliveries sends what an attacker on the open webhook endpoint
// can send and checks each gets the documented answer with no processing.
func TestHostileDeliveries(t *testing.T) {
	t.Parallel()
	issue := fixture(t, "issues.opened.json", nil)
	deep := []byte(`{"action":"opened","issue":` + strings.Repeat(`{"a":`, 20000) + `1` + strings.Repeat(`}`, 20000) + `}`)
	deepArr := []byte(`{"action":"opened","issue":{"labels":` + strings.Repeat(`[`, 200000) + strings.Repeat(`]`, 200000) + `}}`)
	tests := []struct {
		name    string
		event   string
		body    []byte
		headers map[string]string
		want    int
	}{
		{"no signature", "issues", issue, nil, http.StatusUnauthorized},
		{"sha1 only", "issues", issue, map[string]string{"X-Hub-Signature": "sha1=" + strings.Repeat("0", 40)}, http.StatusUnauthorized},
		{"signed with another secret", "issues", issue, map[string]string{"X-Hub-Signature-256": signBody("guess", issue)}, http.StatusUnauthorized},
		{"signature of another body", "issues", issue, map[string]string{"X-Hub-Signature-256": signBody(testSecret, []byte("{}"))}, http.StatusUnauthorized},
		{"truncated signature", "issues", issue, map[string]string{"X-Hub-Signature-256": signBody(testSecret, issue)[:40]}, http.StatusBadRequest},
		{"uppercase prefix", "issues", issue, map[string]string{"X-Hub-Signature-256": "SHA256=" + strings.TrimPrefix(signBody(testSecret, issue), "sha256=")}, http.StatusBadRequest},
		{"deeply nested objects, signed", "issues", deep, sign(deep), http.StatusBadRequest},
		{"deeply nested arrays, signed", "issues", deepArr, sign(deepArr), http.StatusBadRequest},
		{"not JSON, signed", "issues", []byte("\xff\xfe\x00garbage"), sign([]byte("\xff\xfe\x00garbage")), http.StatusBadRequest},
		{"wrong shape, signed", "issues", []byte(`{"issue": "a string"}`), sign([]byte(`{"issue": "a string"}`)), http.StatusBadRequest},
	}
	h := newHarness(t, slop)
	for _, tt := range tests {
		rec := h.sendWith(tt.event, "hostile-"+tt.name, tt.body, tt.headers)
		if rec.Code != tt.want {
			t.Errorf("%s: got status %d, want %d", tt.name, rec.Code, tt.want)
		}
	}
	h.drain()
	if calls := h.gh.allCalls(); len(calls) != 0 {
		t.Errorf("got GitHub calls %v, want none", calls)
	}
	ds, err := h.opt.Store.Decisions(context.Background(), store.DecisionFilter{Limit: 10})
	if err != nil || len(ds) != 0 {
		t.Errorf("got %d decisions (err %v), want none", len(ds), err)
	}
}

// TestReplayedDelivery: a captured delivery replayed verbatim (as GitHub's
// own redelivery does) is a duplicate that makes no call to GitHub at all;
// replayed under a new X-GitHub-Delivery (the header is not signed) it is
// processed again but changes nothing: the label is not added twice and the
// one comment is edited in place.
func TestReplayedDelivery(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	body := fixture(t, "issues.opened.json", nil)
	if got := h.sendAs("issues", "captured", body); got != http.StatusAccepted {
		t.Fatalf("original: got %d, want 202", got)
	}
	h.drain()
	h.gh.reset()
	if got := h.sendAs("issues", "captured", body); got != http.StatusOK {
		t.Errorf("verbatim replay: got %d, want 200 (duplicate)", got)
	}
	h.drain()
	if calls := h.gh.allCalls(); len(calls) != 0 {
		t.Errorf("verbatim replay: got calls %v, want none", calls)
	}
	h.gh.handle("GET /repos/acme/widgets/issues/9", 200, `{"number": 9, "labels": [{"name": "possible-slop"}]}`)
	body2 := fixture(t, "issues.opened.json", map[string]any{"issue.labels": []any{map[string]any{"name": "possible-slop"}}})
	if got := h.sendAs("issues", "replayed-new-id", body2); got != http.StatusAccepted {
		t.Fatalf("replay with new id: got %d, want 202", got)
	}
	h.drain()
	wantCalls(t, h.gh.writes(), "PATCH /repos/acme/widgets/issues/comments/500")
}

// TestBodyLimitMemory sends a 25 MiB + 1 byte body: it is refused with 413
// having read no more than the limit, and allocations stay within a small
// multiple of the limit.
func TestBodyLimitMemory(t *testing.T) {
	h := newHarness(t, slop)
	const limit = 25 << 20
	big := bytes.Repeat([]byte("a"), limit+1)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rec := h.sendWith("issues", "huge", big, map[string]string{"X-Hub-Signature-256": signBody(testSecret, big)})
	runtime.ReadMemStats(&after)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("got status %d, want 413", rec.Code)
	}
	// Generous: io.ReadAll doubles its buffer, and -race allocates more.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d MiB to refuse a %d MiB body", alloc>>20, (limit+1)>>20)
	if alloc > 6*limit {
		t.Errorf("got %d MiB allocated for one refused body, want at most %d MiB", alloc>>20, 6*limit>>20)
	}
	// At the limit exactly the body is read, verified and refused as a bad payload.
	atLimit := bytes.Repeat([]byte(" "), limit)
	if got := h.sendAs("issues", "at-limit", atLimit); got != http.StatusBadRequest {
		t.Errorf("at the limit: got status %d, want 400", got)
	}
}

// TestInvalidUTF8Body: a signed event whose text is not UTF-8 is processed;
// what the App writes to GitHub is valid JSON.
func TestInvalidUTF8Body(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slop)
	raw := fixture(t, "issues.opened.json", map[string]any{"issue.body": "BODYMARK"})
	raw = bytes.Replace(raw, []byte("BODYMARK"), []byte("caf\xe9 \xff\xfe \xed\xa0\x80 end"), 1)
	if got := h.sendAs("issues", "utf8", raw); got != http.StatusAccepted {
		t.Fatalf("got status %d, want 202", got)
	}
	h.drain()
	if _, err := h.opt.Store.LatestDecision(context.Background(), "github", "acme/widgets", "issue/9"); err != nil {
		t.Errorf("got %v, want a decision for the item", err)
	}
	for _, c := range h.gh.writes() {
		if c.Body != "" && !json.Valid([]byte(c.Body)) {
			t.Errorf("%s: body is not valid JSON: %q", c, c.Body)
		}
	}
}

// TestSecretsNeverLogged drives the failure paths that log (bad signatures,
// GitHub refusing the App's token, API give-ups, store errors) and greps every
// log line and error for the webhook secret, the private key and tokens.
func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	const installToken = "ghs_installationTokenXYZ123"
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyDER := x509.MarshalPKCS1PrivateKey(key)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: keyDER})
	keyBody := strings.Split(string(pemKey), "\n")[1] // a line of the key's base64

	var tokenCalls int
	var mu sync.Mutex
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/access_tokens"):
			tokenCalls++
			if tokenCalls == 1 {
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, `{"message":"boom"}`)
				return
			}
			fmt.Fprintf(w, `{"token": %q, "expires_at": %q}`, installToken, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		case r.Method == http.MethodGet:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Not Found"}`)
		default:
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, `{"message":"bad gateway"}`)
		}
	}))
	t.Cleanup(api.Close)

	var logs *logBuffer
	h := newHarness(t, slop, func(o *Options) {
		logs = captureLogs(o)
		rt, err := NewTransport(TransportOptions{Logger: o.Logger, Sleep: func(context.Context, time.Duration) error { return nil }})
		if err != nil {
			t.Fatal(err)
		}
		clients, err := NewAppClients(42, pemKey, api.URL+"/", rt)
		if err != nil {
			t.Fatal(err)
		}
		o.Clients = clients
		o.GraphQLURL = api.URL + "/graphql"
	})
	body := fixture(t, "issues.opened.json", nil)
	h.sendWith("issues", "bad-sig", body, map[string]string{"X-Hub-Signature-256": signBody("not-"+testSecret, body)})
	h.send("issues", body) // token fetch fails: the job fails and is logged
	h.send("pull_request", fixture(t, "pull_request.opened.json", nil))
	h.drain()
	_, badKeyErr := NewAppClients(42, []byte("-----BEGIN RSA PRIVATE KEY-----\n"+keyBody+"\n-----END RSA PRIVATE KEY-----\n"), "", nil)

	all := logs.String()
	if badKeyErr != nil {
		all += "\n" + badKeyErr.Error()
	}
	if !strings.Contains(all, "github action failed") || !strings.Contains(all, "webhook signature rejected") {
		t.Fatalf("the failure paths did not run; logs:\n%s", all)
	}
	for name, secret := range map[string]string{
		"webhook secret": testSecret, "private key": keyBody, "installation token": installToken, "bearer": "Bearer ",
	} {
		if strings.Contains(all, secret) {
			t.Errorf("logs or errors contain the %s:\n%s", name, all)
		}
	}
}

// readCounter counts reads of a request body.
type readCounter struct {
	r     io.Reader
	reads atomic.Int32
}

func (c *readCounter) Read(p []byte) (int, error) { c.reads.Add(1); return c.r.Read(p) }

// TestBodiesBoundedBeforeAuthentication: while MaxConcurrentBodies
// unauthenticated bodies are being read, another request is refused with
// 503 without its body being read, so a flood of large bodies cannot take
// memory; once a slot is free, deliveries are accepted again.
func TestBodiesBoundedBeforeAuthentication(t *testing.T) {
	t.Parallel()
	h := newHarness(t, clean, func(o *Options) { o.MaxConcurrentBodies, o.BodySlotWait = 1, time.Millisecond })
	pr, pw := io.Pipe()
	slow := httptest.NewRequest(http.MethodPost, "/webhook", pr)
	slow.Header.Set("X-GitHub-Event", "issues")
	slow.Header.Set("X-GitHub-Delivery", "slow")
	slow.Header.Set("X-Hub-Signature-256", "sha256="+strings.Repeat("0", 64))
	done := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		h.app.ServeHTTP(rec, slow)
		done <- rec.Code
	}()
	pw.Write([]byte(`{"partial":`)) // returns once the handler is reading: it holds the slot

	body := fixture(t, "issues.opened.json", nil)
	rc := &readCounter{r: bytes.NewReader(body)}
	req := httptest.NewRequest(http.MethodPost, "/webhook", rc)
	req.Header.Set("X-GitHub-Event", "issues")
	req.Header.Set("X-GitHub-Delivery", "second")
	req.Header.Set("X-Hub-Signature-256", sign(body)["X-Hub-Signature-256"])
	rec := httptest.NewRecorder()
	h.app.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rc.reads.Load() != 0 {
		t.Errorf("second request while a body is being read: got %d after %d reads, want 503 without reading", rec.Code, rc.reads.Load())
	}
	pw.Close()
	if code := <-done; code != http.StatusUnauthorized {
		t.Errorf("slow unsigned request: got %d, want 401", code)
	}
	if code := h.sendAs("issues", "third", body); code != http.StatusAccepted {
		t.Errorf("after the slot is free: got %d, want 202", code)
	}
}
