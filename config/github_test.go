package config

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slopguard/slopguard/moderation"
)

func TestExampleConfigLoadsAndMatchesDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Load("slopguard.example.yml", func(string) string { return "" })
	if err != nil {
		t.Fatalf("load example: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("validate example: %v", err)
	}
	// %+v prints nil and empty lists alike, which is the equality wanted here.
	if def := Default(); fmt.Sprintf("%+v", cfg.GitHub) != fmt.Sprintf("%+v", def.GitHub) {
		t.Errorf("github section of the example:\n got %+v\nwant the defaults %+v", cfg.GitHub, def.GitHub)
	}
}

func TestExampleDocumentsEveryGitHubKey(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("slopguard.example.yml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, key := range yamlKeys(reflect.TypeOf(Config{})) {
		if !strings.Contains(text, key+":") {
			t.Errorf("example config does not mention key %q", key)
		}
	}
}

// yamlKeys lists the yaml tag names of a struct type, recursively.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		keys = append(keys, name)
		if ft := f.Type; ft.Kind() == reflect.Struct && ft != reflect.TypeOf(time.Time{}) {
			keys = append(keys, yamlKeys(ft)...)
		}
	}
	return keys
}

func TestGitHubEnv(t *testing.T) {
	t.Parallel()
	keyFile := writeTemp(t, "key.pem", "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n")
	tests := []struct {
		name    string
		env     map[string]string
		yaml    string
		check   func(t *testing.T, g GitHubConfig)
		wantErr []string
	}{
		{
			name: "off by default",
			check: func(t *testing.T, g GitHubConfig) {
				if g.Enabled {
					t.Errorf("got enabled, want off without an App ID")
				}
			},
		},
		{
			name: "environment alone turns it on",
			env: map[string]string{"SLOPGUARD_GITHUB_APP_ID": "1234", "SLOPGUARD_GITHUB_PRIVATE_KEY_FILE": keyFile,
				"SLOPGUARD_GITHUB_WEBHOOK_SECRET": "s3cret", "SLOPGUARD_GITHUB_API_URL": "https://ghe.example.com/api/v3/"},
			check: func(t *testing.T, g GitHubConfig) {
				if !g.Enabled || g.AppID != 1234 || !strings.Contains(g.PrivateKey, "BEGIN RSA") || g.WebhookSecret != "s3cret" {
					t.Errorf("got %+v, want the App on with key and secret from the environment", g)
				}
				if got, want := g.GraphQL(), "https://ghe.example.com/api/graphql"; got != want {
					t.Errorf("got graphql %q, want %q", got, want)
				}
			},
		},
		{
			name:    "App ID without secrets",
			env:     map[string]string{"SLOPGUARD_GITHUB_APP_ID": "1234"},
			wantErr: []string{"SLOPGUARD_GITHUB_PRIVATE_KEY", "SLOPGUARD_GITHUB_WEBHOOK_SECRET"},
		},
		{
			name:    "bad App ID",
			env:     map[string]string{"SLOPGUARD_GITHUB_APP_ID": "twelve"},
			wantErr: []string{"SLOPGUARD_GITHUB_APP_ID"},
		},
		{
			name:    "secrets are not YAML keys",
			yaml:    "github:\n  webhook_secret: nope\n",
			wantErr: []string{"webhook_secret"},
		},
		{
			name:    "every problem at once",
			yaml:    "github:\n  api_url: ftp://x\n  workers: 0\n  webhook_path: hook\n  policy:\n    threshold: 2\n    label: {color: red}\n",
			wantErr: []string{"github.api_url", "github.workers", "github.webhook_path", "threshold: 2", `label.color: "red"`},
		},
		{
			name:    "bad policy mode",
			yaml:    "github:\n  policy:\n    mode: loud\n    bogus: 1\n",
			wantErr: []string{`unknown mode "loud"`, "bogus"},
		},
		{
			name: "default policy block",
			yaml: "github:\n  policy:\n    mode: observe\n    exempt: {associations: [OWNER]}\n",
			check: func(t *testing.T, g GitHubConfig) {
				if g.Policy.Mode != moderation.ModeObserve || len(g.Policy.Exemptions.Associations) != 1 || !g.Policy.Exemptions.Bots {
					t.Errorf("got policy %+v, want observe, OWNER only, bots still exempt", g.Policy)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := loadYAML(t, tt.yaml, tt.env)
			if checkErr(t, err, tt.wantErr...) {
				return
			}
			tt.check(t, cfg.GitHub)
		})
	}
}

func TestDeriveGraphQLURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"https://api.github.com/", "https://api.github.com/graphql"},
		{"https://api.github.com", "https://api.github.com/graphql"},
		{"https://ghe.example.com/api/v3/", "https://ghe.example.com/api/graphql"},
		{"https://ghe.example.com/api/v3", "https://ghe.example.com/api/graphql"},
	} {
		if got := DeriveGraphQLURL(tt.in); got != tt.want {
			t.Errorf("DeriveGraphQLURL(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAPIURLs: the GitHub App's JWT and tokens, and the Discord bot's
// token, never travel in clear (http only to a loopback host), nor do
// credentials in the URL, which would be logged; an error never shows the
// password.
func TestAPIURLs(t *testing.T) {
	t.Parallel()
	gh := func(u string) []error { g := defaultGitHub(); g.APIURL = u; return g.validate() }
	gq := func(u string) []error { g := defaultGitHub(); g.GraphQLURL = u; return g.validate() }
	dc := func(u string) []error { d := defaultDiscord(); d.APIURL = u; return d.validate() }
	tests := []struct {
		key      string
		validate func(url string) []error
		url      string
		wantErr  string
	}{
		{"github.api_url", gh, "https://github.example.com/api/v3/", ""},
		{"github.api_url", gh, "http://127.0.0.1:8080/", ""},
		{"github.api_url", gh, "http://localhost/", ""},
		{"github.api_url", gh, "http://github.example.com/api/v3/", "must use https"},
		{"github.api_url", gh, "https://user:hunter2@github.example.com/", "must not hold a user name"},
		{"github.api_url", gh, "ftp://user:hunter2@github.example.com/", "must not hold a user name"},
		{"github.api_url", gh, "https://user:hunter2@github.example.com/%zz", "does not parse"},
		{"github.api_url", gh, "http://user:hunter2@github.example.com/", "must not hold a user name"},
		{"github.api_url", gh, "user:hunter2@github.example.com", "not an http(s) URL"},
		{"github.api_url", gh, "ftp://github.example.com/", `"ftp://github.example.com/" is not an http(s) URL`},
		{"github.graphql_url", gq, "https://github.example.com/api/graphql", ""},
		{"github.graphql_url", gq, "ftp://user:hunter2@github.example.com/api/graphql", "must not hold a user name"},
		{"github.graphql_url", gq, "https://user:hunter2@github.example.com/%zz", "does not parse"},
		{"github.graphql_url", gq, "http://github.example.com/api/graphql", "must use https"},
		{"discord.api_url", dc, "https://discord.com/api", ""},
		{"discord.api_url", dc, "https://spacebar.example.org/api", ""},
		{"discord.api_url", dc, "http://127.0.0.1:3001/api", ""}, // a local server or a test's fake
		{"discord.api_url", dc, "http://localhost:3001/api", ""},
		{"discord.api_url", dc, "http://[::1]:3001/api", ""},
		{"discord.api_url", dc, "http://chat.example.org/api", "sends the bot token in clear"},
		{"discord.api_url", dc, "https://user:pw@chat.example.org/api", "must not hold a user name"},
		{"discord.api_url", dc, "https://chat.example.org/api?x=1", "query or fragment"},
		{"discord.api_url", dc, "ftp://chat.example.org/api", "not an http(s) URL"},
		{"discord.api_url", dc, "chat.example.org", "not an http(s) URL"},
		{"discord.api_url", dc, "ftp://user:hunter2@chat.example.org/api", "must not hold a user name"},
		{"discord.api_url", dc, "https://user:hunter2@chat.example.org/%zz", "does not parse"},
		{"discord.api_url", dc, "http://user:hunter2@chat.example.org/api", "must not hold a user name"},
		{"discord.api_url", dc, "user:hunter2@chat.example.org", "not an http(s) URL"},
	}
	for _, tt := range tests {
		errs := tt.validate(tt.url)
		switch {
		case tt.wantErr == "" && len(errs) != 0:
			t.Errorf("%s %q: got %v, want no error", tt.key, tt.url, errs)
		case tt.wantErr != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.wantErr) || !strings.Contains(errs[0].Error(), tt.key)):
			t.Errorf("%s %q: got %v, want one %s error containing %q", tt.key, tt.url, errs, tt.key, tt.wantErr)
		}
		for _, err := range errs {
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%s %q: the error %q shows the password", tt.key, tt.url, err)
			}
		}
	}
}

func TestGitHubAllowedAccounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		yaml    string
		want    []string
		wantErr string
	}{
		{"github:\n  allowed_accounts: [acme, Acme-Labs]\n", []string{"acme", "Acme-Labs"}, ""},
		{"github:\n  allowed_accounts: []\n", []string{}, ""},
		{"github:\n  allowed_accounts: [acme/widgets]\n", nil, `"acme/widgets" is not a GitHub user or organization login`},
		{"github:\n  allowed_accounts: [\"\"]\n", nil, "github.allowed_accounts"},
		{"github:\n  allowed_accounts: [-acme]\n", nil, "github.allowed_accounts"},
	}
	for _, tt := range tests {
		cfg := Default()
		if err := Parse([]byte(tt.yaml), &cfg); err != nil {
			t.Fatalf("%q: %v", tt.yaml, err)
		}
		err := cfg.Validate()
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: got %v, want an error containing %q", tt.yaml, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.yaml, err)
		}
		if !slices.Equal(cfg.GitHub.AllowedAccounts, tt.want) {
			t.Errorf("%q: allowed accounts %q, want %q", tt.yaml, cfg.GitHub.AllowedAccounts, tt.want)
		}
	}
}

// TestGitHubQueueSizeIsIgnored: github.queue_size is no longer used; an
// old file that sets it, to any value, still loads, and Warnings says the
// key is ignored. A file without it has no warning.
func TestGitHubQueueSizeIsIgnored(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		yaml string
		warn bool
	}{
		{"github:\n  workers: 2\n", false},
		{"github:\n  queue_size: 256\n", true},
		{"github:\n  queue_size: 0\n", false},
		{"github:\n  queue_size: -1\n", true},
	} {
		cfg, err := loadYAML(t, tt.yaml, nil)
		if err != nil {
			t.Errorf("%q: got %v, want it to load", tt.yaml, err)
			continue
		}
		warnings := cfg.Warnings()
		if got := slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, "github.queue_size") }); got != tt.warn {
			t.Errorf("%q: got warnings %q, want a github.queue_size warning: %v", tt.yaml, warnings, tt.warn)
		}
	}
}
