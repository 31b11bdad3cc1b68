package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// migration is one schema version. Its statements are written once with
// the placeholders {id} (an auto-incrementing primary key), {time} (a time
// column), {blob} (bytes) and {seq} (an insertion-order column named seq
// on PostgreSQL; SQLite's rowid serves), which each dialect fills in.
type migration struct {
	version    int
	name       string
	statements []string
}

// migrations lists every schema version in order. Never edit a released
// migration: add a new one.
var migrations = []migration{
	{1, "deliveries, decisions, feedback, settings, owned messages", []string{
		`CREATE TABLE deliveries (
			platform    TEXT NOT NULL,
			delivery_id TEXT NOT NULL,
			seen_at     {time} NOT NULL,
			expires_at  {time} NOT NULL,
			PRIMARY KEY (platform, delivery_id)
		)`,
		`CREATE TABLE decisions (
			id         {id},
			platform   TEXT NOT NULL,
			scope      TEXT NOT NULL,
			item_id    TEXT NOT NULL,
			item_url   TEXT NOT NULL DEFAULT '',
			author     TEXT NOT NULL DEFAULT '',
			score      DOUBLE PRECISION NOT NULL,
			verdict    TEXT NOT NULL CHECK (verdict IN ('human', 'unsure', 'machine')),
			reasons    TEXT NOT NULL DEFAULT '[]',
			model      TEXT NOT NULL DEFAULT '',
			actions    TEXT NOT NULL DEFAULT '[]',
			text       TEXT NOT NULL DEFAULT '',
			created_at {time} NOT NULL
		)`,
		`CREATE INDEX decisions_item ON decisions (platform, scope, item_id, created_at)`,
		`CREATE INDEX decisions_created ON decisions (created_at)`,
		`CREATE TABLE feedback (
			id          {id},
			decision_id BIGINT REFERENCES decisions (id) ON DELETE SET NULL,
			platform    TEXT NOT NULL DEFAULT '',
			scope       TEXT NOT NULL DEFAULT '',
			item_id     TEXT NOT NULL DEFAULT '',
			by_user     TEXT NOT NULL DEFAULT '',
			label       TEXT NOT NULL CHECK (label IN ('human', 'machine')),
			note        TEXT NOT NULL DEFAULT '',
			text        TEXT NOT NULL DEFAULT '',
			created_at  {time} NOT NULL
		)`,
		`CREATE INDEX feedback_created ON feedback (created_at)`,
		`CREATE TABLE settings (
			scope      TEXT NOT NULL,
			key        TEXT NOT NULL,
			value      {blob} NOT NULL,
			updated_at {time} NOT NULL,
			PRIMARY KEY (scope, key)
		)`,
		`CREATE TABLE owned_messages (
			platform   TEXT NOT NULL,
			scope      TEXT NOT NULL,
			item_id    TEXT NOT NULL,
			kind       TEXT NOT NULL,
			message_id TEXT NOT NULL,
			updated_at {time} NOT NULL,
			PRIMARY KEY (platform, scope, item_id, kind)
		)`,
	}},
	{2, "strikes with decay, item kinds, delivery expiry index", []string{
		`ALTER TABLE decisions ADD COLUMN kind TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE feedback ADD COLUMN kind TEXT NOT NULL DEFAULT ''`,
		`CREATE INDEX deliveries_expires ON deliveries (expires_at)`,
		// strike_users holds one row per (scope, user) that AddStrike locks,
		// so concurrent strikes against one user are counted one after another.
		`CREATE TABLE strike_users (
			scope      TEXT NOT NULL,
			user_id    TEXT NOT NULL,
			updated_at {time} NOT NULL,
			PRIMARY KEY (scope, user_id)
		)`,
		`CREATE TABLE strikes (
			id      {id},
			scope   TEXT NOT NULL,
			user_id TEXT NOT NULL,
			at      {time} NOT NULL
		)`,
		`CREATE INDEX strikes_user ON strikes (scope, user_id, at)`,
	}},
	// Deleting a decision sets feedback.decision_id to NULL; without an
	// index each deleted decision scanned all feedback under the write lock.
	{3, "feedback by decision", []string{
		`CREATE INDEX feedback_decision ON feedback (decision_id)`,
	}},
	// A strike names the item that earned it, so a moderator's "not slop"
	// removes that strike. Strikes from before have an empty item_id.
	{4, "strikes by item", []string{
		`ALTER TABLE strikes ADD COLUMN item_id TEXT NOT NULL DEFAULT ''`,
	}},
	// A decision says whether the model declined to judge the text (too
	// short, another language), which is never flagged whatever its score;
	// an "unsure" verdict alone does not say so once a policy lowers the
	// threshold. Earlier "unsure" rows count as declined, as they were read.
	{5, "decisions that could not be judged", []string{
		`ALTER TABLE decisions ADD COLUMN cannot_judge INTEGER NOT NULL DEFAULT 0`,
		`UPDATE decisions SET cannot_judge = 1 WHERE verdict = 'unsure'`,
	}},
	// Accepted webhook deliveries are jobs in the database, recorded before
	// the delivery is answered and leased while they run, so a crash loses
	// none and another replica takes over. leases holds the named leases:
	// one per item being worked on, and one per periodic sweep.
	{6, "durable jobs with leases", []string{
		`CREATE TABLE jobs (
			platform    TEXT NOT NULL,
			delivery_id TEXT NOT NULL,
			kind        TEXT NOT NULL,
			item_key    TEXT NOT NULL,
			payload     {blob} NOT NULL,
			state       TEXT NOT NULL CHECK (state IN ('queued', 'done', 'failed')),
			attempts    INTEGER NOT NULL DEFAULT 0,
			run_after   {time} NOT NULL,
			lease_token TEXT NOT NULL DEFAULT '',
			lease_until {time} NOT NULL,
			last_error  TEXT NOT NULL DEFAULT '',
			created_at  {time} NOT NULL,
			updated_at  {time} NOT NULL,
			expires_at  {time} NOT NULL{seq},
			PRIMARY KEY (platform, delivery_id)
		)`,
		// Claims read queued jobs oldest first: in index order, however long the backlog.
		`CREATE INDEX jobs_runnable ON jobs (platform, state, created_at{seqidx})`,
		`CREATE INDEX jobs_expires ON jobs (expires_at)`,
		`CREATE TABLE leases (
			name       TEXT PRIMARY KEY,
			owner      TEXT NOT NULL,
			expires_at {time} NOT NULL
		)`,
	}},
	// Several replicas may handle one Discord message: a message earns one
	// strike (duplicates from before are dropped first, keeping the oldest).
	{7, "one strike per item", []string{
		`DELETE FROM strikes WHERE item_id <> '' AND id NOT IN (
			SELECT MIN(id) FROM strikes WHERE item_id <> '' GROUP BY scope, user_id, item_id)`,
		`CREATE UNIQUE INDEX strikes_item ON strikes (scope, user_id, item_id) WHERE item_id <> ''`,
	}},
	// A decision names its item for people: a pull request's or issue's
	// title (a comment's, its thread's), a Discord message's channel.
	// Decisions from before have an empty title.
	{8, "decision titles", []string{
		`ALTER TABLE decisions ADD COLUMN title TEXT NOT NULL DEFAULT ''`,
	}},
	// A Discord decision keeps the message's channel, which the mod-log
	// buttons act in. Decisions from before have none: their channel is
	// read from the jump link (item_url).
	{9, "decision channels", []string{
		`ALTER TABLE decisions ADD COLUMN channel_id TEXT NOT NULL DEFAULT ''`,
	}},
}

