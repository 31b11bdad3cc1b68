// Package sqlstore implements store.Store over database/sql for two
// databases: SQLite (modernc.org/sqlite, pure Go, the embedded default) and
// PostgreSQL (github.com/jackc/pgx/v5/stdlib, for several replicas).
//
// Both share one set of queries written with ? placeholders, rewritten to
// $1, $2, … for PostgreSQL. Times are stored in UTC with microsecond
// precision: as TIMESTAMPTZ on PostgreSQL and as INTEGER Unix microseconds on
// SQLite, so ranges compare as numbers.
//
// Writes that must happen once rely on the database, not on locks in this
// process: delivery dedupe and message claims are single INSERT … ON
// CONFLICT statements against primary keys, and strike counting serialises
// per user on a row lock inside a transaction.
//
// SQLite is opened in WAL mode with a busy timeout, foreign keys on and
// BEGIN IMMEDIATE transactions, so concurrent goroutines queue for the write
// lock instead of failing with SQLITE_BUSY. OpenReadOnly, for commands that
// only read, opens SQLite read-only and migrates nothing.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver

	"github.com/slopguard/slopguard/internal/ctxwait"
	"github.com/slopguard/slopguard/store"
)

// The driver names Open accepts.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// sqliteParams make SQLite safe for concurrent goroutines: wait up to 10 s for
// the write lock, write-ahead logging so readers never block the writer,
// foreign keys enforced, and transactions that take the write lock at BEGIN
// (a deferred transaction that upgrades to a writer can fail with SQLITE_BUSY
// without waiting).
const sqliteParams = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// maxPostgresConns caps one process's PostgreSQL connections.
const maxPostgresConns = 16

// Store is a store.Store backed by SQLite or PostgreSQL.
type Store struct {
	db *sql.DB
	d  dialect
	// pruneBatch is how many rows one prune statement deletes at most.
	pruneBatch int
}

// defaultPruneBatch bounds each prune statement: it holds the write lock
// (all of it, on SQLite) only that long, so webhook and Discord writes go
// on between batches.
const defaultPruneBatch = 2000

var _ store.Store = (*Store)(nil)

// Open connects to the database and applies any pending schema migrations.
// driver is "sqlite" (dsn is a file path, created if missing) or "postgres"
// (dsn is a libpq keyword/value string or a postgres:// URL).
func Open(ctx context.Context, driver, dsn string) (*Store, error) {
	return openAt(ctx, driver, dsn, latestVersion())
}

// openAt opens the database and migrates it up to version target.
func openAt(ctx context.Context, driver, dsn string, target int) (*Store, error) {
	s, what, err := connect(driver, dsn, false)
	if err != nil {
		return nil, err
	}
	// Processes opening a new SQLite file together race to switch it to
	// WAL, and the loser's first statement fails with SQLITE_BUSY at once,
	// whatever the busy timeout: retry that for a few seconds.
	for attempt := 0; ; attempt++ {
		err = s.db.PingContext(ctx)
		if err == nil {
			err = migrate(ctx, s.db, s.d, target)
		}
		if err == nil || driver != SQLite || !isBusy(err) || attempt == 50 {
			break
		}
		// A cancelled context ends the wait; the next attempt then fails.
		_ = ctxwait.Sleep(ctx, time.Duration(20+attempt*10)*time.Millisecond)
	}
	if err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open %s: %w", what, err)
	}
	return s, nil
}

// OpenReadOnly connects to an existing database to read it, for commands
// that only look (audit, feedback export, train --feedback, simulate). It
// changes nothing: it applies no migration, and opens a SQLite file
// read-only (mode=ro and PRAGMA query_only) without switching it to WAL.
// A missing SQLite file is an error wrapping fs.ErrNotExist, and so is a
// schema other than the one this binary's queries are written for: the
// error names both versions and says what to do.
func OpenReadOnly(ctx context.Context, driver, dsn string) (*Store, error) {
	if driver == SQLite && dsn != "" {
		if path := sqlitePath(dsn); path != "" {
			if _, err := os.Stat(path); err != nil {
				return nil, fmt.Errorf("open sqlite store %s: %w", dsn, err)
			}
		}
	}
	s, what, err := connect(driver, dsn, true)
	if err != nil {
		return nil, err
	}
	err = s.db.PingContext(ctx)
	if err == nil {
		err = checkSchema(ctx, s.db, s.d)
	}
	if err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open %s: %w", what, err)
	}
	return s, nil
}

