package githubapp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// fakeDeliveries stands in for GET /app/hook/deliveries and
// POST /app/hook/deliveries/{id}/attempts.
type fakeDeliveries struct {
	mu        sync.Mutex
	list      []map[string]any
	attempts  []string // IDs asked to redeliver
	listCalls int
}

func (f *fakeDeliveries) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/app/hook/deliveries":
		f.listCalls++
		json.NewEncoder(w).Encode(f.list)
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/app/hook/deliveries/") && strings.HasSuffix(r.URL.Path, "/attempts"):
		f.attempts = append(f.attempts, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/app/hook/deliveries/"), "/attempts"))
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte(`{}`))
	default:
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"Not Found"}`))
	}
}

func delivery(id int64, guid string, code int, redelivery bool, at time.Time) map[string]any {
	status := "OK"
	if code >= 400 || code == 0 {
		status = "failed"
	}
	return map[string]any{"id": id, "guid": guid, "status_code": code, "status": status, "redelivery": redelivery,
		"event": "pull_request", "action": "opened", "delivered_at": at.Format(time.RFC3339)}
}

// TestRedeliverySweep: the sweep asks GitHub to redeliver each delivery
// that failed and never succeeded, at most once per delivery, skipping
// those the store already holds and those older than the lookback; one
// replica at a time runs it.
func TestRedeliverySweep(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Second)
	fake := &fakeDeliveries{list: []map[string]any{
		delivery(9, "guid-a", 502, false, now.Add(-time.Minute)),                     // failed: redeliver
		delivery(8, "guid-b", 202, true, now.Add(-2*time.Minute)),                    // redelivered and accepted…
		delivery(7, "guid-b", 503, false, now.Add(-3*time.Minute)),                   // …so its failure is not retried
		delivery(6, "guid-c", 0, false, now.Add(-4*time.Minute)),                     // timed out, but the store has its job
		delivery(5, "guid-d", 0, false, now.Add(-5*time.Minute)),                     // timed out: redeliver
		delivery(4, "guid-e", 500, false, now.Add(-(redeliverLookback + time.Hour))), // too old
	}}
	gh := newServer(t, fake.serve)
	client, err := NewRESTClient(http.DefaultTransport, gh+"/")
	if err != nil {
		t.Fatal(err)
	}
	st := openTempStore(t)
	if _, err := st.EnqueueJob(t.Context(), store.Job{Platform: jobPlatform, DeliveryID: "guid-c", Kind: "pull_request"}, now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	clock := &replicaClock{now: now}
	newApp := func() *App {
		app, err := New(Options{WebhookSecret: []byte(testSecret), Clients: StaticClients{Client: client}, Checker: slop,
			Store: st, DefaultPolicy: moderation.DefaultPolicy(), Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { app.kill() })
		return app
	}
	a, b := newApp(), newApp()

	n, err := a.Redeliver(t.Context(), client, time.Minute)
	if err != nil || n != 2 {
		t.Fatalf("first sweep: asked %d (err %v), want 2", n, err)
	}
	sort.Strings(fake.attempts)
	if got := fmt.Sprint(fake.attempts); got != "[5 9]" {
		t.Errorf("redelivered %s, want [5 9]", got)
	}
	// Another replica, while the first holds the sweep's lease: nothing.
	if n, err := b.Redeliver(t.Context(), client, time.Minute); err != nil || n != 0 || fake.listCalls != 1 {
		t.Errorf("second replica during the lease: asked %d (err %v), listed %d times; want 0 and 1 list", n, err, fake.listCalls)
	}
	// Later, when GitHub still lists the same failures: at most once each.
	clock.Advance(2 * time.Minute)
	if n, err := b.Redeliver(t.Context(), client, time.Minute); err != nil || n != 0 || len(fake.attempts) != 2 {
		t.Errorf("after the lease: asked %d more (err %v), %d attempts in all; want none more (at most once per delivery)", n, err, len(fake.attempts))
	}
}

// TestEnforceSweepOneReplica: of two replicas on one store, one runs the
// enforce sweep per interval; the other takes over once the lease lapses.
func TestEnforceSweepOneReplica(t *testing.T) {
	t.Parallel()
	st := openTempStore(t)
	clock := &replicaClock{now: time.Now().UTC()}
	var apps []*App
	for range 2 {
		app, err := New(Options{WebhookSecret: []byte(testSecret), Clients: StaticClients{}, Checker: slop,
			Store: st, DefaultPolicy: moderation.DefaultPolicy(), Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { app.kill() })
		apps = append(apps, app)
	}
	swept := func(i int) bool {
		ran, err := apps[i].sweepIfLeader(t.Context(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ran
	}
	if !swept(0) || swept(1) {
		t.Fatal("first interval: want replica 0 to sweep and replica 1 not")
	}
	clock.Advance(30 * time.Second)
	if swept(1) || !swept(0) {
		t.Error("within the lease: want only its holder to sweep")
	}
	clock.Advance(2 * time.Minute) // replica 0 died
	if !swept(1) {
		t.Error("after the lease lapsed: want replica 1 to take over")
	}
}
