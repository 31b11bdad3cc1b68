package config

import (
	"strings"
	"testing"
)

func TestWebConfig(t *testing.T) {
	t.Parallel()
	secretFile := writeTemp(t, "secret", strings.Repeat("s", 40)+"\n")
	long := strings.Repeat("k", 32)
	tests := []struct {
		name    string
		yaml    string
		env     map[string]string
		enabled bool
		wantErr string
	}{
		{"off by default", "", nil, false, ""},
		{"secret from the environment", "", map[string]string{"SLOPGUARD_WEB_LINK_SECRET": long}, true, ""},
		{"secret from a file", "", map[string]string{"SLOPGUARD_WEB_LINK_SECRET_FILE": secretFile}, true, ""},
		{"public URL from the environment", "", map[string]string{"SLOPGUARD_WEB_LINK_SECRET": long, "SLOPGUARD_PUBLIC_URL": "https://sg.example.org"}, true, ""},
		{"short secret", "", map[string]string{"SLOPGUARD_WEB_LINK_SECRET": "short"}, false, "at least 32"},
		{"both secret forms", "", map[string]string{"SLOPGUARD_WEB_LINK_SECRET": long, "SLOPGUARD_WEB_LINK_SECRET_FILE": secretFile}, false, "both set"},
		{"public URL without a secret", "web:\n  public_url: https://sg.example.org\n", nil, false, "cannot be signed"},
		{"public URL not http", "web:\n  public_url: ftp://sg.example.org\n", map[string]string{"SLOPGUARD_WEB_LINK_SECRET": long}, false, "not an http(s) URL"},
		{"public URL with a query", "web:\n  public_url: https://sg.example.org/?a=1\n", map[string]string{"SLOPGUARD_WEB_LINK_SECRET": long}, false, "query"},
		{"public URL with a path", "web:\n  public_url: https://example.org/slopguard/\n", map[string]string{"SLOPGUARD_WEB_LINK_SECRET": long}, false, "has a path"},
		{"public URL with a slash", "web:\n  public_url: https://sg.example.org/\n", map[string]string{"SLOPGUARD_WEB_LINK_SECRET": long}, true, ""},
		{"public URL with credentials", "web:\n  public_url: https://admin:hunter2@sg.example.org\n", map[string]string{"SLOPGUARD_WEB_LINK_SECRET": long}, false, "must not hold a user name or password"},
		{"public URL that does not parse", "web:\n  public_url: https://admin:hunter2@sg.example.org/%zz\n", map[string]string{"SLOPGUARD_WEB_LINK_SECRET": long}, false, "does not parse"},
		{"no ttl", "web:\n  link_ttl: 0s\n", nil, false, "link_ttl"},
		{"secret not in the file", "web:\n  link_secret: abc\n", nil, false, "link_secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := loadYAML(t, tt.yaml, tt.env)
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows the password: %v", err)
			}
			if checkErr(t, err, tt.wantErr) {
				return
			}
			if cfg.Web.Enabled() != tt.enabled {
				t.Errorf("Enabled = %v, want %v", cfg.Web.Enabled(), tt.enabled)
			}
		})
	}
}
