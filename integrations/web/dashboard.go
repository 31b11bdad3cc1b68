package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slopguard/slopguard/store"
)

// RecentRow is one decision in a dashboard's list.
type RecentRow struct {
	At                            time.Time
	ItemID, Kind, Author, Verdict string
	Title                         string // shortened
	Score                         float64
	Actions                       string
	Link                          string
}

// AppealRow is one appeal waiting for an answer.
type AppealRow struct {
	At     time.Time
	ItemID string
	Link   string
}

// filter is a dashboard's list filter.
type filter struct{ Verdict, Kind, Author string }

// dashboardPage is the data of templates/dashboard.html.
type dashboardPage struct {
	page
	Platform, Scope, PlatformName string
	Exp, Sig                      string
	Expires                       time.Time
	Days                          int
	Total, Machine, Unsure, Human int
	CannotJudge                   int
	Confirmed, Overturned         int
	Reviewed                      bool
	ConfirmedPct                  string
	DaysChart, ScoresChart        string
	F                             filter
	Verdicts, Kinds               []string
	Recent                        []RecentRow
	Appeals                       []AppealRow
}

// recentShown is how many decisions a dashboard lists.
const recentShown = 20

// kinds are the item kinds the filter offers.
var kinds = []string{"pr", "issue", "comment", "review", "review_comment", "message"}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	platform, scope, exp, err := s.verifyScope(r)
	if err != nil {
		s.linkFailed(w, r, err)
		return
	}
	q := r.URL.Query()
	// Only text: PostgreSQL refuses a parameter that is not UTF-8.
	f := filter{Verdict: q.Get("verdict"), Kind: q.Get("kind"), Author: strings.TrimSpace(strings.ToValidUTF8(q.Get("author"), ""))}
	if !slices.Contains([]string{"", "human", "unsure", "machine"}, f.Verdict) {
		f.Verdict = ""
	}
	if !slices.Contains(kinds, f.Kind) {
		f.Kind = ""
	}
	if len(f.Author) > 100 {
		cut := 100
		for cut > 0 && !utf8.RuneStart(f.Author[cut]) {
			cut--
		}
		f.Author = f.Author[:cut]
	}
	p, err := s.buildDashboard(r.Context(), platform, scope, exp, dashboardDays(r), f, q.Get("sig"))
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The dashboard could not be read just now.", err)
		return
	}
	s.write(w, r, "dashboard.html", p)
}

func (s *Server) buildDashboard(ctx context.Context, platform, scope string, exp int64, days int, f filter, sig string) (dashboardPage, error) {
	now := s.opt.Now().UTC()
	since := now.AddDate(0, 0, -days+1).Truncate(24 * time.Hour)
	p := dashboardPage{
		page:     servedPage("Dashboard "+scope, platformName(platform)+" · "+plainText(scope)),
		Platform: platform, Scope: scope, PlatformName: platformName(platform),
		Exp: strconv.FormatInt(exp, 10), Sig: sig, Expires: time.Unix(exp, 0).UTC(), Days: days, F: f,
		Verdicts: []string{"machine", "unsure", "human"}, Kinds: kinds,
	}
	st, err := s.opt.Store.ScopeStats(ctx, platform, scope, since)
	if err != nil {
		return p, err
	}
	p.Total, p.CannotJudge = st.Total, st.CannotJudge
	for _, d := range st.Days {
		p.Machine += d.Machine
		p.Unsure += d.Unsure
		p.Human += d.Human
	}
	fb, err := s.opt.Store.Feedback(ctx, store.FeedbackFilter{Platform: platform, Scope: scope, Since: since})
	if err != nil {
		return p, fmt.Errorf("dashboard feedback: %w", err)
	}
	for _, x := range fb {
		if x.Label == "machine" {
			p.Confirmed++
		} else {
			p.Overturned++
		}
	}
	if n := p.Confirmed + p.Overturned; n > 0 {
		p.Reviewed = true
		p.ConfirmedPct = fmt.Sprintf("%.0f%%", 100*float64(p.Confirmed)/float64(n))
	}
	chartQ := url.Values{"platform": {platform}, "scope": {scope}, "exp": {p.Exp}, "sig": {sig}, "days": {strconv.Itoa(days)}}
	p.DaysChart = "/dashboard/days.svg?" + chartQ.Encode()
	p.ScoresChart = "/dashboard/scores.svg?" + chartQ.Encode()

	ds, err := s.opt.Store.Decisions(ctx, store.DecisionFilter{Platform: platform, Scope: scope, Verdict: f.Verdict, Kind: f.Kind, Author: f.Author, Limit: recentShown + 5})
	if err != nil {
		return p, fmt.Errorf("dashboard decisions: %w", err)
	}
	for _, d := range ds {
		if isAppealRecord(d) {
			continue // the appeals are listed apart
		}
		if len(p.Recent) == recentShown {
			break
		}
		p.Recent = append(p.Recent, RecentRow{At: d.CreatedAt, ItemID: d.ItemID, Kind: d.Kind, Author: d.Author, Verdict: d.Verdict, Title: shortTitle(d.Title, rowTitleRunes),
			Score: d.Score, Actions: strings.Join(d.Actions, ", "), Link: s.opt.Signer.DecisionPath(d.ID, exp)})
	}
	appeals, err := s.opt.Store.PendingAppeals(ctx, platform, scope)
	if err != nil {
		return p, fmt.Errorf("dashboard appeals: %w", err)
	}
	for _, a := range appeals {
		row := AppealRow{At: a.UpdatedAt, ItemID: a.ItemID}
		id, err := s.latestChecked(ctx, platform, scope, a.ItemID)
		if err != nil {
			return p, fmt.Errorf("dashboard appeals: %w", err)
		}
		if id > 0 {
			row.Link = s.opt.Signer.DecisionPath(id, exp)
		}
		p.Appeals = append(p.Appeals, row)
	}
	return p, nil
}

// latestChecked is the ID of the item's newest decision that is not an
// appeal's record, or 0 when there is none among its last ten.
func (s *Server) latestChecked(ctx context.Context, platform, scope, itemID string) (int64, error) {
	ds, err := s.opt.Store.Decisions(ctx, store.DecisionFilter{Platform: platform, Scope: scope, ItemID: itemID, Limit: 10})
	if err != nil {
		return 0, fmt.Errorf("decisions of %s %s: %w", scope, itemID, err)
	}
	for _, d := range ds {
		if !isAppealRecord(d) {
			return d.ID, nil
		}
	}
	return 0, nil
}

// isAppealRecord reports whether d only records an appeal (the GitHub App
// stores one per /slopguard appeal): it is not a decision of its own.
func isAppealRecord(d store.Decision) bool { return len(d.Actions) == 1 && d.Actions[0] == "appeal" }
