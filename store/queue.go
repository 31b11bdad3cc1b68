package store

import (
	"context"
	"errors"
	"time"
)

// ErrLeaseLost is returned when a job is finished by a claim that no longer
// holds it: its lease expired and another worker took the job over.
var ErrLeaseLost = errors.New("job lease lost")

// Job states.
const (
	JobQueued = "queued" // waiting, or running under a lease
	JobDone   = "done"   // ran to the end
	JobFailed = "failed" // gave up after its attempts; a redelivery queues it again
)

// Job is one unit of durable work, such as a webhook delivery accepted but
// not yet processed. It is recorded before the delivery is answered, so a
// crash loses nothing: a job left leased by a dead process is taken up
// again when its lease expires.
type Job struct {
	Platform   string
	DeliveryID string // unique per platform: the webhook delivery's ID
	Kind       string // e.g. the webhook event name
	// ItemKey names the item the job acts on (e.g. "owner/repo#7"). Jobs
	// with the same key never run at the same time, in any process; an
	// empty key serialises nothing.
	ItemKey string
	Payload []byte
	// State is JobQueued, JobDone or JobFailed.
	State string
	// Attempts counts the runs started, this one included.
	Attempts int
	// Lease is the claim's token while the job is leased; finishing the
	// job requires it.
	Lease     string
	LastError string
	CreatedAt time.Time
}

// Queue is a durable job queue with leases, shared by every replica on one
// database. Times are passed in by the caller so that every replica and
// test agrees on one clock.
type Queue interface {
	// EnqueueJob records a job to run at now. It returns false, and changes
	// nothing, when a job with the same delivery ID is done or leased (a
	// duplicate delivery); a queued or failed one is queued again. expires
	// is when a finished job's record may be pruned.
	EnqueueJob(ctx context.Context, j Job, now, expires time.Time) (accepted bool, err error)
	// ClaimJobs leases up to n runnable jobs of a platform, oldest first,
	// each for lease, skipping jobs whose item is held by another claim.
	ClaimJobs(ctx context.Context, platform string, n int, now time.Time, lease time.Duration) ([]Job, error)
	// CompleteJob marks a leased job done and frees its item.
	CompleteJob(ctx context.Context, j Job, now time.Time) error
	// RetryJob puts a leased job back in the queue to run at runAfter.
	RetryJob(ctx context.Context, j Job, runAfter time.Time, lastError string, now time.Time) error
	// FailJob marks a leased job failed: it is not run again unless redelivered.
	FailJob(ctx context.Context, j Job, lastError string, now time.Time) error
	// Job returns one job by delivery ID, or ErrNotFound.
	Job(ctx context.Context, platform, deliveryID string) (Job, error)
	// JobCounts counts a platform's jobs by state.
	JobCounts(ctx context.Context, platform string) (map[string]int, error)
	Leases
}

// Leases are named, expiring claims shared by every replica on one
// database: periodic work that one replica at a time must do runs under one.
type Leases interface {
	// TakeLease takes the named lease for owner until now+d, or renews it if
	// owner holds it; it reports whether owner holds it now: true when the
	// lease was free, expired or already owner's, false while another
	// owner's is live. An empty name or owner is an error.
	TakeLease(ctx context.Context, name, owner string, now time.Time, d time.Duration) (bool, error)
	// ReleaseLease gives up the named lease if owner holds it, so another
	// replica can take it at once; a lease held by someone else is left.
	ReleaseLease(ctx context.Context, name, owner string) error
}
