package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slopguard/slopguard/moderation"
)

// GitHubConfig configures the GitHub App. Secrets come only from the
// environment: SLOPGUARD_GITHUB_PRIVATE_KEY[_FILE] and SLOPGUARD_GITHUB_WEBHOOK_SECRET[_FILE].
type GitHubConfig struct {
	// Enabled turns the GitHub App on; it is on when an App ID is configured.
	Enabled bool `yaml:"-"`
	// AppID is the GitHub App's numeric ID (SLOPGUARD_GITHUB_APP_ID overrides it).
	AppID int64 `yaml:"app_id"`
	// APIURL is the REST base URL; set it for GitHub Enterprise Server
	// (https://HOST/api/v3/). SLOPGUARD_GITHUB_API_URL overrides it.
	APIURL string `yaml:"api_url"`
	// GraphQLURL is the GraphQL endpoint; empty derives it from APIURL.
	GraphQLURL string `yaml:"graphql_url"`
	// WebhookPath is where GitHub posts webhooks.
	WebhookPath string `yaml:"webhook_path"`
	// QueueSize is read so old files load, and otherwise ignored: accepted
	// deliveries wait in the store (any number), so a burst is never
	// refused. Any value is accepted; Warnings names it when not 0.
	//
	// Deprecated: the App has no in-memory queue; remove the key.
	QueueSize int `yaml:"queue_size"`
	// MaxConcurrentBodies caps the webhook bodies read at once before their
	// signature is checked; more requests get 503.
	MaxConcurrentBodies int `yaml:"max_concurrent_bodies"`
	// RedeliverInterval is how often one replica asks GitHub to redeliver
	// the deliveries that failed (GitHub never does by itself); 0 disables.
	RedeliverInterval time.Duration `yaml:"redeliver_interval"`
	// Workers is how many deliveries are processed at once.
	Workers int `yaml:"workers"`
	// MaxBodyBytes is the largest webhook body accepted; larger gets 413.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// PolicyPath is the policy file's path in a repository.
	PolicyPath string `yaml:"policy_path"`
	// PolicyCacheTTL is how long a fetched policy is trusted without a push refreshing it.
	PolicyCacheTTL time.Duration `yaml:"policy_cache_ttl"`
	// SweepInterval is how often enforce mode looks for flagged items past their grace period.
	SweepInterval time.Duration `yaml:"sweep_interval"`
	// Policy is the policy of repositories without a policy file (same keys as the file).
	Policy moderation.Policy `yaml:"policy"`
	// AllowedAccounts, when not empty, are the only user or organization
	// logins whose installations are served; deliveries for any other
	// account are acknowledged and counted but not processed.
	AllowedAccounts []string `yaml:"allowed_accounts"`

	// PrivateKey is the App's PEM private key, from the environment only.
	PrivateKey string `yaml:"-"`
	// WebhookSecret is the webhook secret, from the environment only.
	WebhookSecret string `yaml:"-"`
}

// The GitHub section's defaults.
const (
	DefaultGitHubAPIURL       = "https://api.github.com/"
	DefaultGitHubWebhookPath  = "/webhook"
	DefaultGitHubMaxBodyBytes = 25 << 20
)

func defaultGitHub() GitHubConfig {
	return GitHubConfig{
		APIURL:              DefaultGitHubAPIURL,
		WebhookPath:         DefaultGitHubWebhookPath,
		MaxConcurrentBodies: 8,
		RedeliverInterval:   10 * time.Minute,
		Workers:             4,
		MaxBodyBytes:        DefaultGitHubMaxBodyBytes,
		PolicyPath:          moderation.PolicyPath,
		PolicyCacheTTL:      time.Hour,
		SweepInterval:       15 * time.Minute,
		Policy:              moderation.DefaultPolicy(),
	}
}

func (g *GitHubConfig) applyEnv(getenv Getenv) error {
	var errs []string
	if v := getenv("SLOPGUARD_GITHUB_APP_ID"); v != "" {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			errs = append(errs, fmt.Sprintf("SLOPGUARD_GITHUB_APP_ID: %q is not a number", v))
		} else {
			g.AppID = id
		}
	}
	if v := getenv("SLOPGUARD_GITHUB_API_URL"); v != "" {
		g.APIURL = v
	}
	key, err := secret(getenv, "SLOPGUARD_GITHUB_PRIVATE_KEY")
	if err != nil {
		errs = append(errs, err.Error())
	}
	g.PrivateKey = key
	whs, err := secret(getenv, "SLOPGUARD_GITHUB_WEBHOOK_SECRET")
	if err != nil {
		errs = append(errs, err.Error())
	}
	g.WebhookSecret = whs
	g.Enabled = g.AppID != 0
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// GraphQL returns the GraphQL endpoint: GraphQLURL when set, else derived
// from APIURL (https://api.github.com/graphql, or https://HOST/api/graphql
// for GitHub Enterprise Server).
func (g GitHubConfig) GraphQL() string {
	if g.GraphQLURL != "" {
		return g.GraphQLURL
	}
	return DeriveGraphQLURL(g.APIURL)
}

