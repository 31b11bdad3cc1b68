package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/storetest"
)

// postgresEnv names the variable holding a PostgreSQL DSN for the tests;
// scripts/with-postgres.sh sets it.
const postgresEnv = "SLOPGUARD_TEST_POSTGRES_DSN"

// backend is a database the tests run against. fresh returns the DSN of a
// new, empty database (a temp file, or a schema of its own on PostgreSQL).
type backend struct {
	driver string
	fresh  func(t *testing.T) string
}

func sqliteBackend() backend {
	return backend{driver: SQLite, fresh: func(t *testing.T) string {
		return filepath.Join(t.TempDir(), "slopguard.db")
	}}
}

// postgresBackend skips the test, with a message, when no server is
// configured, and fails it instead when CI=true: CI must run these tests.
func postgresBackend(t *testing.T) backend {
	t.Helper()
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is not set: run the tests under scripts/with-postgres.sh", postgresEnv)
		}
		t.Skipf("PostgreSQL tests skipped: %s is not set (run `scripts/with-postgres.sh go test ./store/...` to start a throwaway server)", postgresEnv)
	}
	return backend{driver: Postgres, fresh: func(t *testing.T) string { return freshSchema(t, dsn) }}
}

var schemaSeq atomic.Int64

// freshSchema creates a schema of its own for t on the server at dsn, drops
// it when t ends, and returns a DSN whose search_path is that schema.
func freshSchema(t testing.TB, dsn string) string {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("slopguard_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, schemaSeq.Add(1))
	if _, err := admin.ExecContext(t.Context(), `CREATE SCHEMA `+name); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+name+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return withSearchPath(t, dsn, name)
}

func withSearchPath(t testing.TB, dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("parse %s: %v", postgresEnv, err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

// openStore opens a migrated store on dsn and closes it when t ends.
func openStore(t *testing.T, driver, dsn string) *Store {
	t.Helper()
	s, err := Open(t.Context(), driver, dsn)
	if err != nil {
		t.Fatalf("Open(%s): %v", driver, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func runSuite(t *testing.T, b backend) {
	storetest.Run(t, func(t *testing.T) store.Store { return openStore(t, b.driver, b.fresh(t)) })
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	runSuite(t, sqliteBackend())
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	runSuite(t, postgresBackend(t))
}

// backends returns every backend available, for the tests below.
func backends(t *testing.T) map[string]func(t *testing.T) backend {
	return map[string]func(t *testing.T) backend{
		SQLite:   func(*testing.T) backend { return sqliteBackend() },
		Postgres: postgresBackend,
	}
}

// eachBackend runs fn as a parallel subtest for every backend, each with a
// fresh database.
func eachBackend(t *testing.T, fn func(t *testing.T, b backend, dsn string)) {
	for name, get := range backends(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := get(t)
			fn(t, b, b.fresh(t))
		})
	}
}

func TestMigrateFromEmpty(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := openStore(t, b.driver, dsn)
		v, err := s.SchemaVersion(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if v != latestVersion() {
			t.Errorf("SchemaVersion after Open = %d, want %d", v, latestVersion())
		}
		var n int
		if err := s.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(migrations) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(migrations))
		}
		// Opening again applies nothing and keeps working.
		s2 := openStore(t, b.driver, dsn)
		if _, err := s2.RecordDecision(t.Context(), store.Decision{Platform: "ci", Scope: "s", ItemID: "1", Verdict: "human"}); err != nil {
			t.Errorf("RecordDecision after reopening: %v", err)
		}
	})
}

// TestMigrateFromPrevious builds a database at the previous schema version,
// fills it the way that version's binary did, then opens it with this one.
func TestMigrateFromPrevious(t *testing.T) {
	t.Parallel()
	prev := latestVersion() - 1
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		ctx := t.Context()
		old, err := openAt(ctx, b.driver, dsn, prev)
		if err != nil {
			t.Fatalf("open at version %d: %v", prev, err)
		}
		if v, err := old.SchemaVersion(ctx); err != nil || v != prev {
			t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, prev)
		}
		at := old.d.t(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
		far := old.d.t(time.Now().Add(time.Hour))
		stmts := []struct {
			query string
			args  []any
		}{
			{`INSERT INTO decisions (platform, scope, item_id, item_url, author, score, verdict, reasons, model, actions, text, created_at)
				  VALUES ('github', 'a/x', 'pr/7', 'https://example.test/7', 'alice', 0.75, 'machine', '["r1"]', 'm1', '["label"]', '', ?)`, []any{at}},
			{`INSERT INTO decisions (platform, scope, item_id, item_url, author, score, verdict, reasons, model, actions, text, created_at)
				  VALUES ('github', 'a/x', 'pr/8', '', 'carol', 0.5, 'unsure', '[]', 'm1', '[]', '', ?)`, []any{at}},
			{`INSERT INTO decisions (platform, scope, item_id, item_url, author, score, verdict, reasons, model, actions, text, created_at)
				  VALUES ('discord', 'g', 'm-9', 'https://discord.com/channels/1/2/3', 'dave', 0.95, 'machine', '[]', 'm1', '[]', '', ?)`, []any{at}},
			{`INSERT INTO feedback (decision_id, platform, scope, item_id, by_user, label, note, text, created_at)
				  VALUES (1, 'github', 'a/x', 'pr/7', 'bob', 'human', 'n', 'the text', ?)`, []any{at}},
			{`INSERT INTO settings (scope, key, value, updated_at) VALUES ('g', 'mode', ?, ?)`, []any{[]byte("observe"), at}},
			{`INSERT INTO owned_messages (platform, scope, item_id, kind, message_id, updated_at) VALUES ('github', 'a/x', 'pr/7', 'comment', 'c-1', ?)`, []any{at}},
			{`INSERT INTO deliveries (platform, delivery_id, seen_at, expires_at) VALUES ('github', 'd-1', ?, ?)`, []any{at, far}},
			{`INSERT INTO strike_users (scope, user_id, updated_at) VALUES ('g', 'u', ?)`, []any{at}},
			{`INSERT INTO strikes (scope, user_id, at) VALUES ('g', 'u', ?)`, []any{at}},
		}
		if prev >= 5 && prev < 7 {
			// Two replicas struck one message twice before schema 7.
			for range 2 {
				stmts = append(stmts, struct {
					query string
					args  []any
				}{`INSERT INTO strikes (scope, user_id, item_id, at) VALUES ('g', 'u2', 'm-1', ?)`, []any{at}})
			}
		}
		for _, st := range stmts {
			if _, err := old.db.ExecContext(ctx, old.d.q(st.query), st.args...); err != nil {
				t.Fatalf("fill version %d: %v", prev, err)
			}
		}
		old.Close()

		s := openStore(t, b.driver, dsn)
		if v, err := s.SchemaVersion(ctx); err != nil || v != latestVersion() {
			t.Fatalf("SchemaVersion after upgrade = %d, %v; want %d", v, err, latestVersion())
		}
		d, err := s.Decision(ctx, 1)
		if err != nil {
			t.Fatalf("Decision(1) after upgrade: %v", err)
		}
		if d.Author != "alice" || d.Score != 0.75 || d.Kind != "" || len(d.Reasons) != 1 || d.Reasons[0] != "r1" ||
			!d.CreatedAt.Equal(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) {
			t.Errorf("Decision(1) after upgrade = %+v, want the old row", d)
		}
		// Schema 8: an old decision has no title; a new one keeps its own.
		if d.Title != "" {
			t.Errorf("Decision(1) after upgrade has title %q, want none", d.Title)
		}
		nid, err := s.RecordDecision(ctx, store.Decision{Platform: "github", Scope: "a/x", ItemID: "pr/9", Title: "Fix the parser", Verdict: "human"})
		if err != nil {
			t.Fatalf("RecordDecision with a title after upgrade: %v", err)
		}
		if got, err := s.Decision(ctx, nid); err != nil || got.Title != "Fix the parser" {
			t.Errorf("Decision(%d).Title after upgrade = %q, %v; want %q", nid, got.Title, err, "Fix the parser")
		}
		// Schema 9: an old Discord decision has no channel (it is in
		// its link); a new one keeps its own.
		if d3, err := s.Decision(ctx, 3); err != nil || d3.ChannelID != "" || d3.ItemURL != "https://discord.com/channels/1/2/3" {
			t.Errorf("Decision(3), an old Discord row, after upgrade = %+v, %v; want no channel and its link", d3, err)
		}
		cid, err := s.RecordDecision(ctx, store.Decision{Platform: "discord", Scope: "g", ItemID: "m-10", ChannelID: "2", Verdict: "machine"})
		if err != nil {
			t.Fatalf("RecordDecision with a channel after upgrade: %v", err)
		}
		if got, err := s.Decision(ctx, cid); err != nil || got.ChannelID != "2" {
			t.Errorf("Decision(%d).ChannelID after upgrade = %q, %v; want 2", cid, got.ChannelID, err)
		}
		// Schema 5: an old "unsure" row counts as not judged, as it was read.
		if d.CannotJudge {
			t.Errorf("Decision(1), a machine verdict, has CannotJudge after upgrade")
		}
		if d2, err := s.Decision(ctx, 2); err != nil || (prev < 5 && !d2.CannotJudge) {
			t.Errorf("Decision(2), an old unsure verdict: got %+v, %v; want CannotJudge", d2, err)
		}
		fb, err := s.Feedback(ctx, store.FeedbackFilter{})
		if err != nil || len(fb) != 1 || fb[0].DecisionID != 1 || fb[0].Text != "the text" {
			t.Errorf("Feedback after upgrade = %+v, %v; want the old row", fb, err)
		}
		if v, err := s.Setting(ctx, "g", "mode"); err != nil || string(v) != "observe" {
			t.Errorf("Setting after upgrade = %q, %v; want observe", v, err)
		}
		if cur, _, err := s.ClaimMessage(ctx, store.OwnedMessage{Platform: "github", Scope: "a/x", ItemID: "pr/7", Kind: "comment"}); err != nil || cur != "c-1" {
			t.Errorf("owned message after upgrade = %q, %v; want c-1", cur, err)
		}
		if first, err := s.MarkDelivery(ctx, "github", "d-1", time.Now().Add(time.Hour)); err != nil || first {
			t.Errorf("MarkDelivery of an old delivery = %v, %v; want false", first, err)
		}
		// The old strike still counts; a new one names its item, and
		// removing that item's strike leaves the old one.
		struck := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		if n, err := s.AddStrike(ctx, "g", "u", "m-2", struck.Add(time.Minute), time.Hour); err != nil || n != 2 {
			t.Errorf("AddStrike after upgrade = %d, %v; want 2 (the old strike and this one)", n, err)
		}
		if removed, err := s.RemoveStrike(ctx, "g", "u", "m-2"); err != nil || !removed {
			t.Errorf("RemoveStrike after upgrade = %v, %v; want true", removed, err)
		}
		if n, err := s.Strikes(ctx, "g", "u", struck.Add(time.Minute), time.Hour); err != nil || n != 1 {
			t.Errorf("Strikes after removing the new one = %d, %v; want the old strike", n, err)
		}
		if prev >= 5 && prev < 7 {
			// Schema 7: a message's duplicate strikes are one.
			if n, err := s.Strikes(ctx, "g", "u2", struck.Add(time.Minute), time.Hour); err != nil || n != 1 {
				t.Errorf("Strikes of a message struck twice before schema 7 = %d, %v; want 1", n, err)
			}
		}
	})
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := openStore(t, b.driver, dsn)
		if _, err := s.db.ExecContext(t.Context(), s.d.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', ?)`),
			latestVersion()+1, s.d.t(time.Now())); err != nil {
			t.Fatal(err)
		}
		_, err := Open(t.Context(), b.driver, dsn)
		if err == nil || !strings.Contains(err.Error(), "newer than this slopguard") {
			t.Errorf("Open on a newer schema: got %v, want an error saying it is newer", err)
		}
	})
}

