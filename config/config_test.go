package config

import "testing"

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
		{"unknown key", "log_levle: debug\n", `unknown key "log_levle"`, ""},
		{"second document", "log_level: debug\n---\nlog_level: bogus\n", "more than one YAML document", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := Default()
			if checkErr(t, Parse([]byte(tt.yml), &cfg), tt.wantErr) {
				return
			}
			if cfg.LogLevel != tt.wantLevel {
				t.Errorf("log_level = %q, want %q", cfg.LogLevel, tt.wantLevel)
			}
		})
	}
}

// TestUnknownKeyIsNamedPlainly: an unknown key is reported as such, with
// its line, without Go type names or yaml.v3's separators (L5).
func TestUnknownKeyIsNamedPlainly(t *testing.T) {
	t.Parallel()
	cfg := Default()
	err := Parse([]byte("log_level: info\nmode: flag\nthreshold: 0.9\n"), &cfg)
	if err == nil {
		t.Fatal("got no error for unknown keys")
	}
	want := `parse yaml: line 2: unknown key "mode"; line 3: unknown key "threshold"`
	if err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}
