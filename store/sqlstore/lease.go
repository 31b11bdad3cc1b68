package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AcquireLease takes or renews the named lease for holder until ttl from
// now. One INSERT … ON CONFLICT DO UPDATE decides: the update applies only
// when the row is holder's or has expired, so of several replicas asking at
// once exactly one changes the row and is told it holds the lease.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if name == "" || holder == "" {
		return false, fmt.Errorf("acquire lease: name and holder are required (got %q, %q)", name, holder)
	}
	t := now()
	res, err := s.db.ExecContext(ctx, s.d.q(`
		INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`),
		name, holder, s.d.t(t.Add(ttl)), s.d.t(t))
	if err != nil {
		return false, fmt.Errorf("acquire lease %s for %s: %w", name, holder, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("acquire lease %s for %s: %w", name, holder, err)
	}
	return n == 1, nil
}

// ReleaseLease deletes the named lease if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if name == "" || holder == "" {
		return errors.New("release lease: name and holder are required")
	}
	if _, err := s.db.ExecContext(ctx, s.d.q(`DELETE FROM leases WHERE name = ? AND holder = ?`), name, holder); err != nil {
		return fmt.Errorf("release lease %s for %s: %w", name, holder, err)
	}
	return nil
}
