package main

import (
	"fmt"
	"net/http"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/integrations/web"
)

// mountPages serves the decision pages and dashboards on mux when a link
// secret is configured, and keeps the signer in deps for the integrations.
func mountPages(mux *http.ServeMux, cfg config.Config, deps *serveDeps) error {
	if !cfg.Web.Enabled() {
		deps.Logger.Info("pages off: no SLOPGUARD_WEB_LINK_SECRET")
		return nil
	}
	signer, err := web.NewSigner([]byte(cfg.Web.LinkSecret), cfg.Web.PublicURL, cfg.Web.LinkTTL)
	if err != nil {
		return fmt.Errorf("pages: %w", err)
	}
	pages, err := web.New(web.Options{Store: deps.Store, Scorer: deps.Detector, Signer: signer, Logger: deps.Logger.With("component", "web")})
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
