package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/slopguard/slopguard/store/sqlstore"
)

// StoreConfig selects and tunes the database.
type StoreConfig struct {
	// Driver is one of sqlstore.Drivers: "sqlite" (default, embedded) or
	// "postgres".
	Driver string `yaml:"driver"`
	// DSN is the SQLite file path or a PostgreSQL connection string.
	DSN string `yaml:"dsn"`
	// RetentionDays is how long decisions and deliveries are kept; 0 keeps them forever.
	RetentionDays int `yaml:"retention_days"`
	// StoreText keeps the scored text (and a GitHub item's title) with each
	// decision; off by default.
	StoreText bool `yaml:"store_text"`
}

func defaultStore() StoreConfig {
	return StoreConfig{Driver: sqlstore.SQLite, DSN: "slopguard.db", RetentionDays: 90}
}

func (s *StoreConfig) applyEnv(getenv Getenv) error {
	dsn, err := secret(getenv, "SLOPGUARD_DATABASE_URL")
	if err != nil {
		return err
	}
	if dsn != "" {
		s.DSN = dsn
		s.Driver = DriverFor(dsn)
	}
	if v := getenv("SLOPGUARD_DATABASE_DRIVER"); v != "" {
		s.Driver = v
	}
	return nil
}

// DriverFor is the driver a DSN names, as the store reads it (see
// sqlstore.DriverFor): "postgres" for a PostgreSQL URL or keyword/value
// string, "sqlite" for anything else (a file path).
func DriverFor(dsn string) string { return sqlstore.DriverFor(dsn) }

// maxRetentionDays bounds retention_days (100 years): a larger value would
// overflow the duration it becomes and prune almost everything.
const maxRetentionDays = 36500

// StoreFromEnv returns the default store settings with the environment
// applied (SLOPGUARD_DATABASE_URL or SLOPGUARD_DATABASE_URL_FILE, and
// SLOPGUARD_DATABASE_DRIVER), for commands that read the database without a
// config file. A postgres:// URL selects the postgres driver unless
// SLOPGUARD_DATABASE_DRIVER says otherwise.
func StoreFromEnv(getenv Getenv) (StoreConfig, error) {
	s := defaultStore()
	if err := s.applyEnv(getenv); err != nil {
		return StoreConfig{}, err
	}
	return s, nil
}

func (s StoreConfig) validate() []error {
	var errs []error
	if !slices.Contains(sqlstore.Drivers(), s.Driver) {
		errs = append(errs, fmt.Errorf("store.driver: %q is not %s", s.Driver, strings.Join(sqlstore.Drivers(), " or ")))
	}
	if s.DSN == "" {
		errs = append(errs, fmt.Errorf("store.dsn: must not be empty"))
	}
	// Never print the DSN: it may hold a password.
	if s.Driver == sqlstore.SQLite && sqlstore.IsPostgresDSN(s.DSN) {
		errs = append(errs, fmt.Errorf("store.dsn: a PostgreSQL connection string needs store.driver: %s", sqlstore.Postgres))
	}
	if s.RetentionDays < 0 || s.RetentionDays > maxRetentionDays {
		errs = append(errs, fmt.Errorf("store.retention_days: %d is not between 0 and %d", s.RetentionDays, maxRetentionDays))
	}
	return errs
}
