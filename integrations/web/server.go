package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slopguard/slopguard/store"
)

// Options configure a Server.
type Options struct {
	// Store is read for decisions, feedback and statistics.
	Store store.Store
	// Scorer scores a kept text again to mark where its reasons point;
	// optional (nil: the recorded reasons, no marks).
	Scorer Scorer
	// Signer checks the links (required).
	Signer *Signer
	// Policy returns the policy in force now in a scope; optional (nil, or
	// a Policy with no Mode: the pages show the model's threshold).
	Policy func(ctx context.Context, platform, scope string) (Policy, error)
	// Logger; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ScoringSlots is how many pages may score a text again at once; 0
	// means 1. A link in a public comment can be opened by anyone, as
	// often as they like: the bound keeps page views from taking the CPU
	// that scoring new items needs.
	ScoringSlots int
	// ScoringWait is how long a page waits for a slot before it shows the
	// text without marks; 0 means 5 s.
	ScoringWait time.Duration
}

// Policy is the policy in force in a scope, as a page shows it.
type Policy struct {
	// Mode is off, observe, flag or enforce.
	Mode string
	// Threshold is the score at or above which items are flagged.
	Threshold float64
	// Source says where the policy comes from ("octo/repo:.github/slopguard.yml").
	Source string
}

// Server serves the decision pages, dashboards and their charts and
// stylesheet. Every page needs a valid signed link.
type Server struct {
	opt     Options
	mux     *http.ServeMux
	scoring chan struct{} // a token per page scoring a text
}

// contentSecurityPolicy allows the page's own stylesheet and images and
// nothing else: no script, no frame, no form sent elsewhere.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// svgSecurityPolicy is a chart's: gonum/plot writes style attributes, and
// an SVG shown as an image runs nothing.
const svgSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"

// New returns a Server.
func New(opt Options) (*Server, error) {
	if opt.Store == nil || opt.Signer == nil {
		return nil, errors.New("web: a store and a signer are required")
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.ScoringSlots <= 0 {
		opt.ScoringSlots = 1
	}
	if opt.ScoringWait <= 0 {
		opt.ScoringWait = 5 * time.Second
	}
	s := &Server{opt: opt, mux: http.NewServeMux(), scoring: make(chan struct{}, opt.ScoringSlots)}
	s.mux.HandleFunc("GET /d/{id}", s.decision)
	s.mux.HandleFunc("GET /i", s.item)
	s.mux.HandleFunc("GET /dashboard", s.dashboard)
	s.mux.HandleFunc("GET /dashboard/days.svg", s.chart(true))
	s.mux.HandleFunc("GET /dashboard/scores.svg", s.chart(false))
	s.mux.HandleFunc("GET /assets/style.css", s.style)
	s.mux.HandleFunc("GET /assets/favicon.svg", s.favicon)
	s.mux.HandleFunc("GET /favicon.ico", s.favicon)
	return s, nil
}

// Patterns are the routes a Server answers, for mounting it on a mux.
var Patterns = []string{"GET /d/{id}", "GET /i", "GET /dashboard", "GET /dashboard/days.svg", "GET /dashboard/scores.svg", "GET /assets/style.css", "GET /assets/favicon.svg", "GET /favicon.ico"}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	// A signed link must not leak to the sites a page links to.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "private, no-store")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) style(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	fmt.Fprint(w, styleCSS)
}

func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Security-Policy", svgSecurityPolicy)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	fmt.Fprint(w, faviconSVG)
}

// fail answers with a short page and a status; err is logged, never shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string, err error) {
	if err != nil {
		s.opt.Logger.Warn("web: request failed", "path", r.URL.Path, "status", status, "err", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = render(w, "error.html", struct {
		page
		Message string
	}{servedPage(http.StatusText(status), ""), msg})
}

// linkFailed answers a link that did not verify.
func (s *Server) linkFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrLinkExpired) {
		s.fail(w, r, http.StatusGone, "This link has expired. Ask for a fresh one: /slopguard dashboard on Discord, the check run or comment on GitHub, or slopguard audit.", nil)
		return
	}
	s.fail(w, r, http.StatusForbidden, "This link is not valid for this page.", nil)
}

