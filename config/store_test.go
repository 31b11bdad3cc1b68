package config

import (
	"strings"
	"testing"
)

func TestStoreFromEnv(t *testing.T) {
	t.Parallel()
	secretFile := writeTemp(t, "url", "postgres://u:p@db/slopguard\n")
	tests := []struct {
		name       string
		env        map[string]string
		wantDriver string
		wantDSN    string
		wantErr    string
	}{
		{"embedded default", nil, "sqlite", "slopguard.db", ""},
		{"sqlite path", map[string]string{"SLOPGUARD_DATABASE_URL": "/data/s.db"}, "sqlite", "/data/s.db", ""},
		{"postgres url selects postgres", map[string]string{"SLOPGUARD_DATABASE_URL": "postgresql://db/x"}, "postgres", "postgresql://db/x", ""},
		{"url from file", map[string]string{"SLOPGUARD_DATABASE_URL_FILE": secretFile}, "postgres", "postgres://u:p@db/slopguard", ""},
		{"explicit driver wins", map[string]string{"SLOPGUARD_DATABASE_URL": "host=/tmp dbname=x", "SLOPGUARD_DATABASE_DRIVER": "postgres"}, "postgres", "host=/tmp dbname=x", ""},
		{"keyword/value string selects postgres", map[string]string{"SLOPGUARD_DATABASE_URL": "host=db.internal port=5432 user=sg password=s3cret dbname=sg sslmode=require"}, "postgres", "host=db.internal port=5432 user=sg password=s3cret dbname=sg sslmode=require", ""},
		{"a path with an equals sign stays sqlite", map[string]string{"SLOPGUARD_DATABASE_URL": "/data/a=b/s.db"}, "sqlite", "/data/a=b/s.db", ""},
		{"url and file both set", map[string]string{"SLOPGUARD_DATABASE_URL": "a", "SLOPGUARD_DATABASE_URL_FILE": secretFile}, "", "", "both set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := StoreFromEnv(func(k string) string { return tt.env[k] })
			if checkErr(t, err, tt.wantErr) {
				return
			}
			if got.Driver != tt.wantDriver || got.DSN != tt.wantDSN {
				t.Errorf("got driver %q dsn %q, want %q %q", got.Driver, got.DSN, tt.wantDriver, tt.wantDSN)
			}
			if got.StoreText {
				t.Errorf("StoreText = true, want false by default")
			}
		})
	}
}

func TestStoreValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    StoreConfig
		want []string
	}{
		{"default", defaultStore(), nil},
		{"bad driver", StoreConfig{Driver: "mysql", DSN: "x"}, []string{"store.driver"}},
		{"empty dsn", StoreConfig{Driver: "sqlite"}, []string{"store.dsn"}},
		{"negative retention", StoreConfig{Driver: "sqlite", DSN: "x", RetentionDays: -1}, []string{"store.retention_days"}},
		{"postgres url with sqlite", StoreConfig{Driver: "sqlite", DSN: "postgres://db/x"}, []string{"needs store.driver: postgres"}},
		{"keyword/value string with sqlite", StoreConfig{Driver: "sqlite", DSN: "host=db password=s3cret"}, []string{"needs store.driver: postgres"}},
		{"retention that would overflow", StoreConfig{Driver: "sqlite", DSN: "x", RetentionDays: 213504}, []string{"store.retention_days"}},
		{"a century of retention", StoreConfig{Driver: "sqlite", DSN: "x", RetentionDays: 36500}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			errs := tt.s.validate()
			for _, err := range errs {
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("error %q shows the password", err)
				}
			}
			if len(errs) != len(tt.want) {
				t.Fatalf("got errors %v, want %d", errs, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("error %d = %q, want it to contain %q", i, errs[i], w)
				}
			}
		})
	}
}

func TestDriverFor(t *testing.T) {
	t.Parallel()
	tests := []struct{ dsn, want string }{
		{"slopguard.db", "sqlite"},
		{"/var/lib/slopguard/data.db", "sqlite"},
		{"/data/a=b/s.db", "sqlite"},
		{"postgres://u@db/slopguard", "postgres"},
		{"postgresql://u@db/slopguard?sslmode=disable", "postgres"},
		{"host=/tmp/pg dbname=slopguard", "postgres"},
		{"user=sg password=x", "postgres"},
	}
	for _, tt := range tests {
		if got := DriverFor(tt.dsn); got != tt.want {
			t.Errorf("DriverFor(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}
