package config

import (
	"fmt"
	"strings"
)

// StoreConfig selects and tunes the database.
type StoreConfig struct {
	// Driver is "sqlite" (default, embedded) or "postgres".
	Driver string `yaml:"driver"`
	// DSN is the SQLite file path or a PostgreSQL connection string.
	DSN string `yaml:"dsn"`
	// RetentionDays is how long decisions and deliveries are kept; 0 keeps them forever.
	RetentionDays int `yaml:"retention_days"`
	// StoreText keeps the scored text with each decision; off by default.
	StoreText bool `yaml:"store_text"`
}

func defaultStore() StoreConfig {
	return StoreConfig{Driver: "sqlite", DSN: "slopguard.db", RetentionDays: 90}
}

func (s *StoreConfig) applyEnv(getenv Getenv) error {
	dsn, err := secret(getenv, "SLOPGUARD_DATABASE_URL")
	if err != nil {
		return err
	}
	if dsn != "" {
		s.DSN = dsn
		if isPostgresURL(dsn) {
			s.Driver = "postgres"
		}
	}
	if v := getenv("SLOPGUARD_DATABASE_DRIVER"); v != "" {
		s.Driver = v
	}
	return nil
}

// isPostgresURL reports whether dsn is a postgres:// or postgresql:// URL.
func isPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

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
	switch s.Driver {
	case "sqlite", "postgres":
	default:
		errs = append(errs, fmt.Errorf("store.driver: %q is not sqlite or postgres", s.Driver))
	}
	if s.DSN == "" {
		errs = append(errs, fmt.Errorf("store.dsn: must not be empty"))
	}
	if s.Driver == "sqlite" && isPostgresURL(s.DSN) {
		errs = append(errs, fmt.Errorf("store.dsn: a PostgreSQL URL needs store.driver: postgres"))
	}
	if s.RetentionDays < 0 {
		errs = append(errs, fmt.Errorf("store.retention_days: %d is negative", s.RetentionDays))
	}
	return errs
}
