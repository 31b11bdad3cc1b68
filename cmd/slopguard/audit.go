package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/sqlstore"
)

// storeFlags are the database flags the audit and feedback commands share.
type storeFlags struct {
	db, driver string
}

// register adds --db and --driver, defaulting to the environment
// (SLOPGUARD_DATABASE_URL[_FILE], SLOPGUARD_DATABASE_DRIVER) and then to the
// embedded slopguard.db.
func (sf *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&sf.db, "db", "", "database: a SQLite file or a PostgreSQL URL (default $SLOPGUARD_DATABASE_URL, else slopguard.db)")
	fs.StringVar(&sf.driver, "driver", "", "sqlite or postgres (default: guessed from --db)")
}

// newStoreFlagSet starts the flag set of a command that reads the store:
// errors go to e.stderr, --db and --driver are registered into the returned
// storeFlags, and --help prints usage before the flags.
func newStoreFlagSet(name, usage string, e *env) (*flag.FlagSet, *storeFlags) {
	fs := newFlagSet(e, name)
	sf := &storeFlags{}
	sf.register(fs)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage, "\nFlags:\n"); fs.PrintDefaults() }
	return fs, sf
}

// registerScope adds the --platform and --scope filters the audit and
// feedback listings share.
func registerScope(fs *flag.FlagSet, platform, scope *string) {
	fs.StringVar(platform, "platform", "", "only this platform: github, discord or ci")
	fs.StringVar(scope, "scope", "", "only this repository (owner/name) or guild ID")
}

// open opens the store read-only for a command that only reads it: it
// never creates, migrates or switches a database to WAL. A missing SQLite
// file is a usage error rather than a new empty database.
func (sf storeFlags) open(ctx context.Context, e *env) (*sqlstore.Store, error) {
	cfg, err := config.StoreFromEnv(e.getenv)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	dsn, driver := cfg.DSN, cfg.Driver
	if sf.db != "" {
		dsn, driver = sf.db, sqlstore.DriverFor(sf.db)
	}
	if sf.driver != "" {
		driver = sf.driver
	}
	if driver != sqlstore.SQLite && driver != sqlstore.Postgres {
		return nil, usageErrorf("--driver %q is not sqlite or postgres", driver)
	}
	s, err := sqlstore.OpenReadOnly(ctx, driver, dsn)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usageErrorf("%v (give --db or set SLOPGUARD_DATABASE_URL)", err)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openSince reads since, the value of a --since flag, into *t and opens the
// store.
func (sf storeFlags) openSince(ctx context.Context, e *env, since string, t *time.Time) (*sqlstore.Store, error) {
	var err error
	if *t, err = parseSince(since, time.Now()); err != nil {
		return nil, usageErrorf("%v", err)
	}
	return sf.open(ctx, e)
}

// parseSince reads a time bound: a duration back from now ("36h", "7d") or
// an RFC 3339 time or a date ("2025-03-01", UTC).
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--since %q: want a positive duration", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration (36h, 7d), an RFC 3339 time or a date (2006-01-02)", s)
}

const auditUsage = `Usage:
  slopguard audit list [--db DSN] [--driver sqlite|postgres] [--platform P] [--scope S]
                       [--item ID] [--verdict human|unsure|machine] [--since 7d|RFC3339]
                       [--limit N] [--format table|json]
  slopguard audit show [--db DSN] [--format table|json] [--config FILE] ID
  slopguard audit dashboard-url --scope owner/repo|GUILD_ID [--platform github|discord] [--ttl 24h]
                                [--config FILE]

Reads the decision log: what slopguard decided about each item, why, and what it did.
With SLOPGUARD_WEB_LINK_SECRET (or _FILE) set as for serve, show prints a signed link to the
decision's page, and dashboard-url one to a repository's or server's dashboard (built from
SLOPGUARD_PUBLIC_URL, or a path to put after the server's address without one). With
--config, web.public_url and web.link_ttl come from the config file serve reads, the
environment on top, as for serve.
`

