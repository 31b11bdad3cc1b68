package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slopguard/slopguard/store"
)

// TestOpenReadOnlySchema opens databases at other schema versions read-only:
// each must fail with an error naming both versions, and leave the schema
// as it was.
func TestOpenReadOnlySchema(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		version int // the database's schema version; 0 for a database without one
		want    string
	}{
		{"latest", latestVersion(), ""},
		{"older", latestVersion() - 1, fmt.Sprintf("database schema %d, this slopguard reads %d: run `slopguard serve`", latestVersion()-1, latestVersion())},
		{"newer", latestVersion() + 1, fmt.Sprintf("database schema %d, this slopguard reads %d: upgrade slopguard", latestVersion()+1, latestVersion())},
	}
	for name, get := range backends(t) {
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				b := get(t)
				dsn := b.fresh(t)
				ctx := t.Context()
				s, err := openAt(ctx, b.driver, dsn, min(tt.version, latestVersion()))
				if err != nil {
					t.Fatal(err)
				}
				if tt.version > latestVersion() {
					if _, err := s.db.ExecContext(ctx, s.d.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', ?)`),
						tt.version, s.d.t(time.Now())); err != nil {
						t.Fatal(err)
					}
				}
				s.Close()

				ro, err := OpenReadOnly(ctx, b.driver, dsn)
				if tt.want == "" {
					if err != nil {
						t.Fatalf("OpenReadOnly at the latest schema: %v", err)
					}
					ro.Close()
				} else {
					if err == nil {
						ro.Close()
						t.Fatalf("OpenReadOnly at schema %d: got nil error, want %q", tt.version, tt.want)
					}
					if !strings.Contains(err.Error(), tt.want) {
						t.Errorf("OpenReadOnly at schema %d: error %q, want it to contain %q", tt.version, err, tt.want)
					}
				}
				if got := schemaOf(t, b.driver, dsn); got != tt.version {
					t.Errorf("schema after OpenReadOnly = %d, want %d (unchanged)", got, tt.version)
				}
			})
		}
	}
}

