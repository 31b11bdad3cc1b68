package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/slopguard/slopguard/store"
)

// queueTests are run by Run when the store also implements store.Queue.
var queueTests = []struct {
	name string
	fn   func(*testing.T, store.Queue)
}{
	{"JobLifecycle", testJobLifecycle},
	{"JobLeaseExpires", testJobLeaseExpires},
	{"JobItemSerialised", testJobItemSerialised},
	{"JobClaimConcurrent", testJobClaimConcurrent},
	{"JobRetryAndFail", testJobRetryAndFail},
	{"NamedLease", testNamedLease},
	{"JobPrune", nil}, // needs Prune: run from runQueue
}

// runQueue runs the queue tests against a fresh store each.
func runQueue(t *testing.T, open func(t *testing.T) store.Store) {
	if _, ok := open(t).(store.Queue); !ok {
		t.Skip("the store does not implement store.Queue")
	}
	for _, tt := range queueTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			if tt.fn == nil {
				testJobPrune(t, s)
				return
			}
			tt.fn(t, s.(store.Queue))
		})
	}
}

func job(id, item string) store.Job {
	return store.Job{Platform: "github", DeliveryID: id, Kind: "pull_request", ItemKey: item, Payload: []byte(`{"n":"` + id + `"}`)}
}

func enqueue(t *testing.T, q store.Queue, j store.Job, now time.Time) bool {
	t.Helper()
	ok, err := q.EnqueueJob(t.Context(), j, now, now.Add(7*24*time.Hour))
	if err != nil {
		t.Fatalf("EnqueueJob %s: %v", j.DeliveryID, err)
	}
	return ok
}

func claim(t *testing.T, q store.Queue, n int, now time.Time) []store.Job {
	t.Helper()
	jobs, err := q.ClaimJobs(t.Context(), "github", n, now, time.Minute)
	if err != nil {
		t.Fatalf("ClaimJobs: %v", err)
	}
	return jobs
}

func ids(jobs []store.Job) string {
	s := ""
	for _, j := range jobs {
		s += j.DeliveryID + " "
	}
	return s
}

func testJobLifecycle(t *testing.T, q store.Queue) {
	ctx := t.Context()
	if !enqueue(t, q, job("d1", "a/b#1"), base) {
		t.Fatal("first EnqueueJob: got false, want accepted")
	}
	// A redelivery of a job still waiting is accepted: it is the same row.
	if !enqueue(t, q, job("d1", "a/b#1"), base) {
		t.Error("EnqueueJob of a waiting job: got false, want accepted (not done, not leased)")
	}
	got := claim(t, q, 5, base)
	if len(got) != 1 || got[0].DeliveryID != "d1" || got[0].Attempts != 1 || got[0].Lease == "" ||
		string(got[0].Payload) != `{"n":"d1"}` || got[0].Kind != "pull_request" || got[0].ItemKey != "a/b#1" {
		t.Fatalf("ClaimJobs: got %+v, want d1 with attempt 1, a lease and its payload", got)
	}
	if enqueue(t, q, job("d1", "a/b#1"), base) {
		t.Error("EnqueueJob while the job is leased: got accepted, want a duplicate")
	}
	if again := claim(t, q, 5, base); len(again) != 0 {
		t.Errorf("ClaimJobs while leased: got %s, want none", ids(again))
	}
	if err := q.CompleteJob(ctx, got[0], base); err != nil {
		t.Fatalf("CompleteJob: %v", err)
	}
	if enqueue(t, q, job("d1", "a/b#1"), base.Add(time.Hour)) {
		t.Error("EnqueueJob of a done job: got accepted, want a duplicate")
	}
	if again := claim(t, q, 5, base.Add(time.Hour)); len(again) != 0 {
		t.Errorf("ClaimJobs after done: got %s, want none", ids(again))
	}
	j, err := q.Job(ctx, "github", "d1")
	if err != nil || j.State != store.JobDone {
		t.Errorf("Job(d1): got %+v, %v; want state done", j, err)
	}
	if _, err := q.Job(ctx, "github", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Job(unknown): got %v, want ErrNotFound", err)
	}
	counts, err := q.JobCounts(ctx, "github")
	if err != nil || counts[store.JobDone] != 1 || counts[store.JobQueued] != 0 {
		t.Errorf("JobCounts: got %v, %v; want done=1", counts, err)
	}
}

