package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/slopguard/slopguard/store"
)

var _ store.Queue = (*Store)(nil)

// unleased is the lease_until of a job nobody holds: long expired.
var unleased = time.Unix(0, 0).UTC()

// seq is the column giving the jobs table's insertion order.
func (d dialect) seq() string {
	if d.name == Postgres {
		return "seq"
	}
	return "rowid"
}

// itemLease names the lease that serialises the jobs of one item.
func itemLease(platform, itemKey string) string { return platform + " item " + itemKey }

// EnqueueJob inserts the job, or queues a waiting or failed one with the
// same delivery ID again, in one INSERT … ON CONFLICT statement: a done or
// leased job is left alone and reported as a duplicate.
func (s *Store) EnqueueJob(ctx context.Context, j store.Job, now, expires time.Time) (bool, error) {
	if j.Platform == "" || j.DeliveryID == "" || j.Kind == "" {
		return false, fmt.Errorf("enqueue job: platform, delivery id and kind are required (got %q, %q, %q)", j.Platform, j.DeliveryID, j.Kind)
	}
	if j.Payload == nil {
		j.Payload = []byte{}
	}
	res, err := s.db.ExecContext(ctx, s.d.q(`
		INSERT INTO jobs (platform, delivery_id, kind, item_key, payload, state, attempts, run_after,
			lease_token, lease_until, last_error, created_at, updated_at, expires_at)
		VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, '', ?, '', ?, ?, ?)
		ON CONFLICT (platform, delivery_id) DO UPDATE
			SET state = 'queued', attempts = 0, run_after = excluded.run_after, kind = excluded.kind,
				item_key = excluded.item_key, payload = excluded.payload, last_error = '',
				updated_at = excluded.updated_at, expires_at = excluded.expires_at
			WHERE jobs.state <> 'done' AND jobs.lease_until <= excluded.run_after`),
		j.Platform, j.DeliveryID, j.Kind, j.ItemKey, j.Payload, s.d.t(now), s.d.t(unleased),
		s.d.t(now), s.d.t(now), s.d.t(expires))
	if err != nil {
		return false, fmt.Errorf("enqueue job %s/%s: %w", j.Platform, j.DeliveryID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("enqueue job %s/%s: %w", j.Platform, j.DeliveryID, err)
	}
	return n == 1, nil
}

// ClaimJobs reads candidates oldest first, then for each takes its item's
// lease and leases the job with conditional statements in one transaction,
// so that claims racing in any number of processes never share a job or an
// item.
func (s *Store) ClaimJobs(ctx context.Context, platform string, n int, now time.Time, lease time.Duration) ([]store.Job, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, s.d.q(`
		SELECT delivery_id, kind, item_key FROM jobs
		WHERE platform = ? AND state = 'queued' AND run_after <= ? AND lease_until < ?
		ORDER BY created_at, `+s.d.seq()+` LIMIT ?`),
		platform, s.d.t(now), s.d.t(now), 4*n+16)
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	type candidate struct{ id, kind, item string }
	var cands []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.kind, &c.item); err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim jobs: %w", err)
		}
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	var out []store.Job
	tried := map[string]bool{}
	for _, c := range cands {
		if len(out) == n {
			break
		}
		if c.item != "" && tried[c.item] {
			continue // an older job of this item comes first
		}
		tried[c.item] = true
		token, err := newToken()
		if err != nil {
			return out, err
		}
		j, ok, err := s.claimOne(ctx, platform, c.id, c.item, token, now, lease)
		if err != nil {
			return out, fmt.Errorf("claim job %s: %w", c.id, err)
		}
		if ok {
			out = append(out, j)
		}
	}
	return out, nil
}

// claimOne takes the item's lease and leases the job in one transaction
// (one write lock on SQLite); ok is false when another claim holds the
// item or took the job first.
func (s *Store) claimOne(ctx context.Context, platform, id, item, token string, now time.Time, lease time.Duration) (store.Job, bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return store.Job{}, false, err
	}
	defer tx.Rollback()
	if item != "" {
		ok, err := s.takeLease(ctx, tx, itemLease(platform, item), token, now, lease)
		if err != nil || !ok {
			return store.Job{}, false, err
		}
	}
	res, err := tx.ExecContext(ctx, s.d.q(`
		UPDATE jobs SET lease_token = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
		WHERE platform = ? AND delivery_id = ? AND state = 'queued' AND run_after <= ? AND lease_until < ?`),
		token, s.d.t(now.Add(lease)), s.d.t(now), platform, id, s.d.t(now), s.d.t(now))
	if err != nil {
		return store.Job{}, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return store.Job{}, false, err // another claim took it first
	}
	j, err := s.job(ctx, tx, platform, id)
	if err != nil {
		return store.Job{}, false, err
	}
	if err := tx.Commit(); err != nil {
		return store.Job{}, false, err
	}
	return j, true, nil
}