// runAudit implements `slopguard audit list|show`.
func runAudit(ctx context.Context, e *env, args []string) error {
	return runSubcommand(ctx, e, args, auditUsage, subcommand{"list", auditList}, subcommand{"show", auditShow},
		subcommand{"dashboard-url", auditDashboardURL})
}

func auditList(ctx context.Context, e *env, args []string) error {
	fs, sf := newStoreFlagSet("audit list", auditUsage, e)
	var f store.DecisionFilter
	registerScope(fs, &f.Platform, &f.Scope)
	fs.StringVar(&f.ItemID, "item", "", "only this item (e.g. pr/12)")
	fs.StringVar(&f.Verdict, "verdict", "", "only this verdict: human, unsure or machine")
	since := fs.String("since", "", "only decisions since a duration ago (36h, 7d) or an RFC 3339 time")
	fs.IntVar(&f.Limit, "limit", 50, "at most this many decisions, newest first")
	format := fs.String("format", "table", "table or json")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return usageErrorf("--format %q is not table or json", *format)
	}
	if f.Verdict != "" && f.Verdict != "human" && f.Verdict != "unsure" && f.Verdict != "machine" {
		return usageErrorf("--verdict %q is not human, unsure or machine", f.Verdict)
	}
	if f.Limit <= 0 {
		return usageErrorf("--limit must be positive, got %d", f.Limit)
	}
	s, err := sf.openSince(ctx, e, *since, &f.Since)
	if err != nil {
		return err
	}
	defer s.Close()
	list, err := s.Decisions(ctx, f)
	if err != nil {
		return err
	}
	if *format == "json" {
		out := make([]decisionJSON, 0, len(list))
		for _, d := range list {
			out = append(out, toDecisionJSON(d))
		}
		return writeJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME (UTC)\tPLATFORM\tSCOPE\tITEM\tAUTHOR\tVERDICT\tSCORE\tACTIONS")
	for _, d := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\n", d.ID, d.CreatedAt.UTC().Format("2006-01-02 15:04:05"),
			d.Platform, d.Scope, d.ItemID, orDash(d.Author), d.Verdict, d.Score, orDash(strings.Join(d.Actions, ",")))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stderr, "no decisions match")
	}
	return nil
}

func auditShow(ctx context.Context, e *env, args []string) error {
	fs, sf := newStoreFlagSet("audit show", auditUsage, e)
	format := fs.String("format", "table", "table or json")
	configPath := fs.String("config", "", "the server config `FILE` serve reads, for the page link (web.public_url, web.link_ttl)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("audit show takes one decision ID, got %d arguments", len(pos))
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usageErrorf("decision ID %q is not a positive number", pos[0])
	}
	if *format != "table" && *format != "json" {
		return usageErrorf("--format %q is not table or json", *format)
	}
	s, err := sf.open(ctx, e)
	if err != nil {
		return err
	}
	defer s.Close()
	d, err := s.Decision(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("decision %d not found (it may have been pruned)", id)
	}
	if err != nil {
		return err
	}
	all, err := s.Feedback(ctx, store.FeedbackFilter{Platform: d.Platform, Scope: d.Scope})
	if err != nil {
		return err
	}
	var fbs []store.Feedback
	for _, fb := range all {
		if fb.DecisionID == d.ID {
			fbs = append(fbs, fb)
		}
	}
	if *format == "json" {
		out := struct {
			decisionJSON
			Feedback []feedbackJSON `json:"feedback"`
		}{toDecisionJSON(d), []feedbackJSON{}}
		for _, fb := range fbs {
			out.Feedback = append(out.Feedback, feedbackJSON{By: fb.By, Label: fb.Label, Note: fb.Note, CreatedAt: fb.CreatedAt.UTC()})
		}
		return writeJSON(e.stdout, out)
	}
	if err := writeDecision(e.stdout, d, fbs); err != nil {
		return err
	}
	if signer, err := auditSigner(e, *configPath, 0); err == nil {
		fmt.Fprintf(e.stdout, "page: %s\n", signer.LocalDecisionURL(d.ID))
	}
	return nil
}

