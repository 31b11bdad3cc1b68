package sqlstore

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDriverFor(t *testing.T) {
	t.Parallel()
	tests := []struct{ dsn, want string }{
		{"slopguard.db", SQLite},
		{"/var/lib/slopguard/data.db", SQLite},
		{"/data/a=b/s.db", SQLite},
		{"postgres://u@db/slopguard", Postgres},
		{"postgresql://u@db/slopguard?sslmode=disable", Postgres},
		{"host=/tmp/pg dbname=slopguard", Postgres},
		{"user=sg password=x", Postgres},
	}
	for _, tt := range tests {
		if got := DriverFor(tt.dsn); got != tt.want {
			t.Errorf("DriverFor(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
		if !slices.Contains(Drivers(), DriverFor(tt.dsn)) {
			t.Errorf("DriverFor(%q) = %q, not one of Drivers() %v", tt.dsn, DriverFor(tt.dsn), Drivers())
		}
	}
}

// TestDriversConnect checks that connect knows every name in Drivers (it
// opens lazily: nothing is dialled or created here) and refuses others.
func TestDriversConnect(t *testing.T) {
	t.Parallel()
	for _, d := range Drivers() {
		dsn := filepath.Join(t.TempDir(), "never-created.db")
		if d == Postgres {
			dsn = "host=/nonexistent dbname=slopguard"
		}
		s, _, err := connect(d, dsn, false)
		if err != nil {
			t.Errorf("connect(%q): %v, want a store", d, err)
			continue
		}
		s.db.Close()
	}
	if _, _, err := connect("mysql", "x", false); err == nil || !strings.Contains(err.Error(), "unknown driver") {
		t.Errorf("connect(\"mysql\") = %v, want an unknown driver error", err)
	}
}