func (s *Server) decision(w http.ResponseWriter, r *http.Request) {
	idText := r.PathValue("id")
	q := r.URL.Query()
	if err := s.opt.Signer.Verify(linkDecision, idText, q.Get("exp"), q.Get("sig")); err != nil {
		s.linkFailed(w, r, err)
		return
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, "No such decision.", nil)
		return
	}
	d, err := s.opt.Store.Decision(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "This decision is not kept any more (decisions are pruned after the retention period).", nil)
		return
	}
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The decision could not be read just now.", err)
		return
	}
	exp, _ := strconv.ParseInt(q.Get("exp"), 10, 64)
	s.showDecision(w, r, d, exp)
}

// item shows the latest decision about an item (not an appeal's record).
func (s *Server) item(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	platform, scope, itemID := q.Get("platform"), q.Get("scope"), q.Get("item")
	if strings.ContainsRune(platform+scope+itemID, 0) {
		s.linkFailed(w, r, ErrLinkInvalid) // NUL separates the signed fields
		return
	}
	if err := s.opt.Signer.Verify(linkItem, itemSubject(platform, scope, itemID), q.Get("exp"), q.Get("sig")); err != nil {
		s.linkFailed(w, r, err)
		return
	}
	id, err := s.latestChecked(r.Context(), platform, scope, itemID)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The decision could not be read just now.", err)
		return
	}
	if id == 0 {
		s.fail(w, r, http.StatusNotFound, "There is no decision about this item (any more).", nil)
		return
	}
	d, err := s.opt.Store.Decision(r.Context(), id)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The decision could not be read just now.", err)
		return
	}
	exp, _ := strconv.ParseInt(q.Get("exp"), 10, 64)
	s.showDecision(w, r, d, exp)
}

// showDecision writes a decision's page; links to the item's other
// decisions last no longer than the link that opened it (exp).
func (s *Server) showDecision(w http.ResponseWriter, r *http.Request, d store.Decision, exp int64) {
	link := func(id int64) string { return s.opt.Signer.DecisionPath(id, exp) }
	p, err := s.buildDecision(r.Context(), d, link)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The decision's history could not be read just now.", err)
		return
	}
	s.write(w, r, "decision.html", p)
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := render(w, name, data); err != nil {
		s.opt.Logger.Error("web: render", "page", name, "err", err)
		http.Error(w, "the page could not be drawn", http.StatusInternalServerError)
	}
}

// verifyScope checks a dashboard or chart request's scope link.
func (s *Server) verifyScope(r *http.Request) (platform, scope string, exp int64, err error) {
	q := r.URL.Query()
	platform, scope = q.Get("platform"), q.Get("scope")
	if strings.ContainsRune(platform+scope, 0) {
		return "", "", 0, ErrLinkInvalid // NUL separates the signed fields
	}
	if err := s.opt.Signer.Verify(linkScope, scopeSubject(platform, scope), q.Get("exp"), q.Get("sig")); err != nil {
		return "", "", 0, err
	}
	exp, _ = strconv.ParseInt(q.Get("exp"), 10, 64)
	return platform, scope, exp, nil
}

func (s *Server) chart(days bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		platform, scope, _, err := s.verifyScope(r)
		if err != nil {
			s.linkFailed(w, r, err)
			return
		}
		now := s.opt.Now().UTC()
		since := now.AddDate(0, 0, -dashboardDays(r)+1).Truncate(24 * time.Hour)
		st, err := s.opt.Store.ScopeStats(r.Context(), platform, scope, since)
		if err != nil {
			s.fail(w, r, http.StatusInternalServerError, "The statistics could not be read just now.", err)
			return
		}
		var b []byte
		if days {
			b, err = daysChart(st, since, now)
		} else {
			b, err = scoresChart(st)
		}
		if err != nil {
			s.fail(w, r, http.StatusInternalServerError, "The chart could not be drawn.", err)
			return
		}
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Content-Security-Policy", svgSecurityPolicy)
		w.Write(b)
	}
}

// dashboardDays is the window a dashboard shows: 7, 30 (default) or 90 days.
func dashboardDays(r *http.Request) int {
	switch r.URL.Query().Get("days") {
	case "7":
		return 7
	case "90":
		return 90
	}
	return 30
}
