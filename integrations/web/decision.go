package web

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/store"
)

// Scorer scores a text again to find where its reasons point; a
// *detector.Detector is one.
type Scorer interface {
	Score(text string) detector.Result
	Version() string
	Threshold() float64
}

// ReasonView is one reason as the page lists it.
type ReasonView struct {
	N              int
	Family, Signal string
	Text           string
	Weight         float64
	HasWeight      bool
	Dir            string
	Width          string // bar width class, w0..w10, relative to the strongest reason
}

// HistoryRow is one event in an item's history.
type HistoryRow struct {
	At      time.Time
	What    string
	Detail  string
	Link    string
	Current bool
}

// gauge is what the score meter reads.
type gauge struct{ Score, Threshold float64 }

// decisionPage is the data of templates/decision.html.
type decisionPage struct {
	page
	D            store.Decision
	ItemTitle    string // D.Title, shortened
	VerdictLabel string
	PlatformName string
	ItemURL      string
	Threshold    float64
	Gauge        gauge
	Mode         string
	// Policy is the scope's policy now, when known.
	Policy     *Policy
	Reasons    []ReasonView
	ReasonNote string
	Segments   []Segment
	TextNote   string
	History    []HistoryRow
}

// platformName is how a platform is written on a page.
func platformName(p string) string {
	switch p {
	case "github":
		return "GitHub"
	case "discord":
		return "Discord"
	case "ci":
		return "CI"
	}
	return p
}

// safeURL keeps only http(s) links to items: anything else is not linked.
func safeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.String()
}

// Title lengths, in runes: a decision page shows a long title whole up to
// pageTitleRunes, a dashboard row up to rowTitleRunes.
const (
	pageTitleRunes = 300
	rowTitleRunes  = 80
)