// latestVersion is the schema version this binary writes.
func latestVersion() int { return migrations[len(migrations)-1].version }

// advisoryLockKey identifies slopguard's migration lock on PostgreSQL
// ("slopgrd" in ASCII); replicas starting together wait on it in turn.
const advisoryLockKey int64 = 0x736c6f70677264

// ddl fills a migration statement's placeholders for the dialect.
func (d dialect) ddl(stmt string) string {
	var r *strings.Replacer
	if d.name == Postgres {
		r = strings.NewReplacer("{id}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "{time}", "TIMESTAMPTZ", "{blob}", "BYTEA",
			"{seq}", ",\n\t\t\tseq BIGINT GENERATED ALWAYS AS IDENTITY", "{seqidx}", ", seq")
	} else {
		// SQLite numbers every row already: its rowid is the insertion order.
		r = strings.NewReplacer("{id}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{time}", "INTEGER", "{blob}", "BLOB", "{seq}", "", "{seqidx}", "")
	}
	return r.Replace(stmt)
}

// migrate brings the schema up to version target in one transaction. On
// PostgreSQL it first takes a transaction-scoped advisory lock; on SQLite the
// transaction begins IMMEDIATE, which serialises it against other writers.
func migrate(ctx context.Context, db *sql.DB, d dialect, target int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback()
	if d.name == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryLockKey); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, d.ddl(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at {time} NOT NULL
	)`)); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	if current > latestVersion() {
		return fmt.Errorf("migrate: database schema version %d is newer than this slopguard's %d: upgrade slopguard", current, latestVersion())
	}
	for _, m := range migrations {
		if m.version <= current || m.version > target {
			continue
		}
		for _, stmt := range m.statements {
			if _, err := tx.ExecContext(ctx, d.ddl(stmt)); err != nil {
				return fmt.Errorf("migrate to version %d (%s): %w", m.version, m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
			m.version, m.name, d.t(now())); err != nil {
			return fmt.Errorf("migrate to version %d: record: %w", m.version, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// SchemaVersion returns the newest migration applied to the database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// checkSchema makes sure the database has the schema this binary's queries
// are written for, without changing it: OpenReadOnly cannot migrate.
func checkSchema(ctx context.Context, db *sql.DB, d dialect) error {
	exists := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if d.name == Postgres {
		exists = `SELECT COUNT(*) FROM (SELECT to_regclass('schema_migrations') AS t) r WHERE t IS NOT NULL`
	}
	var n int
	if err := db.QueryRowContext(ctx, exists).Scan(&n); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("no slopguard schema in the database, this slopguard reads schema %d: run `slopguard serve` on it first", latestVersion())
	}
	var v int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case v < latestVersion():
		return fmt.Errorf("database schema %d, this slopguard reads %d: run `slopguard serve` (which migrates it) first", v, latestVersion())
	case v > latestVersion():
		return fmt.Errorf("database schema %d, this slopguard reads %d: upgrade slopguard", v, latestVersion())
	}
	return nil
}
