package githubapp

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slopguard/slopguard/internal/metric"
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
		deliveries: metric.CounterVec("slopguard_github_deliveries_total",
			"Webhook deliveries received, by event and result (accepted, duplicate, bad_signature, queue_full, …).", "event", "result"),
		jobs: metric.CounterVec("slopguard_github_jobs_total",
			"Jobs (accepted deliveries) run, by event and result: ok, action_failed (GitHub refused a write), retry (queued again with backoff), failed (gave up; redeliver to try again), interrupted, panic.", "event", "result"),
		actions: metric.CounterVec("slopguard_github_actions_total",
			"Writes to GitHub (check_run, label, unlabel, comment, minimize, close), by action and result (ok, failed).", "action", "result"),
		redeliveries: metric.CounterVec("slopguard_github_redeliveries_total",
			"Failed webhook deliveries the redelivery sweep asked GitHub to send again, by result (asked, failed).", "result"),
		queueDepth: metric.Gauge("slopguard_github_queue_depth",
			"Jobs running in this process (deliveries waiting are in the store)."),
		scoring: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "slopguard_github_scoring_seconds",
			Help:    "Time to score one item.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		verdicts: metric.CounterVec("slopguard_github_verdicts_total",
			"Items scored, by verdict and whether the repository's policy flagged them.", "verdict", "flagged"),
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
		calls: metric.CounterVec("slopguard_github_api_calls_total",
			"GitHub API requests sent (each retry counts), by method and status code.", "method", "code"),
		errors: metric.CounterVec("slopguard_github_api_errors_total",
			"GitHub API requests that failed (transport error, 4xx/5xx, gave_up after retries), by method and kind.", "method", "kind"),
	}
	if reg == nil {
		return m, nil
	}
	var errs [2]error
	m.calls, errs[0] = metric.Register(reg, m.calls)
	m.errors, errs[1] = metric.Register(reg, m.errors)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("register metrics: %w", err)
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
