package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/integrations/web"
)

// errNoLinkSecret is why audit cannot sign a link.
var errNoLinkSecret = errors.New("no link secret: set SLOPGUARD_WEB_LINK_SECRET or SLOPGUARD_WEB_LINK_SECRET_FILE to the server's")

// auditSigner signs links with the server's secret: from the config file
// serve reads (configPath, with the environment on top, as serve applies
// it) or, without one, from the environment alone. ttl 0 means the
// configured web.link_ttl.
func auditSigner(e *env, configPath string, ttl time.Duration) (*web.Signer, error) {
	var w config.WebConfig
	if configPath != "" {
		cfg, err := config.Load(configPath, e.getenv)
		if err != nil {
			return nil, err
		}
		w = cfg.Web
	} else {
		var err error
		if w, err = config.WebFromEnv(e.getenv); err != nil {
			return nil, err
		}
	}
	if !w.Enabled() {
		return nil, errNoLinkSecret
	}
	if ttl == 0 {
		ttl = w.LinkTTL
	}
	return web.NewSigner([]byte(w.LinkSecret), w.PublicURL, ttl)
}

// auditDashboardURL implements `slopguard audit dashboard-url`.
func auditDashboardURL(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "audit dashboard-url")
	scope := fs.String("scope", "", "the repository (owner/name) or Discord server ID")
	platform := fs.String("platform", "", "github or discord (default: discord for a numeric scope, else github)")
	ttl := fs.Duration("ttl", 0, "how long the link works (default web.link_ttl, 720h)")
	configPath := fs.String("config", "", "the server config `FILE` serve reads (web.public_url, web.link_ttl); the environment applies on top")
	fs.Usage = func() { fmt.Fprint(fs.Output(), auditUsage, "\nFlags:\n"); fs.PrintDefaults() }
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *scope == "" {
		return usageErrorf("--scope is required (owner/repo or a Discord server ID)")
	}
	if *ttl < 0 {
		return usageErrorf("--ttl %v is negative", *ttl)
	}
	p := *platform
	if p == "" {
		p = "github"
		if isDigits(*scope) {
			p = "discord"
		}
	}
	if p != "github" && p != "discord" && p != "ci" {
		return usageErrorf("--platform %q is not github, discord or ci", p)
	}
	signer, err := auditSigner(e, *configPath, *ttl)
	if err != nil {
		return usageErrorf("%v", err)
	}
	fmt.Fprintln(e.stdout, signer.LocalScopeURL(p, *scope))
	return nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