// DeriveGraphQLURL turns a REST base URL into the matching GraphQL endpoint.
func DeriveGraphQLURL(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" {
		return "https://api.github.com/graphql"
	}
	path := strings.TrimSuffix(u.Path, "/")
	if strings.HasSuffix(path, "/api/v3") {
		u.Path = strings.TrimSuffix(path, "/v3") + "/graphql"
	} else {
		u.Path = path + "/graphql"
	}
	return u.String()
}

func (g GitHubConfig) validate() []error {
	var errs []error
	for _, u := range []struct{ key, val string }{{"github.api_url", g.APIURL}, {"github.graphql_url", g.GraphQLURL}} {
		if u.val == "" && u.key == "github.graphql_url" {
			continue
		}
		p, err := parseHTTPURL(u.key, u.val)
		switch {
		case err != nil:
			errs = append(errs, err)
		case p.Scheme == "http" && !loopback(p.Hostname()):
			// The App's JWT and installation tokens would travel in clear.
			errs = append(errs, fmt.Errorf("%s: %q must use https (http is allowed only for localhost)", u.key, p.Redacted()))
		}
	}
	if !strings.HasPrefix(g.WebhookPath, "/") {
		errs = append(errs, fmt.Errorf("github.webhook_path: %q must start with /", g.WebhookPath))
	}
	if g.Workers < 1 {
		errs = append(errs, fmt.Errorf("github.workers: %d must be at least 1", g.Workers))
	}
	if g.MaxBodyBytes < 1<<10 {
		errs = append(errs, fmt.Errorf("github.max_body_bytes: %d is below 1024", g.MaxBodyBytes))
	}
	if g.PolicyPath == "" || strings.HasPrefix(g.PolicyPath, "/") {
		errs = append(errs, fmt.Errorf("github.policy_path: %q must be a relative path", g.PolicyPath))
	}
	if g.PolicyCacheTTL < 0 {
		errs = append(errs, fmt.Errorf("github.policy_cache_ttl: %s is negative", g.PolicyCacheTTL))
	}
	if g.SweepInterval < 0 {
		errs = append(errs, fmt.Errorf("github.sweep_interval: %s is negative", g.SweepInterval))
	}
	if g.RedeliverInterval < 0 {
		errs = append(errs, fmt.Errorf("github.redeliver_interval: %s is negative", g.RedeliverInterval))
	}
	if g.MaxConcurrentBodies < 1 {
		errs = append(errs, fmt.Errorf("github.max_concurrent_bodies: %d must be at least 1", g.MaxConcurrentBodies))
	}
	if err := g.Policy.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("github.policy: %w", err))
	}
	for _, acct := range g.AllowedAccounts {
		if !validLogin(acct) {
			errs = append(errs, fmt.Errorf("github.allowed_accounts: %q is not a GitHub user or organization login", acct))
		}
	}
	if g.AppID < 0 {
		errs = append(errs, fmt.Errorf("github.app_id: %d is negative", g.AppID))
	}
	if g.Enabled {
		if g.PrivateKey == "" {
			errs = append(errs, fmt.Errorf("github: SLOPGUARD_GITHUB_PRIVATE_KEY or SLOPGUARD_GITHUB_PRIVATE_KEY_FILE must be set when the App ID is"))
		}
		if g.WebhookSecret == "" {
			errs = append(errs, fmt.Errorf("github: SLOPGUARD_GITHUB_WEBHOOK_SECRET must be set when the App ID is"))
		}
	}
	return errs
}

// warnings are the keys set that are read but ignored.
func (g GitHubConfig) warnings() []string {
	if g.QueueSize != 0 {
		return []string{"github.queue_size is no longer used and is ignored (deliveries wait in the store); remove it"}
	}
	return nil
}

// loopback reports whether host names this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validLogin reports whether s looks like a GitHub login: 1 to 39 letters,
// digits or single hyphens, not starting or ending with a hyphen.
func validLogin(s string) bool {
	if s == "" || len(s) > 39 || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
