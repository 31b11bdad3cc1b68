// Package metric builds Prometheus collectors from a name and a help text.
// Its Register lets a collector that two users of one registry both define
// (the Discord bot's, the GitHub API client's) be shared rather than fail
// the second registration.
package metric

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// CounterVec is a counter named name, explained by help, split by labels.
func CounterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

// Counter is a counter named name, explained by help.
func Counter(name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
}

// Gauge is a gauge named name, explained by help.
func Gauge(name, help string) prometheus.Gauge {
	return prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
}

// Register registers c with reg, or returns the collector of the same type
// already registered under its name.
func Register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	if err == nil {
		return c, nil
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, err
}