func testJobLeaseExpires(t *testing.T, q store.Queue) {
	ctx := t.Context()
	enqueue(t, q, job("d1", "a/b#1"), base)
	first := claim(t, q, 1, base)
	if len(first) != 1 {
		t.Fatalf("ClaimJobs: got %d jobs, want 1", len(first))
	}
	if got := claim(t, q, 1, base.Add(59*time.Second)); len(got) != 0 {
		t.Fatalf("ClaimJobs before the lease expires: got %s, want none", ids(got))
	}
	// The claimer died: after the lease, another claim takes the job over.
	second := claim(t, q, 1, base.Add(61*time.Second))
	if len(second) != 1 || second[0].DeliveryID != "d1" || second[0].Attempts != 2 || second[0].Lease == first[0].Lease {
		t.Fatalf("ClaimJobs after the lease expired: got %+v, want d1 again, attempt 2, a new lease", second)
	}
	if err := q.CompleteJob(ctx, first[0], base.Add(62*time.Second)); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("CompleteJob with the expired claim: got %v, want ErrLeaseLost", err)
	}
	if err := q.CompleteJob(ctx, second[0], base.Add(62*time.Second)); err != nil {
		t.Errorf("CompleteJob with the live claim: %v", err)
	}
}

func testJobItemSerialised(t *testing.T, q store.Queue) {
	ctx := t.Context()
	enqueue(t, q, job("a1", "a/b#1"), base)
	enqueue(t, q, job("a2", "a/b#1"), base.Add(time.Second))
	enqueue(t, q, job("b1", "a/b#2"), base.Add(2*time.Second))
	now := base.Add(3 * time.Second)
	got := claim(t, q, 10, now)
	if ids(got) != "a1 b1 " {
		t.Fatalf("ClaimJobs: got %s, want the oldest job of each item: a1 b1", ids(got))
	}
	if more := claim(t, q, 10, now); len(more) != 0 {
		t.Fatalf("ClaimJobs while item a/b#1 is held: got %s, want none", ids(more))
	}
	if err := q.CompleteJob(ctx, got[0], now); err != nil {
		t.Fatal(err)
	}
	if more := claim(t, q, 10, now); ids(more) != "a2 " {
		t.Fatalf("ClaimJobs once a1 is done: got %s, want a2", ids(more))
	}
	// Jobs with no item key are never held back by one another.
	enqueue(t, q, job("x1", ""), now)
	enqueue(t, q, job("x2", ""), now)
	if more := claim(t, q, 10, now); ids(more) != "x1 x2 " {
		t.Errorf("ClaimJobs of keyless jobs: got %s, want x1 x2", ids(more))
	}
}

func testJobClaimConcurrent(t *testing.T, q store.Queue) {
	const items, perItem = 4, 5
	for i := range items * perItem {
		enqueue(t, q, job(fmt.Sprintf("d%02d", i), fmt.Sprintf("a/b#%d", i%items)), base.Add(time.Duration(i)*time.Millisecond))
	}
	now := base.Add(time.Second)
	seen := map[string]bool{}
	for round := 0; len(seen) < items*perItem; round++ {
		if round > items*perItem {
			t.Fatalf("jobs never all claimed: %d of %d", len(seen), items*perItem)
		}
		claims := parallel(func(int) []store.Job {
			jobs, err := q.ClaimJobs(t.Context(), "github", 2, now, time.Minute)
			if err != nil {
				t.Errorf("ClaimJobs: %v", err)
			}
			return jobs
		})
		held := map[string]string{}
		var all []store.Job
		for _, c := range claims {
			for _, j := range c {
				if seen[j.DeliveryID] {
					t.Fatalf("job %s claimed twice", j.DeliveryID)
				}
				seen[j.DeliveryID] = true
				if other, ok := held[j.ItemKey]; ok {
					t.Fatalf("item %s held by %s and %s at once", j.ItemKey, other, j.DeliveryID)
				}
				held[j.ItemKey] = j.DeliveryID
				all = append(all, j)
			}
		}
		var wg sync.WaitGroup
		for _, j := range all {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := q.CompleteJob(t.Context(), j, now); err != nil {
					t.Errorf("CompleteJob %s: %v", j.DeliveryID, err)
				}
			}()
		}
		wg.Wait()
	}
}

