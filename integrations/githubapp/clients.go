package githubapp

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"
	"github.com/prometheus/client_golang/prometheus"
)

// ClientFactory gives the API client acting as one App installation. Tests
// implement it with clients pointed at an httptest server.
type ClientFactory interface {
	Installation(ctx context.Context, installationID int64) (*github.Client, error)
}

// TransportOptions configure NewTransport.
type TransportOptions struct {
	// Next sends requests; nil means http.DefaultTransport.
	Next http.RoundTripper
	// Logger receives retry give-ups; nil discards.
	Logger *slog.Logger
	// Metrics registers the API call counters; nil registers nowhere.
	Metrics prometheus.Registerer
	// Sleep replaces the retry timer (tests); nil waits for real.
	Sleep func(ctx context.Context, d time.Duration) error
}

// NewTransport returns the round tripper every GitHub API client should use:
// retries with backoff over a counter of every request sent.
func NewTransport(o TransportOptions) (http.RoundTripper, error) {
	next := o.Next
	if next == nil {
		next = http.DefaultTransport
	}
	m, err := newAPIMetrics(o.Metrics)
	if err != nil {
		return nil, err
	}
	return &RetryTransport{
		Next:     countingTransport{next: next, m: m},
		Sleep:    o.Sleep,
		Logger:   o.Logger,
		OnGiveUp: func(req *http.Request) { m.errors.WithLabelValues(req.Method, "gave_up").Inc() },
	}, nil
}

// NewRESTClient returns a go-github client over rt for the REST base URL apiURL
// (https://api.github.com/ or GitHub Enterprise Server's https://HOST/api/v3/).
func NewRESTClient(rt http.RoundTripper, apiURL string) (*github.Client, error) {
	c := github.NewClient(&http.Client{Transport: rt})
	if apiURL == "" {
		return c, nil
	}
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("github api url %q is not a URL", apiURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	c.BaseURL = u
	return c, nil
}

// AppClients authenticates as a GitHub App (JWT) and hands out one cached
// installation client per installation, whose tokens ghinstallation refreshes.
type AppClients struct {
	apps   *ghinstallation.AppsTransport
	rt     http.RoundTripper
	apiURL string

	mu      sync.Mutex
	clients map[int64]*github.Client
}

var _ ClientFactory = (*AppClients)(nil)

// NewAppClients checks the private key and prepares installation clients.
func NewAppClients(appID int64, privateKeyPEM []byte, apiURL string, rt http.RoundTripper) (*AppClients, error) {
	if rt == nil {
		rt = http.DefaultTransport
	}
	apps, err := ghinstallation.NewAppsTransport(rt, appID, privateKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("github app %d private key: %w", appID, err)
	}
	if apiURL != "" {
		apps.BaseURL = strings.TrimSuffix(apiURL, "/")
	}
	return &AppClients{apps: apps, rt: rt, apiURL: apiURL, clients: map[int64]*github.Client{}}, nil
}

// App returns a client authenticated as the App itself (JWT), for
// endpoints such as "find the installation of a repository".
func (c *AppClients) App() (*github.Client, error) {
	return NewRESTClient(c.apps, c.apiURL)
}

// Installation returns the cached client for an installation.
func (c *AppClients) Installation(ctx context.Context, id int64) (*github.Client, error) {
	if id == 0 {
		return nil, fmt.Errorf("no installation id in the event")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[id]; ok {
		return cl, nil
	}
	itr := ghinstallation.NewFromAppsTransport(c.apps, id)
	cl, err := NewRESTClient(itr, c.apiURL)
	if err != nil {
		return nil, err
	}
	c.clients[id] = cl
	return cl, nil
}

// Forget drops an installation's client (the App was uninstalled).
func (c *AppClients) Forget(id int64) {
	c.mu.Lock()
	delete(c.clients, id)
	c.mu.Unlock()
}

// StaticClients is a ClientFactory that returns one client for every
// installation: a personal token for `slopguard simulate`, or a test server.
type StaticClients struct{ Client *github.Client }

// Installation returns the one client.
func (s StaticClients) Installation(context.Context, int64) (*github.Client, error) {
	return s.Client, nil
}

// TokenTransport adds a bearer token to every request.
type TokenTransport struct {
	Token string
	Next  http.RoundTripper
}

// RoundTrip sets Authorization and sends the request.
func (t TokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+t.Token)
	return next.RoundTrip(r)
}
