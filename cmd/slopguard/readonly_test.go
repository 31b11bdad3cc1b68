package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyDB copies a SQLite database file (closed, not in WAL use) into a new
// temp dir and returns the copy's path.
func copyDB(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// oldSchemaDB returns a copy of a seeded database taken back to the schema
// before the latest, as a database last opened by an older slopguard is.
func oldSchemaDB(t *testing.T, path string) string {
	t.Helper()
	old := copyDB(t, path)
	db, err := sql.Open("sqlite", old)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	latest := schemaVersion(t, old)
	for _, stmt := range []string{
		`DROP INDEX feedback_decision`, // what the latest migration (3) added
		fmt.Sprintf(`DELETE FROM schema_migrations WHERE version = %d`, latest),
		`PRAGMA journal_mode = DELETE`,
	} {
		if _, err := db.ExecContext(t.Context(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	return old
}

// schemaVersion reads a SQLite database's schema version without migrating it.
func schemaVersion(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRowContext(t.Context(), `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatalf("read schema version of %s: %v", path, err)
	}
	return v
}

// rollbackJournalDB returns the database at path switched out of WAL mode,
// so that any write, or a switch back to WAL, changes the file itself.
func rollbackJournalDB(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), `PRAGMA journal_mode = DELETE`); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReadOnlyCommandsWriteNothing runs every command that only reads the
// database against a missing file, a database at an older schema and a
// current one: none may create, migrate or change a file. simulate --store
// must refuse the first two before going near GitHub.
func TestReadOnlyCommandsWriteNothing(t *testing.T) {
	t.Parallel()
	seeded, _ := auditSeed(t)
	current := rollbackJournalDB(t, seeded)
	old := oldSchemaDB(t, current)
	oldVersion := schemaVersion(t, old)
	const missing = "missing.db"
	commands := []struct {
		name string
		args func(t *testing.T, db string) []string
		vars func(db string) map[string]string // nil: an empty environment
		// elsewhere names the test that runs the command on a current store.
		elsewhere string
	}{
		{"audit list", func(_ *testing.T, db string) []string { return []string{"audit", "list", "--db", db} }, nil, ""},
		{"audit show", func(_ *testing.T, db string) []string { return []string{"audit", "show", "--db", db, "1"} }, nil, ""},
		{"feedback export", func(_ *testing.T, db string) []string { return []string{"feedback", "export", "--db", db} }, nil, ""},
		{"train --feedback", func(t *testing.T, db string) []string {
			return []string{"train", "--quiet", "--no-dev", "--data", trainData(t, 40, "train"), "--feedback", db}
		}, nil, "TestTrainFeedback"},
		{"simulate --store", func(*testing.T, string) []string {
			return []string{"simulate", "--repo", "acme/widgets", "--number", "7", "--store"}
		}, func(db string) map[string]string {
			return map[string]string{"SLOPGUARD_GITHUB_TOKEN": "test-token", "SLOPGUARD_GITHUB_API_URL": "http://127.0.0.1:1/", "SLOPGUARD_DATABASE_URL": db}
		}, "TestSimulateAgainstFakeGitHub"},
	}
	dbs := []struct {
		name     string
		path     string
		wantCode int
		wantErr  string
	}{
		{"missing", missing, 2, "no such file"},
		{"older schema", old, 1, fmt.Sprintf("database schema %d, this slopguard reads %d: run `slopguard serve`", oldVersion, oldVersion+1)},
		{"current", current, 0, ""},
	}
	for _, c := range commands {
		for _, db := range dbs {
			if c.elsewhere != "" && db.wantCode == 0 {
				continue
			}
			t.Run(c.name+"/"+db.name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				path := filepath.Join(dir, missing)
				var before []byte
				if db.path != missing {
					path = copyDB(t, db.path)
					var err error
					if before, err = os.ReadFile(path); err != nil {
						t.Fatal(err)
					}
				}
				var vars map[string]string
				if c.vars != nil {
					vars = c.vars(path)
				}
				code, _, errOut := auditRun(t, vars, c.args(t, path)...)
				if code != db.wantCode || !strings.Contains(errOut, db.wantErr) {
					t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, db.wantCode, db.wantErr)
				}
				if db.path == missing {
					if entries, _ := os.ReadDir(dir); len(entries) > 0 {
						t.Errorf("%s created %s", c.name, entries[0].Name())
					}
					return
				}
				after, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(before, after) {
					t.Errorf("%s changed the database file", c.name)
				}
				for _, suffix := range []string{"-wal", "-shm", "-journal"} {
					if _, err := os.Stat(path + suffix); err == nil {
						t.Errorf("%s left %s%s behind", c.name, filepath.Base(path), suffix)
					}
				}
			})
		}
	}
}