// TestOpenConcurrently starts several stores on one empty database at once,
// as replicas behind a load balancer do.
func TestOpenConcurrently(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		const replicas = 4
		errs := make([]error, replicas)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range replicas {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				s, err := Open(t.Context(), b.driver, dsn)
				if err == nil {
					err = s.Close()
				}
				errs[i] = err
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("replica %d: Open: %v", i, err)
			}
		}
		s := openStore(t, b.driver, dsn)
		var n int
		if err := s.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(migrations) {
			t.Errorf("schema_migrations has %d rows after concurrent starts, want %d", n, len(migrations))
		}
	})
}

// TestConcurrentWriters hammers one store with 8 goroutines doing a mix of
// writes; none may fail (on SQLite that means no SQLITE_BUSY).
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := openStore(t, b.driver, dsn)
		ctx := t.Context()
		const writers, each = 8, 48
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			fails []error
		)
		begin := time.Now()
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					var err error
					switch i % 4 {
					case 0:
						_, err = s.RecordDecision(ctx, store.Decision{Platform: "github", Scope: "a/x", ItemID: fmt.Sprintf("pr/%d", i), Verdict: "unsure"})
					case 1:
						_, err = s.MarkDelivery(ctx, "github", fmt.Sprintf("d-%d", i), time.Now().Add(time.Hour))
					case 2:
						_, err = s.AddStrike(ctx, "g", fmt.Sprintf("u%d", w), fmt.Sprintf("m%d", i), time.Now(), time.Hour)
					case 3:
						err = s.PutSetting(ctx, "g", fmt.Sprintf("k%d", w), []byte{byte(i)})
					}
					if err != nil {
						mu.Lock()
						fails = append(fails, err)
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		t.Logf("%s: %d writers x %d writes in %v, %d errors", b.driver, writers, each, time.Since(begin), len(fails))
		for _, err := range fails[:min(len(fails), 5)] {
			t.Errorf("write failed: %v", err)
		}
		got, err := s.Decisions(ctx, store.DecisionFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if want := writers * each / 4; len(got) != want {
			t.Errorf("stored %d decisions, want %d", len(got), want)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, driver, dsn, want string
	}{
		{"unknown driver", "mysql", "x", "unknown driver"},
		{"empty dsn", SQLite, "", "empty dsn"},
		{"missing directory", SQLite, filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), "open sqlite store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Open(t.Context(), tt.driver, tt.dsn)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q, %q): got nil error, want one containing %q", tt.driver, tt.dsn, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%q, %q) error = %q, want it to contain %q", tt.driver, tt.dsn, err, tt.want)
			}
		})
	}
}

