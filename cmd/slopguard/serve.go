package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// serveDeps are the shared parts `slopguard serve` builds once and hands to
// the GitHub App and the Discord bot.
type serveDeps struct {
	Logger   *slog.Logger
	Detector *detector.Detector
	Checker  moderation.Checker
	Store    store.Store
	Metrics  prometheus.Registerer
}

func runServe(ctx context.Context, e *env, args []string) error {
	return errors.New("not implemented yet")
}
