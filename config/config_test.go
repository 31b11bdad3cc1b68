package config

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yml string
		wantErr   string
		wantLevel string
	}{
		{"empty", "", "", "info"},
		{"only comments", "# nothing set yet\n# log_level: debug\n", "", "info"},
		{"one document", "log_level: debug\n", "", "debug"},
		{"unknown key", "log_levle: debug\n", "field log_levle not found", ""},
		{"second document", "log_level: debug\n---\nlog_level: bogus\n", "more than one YAML document", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := Default()
			err := Parse([]byte(tt.yml), &cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if cfg.LogLevel != tt.wantLevel {
				t.Errorf("log_level = %q, want %q", cfg.LogLevel, tt.wantLevel)
			}
		})
	}
}