func TestPlaceholders(t *testing.T) {
	t.Parallel()
	q := `SELECT a FROM t WHERE b = ? AND c IN (?, ?)`
	if got := (dialect{name: SQLite}).q(q); got != q {
		t.Errorf("sqlite q() = %q, want unchanged", got)
	}
	if got, want := (dialect{name: Postgres}).q(q), `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`; got != want {
		t.Errorf("postgres q() = %q, want %q", got, want)
	}
}

func TestDBTimeScan(t *testing.T) {
	t.Parallel()
	want := time.Date(2025, 3, 1, 12, 0, 0, 123456000, time.UTC)
	for _, v := range []any{want.UnixMicro(), want.In(time.FixedZone("x", 3600))} {
		var got dbTime
		if err := got.Scan(v); err != nil {
			t.Fatalf("Scan(%T): %v", v, err)
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("Scan(%T) = %v, want %v in UTC", v, got.Time, want)
		}
	}
	var got dbTime
	if err := got.Scan("2025-01-01"); err == nil {
		t.Errorf("Scan(string): got nil error, want one")
	}
	if !errors.Is(notFound(sql.ErrNoRows), store.ErrNotFound) {
		t.Errorf("notFound(sql.ErrNoRows) is not store.ErrNotFound")
	}
}

// TestPruneInBatches prunes more decisions than one batch holds, some with
// feedback: every old decision goes, the feedback stays with its link
// cleared, and newer decisions stay.
func TestPruneInBatches(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := openStore(t, b.driver, dsn)
		s.pruneBatch = 3
		ctx := t.Context()
		old := time.Now().Add(-48 * time.Hour)
		for i := range 10 {
			id, err := s.RecordDecision(ctx, store.Decision{Platform: "ci", Scope: "s", ItemID: fmt.Sprint(i), Verdict: "human", CreatedAt: old})
			if err != nil {
				t.Fatal(err)
			}
			if i%4 == 0 {
				if _, err := s.AddFeedback(ctx, store.Feedback{DecisionID: id, Platform: "ci", Label: "human"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := s.RecordDecision(ctx, store.Decision{Platform: "ci", Scope: "s", ItemID: "new", Verdict: "human"}); err != nil {
			t.Fatal(err)
		}
		n, err := s.Prune(ctx, time.Now().Add(-24*time.Hour))
		if err != nil || n != 10 {
			t.Fatalf("Prune = %d, %v; want 10 decisions removed", n, err)
		}
		left, err := s.Decisions(ctx, store.DecisionFilter{Platform: "ci"})
		if err != nil || len(left) != 1 || left[0].ItemID != "new" {
			t.Errorf("decisions left = %+v, %v; want only the new one", left, err)
		}
		fb, err := s.Feedback(ctx, store.FeedbackFilter{})
		if err != nil || len(fb) != 3 {
			t.Fatalf("feedback after prune = %d rows, %v; want 3", len(fb), err)
		}
		for _, f := range fb {
			if f.DecisionID != 0 {
				t.Errorf("feedback %d still links pruned decision %d", f.ID, f.DecisionID)
			}
		}
	})
}

// TestWritable checks that Writable fails where Ping still succeeds: a
// SQLite connection that takes no writes (query_only stands in for a full
// disk or a read-only file system).
func TestWritable(t *testing.T) {
	t.Parallel()
	s := openStore(t, SQLite, sqliteBackend().fresh(t))
	ctx := t.Context()
	if err := s.Writable(ctx); err != nil {
		t.Fatalf("Writable on a fresh store: %v", err)
	}
	s.db.SetMaxOpenConns(1)
	if _, err := s.db.ExecContext(ctx, `PRAGMA query_only = ON`); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.Writable(ctx); err == nil {
		t.Error("Writable on a store that takes no writes: got nil error")
	}
}
