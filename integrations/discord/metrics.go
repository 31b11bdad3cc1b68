package discord

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slopguard/slopguard/internal/metric"
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
		messages: metric.CounterVec("slopguard_discord_messages_total",
			"Discord messages seen, by outcome (scored, flagged, skipped_*, error).", "outcome"),
		dropped: metric.Counter("slopguard_discord_dropped_total",
			"Discord messages dropped because the scoring queue was full."),
		actions: metric.CounterVec("slopguard_discord_actions_total",
			"Actions taken in Discord, by action (modlog, delete, timeout, dm, appeal, strike_removed, button_*).", "action"),
		inFlight: metric.Gauge("slopguard_discord_messages_in_flight",
			"Discord messages being scored right now."),
	}
	if reg == nil {
		return m, nil
	}
	var errs [4]error
	m.messages, errs[0] = metric.Register(reg, m.messages)
	m.dropped, errs[1] = metric.Register(reg, m.dropped)
	m.actions, errs[2] = metric.Register(reg, m.actions)
	m.inFlight, errs[3] = metric.Register(reg, m.inFlight)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("register discord metrics: %w", err)
	}
	return m, nil
}
