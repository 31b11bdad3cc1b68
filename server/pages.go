package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/integrations/discord"
	"github.com/slopguard/slopguard/integrations/githubapp"
	"github.com/slopguard/slopguard/integrations/web"
	"github.com/slopguard/slopguard/moderation"
)

// mountPages serves the decision pages and dashboards on mux when a link
// secret is configured, and keeps the signer in deps for the integrations.
func mountPages(mux *http.ServeMux, cfg config.Config, deps *shared) error {
	if !cfg.Web.Enabled() {
		deps.Logger.Info("pages off: no SLOPGUARD_WEB_LINK_SECRET")
		return nil
	}
	signer, err := web.NewSigner([]byte(cfg.Web.LinkSecret), cfg.Web.PublicURL, cfg.Web.LinkTTL)
	if err != nil {
		return fmt.Errorf("pages: %w", err)
	}
	pages, err := web.New(web.Options{Store: deps.Store, Scorer: deps.Detector, Signer: signer, Policy: scopePolicy(cfg, deps),
		Logger: deps.Logger.With("component", "web")})
	if err != nil {
		return fmt.Errorf("pages: %w", err)
	}
	for _, p := range web.Patterns {
		mux.Handle(p, pages)
	}
	deps.Pages = signer
	deps.Logger.Info("pages on", "public_url", cfg.Web.PublicURL, "link_ttl", cfg.Web.LinkTTL, "links_posted", signer.HasPublicURL())
	return nil
}

// scopePolicy reads the policy in force in a scope from the store, as the
// App and the bot keep it: a repository's last fetched policy file, a
// server's /slopguard settings, else the configured defaults.
func scopePolicy(cfg config.Config, deps *shared) func(ctx context.Context, platform, scope string) (web.Policy, error) {
	model := deps.Detector.Threshold()
	return func(ctx context.Context, platform, scope string) (web.Policy, error) {
		switch platform {
		case string(moderation.GitHub):
			p, source, err := githubapp.StoredPolicy(ctx, deps.Store, cfg.GitHub.Policy, scope)
			if err != nil {
				return web.Policy{}, err
			}
			return web.Policy{Mode: p.Mode.String(), Threshold: p.Threshold(model), Source: source}, nil
		case string(moderation.Discord):
			s, err := discord.StoredSettings(ctx, deps.Store, discordDefaults(cfg.Discord.Defaults), scope)
			if err != nil {
				return web.Policy{}, err
			}
			return web.Policy{Mode: s.Mode.String(), Threshold: s.FlagThreshold(model), Source: "the server's /slopguard settings"}, nil
		}
		return web.Policy{}, nil // CI runs read their policy from the checkout
	}
}