func testJobRetryAndFail(t *testing.T, q store.Queue) {
	ctx := t.Context()
	enqueue(t, q, job("d1", "a/b#1"), base)
	got := claim(t, q, 1, base)
	if err := q.RetryJob(ctx, got[0], base.Add(10*time.Second), "502 from GitHub", base); err != nil {
		t.Fatalf("RetryJob: %v", err)
	}
	if more := claim(t, q, 1, base.Add(9*time.Second)); len(more) != 0 {
		t.Fatalf("ClaimJobs before runAfter: got %s, want none", ids(more))
	}
	got = claim(t, q, 1, base.Add(10*time.Second))
	if len(got) != 1 || got[0].Attempts != 2 || got[0].LastError != "502 from GitHub" {
		t.Fatalf("ClaimJobs after runAfter: got %+v, want d1, attempt 2, with the last error", got)
	}
	if err := q.FailJob(ctx, got[0], "gave up", base.Add(11*time.Second)); err != nil {
		t.Fatalf("FailJob: %v", err)
	}
	if more := claim(t, q, 1, base.Add(time.Hour)); len(more) != 0 {
		t.Fatalf("ClaimJobs of a failed job: got %s, want none", ids(more))
	}
	if j, _ := q.Job(ctx, "github", "d1"); j.State != store.JobFailed || j.LastError != "gave up" {
		t.Errorf("Job(d1): got state %q error %q, want failed, gave up", j.State, j.LastError)
	}
	// A redelivery of a failed job queues it again, from the first attempt.
	if !enqueue(t, q, job("d1", "a/b#1"), base.Add(time.Hour)) {
		t.Fatal("EnqueueJob of a failed job: got duplicate, want accepted")
	}
	got = claim(t, q, 1, base.Add(time.Hour))
	if len(got) != 1 || got[0].Attempts != 1 {
		t.Errorf("ClaimJobs after redelivery: got %+v, want d1 at attempt 1", got)
	}
	if err := q.RetryJob(ctx, store.Job{Platform: "github", DeliveryID: "d1", Lease: "stale"}, base, "", base); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("RetryJob with a wrong lease: got %v, want ErrLeaseLost", err)
	}
}

func testNamedLease(t *testing.T, q store.Queue) {
	ctx := t.Context()
	take := func(owner string, at time.Time) bool {
		t.Helper()
		ok, err := q.TakeLease(ctx, "sweep", owner, at, time.Minute)
		if err != nil {
			t.Fatalf("TakeLease: %v", err)
		}
		return ok
	}
	if !take("a", base) {
		t.Fatal("a: first TakeLease got false")
	}
	if take("b", base.Add(30*time.Second)) {
		t.Error("b took a's live lease")
	}
	if !take("a", base.Add(50*time.Second)) {
		t.Error("a could not renew its lease")
	}
	if take("b", base.Add(100*time.Second)) {
		t.Error("b took a's renewed lease before it expired")
	}
	if !take("b", base.Add(111*time.Second)) {
		t.Error("b could not take the expired lease")
	}
	if err := q.ReleaseLease(ctx, "sweep", "a"); err != nil {
		t.Fatal(err)
	}
	if take("a", base.Add(112*time.Second)) {
		t.Error("a's release freed b's lease")
	}
	if err := q.ReleaseLease(ctx, "sweep", "b"); err != nil {
		t.Fatal(err)
	}
	if !take("a", base.Add(113*time.Second)) {
		t.Error("a could not take the released lease")
	}
}

func testJobPrune(t *testing.T, s store.Store) {
	q := s.(store.Queue)
	ctx := t.Context()
	now := time.Now()
	for _, id := range []string{"old-done", "old-queued", "new-done"} {
		exp := now.Add(-time.Minute)
		if id == "new-done" {
			exp = now.Add(time.Hour)
		}
		if ok, err := q.EnqueueJob(ctx, job(id, ""), now.Add(-time.Hour), exp); err != nil || !ok {
			t.Fatalf("EnqueueJob %s: %v %v", id, ok, err)
		}
	}
	for _, j := range claim(t, q, 3, now) {
		if j.DeliveryID != "old-queued" {
			if err := q.CompleteJob(ctx, j, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.Prune(ctx, base); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"old-done": false, "old-queued": true, "new-done": true} {
		_, err := q.Job(ctx, "github", id)
		if got := err == nil; got != want {
			t.Errorf("after Prune, job %s kept = %v, want %v (err %v)", id, got, want, err)
		}
	}
}
