package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/slopguard/slopguard/store"
)

// Setting returns a scope's setting value, or store.ErrNotFound.
func (s *Store) Setting(ctx context.Context, scope, key string) ([]byte, error) {
	var v []byte
	err := s.db.QueryRowContext(ctx, s.d.q(`SELECT value FROM settings WHERE scope = ? AND key = ?`), scope, key).Scan(&v)
	if err != nil {
		return nil, fmt.Errorf("setting %s %s: %w", scope, key, notFound(err))
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// PutSetting creates or replaces a scope's setting.
func (s *Store) PutSetting(ctx context.Context, scope, key string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	_, err := s.db.ExecContext(ctx, s.d.q(`
		INSERT INTO settings (scope, key, value, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
		scope, key, value, s.d.t(now()))
	if err != nil {
		return fmt.Errorf("put setting %s %s: %w", scope, key, err)
	}
	return nil
}

// ClaimMessage records m.MessageID for m's key unless one is recorded
// already. The INSERT … ON CONFLICT DO NOTHING on the primary key decides the
// winner; every other caller reads back the winner's ID. won is true only
// for the call that recorded it: claiming the same ID again returns false, so
// a fixed ID such as "pending" works as a once-only guard.
func (s *Store) ClaimMessage(ctx context.Context, m store.OwnedMessage) (string, bool, error) {
	if m.MessageID == "" {
		cur, err := s.ownedMessage(ctx, m)
		if errors.Is(err, sql.ErrNoRows) {
			return "", false, nil
		}
		if err != nil {
			return "", false, fmt.Errorf("look up owned message: %w", err)
		}
		return cur, false, nil
	}
	// A concurrent ReleaseMessage can delete the row between our failed
	// insert and the read; try again a few times.
	for range 3 {
		res, err := s.db.ExecContext(ctx, s.d.q(`
			INSERT INTO owned_messages (platform, scope, item_id, kind, message_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (platform, scope, item_id, kind) DO NOTHING`),
			m.Platform, m.Scope, m.ItemID, m.Kind, m.MessageID, s.d.t(updatedAt(m)))
		if err != nil {
			return "", false, fmt.Errorf("claim message %s %s %s %s: %w", m.Platform, m.Scope, m.ItemID, m.Kind, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return "", false, fmt.Errorf("claim message: %w", err)
		}
		if n == 1 {
			return m.MessageID, true, nil
		}
		cur, err := s.ownedMessage(ctx, m)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return "", false, fmt.Errorf("claim message: read back: %w", err)
		}
		return cur, false, nil
	}
	return "", false, fmt.Errorf("claim message %s %s %s %s: released while claiming, try again", m.Platform, m.Scope, m.ItemID, m.Kind)
}

func (s *Store) ownedMessage(ctx context.Context, m store.OwnedMessage) (string, error) {
	var cur string
	err := s.db.QueryRowContext(ctx, s.d.q(`SELECT message_id FROM owned_messages
		WHERE platform = ? AND scope = ? AND item_id = ? AND kind = ?`),
		m.Platform, m.Scope, m.ItemID, m.Kind).Scan(&cur)
	return cur, err
}

// updatedAt is m.UpdatedAt, or now when it is zero.
func updatedAt(m store.OwnedMessage) time.Time {
	if m.UpdatedAt.IsZero() {
		return now()
	}
	return m.UpdatedAt
}

// ReplaceMessage records m.MessageID for m's key, replacing any earlier one.
func (s *Store) ReplaceMessage(ctx context.Context, m store.OwnedMessage) error {
	if m.MessageID == "" {
		return errors.New("replace message: empty message id")
	}
	_, err := s.db.ExecContext(ctx, s.d.q(`
		INSERT INTO owned_messages (platform, scope, item_id, kind, message_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, scope, item_id, kind) DO UPDATE SET message_id = excluded.message_id, updated_at = excluded.updated_at`),
		m.Platform, m.Scope, m.ItemID, m.Kind, m.MessageID, s.d.t(updatedAt(m)))
	if err != nil {
		return fmt.Errorf("replace message %s %s %s %s: %w", m.Platform, m.Scope, m.ItemID, m.Kind, err)
	}
	return nil
}

// ReleaseMessage forgets the owned message for the key.
func (s *Store) ReleaseMessage(ctx context.Context, platform, scope, itemID, kind string) error {
	_, err := s.db.ExecContext(ctx, s.d.q(`DELETE FROM owned_messages WHERE platform = ? AND scope = ? AND item_id = ? AND kind = ?`),
		platform, scope, itemID, kind)
	if err != nil {
		return fmt.Errorf("release message %s %s %s %s: %w", platform, scope, itemID, kind, err)
	}
	return nil
}

// AddStrike records a strike for itemID, unless itemID already has one, and counts the user's strikes in
// (at-window, at]. A window of zero or less counts every strike up to at.
// The transaction first upserts the user's strike_users row, which holds a
// row lock until commit, so concurrent strikes against one user each see the
// ones committed before them and the counts come out 1, 2, 3, … with no
// repeats.
func (s *Store) AddStrike(ctx context.Context, scope, user, itemID string, at time.Time, window time.Duration) (int, error) {
	if scope == "" || user == "" {
		return 0, fmt.Errorf("add strike: scope and user are required (got %q, %q)", scope, user)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("add strike: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.d.q(`
		INSERT INTO strike_users (scope, user_id, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (scope, user_id) DO UPDATE SET updated_at = excluded.updated_at`),
		scope, user, s.d.t(now())); err != nil {
		return 0, fmt.Errorf("add strike %s %s: lock user: %w", scope, user, err)
	}
	// The partial unique index strikes_item makes an item's second strike
	// (another replica handling the same message) a no-op.
	if _, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO strikes (scope, user_id, item_id, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (scope, user_id, item_id) WHERE item_id <> '' DO NOTHING`),
		scope, user, itemID, s.d.t(at)); err != nil {
		return 0, fmt.Errorf("add strike %s %s: %w", scope, user, err)
	}
	n, err := countStrikes(ctx, tx, s.d, scope, user, at, window)
	if err != nil {
		return 0, fmt.Errorf("add strike %s %s: %w", scope, user, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("add strike %s %s: commit: %w", scope, user, err)
	}
	return n, nil
}

// RemoveStrike deletes the user's strikes in scope for itemID and reports
// whether there was one. An empty itemID is refused: strikes recorded before
// items were kept all have one.
func (s *Store) RemoveStrike(ctx context.Context, scope, user, itemID string) (bool, error) {
	if scope == "" || user == "" || itemID == "" {
		return false, fmt.Errorf("remove strike: scope, user and item id are required (got %q, %q, %q)", scope, user, itemID)
	}
	res, err := s.db.ExecContext(ctx, s.d.q(`DELETE FROM strikes WHERE scope = ? AND user_id = ? AND item_id = ?`), scope, user, itemID)
	if err != nil {
		return false, fmt.Errorf("remove strike %s %s %s: %w", scope, user, itemID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("remove strike %s %s %s: %w", scope, user, itemID, err)
	}
	return n > 0, nil
}

// Strikes counts a user's strikes in (at-window, at]; a window of zero or
// less counts every strike up to at.
func (s *Store) Strikes(ctx context.Context, scope, user string, at time.Time, window time.Duration) (int, error) {
	n, err := countStrikes(ctx, s.db, s.d, scope, user, at, window)
	if err != nil {
		return 0, fmt.Errorf("strikes %s %s: %w", scope, user, err)
	}
	return n, nil
}

// querier is a *sql.DB or *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func countStrikes(ctx context.Context, q querier, d dialect, scope, user string, at time.Time, window time.Duration) (int, error) {
	query := `SELECT COUNT(*) FROM strikes WHERE scope = ? AND user_id = ? AND at <= ?`
	args := []any{scope, user, d.t(at)}
	if window > 0 {
		query += ` AND at > ?`
		args = append(args, d.t(at.Add(-window)))
	}
	var n int
	if err := q.QueryRowContext(ctx, d.q(query), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count strikes: %w", err)
	}
	return n, nil
}

// Prune deletes decisions, deliveries and strikes older than before, and
// deliveries whose expiry has passed; it returns how many rows it removed.
// Feedback is kept (its link to a pruned decision becomes empty). Rows go
// in batches of s.pruneBatch, each its own statement.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	cut, t := s.d.t(before), s.d.t(now())
	batch := func(table, where string) string {
		return fmt.Sprintf(`DELETE FROM %s WHERE id IN (SELECT id FROM %s WHERE %s LIMIT %d)`, table, table, where, s.pruneBatch)
	}
	var total int64
	for _, st := range []struct {
		what, query string
		args        []any
	}{
		{"decisions", batch("decisions", "created_at < ?"), []any{cut}},
		{"strikes", batch("strikes", "at < ?"), []any{cut}},
	} {
		for {
			res, err := s.db.ExecContext(ctx, s.d.q(st.query), st.args...)
			if err != nil {
				return total, fmt.Errorf("prune %s: %w", st.what, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return total, fmt.Errorf("prune %s: %w", st.what, err)
			}
			total += n
			if n < int64(s.pruneBatch) {
				break
			}
		}
	}
	steps := []struct {
		what  string
		query string
		args  []any
		count bool
	}{
		{"deliveries", `DELETE FROM deliveries WHERE seen_at < ? OR expires_at <= ?`, []any{cut, t}, true},
		// A finished job's record dedupes redeliveries until it expires;
		// a queued one is work still to do and is never pruned.
		{"jobs", `DELETE FROM jobs WHERE state <> 'queued' AND expires_at <= ?`, []any{t}, true},
		{"leases", `DELETE FROM leases WHERE expires_at < ?`, []any{cut}, false},
		{"claims", `DELETE FROM owned_messages WHERE kind IN (?, ?) AND updated_at < ?`, []any{store.KindAppealClaim, store.KindHandledClaim, cut}, true},
		{"strike users", `DELETE FROM strike_users WHERE NOT EXISTS (
			SELECT 1 FROM strikes WHERE strikes.scope = strike_users.scope AND strikes.user_id = strike_users.user_id)`, nil, false},
	}
	for _, st := range steps {
		res, err := s.db.ExecContext(ctx, s.d.q(st.query), st.args...)
		if err != nil {
			return total, fmt.Errorf("prune %s: %w", st.what, err)
		}
		if !st.count {
			continue
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("prune %s: %w", st.what, err)
		}
		total += n
	}
	return total, nil
}