// schemaOf reads the schema version without migrating anything.
func schemaOf(t *testing.T, driver, dsn string) int {
	t.Helper()
	name := "pgx"
	if driver == SQLite {
		name = "sqlite"
	}
	db, err := sql.Open(name, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRowContext(t.Context(), `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatalf("read schema version: %v", err)
	}
	return v
}

// TestOpenReadOnlySQLiteFiles checks what OpenReadOnly leaves on disk: it
// creates no database, switches none to WAL, and writes to none.
func TestOpenReadOnlySQLiteFiles(t *testing.T) {
	t.Parallel()
	t.Run("missing file", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "missing.db")
		s, err := OpenReadOnly(t.Context(), SQLite, path)
		if err == nil {
			s.Close()
			t.Fatal("OpenReadOnly on a missing file: got nil error")
		}
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("OpenReadOnly on a missing file: error %q, want one naming the file and wrapping fs.ErrNotExist", err)
		}
		assertNoFiles(t, filepath.Dir(path))
	})
	t.Run("missing file as a URI", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		s, err := OpenReadOnly(t.Context(), SQLite, "file:"+filepath.Join(dir, "missing.db"))
		if err == nil {
			s.Close()
			t.Fatal("OpenReadOnly on a missing file: got nil error")
		}
		assertNoFiles(t, dir)
	})
	t.Run("not a slopguard database", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "empty.db")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := OpenReadOnly(t.Context(), SQLite, path)
		if err == nil {
			s.Close()
			t.Fatal("OpenReadOnly on an empty file: got nil error")
		}
		if !strings.Contains(err.Error(), "no slopguard schema") {
			t.Errorf("OpenReadOnly on an empty file: error %q, want it to say there is no slopguard schema", err)
		}
		if st, err := os.Stat(path); err != nil || st.Size() != 0 {
			t.Errorf("empty file after OpenReadOnly: %v, %v; want it still empty", st, err)
		}
	})
	t.Run("rollback journal kept, writes refused", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "slopguard.db")
		s := openStore(t, SQLite, path)
		record(t, s, "1", "human")
		if _, err := s.db.ExecContext(t.Context(), `PRAGMA journal_mode = DELETE`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		before, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}

		ro := openReadOnly(t, path)
		wantDecisions(t, ro, 1)
		if _, err := ro.RecordDecision(t.Context(), store.Decision{Platform: "ci", Scope: "s", ItemID: "2", Verdict: "human"}); err == nil {
			t.Error("RecordDecision on a read-only store: got nil error")
		}
		var mode string
		if err := ro.db.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "delete" {
			t.Errorf("journal_mode = %q, %v; want delete (not switched to WAL)", mode, err)
		}
		if err := ro.Close(); err != nil {
			t.Fatal(err)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(after) != string(before) {
			t.Error("the database file changed while open read-only")
		}
		for _, suffix := range []string{"-wal", "-shm", "-journal"} {
			if _, err := os.Stat(path + suffix); err == nil {
				t.Errorf("OpenReadOnly left %s%s behind", filepath.Base(path), suffix)
			}
		}
	})
	t.Run("WAL database in use", func(t *testing.T) {
		t.Parallel()
		// As `slopguard serve` leaves it: in WAL mode, with a writer open.
		path := filepath.Join(t.TempDir(), "a b #1 100%.db")
		w := openStore(t, SQLite, path)
		record(t, w, "1", "machine")
		ro := openReadOnly(t, path)
		defer ro.Close()
		record(t, w, "2", "human")
		wantDecisions(t, ro, 2)
	})
	t.Run("WAL database at rest", func(t *testing.T) {
		t.Parallel()
		// As `slopguard serve` leaves it once stopped: in WAL mode, without
		// -wal and -shm files.
		path := filepath.Join(t.TempDir(), "slopguard.db")
		w := openStore(t, SQLite, path)
		record(t, w, "1", "machine")
		w.Close()
		ro := openReadOnly(t, path)
		defer ro.Close()
		wantDecisions(t, ro, 1)
	})
}

// record records decision itemID with verdict in scope ci/s of s.
func record(t *testing.T, s *Store, itemID, verdict string) {
	t.Helper()
	if _, err := s.RecordDecision(t.Context(), store.Decision{Platform: "ci", Scope: "s", ItemID: itemID, Verdict: verdict}); err != nil {
		t.Fatal(err)
	}
}

// openReadOnly opens the SQLite database at path read-only; the caller
// closes it.
func openReadOnly(t *testing.T, path string) *Store {
	t.Helper()
	ro, err := OpenReadOnly(t.Context(), SQLite, path)
	if err != nil {
		t.Fatalf("OpenReadOnly: %v", err)
	}
	return ro
}

// wantDecisions wants s to list n decisions.
func wantDecisions(t *testing.T, s *Store, n int) {
	t.Helper()
	if got, err := s.Decisions(t.Context(), store.DecisionFilter{Limit: 10}); err != nil || len(got) != n {
		t.Errorf("Decisions = %d decisions, %v; want %d", len(got), err, n)
	}
}

// assertNoFiles fails t when dir holds any file.
func assertNoFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("OpenReadOnly created %s", e.Name())
	}
}

func TestSQLiteReadOnlyDSN(t *testing.T) {
	t.Parallel()
	tests := []struct{ dsn, want string }{
		{"slopguard.db", "file:slopguard.db?" + sqliteReadOnlyParams},
		{"/var/lib/a b/x.db", "file:/var/lib/a b/x.db?" + sqliteReadOnlyParams},
		{"/tmp/100%#1.db", "file:/tmp/100%25%231.db?" + sqliteReadOnlyParams},
		{"x.db?_pragma=cache_size(1000)", "file:x.db?_pragma=cache_size(1000)&" + sqliteReadOnlyParams},
		{"file:x.db?cache=shared", "file:x.db?cache=shared&" + sqliteReadOnlyParams},
	}
	for _, tt := range tests {
		if got := sqliteReadOnlyDSN(tt.dsn); got != tt.want {
			t.Errorf("sqliteReadOnlyDSN(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}
