package discord

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the bot's Prometheus collectors.
type metrics struct {
	messages *prometheus.CounterVec // by outcome
	dropped  prometheus.Counter
	actions  *prometheus.CounterVec // by action
	inFlight prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slopguard_discord_messages_total",
			Help: "Discord messages seen, by outcome (scored, flagged, skipped_*, error).",
		}, []string{"outcome"}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "slopguard_discord_dropped_total",
			Help: "Discord messages dropped because the scoring queue was full.",
		}),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slopguard_discord_actions_total",
			Help: "Actions taken in Discord, by action (modlog, delete, timeout, dm, appeal, strike_removed, button_*).",
		}, []string{"action"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "slopguard_discord_messages_in_flight",
			Help: "Discord messages being scored right now.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	var errs [4]error
	m.messages, errs[0] = register(reg, m.messages)
	m.dropped, errs[1] = register(reg, m.dropped)
	m.actions, errs[2] = register(reg, m.actions)
	m.inFlight, errs[3] = register(reg, m.inFlight)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("register discord metrics: %w", err)
	}
	return m, nil
}

// register registers c, or returns the collector already registered under its name.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
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
