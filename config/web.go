package config

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// WebConfig configures the decision pages and dashboards `slopguard serve`
// shows behind signed links. The link secret comes only from the
// environment: SLOPGUARD_WEB_LINK_SECRET or SLOPGUARD_WEB_LINK_SECRET_FILE.
type WebConfig struct {
	// PublicURL is the address people reach this server at, the root of
	// a host (https://slopguard.example.org); links to pages are built
	// from it.
	// Empty: no link is posted anywhere, and the pages are only reached
	// with links an operator makes (slopguard audit).
	PublicURL string `yaml:"public_url"`
	// LinkTTL is how long a signed link stays valid.
	LinkTTL time.Duration `yaml:"link_ttl"`
	// LinkSecret signs the links; at least 32 bytes. Without it the pages
	// are off.
	LinkSecret string `yaml:"-"`
}

// minLinkSecret is the shortest link secret accepted, in bytes.
const minLinkSecret = 32

func defaultWeb() WebConfig { return WebConfig{LinkTTL: 30 * 24 * time.Hour} }

func (w *WebConfig) applyEnv(getenv Getenv) error {
	if v := getenv("SLOPGUARD_PUBLIC_URL"); v != "" {
		w.PublicURL = v
	}
	s, err := secret(getenv, "SLOPGUARD_WEB_LINK_SECRET")
	if err != nil {
		return err
	}
	w.LinkSecret = s
	return nil
}

// Enabled reports whether the pages are served: a link secret is set.
func (w WebConfig) Enabled() bool { return w.LinkSecret != "" }

func (w WebConfig) validate() []error {
	var errs []error
	if w.LinkTTL <= 0 {
		errs = append(errs, fmt.Errorf("web.link_ttl: %v must be positive", w.LinkTTL))
	}
	if w.LinkSecret != "" && len(w.LinkSecret) < minLinkSecret {
		errs = append(errs, fmt.Errorf("web: SLOPGUARD_WEB_LINK_SECRET is %d bytes, want at least %d (e.g. openssl rand -hex 32)", len(w.LinkSecret), minLinkSecret))
	}
	if w.PublicURL != "" {
		u, err := parseHTTPURL("web.public_url", w.PublicURL)
		switch {
		case err != nil:
			errs = append(errs, err)
		case u.RawQuery != "" || u.Fragment != "" || strings.Contains(u.Path, "?"):
			errs = append(errs, fmt.Errorf("web.public_url: %q has a query or fragment", w.PublicURL))
		case strings.Trim(u.Path, "/") != "":
			// The pages link to /assets/… and /d/… from the root.
			errs = append(errs, fmt.Errorf("web.public_url: %q has a path: serve slopguard at the root of a host (https://slopguard.example.org)", w.PublicURL))
		}
		if w.LinkSecret == "" {
			errs = append(errs, errors.New("web.public_url is set but SLOPGUARD_WEB_LINK_SECRET (or _FILE) is not: links cannot be signed"))
		}
	}
	return errs
}

// WebFromEnv is the web section from the environment alone (the public
// URL and the link secret), for commands that take no config file, such
// as `slopguard audit`.
func WebFromEnv(getenv Getenv) (WebConfig, error) {
	w := defaultWeb()
	if err := w.applyEnv(getenv); err != nil {
		return WebConfig{}, err
	}
	if err := errors.Join(w.validate()...); err != nil {
		return WebConfig{}, err
	}
	return w, nil
}