func writeDecision(w io.Writer, d store.Decision, fbs []store.Feedback) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	rows := [][2]string{
		{"id", strconv.FormatInt(d.ID, 10)},
		{"time", d.CreatedAt.UTC().Format(time.RFC3339)},
		{"platform", d.Platform},
		{"scope", d.Scope},
		{"item", d.ItemID},
		{"kind", orDash(d.Kind)},
		{"title", orDash(terminalLine(d.Title))},
		{"url", orDash(d.ItemURL)},
		{"author", orDash(d.Author)},
		{"verdict", verdictText(d)},
		{"score", strconv.FormatFloat(d.Score, 'f', 3, 64)},
		{"model", orDash(d.Model)},
		{"actions", orDash(strings.Join(d.Actions, ", "))},
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s:\t%s\n", r[0], r[1])
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	fmt.Fprintln(w, "reasons:")
	if len(d.Reasons) == 0 {
		fmt.Fprintln(w, "  -")
	}
	for i, r := range d.Reasons {
		fmt.Fprintf(w, "  %d. %s\n", i+1, r)
	}
	if d.Text == "" {
		fmt.Fprintln(w, "text: (not stored; set store_text: true to keep it)")
	} else {
		fmt.Fprintln(w, "text:")
		for line := range strings.SplitSeq(d.Text, "\n") {
			fmt.Fprintf(w, "  | %s\n", line)
		}
	}
	fmt.Fprintln(w, "feedback:")
	if len(fbs) == 0 {
		fmt.Fprintln(w, "  -")
	}
	for _, fb := range fbs {
		fmt.Fprintf(w, "  %s  %s says %s", fb.CreatedAt.UTC().Format(time.RFC3339), orDash(fb.By), fb.Label)
		if fb.Note != "" {
			fmt.Fprintf(w, ": %s", fb.Note)
		}
		fmt.Fprintln(w)
	}
	return nil
}

// terminalLine makes text someone wrote safe to print on one terminal
// line: runs of white space become one space, and control characters
// (escape sequences too) and bidirectional controls become U+FFFD.
func terminalLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return unicode.ReplacementChar
		}
		return r
	}, strings.Join(strings.Fields(s), " "))
}

// decisionJSON is the JSON form of a decision in audit output.
type decisionJSON struct {
	ID        int64     `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	Platform  string    `json:"platform"`
	Scope     string    `json:"scope"`
	ItemID    string    `json:"item_id"`
	Kind      string    `json:"kind,omitempty"`
	Title     string    `json:"title,omitempty"`
	ItemURL   string    `json:"item_url,omitempty"`
	Author    string    `json:"author,omitempty"`
	Score     float64   `json:"score"`
	Verdict   string    `json:"verdict"`
	// CannotJudge: the model declined to judge the text (too short,
	// another language), so it was never flagged.
	CannotJudge bool     `json:"cannot_judge,omitempty"`
	Reasons     []string `json:"reasons"`
	Model       string   `json:"model,omitempty"`
	Actions     []string `json:"actions"`
	Text        string   `json:"text,omitempty"`
}

// feedbackJSON is feedback on a decision in `audit show` JSON output.
type feedbackJSON struct {
	By        string    `json:"by"`
	Label     string    `json:"label"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func toDecisionJSON(d store.Decision) decisionJSON {
	j := decisionJSON{
		ID: d.ID, CreatedAt: d.CreatedAt.UTC(), Platform: d.Platform, Scope: d.Scope, ItemID: d.ItemID, Kind: d.Kind, Title: d.Title,
		ItemURL: d.ItemURL, Author: d.Author, Score: d.Score, Verdict: d.Verdict, CannotJudge: d.CannotJudge, Reasons: d.Reasons,
		Model: d.Model, Actions: d.Actions, Text: d.Text,
	}
	if j.Reasons == nil {
		j.Reasons = []string{}
	}
	if j.Actions == nil {
		j.Actions = []string{}
	}
	return j
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// verdictText is a decision's verdict for people, saying when the model
// declined to judge the text.
func verdictText(d store.Decision) string {
	if d.CannotJudge {
		return d.Verdict + " (the model could not judge this text)"
	}
	return d.Verdict
}