// execer runs statements on the database or in a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func newToken() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("lease token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// CompleteJob marks the job done if j's claim still holds it.
func (s *Store) CompleteJob(ctx context.Context, j store.Job, now time.Time) error {
	return s.finish(ctx, j, store.JobDone, now, "", now)
}

// RetryJob queues the job again for runAfter if j's claim still holds it.
func (s *Store) RetryJob(ctx context.Context, j store.Job, runAfter time.Time, lastError string, now time.Time) error {
	return s.finish(ctx, j, store.JobQueued, runAfter, lastError, now)
}

// FailJob marks the job failed if j's claim still holds it.
func (s *Store) FailJob(ctx context.Context, j store.Job, lastError string, now time.Time) error {
	return s.finish(ctx, j, store.JobFailed, now, lastError, now)
}

// finish ends a claim: it sets the job's state, clears its lease and frees
// its item, or returns store.ErrLeaseLost when the claim no longer holds it.
func (s *Store) finish(ctx context.Context, j store.Job, state string, runAfter time.Time, lastError string, now time.Time) error {
	if j.Lease == "" {
		return fmt.Errorf("finish job %s/%s: %w (no lease)", j.Platform, j.DeliveryID, store.ErrLeaseLost)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("finish job %s/%s as %s: %w", j.Platform, j.DeliveryID, state, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.d.q(`
		UPDATE jobs SET state = ?, run_after = ?, lease_token = '', lease_until = ?, last_error = ?, updated_at = ?
		WHERE platform = ? AND delivery_id = ? AND lease_token = ?`),
		state, s.d.t(runAfter), s.d.t(unleased), lastError, s.d.t(now), j.Platform, j.DeliveryID, j.Lease)
	if err != nil {
		return fmt.Errorf("finish job %s/%s as %s: %w", j.Platform, j.DeliveryID, state, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("finish job %s/%s as %s: %w", j.Platform, j.DeliveryID, state, err)
	}
	if n == 0 {
		return fmt.Errorf("finish job %s/%s as %s: %w", j.Platform, j.DeliveryID, state, store.ErrLeaseLost)
	}
	if j.ItemKey != "" {
		if err := s.releaseLease(ctx, tx, itemLease(j.Platform, j.ItemKey), j.Lease); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("finish job %s/%s as %s: %w", j.Platform, j.DeliveryID, state, err)
	}
	return nil
}

// Job returns one job by delivery ID.
func (s *Store) Job(ctx context.Context, platform, deliveryID string) (store.Job, error) {
	return s.job(ctx, s.db, platform, deliveryID)
}

func (s *Store) job(ctx context.Context, ex execer, platform, deliveryID string) (store.Job, error) {
	j := store.Job{Platform: platform, DeliveryID: deliveryID}
	var created dbTime
	err := ex.QueryRowContext(ctx, s.d.q(`
		SELECT kind, item_key, payload, state, attempts, lease_token, last_error, created_at
		FROM jobs WHERE platform = ? AND delivery_id = ?`), platform, deliveryID).
		Scan(&j.Kind, &j.ItemKey, &j.Payload, &j.State, &j.Attempts, &j.Lease, &j.LastError, &created)
	if err != nil {
		return store.Job{}, fmt.Errorf("job %s/%s: %w", platform, deliveryID, notFound(err))
	}
	j.CreatedAt = created.Time
	return j, nil
}

// JobCounts counts a platform's jobs by state.
func (s *Store) JobCounts(ctx context.Context, platform string) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, s.d.q(`SELECT state, COUNT(*) FROM jobs WHERE platform = ? GROUP BY state`), platform)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("count jobs: %w", err)
		}
		out[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	return out, nil
}

// TakeLease takes or renews a named lease with one INSERT … ON CONFLICT
// statement: the row changes only when the lease has expired or owner holds it.
func (s *Store) TakeLease(ctx context.Context, name, owner string, now time.Time, d time.Duration) (bool, error) {
	return s.takeLease(ctx, s.db, name, owner, now, d)
}

func (s *Store) takeLease(ctx context.Context, ex execer, name, owner string, now time.Time, d time.Duration) (bool, error) {
	if name == "" || owner == "" {
		return false, errors.New("take lease: empty name or owner")
	}
	res, err := ex.ExecContext(ctx, s.d.q(`
		INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
			WHERE leases.expires_at <= ? OR leases.owner = excluded.owner`),
		name, owner, s.d.t(now.Add(d)), s.d.t(now))
	if err != nil {
		return false, fmt.Errorf("take lease %q: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("take lease %q: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease deletes the named lease if owner holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	return s.releaseLease(ctx, s.db, name, owner)
}

func (s *Store) releaseLease(ctx context.Context, ex execer, name, owner string) error {
	if _, err := ex.ExecContext(ctx, s.d.q(`DELETE FROM leases WHERE name = ? AND owner = ?`), name, owner); err != nil {
		return fmt.Errorf("release lease %q: %w", name, err)
	}
	return nil
}
