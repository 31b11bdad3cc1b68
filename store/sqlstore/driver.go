package sqlstore

import (
	"slices"
	"strings"
)

// Drivers are the driver names Open accepts, the embedded default first.
func Drivers() []string { return []string{SQLite, Postgres} }

// DriverFor is the driver a DSN names: Postgres for a postgres:// or
// postgresql:// URL or a libpq keyword/value string ("host=… dbname=…"),
// SQLite for anything else (a file path).
func DriverFor(dsn string) string {
	if IsPostgresDSN(dsn) {
		return Postgres
	}
	return SQLite
}

// IsPostgresDSN reports whether dsn is a PostgreSQL URL or keyword/value
// string: one of libpq's keywords followed by "=".
func IsPostgresDSN(dsn string) bool {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return true
	}
	for _, f := range strings.Fields(dsn) {
		key, _, ok := strings.Cut(f, "=")
		if ok && slices.Contains([]string{"host", "hostaddr", "port", "dbname", "user", "password", "sslmode"}, key) {
			return true
		}
	}
	return false
}
