package main

import (
	"context"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/server"
)

// runServe implements `slopguard serve`: it loads the config (file and
// environment) and runs the server (package server) until ctx ends.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "serve")
	configPath := fs.String("config", "", "server config `FILE` (optional; environment variables alone work too)")
	listen := fs.String("listen", "", "HTTP `ADDR` (overrides listen and SLOPGUARD_LISTEN)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*configPath, e.getenv)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if *listen != "" {
		cfg.Listen = *listen
	}
	return server.Run(ctx, cfg, e.stderr)
}
