package config

import (
	"fmt"
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
	}
	if v := getenv("SLOPGUARD_DATABASE_DRIVER"); v != "" {
		s.Driver = v
	}
	return nil
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
	if s.RetentionDays < 0 {
		errs = append(errs, fmt.Errorf("store.retention_days: %d is negative", s.RetentionDays))
	}
	return errs
}