// shortTitle is an item's title for a page: its runs of white space (line
// breaks too) made one space, and cut at a rune boundary after max runes,
// with "…" when something was left out. Escaping is the template's.
func shortTitle(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// verdictLabel is the verdict as shown, "could not judge" for a text the
// model declined.
func verdictLabel(d store.Decision) string {
	if d.CannotJudge {
		return "could not judge"
	}
	return d.Verdict
}

// reasonViews turns detector reasons into the list a page shows.
func reasonViews(rs []detector.Reason) []ReasonView {
	top := 0.0
	for _, r := range rs {
		top = math.Max(top, math.Abs(r.Weight))
	}
	out := make([]ReasonView, 0, len(rs))
	for i, r := range rs {
		v := ReasonView{N: i + 1, Family: r.Family, Signal: r.Signal, Text: r.Text, Weight: r.Weight, Dir: direction(r.Weight), HasWeight: r.Weight != 0}
		if top > 0 {
			v.Width = fmt.Sprintf("w%d", int(math.Round(10*math.Abs(r.Weight)/top)))
		}
		out = append(out, v)
	}
	return out
}

// buildDecision gathers what a decision page shows: the decision, its
// reasons with their spans (by scoring the kept text again), and the item's
// history. link makes a link to another decision of the same item.
func (s *Server) buildDecision(ctx context.Context, d store.Decision, link func(id int64) string) (decisionPage, error) {
	p := decisionPage{
		page: servedPage(fmt.Sprintf("%s %s", d.Scope, d.ItemID), platformName(d.Platform)+" · "+plainText(d.Scope)),
		D:    d, ItemTitle: shortTitle(d.Title, pageTitleRunes), VerdictLabel: verdictLabel(d), PlatformName: platformName(d.Platform), ItemURL: safeURL(d.ItemURL),
		Mode: "flag or enforce",
	}
	for _, a := range d.Actions {
		if a == "observe" {
			p.Mode = "observe (recorded only, nothing shown to the author)"
		}
	}
	if len(d.Actions) == 0 {
		p.Mode = "nothing was done"
	}
	if s.opt.Scorer != nil {
		p.Threshold = s.opt.Scorer.Threshold()
	}
	if s.opt.Policy != nil {
		pol, err := s.opt.Policy(ctx, d.Platform, d.Scope)
		switch {
		case err != nil:
			s.opt.Logger.Warn("web: policy of scope", "scope", d.Scope, "err", err)
		case pol.Mode != "": // "": no policy known for the platform
			p.Policy = &pol
			if pol.Threshold > 0 {
				p.Threshold = pol.Threshold
			}
		}
	}
	p.Gauge = gauge{Score: d.Score, Threshold: p.Threshold}
	s.explain(ctx, &p, d)
	hist, err := s.history(ctx, d, link)
	if err != nil {
		return decisionPage{}, err
	}
	p.History = hist
	return p, nil
}

// explain fills the reasons and the highlighted text. With the text kept,
// it is scored again: with the model that decided, that gives the very
// reasons, weights and spans of the decision. The scoring waits a while
// for one of the server's slots; without one the text is shown unmarked.
func (s *Server) explain(ctx context.Context, p *decisionPage, d store.Decision) {
	stored := func() {
		for i, t := range d.Reasons {
			p.Reasons = append(p.Reasons, ReasonView{N: i + 1, Text: t})
		}
	}
	switch {
	case d.Text == "":
		stored()
		p.TextNote = "This scope does not keep the texts it checks (store_text: false), so there is nothing to highlight: the reasons above are as they were recorded, with the words they quoted left out. Open the item itself to read it."
	case s.opt.Scorer == nil:
		stored()
		p.Segments = Highlight(d.Text, nil)
		p.TextNote = "No model is loaded here, so the text is shown without marks."
	case !s.takeSlot(ctx):
		stored()
		p.Segments = Highlight(d.Text, nil)
		p.TextNote = "The server is busy scoring other texts, so the text is shown without marks; load the page again for them."
	default:
		defer func() { <-s.scoring }()
		res := s.opt.Scorer.Score(d.Text)
		p.Reasons = reasonViews(res.Reasons)
		p.Segments = Highlight(d.Text, res.Reasons)
		if v := s.opt.Scorer.Version(); d.Model != "" && v != d.Model {
			p.ReasonNote = fmt.Sprintf("The decision was made by model %s; this server now runs %s, which gives these reasons and scores the text %.0f%%. They may differ from the ones recorded: %s.",
				d.Model, v, 100*res.Score, strings.Join(d.Reasons, "; "))
		}
	}
}

// takeSlot waits for a scoring slot, at most ScoringWait, and reports
// whether it got one; the caller gives it back.
func (s *Server) takeSlot(ctx context.Context) bool {
	select {
	case s.scoring <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(s.opt.ScoringWait)
	defer t.Stop()
	select {
	case s.scoring <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// history lists the item's other decisions (rechecks, appeals) and the
// feedback on it, oldest first.
func (s *Server) history(ctx context.Context, d store.Decision, link func(id int64) string) ([]HistoryRow, error) {
	ds, err := s.opt.Store.Decisions(ctx, store.DecisionFilter{Platform: d.Platform, Scope: d.Scope, ItemID: d.ItemID, Limit: 50})
	if err != nil {
		return nil, fmt.Errorf("history of %s %s: %w", d.Scope, d.ItemID, err)
	}
	fb, err := s.opt.Store.Feedback(ctx, store.FeedbackFilter{Platform: d.Platform, Scope: d.Scope, ItemID: d.ItemID, Limit: 50})
	if err != nil {
		return nil, fmt.Errorf("feedback on %s %s: %w", d.Scope, d.ItemID, err)
	}
	var rows []HistoryRow
	for _, o := range ds {
		what := "checked"
		if isAppealRecord(o) {
			what = "appeal"
		} else if o.ID != d.ID && o.CreatedAt.After(d.CreatedAt) {
			what = "checked again"
		}
		r := HistoryRow{At: o.CreatedAt, What: what, Detail: fmt.Sprintf("%s, %.0f%%", verdictLabel(o), 100*o.Score), Current: o.ID == d.ID}
		if what == "appeal" {
			r.Detail = "the author asked for a human review"
		}
		if o.ID != d.ID && link != nil && what != "appeal" {
			r.Link = link(o.ID)
		}
		rows = append(rows, r)
	}
	for _, f := range fb {
		what := "confirmed: slop"
		if f.Label == "human" {
			what = "overturned: not slop"
		}
		detail := "by " + f.By
		if f.By == "" {
			detail = ""
		}
		if f.Note != "" {
			detail = strings.TrimSpace(detail + " (" + f.Note + ")")
		}
		rows = append(rows, HistoryRow{At: f.CreatedAt, What: what, Detail: detail})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].At.Before(rows[j].At) })
	return rows, nil
}
