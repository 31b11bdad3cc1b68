package githubapp

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the App's Prometheus collectors.
type metrics struct {
	deliveries *prometheus.CounterVec // event, result
	jobs       *prometheus.CounterVec // event, result
	actions    *prometheus.CounterVec // action, result
	// redeliveries counts deliveries the sweep asked GitHub to redeliver.
	redeliveries *prometheus.CounterVec // result
	queueDepth   prometheus.Gauge
	scoring      prometheus.Histogram
	verdicts     *prometheus.CounterVec // verdict, flagged
}

// apiMetrics count GitHub API requests; they belong to the transport.
type apiMetrics struct {
	calls  *prometheus.CounterVec // method, code
	errors *prometheus.CounterVec // method, kind
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slopguard_github_deliveries_total",
			Help: "Webhook deliveries received, by event and result (accepted, duplicate, bad_signature, queue_full, …).",
		}, []string{"event", "result"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slopguard_github_jobs_total",
			Help: "Jobs (accepted deliveries) run, by event and result: ok, action_failed (GitHub refused a write), retry (queued again with backoff), failed (gave up; redeliver to try again), interrupted, panic.",
		}, []string{"event", "result"}),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slopguard_github_actions_total",
			Help: "Writes to GitHub (check_run, label, unlabel, comment, minimize, close), by action and result (ok, failed).",
		}, []string{"action", "result"}),
		redeliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slopguard_github_redeliveries_total",
			Help: "Failed webhook deliveries the redelivery sweep asked GitHub to send again, by result (asked, failed).",
		}, []string{"result"}),
		queueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "slopguard_github_queue_depth",
			Help: "Jobs running in this process (deliveries waiting are in the store).",
		}),
		scoring: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "slopguard_github_scoring_seconds",
			Help:    "Time to score one item.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slopguard_github_verdicts_total",
			Help: "Items scored, by verdict and whether the repository's policy flagged them.",
		}, []string{"verdict", "flagged"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.deliveries, m.jobs, m.actions, m.redeliveries, m.queueDepth, m.scoring, m.verdicts} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return m, nil
}

func newAPIMetrics(reg prometheus.Registerer) (*apiMetrics, error) {
	m := &apiMetrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slopguard_github_api_calls_total",
			Help: "GitHub API requests sent (each retry counts), by method and status code.",
		}, []string{"method", "code"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slopguard_github_api_errors_total",
			Help: "GitHub API requests that failed (transport error, 4xx/5xx, gave_up after retries), by method and kind.",
		}, []string{"method", "kind"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []**prometheus.CounterVec{&m.calls, &m.errors} {
		if err := reg.Register(*c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, fmt.Errorf("register metrics: %w", err)
			}
			existing, ok := are.ExistingCollector.(*prometheus.CounterVec)
			if !ok {
				return nil, fmt.Errorf("register metrics: %w", err)
			}
			*c = existing
		}
	}
	return m, nil
}

// countingTransport counts every GitHub API request and its outcome.
type countingTransport struct {
	next http.RoundTripper
	m    *apiMetrics
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.m.calls.WithLabelValues(req.Method, "error").Inc()
		t.m.errors.WithLabelValues(req.Method, "transport").Inc()
		return nil, err
	}
	t.m.calls.WithLabelValues(req.Method, strconv.Itoa(resp.StatusCode)).Inc()
	if resp.StatusCode >= 400 {
		t.m.errors.WithLabelValues(req.Method, strconv.Itoa(resp.StatusCode/100)+"xx").Inc()
	}
	return resp, nil
}