// connect opens the database handle without touching the database, and
// returns it with how to name the database in errors. A read-only SQLite
// handle gets sqliteReadOnlyDSN's parameters instead of sqliteParams.
func connect(driver, dsn string, readOnly bool) (*Store, string, error) {
	if dsn == "" {
		return nil, "", fmt.Errorf("open %s store: empty dsn", driver)
	}
	var (
		s   = &Store{pruneBatch: defaultPruneBatch}
		err error
	)
	switch driver {
	case SQLite:
		s.d = dialect{name: SQLite}
		if readOnly {
			s.db, err = sql.Open("sqlite", sqliteReadOnlyDSN(dsn))
		} else {
			s.db, err = sql.Open("sqlite", sqliteDSN(dsn))
		}
	case Postgres:
		s.d = dialect{name: Postgres}
		s.db, err = sql.Open("pgx", dsn)
		if err == nil {
			// Bounded per replica, so replicas × maxPostgresConns fits the
			// server's max_connections.
			s.db.SetMaxOpenConns(maxPostgresConns)
			s.db.SetMaxIdleConns(4)
			s.db.SetConnMaxIdleTime(5 * time.Minute)
		}
	default:
		return nil, "", fmt.Errorf("open store: unknown driver %q (want sqlite or postgres)", driver)
	}
	// A SQLite path is safe to name in errors (a PostgreSQL DSN may hold a
	// password; its driver redacts URLs itself).
	what := driver + " store"
	if driver == SQLite {
		what = fmt.Sprintf("sqlite store %s", dsn)
	}
	if err != nil {
		return nil, "", fmt.Errorf("open %s: %w", what, err)
	}
	return s, what, nil
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	return strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked")
}

// sqliteDSN turns a file path into a modernc.org/sqlite DSN with our
// parameters; a DSN that already has parameters keeps them and gets ours after.
func sqliteDSN(path string) string {
	if strings.Contains(path, "?") {
		return path + "&" + sqliteParams
	}
	return path + "?" + sqliteParams
}

// sqliteReadOnlyParams open SQLite for reading only: SQLite's own
// mode=ro (no file created, every write refused), query_only as a second
// guard, and the same wait for locks as sqliteParams. There is no
// journal_mode pragma: switching to WAL is a write.
const sqliteReadOnlyParams = "mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)"

// sqliteReadOnlyDSN turns a file path into a read-only SQLite URI. SQLite
// applies mode=ro only to a "file:" URI, so a plain path becomes one, with
// the characters a URI gives meaning to escaped; parameters already in the
// DSN are kept, before ours.
func sqliteReadOnlyDSN(dsn string) string {
	path, params, _ := strings.Cut(dsn, "?")
	if !strings.HasPrefix(path, "file:") {
		path = "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	}
	if params != "" {
		params += "&"
	}
	return path + "?" + params + sqliteReadOnlyParams
}

// sqlitePath returns the file a plain SQLite DSN names, or "" for a
// "file:" URI or an in-memory database, which are left to SQLite.
func sqlitePath(dsn string) string {
	path, _, _ := strings.Cut(dsn, "?")
	if strings.HasPrefix(path, "file:") || path == ":memory:" {
		return ""
	}
	return path
}

// Writable reports whether the database takes a write: it records the time
// under a settings key of its own. A full disk or a read-only file system
// answers pings but fails here, so readiness checks use it.
func (s *Store) Writable(ctx context.Context) error {
	if err := s.PutSetting(ctx, "slopguard", "readiness", []byte(now().UTC().Format(time.RFC3339))); err != nil {
		return fmt.Errorf("write to %s: %w", s.d.name, err)
	}
	return nil
}

// Driver returns "sqlite" or "postgres".
func (s *Store) Driver() string { return s.d.name }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", s.d.name, err)
	}
	return nil
}

// Close releases the database.
func (s *Store) Close() error { return s.db.Close() }

// dialect holds what differs between SQLite and PostgreSQL.
type dialect struct{ name string }

// q rewrites ? placeholders to $n for PostgreSQL. Queries here never contain
// a literal question mark.
func (d dialect) q(query string) string {
	if d.name != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// t converts a time to the column's representation: Unix microseconds on
// SQLite, a UTC time on PostgreSQL.
func (d dialect) t(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d.name == SQLite {
		return t.UnixMicro()
	}
	return t
}

// dbTime scans a time column of either dialect into UTC.
type dbTime struct{ time.Time }

// Scan implements sql.Scanner.
func (t *dbTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		t.Time = time.Time{}
	case int64:
		t.Time = time.UnixMicro(v).UTC()
	case time.Time:
		t.Time = v.UTC()
	default:
		return fmt.Errorf("scan time: unsupported type %T", v)
	}
	return nil
}

// now is the current time at the precision the database keeps.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// notFound maps sql.ErrNoRows to store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}
