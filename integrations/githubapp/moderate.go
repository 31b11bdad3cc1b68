package githubapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// target is one item to moderate, translated from a webhook payload or an API
// answer: the platform-neutral Item plus what acting on GitHub needs.
type target struct {
	installation int64
	owner, repo  string
	// number is the pull request or issue number; for comments, that of the thread.
	number int
	// isPR is true when the item or its thread is a pull request.
	isPR    bool
	headSHA string // pull requests: the head commit, for the check run
	// checkRunOnly limits the actions to the check run (a push to the pull
	// request: same text, new head commit).
	checkRunOnly bool
	item         moderation.Item
	labels       []string // the pull request's or issue's labels (the thread's, for comments)
	draft        bool
	state        string // "open" or "closed", for pull requests and issues
	// commentID and nodeID identify a comment (REST and GraphQL).
	commentID int64
	nodeID    string
	// threadTitle is a comment's or review's pull request or issue title,
	// from the same payload; recorded as the decision's title.
	threadTitle string
}

func (t target) scope() string { return t.owner + "/" + t.repo }

// hasLabel reports whether the pull request or issue (a comment's thread)
// carries the label, in any case.
func (t target) hasLabel(name string) bool {
	return slices.ContainsFunc(t.labels, func(l string) bool { return strings.EqualFold(l, name) })
}

// isComment is true for issue, pull request and review comments and for
// reviews: items inside a thread, which carry no label of their own.
func (t target) isComment() bool {
	switch t.item.Kind {
	case moderation.KindComment, moderation.KindReviewComment, moderation.KindReview:
		return true
	}
	return false
}

// minimizable is true for items GitHub's minimizeComment can hide: issue,
// pull request and review comments. A review (PullRequestReview) is not a
// Minimizable node, so GitHub refuses to hide one.
func (t target) minimizable() bool {
	return t.nodeID != "" && (t.item.Kind == moderation.KindComment || t.item.Kind == moderation.KindReviewComment)
}

func (t target) logger(log *slog.Logger) *slog.Logger {
	return log.With("repo", t.scope(), "number", t.number, "item", t.item.ID)
}

// The kinds of Action, which are also the names recorded in a decision's
// Actions (store.Decision.Actions) and counted in /metrics.
const (
	actionCheckRun = "check_run"
	actionLabel    = "label"
	actionUnlabel  = "unlabel"
	actionComment  = "comment"
	actionMinimize = "minimize"
	actionClose    = "close"
	// actionObserve and actionAppeal are recorded only: observe mode's
	// decisions, and an author's appeal.
	actionObserve = "observe"
	actionAppeal  = "appeal"
	// actionFailedPrefix marks a recorded action that failed ("failed:label").
	actionFailedPrefix = "failed:"
)

// Action is one thing the App does on GitHub for an item.
type Action struct {
	// Kind is check_run, label, unlabel, comment, minimize or close.
	Kind string `json:"kind"`
	// Detail says how, e.g. the check run's conclusion or the label's name.
	Detail string `json:"detail,omitempty"`
}

// Plan is what the App decided about one item: data, so `slopguard simulate`
// can print it and the worker can execute it.
type Plan struct {
	Item         moderation.Item     `json:"item"`
	PolicySource string              `json:"policy_source"`
	Mode         moderation.Mode     `json:"mode"`
	Skipped      string              `json:"skipped,omitempty"`
	Verdict      *moderation.Verdict `json:"verdict,omitempty"`
	Threshold    float64             `json:"threshold,omitempty"`
	Flagged      bool                `json:"flagged"`
	// Enforce is true when enforce mode's stricter threshold is reached too.
	Enforce bool `json:"enforce"`
	// Confirmed is true when a maintainer confirmed the flag: the item stays
	// flagged whatever it scores.
	Confirmed bool `json:"confirmed,omitempty"`
	// Rule is the policy rule that decided (moderation.Policy.Decide) and
	// Why says so; Assisted is true when the item gets the ai-assisted label.
	Rule     moderation.Rule `json:"rule,omitempty"`
	Why      string          `json:"why,omitempty"`
	Assisted bool            `json:"assisted,omitempty"`
	// AuthorContext is what was looked up about the author (author_context policy).
	AuthorContext *moderation.AuthorContext `json:"author_context,omitempty"`
	// AuthorNotes word it for people (moderation.Policy.AuthorNotes).
	AuthorNotes []string `json:"author_notes,omitempty"`
	Actions     []Action `json:"actions"`
	// PolicyError says why the policy file is invalid; nothing else happens then.
	PolicyError string `json:"policy_error,omitempty"`

	policy moderation.Policy
}

// conclusion is the check run conclusion for a plan: neutral when flagged,
// failure only in enforce mode past the enforce threshold.
func (p Plan) conclusion() string {
	switch {
	case p.Enforce:
		return "failure"
	case p.Flagged:
		return "neutral"
	default:
		return "success"
	}
}

// skippedCheckRunAction is the check run of a pull request that is not
// scored (its author or labels are exempt, or a maintainer cleared it) in
// a mode that writes to GitHub: a repository that makes the check required
// must not have pull requests wait for it forever. GitHub counts both
// "skipped" and "success" as passing.
func skippedCheckRunAction(pol moderation.Policy, t target, conclusion string) []Action {
	if !pol.Mode.Tells() || t.item.Kind != moderation.KindPullRequest || t.headSHA == "" {
		return nil
	}
	return []Action{{Kind: actionCheckRun, Detail: conclusion}}
}

// installation is the API client of installation inst.
func (a *App) installation(ctx context.Context, inst int64) (*github.Client, error) {
	gh, err := a.opt.Clients.Installation(ctx, inst)
	if err != nil {
		return nil, fmt.Errorf("installation %d client: %w", inst, err)
	}
	return gh, nil
}

// moderateTarget moderates t with its installation's client.
func (a *App) moderateTarget(ctx context.Context, log *slog.Logger, t target) error {
	gh, err := a.installation(ctx, t.installation)
	if err != nil {
		return err
	}
	return a.moderate(ctx, log, gh, t)
}

// moderate plans and executes one item; the entry point of every event handler.
func (a *App) moderate(ctx context.Context, log *slog.Logger, gh *github.Client, t target) error {
	return a.moderateNote(ctx, log, gh, t, "")
}

// moderateNote is moderate with an extra line for the App's comment and the
// check run, such as the answer to a maintainer's command.
func (a *App) moderateNote(ctx context.Context, log *slog.Logger, gh *github.Client, t target, note string) error {
	log = t.logger(log)
	if t.installation != 0 {
		if err := a.opt.Store.PutSetting(ctx, t.scope(), installationSetting, []byte(strconv.FormatInt(t.installation, 10))); err != nil {
			log.Warn("remember installation", "err", err)
		}
	}
	p, err := a.plan(ctx, gh, t)
	if err != nil {
		return err
	}
	if p.PolicyError != "" {
		a.reportPolicyError(ctx, log, gh, t, p)
		return nil
	}
	if p.Skipped != "" {
		log.Debug("not checked", "reason", p.Skipped)
		var failed []actionFailure
		for _, act := range p.Actions { // at most the check run of a skipped pull request
			err := a.upsertCheckRun(ctx, gh, t, skippedCheckRun(p, act.Detail))
			a.countAction(act.Kind, err)
			if err != nil {
				log.Error("github action failed", "action", act.Kind, "err", err)
				failed = append(failed, actionFailure{act.Kind, err})
			}
		}
		return actionsError(failed)
	}
	return a.execute(ctx, log, gh, t, p, note)
}

// PlanReader is the part of the store that deciding about an item reads,
// and all that Simulate needs: settings (the cached policy, a maintainer's
// decision about an item) and the App's owned comment. store.Store
// satisfies it.
type PlanReader interface {
	// Setting returns the value under (scope, key), or store.ErrNotFound.
	Setting(ctx context.Context, scope, key string) ([]byte, error)
	// ClaimMessage is called with an empty MessageID only, which looks
	// the owned message up and records nothing (store.Store.ClaimMessage).
	ClaimMessage(ctx context.Context, m store.OwnedMessage) (current string, won bool, err error)
}

// plan decides what to do about t under its repository's policy, reading
// from GitHub and the store (a.reads) but writing nothing except the
// cached policy, which a simulation does not write either.
func (a *App) plan(ctx context.Context, gh *github.Client, t target) (Plan, error) {
	p := Plan{Item: t.item}
	pol, source, err := a.policyFor(ctx, gh, t.owner, t.repo)
	p.PolicySource = source
	var perr *policyError
	if errors.As(err, &perr) {
		p.PolicyError = perr.err.Error()
		return p, nil
	}
	if err != nil {
		return p, err
	}
	p.policy, p.Mode = pol, pol.Mode
	override, skip, why := a.screen(ctx, gh, t, pol)
	switch skip {
	case moderation.SkipModeOff, moderation.SkipSurface:
		p.Skipped = fmt.Sprintf("mode %s or surface for %s turned off", pol.Mode, t.item.Kind)
		return p, nil
	case moderation.SkipExempt:
		p.Skipped = "exempt: " + why
		p.Actions = skippedCheckRunAction(pol, t, "skipped")
		return p, nil
	}
	if pol.AuthorContext.Enabled && override == "" && !t.item.AuthorIsBot {
		ac := a.authorContext(ctx, t.logger(a.log), gh, t)
		p.AuthorContext, p.AuthorNotes = &ac, pol.AuthorNotes(ac, a.now())
		if pol.AuthorContext.OnlyNewAuthors && !pol.NewAuthor(ac, a.now()) {
			p.Skipped = "author is not new (author_context.only_new_authors)"
			p.Actions = skippedCheckRunAction(pol, t, "skipped")
			return p, nil
		}
	}
	if override == overrideHuman {
		p.Skipped = "a maintainer marked it not slop"
		p.Actions = skippedCheckRunAction(pol, t, "success")
		return p, nil
	}
	// The App's own comments start with the marker and are written by a bot
	// account; a person's comment that merely contains it is checked.
	if t.isComment() && t.item.AuthorIsBot && strings.HasPrefix(t.item.Body, markerPrefix) {
		p.Skipped = "slopguard's own comment"
		return p, nil
	}
	commitsRead := true
	if t.item.Kind == moderation.KindPullRequest && t.number != 0 {
		t.item.Commits, commitsRead = a.prCommits(ctx, t.logger(a.log), gh, t)
	}
	start := time.Now()
	v, err := a.opt.Checker.Check(ctx, t.item)
	a.metrics.scoring.Observe(time.Since(start).Seconds())
	if err != nil {
		return p, fmt.Errorf("check %s: %w", t.item.ID, err)
	}
	o := a.outcome(pol, v, commitsRead)
	v = o.Verdict
	p.Verdict = &v
	p.Threshold, p.Flagged, p.Rule, p.Why, p.Assisted = o.Threshold, o.Flagged, o.Rule, o.Why, o.Assisted
	p.Enforce = o.Enforce
	a.metrics.verdicts.WithLabelValues(v.Verdict.String(), strconv.FormatBool(p.Flagged)).Inc()
	if override == overrideMachine {
		// A maintainer confirmed the flag: an edit that scores low does not
		// take the label or the comment away.
		if !p.Flagged {
			p.Rule, p.Why = moderation.RuleNone, "" // the maintainer decided, not a rule
		}
		p.Flagged, p.Confirmed = true, true
	}

	if !pol.Mode.Tells() {
		return p, nil // observe: record only, write nothing to GitHub
	}
	if t.item.Kind == moderation.KindPullRequest && t.headSHA != "" {
		p.Actions = append(p.Actions, Action{Kind: actionCheckRun, Detail: p.conclusion()})
	}
	// The neutral label goes on with the first disclosure (a push can add
	// a trailer) and stays: maintainers may put it on by hand too.
	if p.Assisted && !t.isComment() && !t.hasLabel(moderation.AssistedLabel) {
		p.Actions = append(p.Actions, Action{Kind: actionLabel, Detail: moderation.AssistedLabel})
	}
	if t.checkRunOnly {
		return p, nil
	}
	hasLabel := t.hasLabel(pol.Label.Name)
	if !t.isComment() {
		switch {
		case p.Flagged && !hasLabel:
			p.Actions = append(p.Actions, Action{Kind: actionLabel, Detail: pol.Label.Name})
		case !p.Flagged && hasLabel:
			p.Actions = append(p.Actions, Action{Kind: actionUnlabel, Detail: pol.Label.Name})
		}
	}
	if pol.Comment.Enabled {
		current, err := a.stickyID(ctx, t)
		if err != nil {
			return p, err
		}
		switch {
		case p.Flagged && current == 0:
			p.Actions = append(p.Actions, Action{Kind: actionComment, Detail: "create"})
		case current != 0:
			p.Actions = append(p.Actions, Action{Kind: actionComment, Detail: "update"})
		}
	}
	if p.Enforce && pol.Enforce.Minimize && t.minimizable() {
		p.Actions = append(p.Actions, Action{Kind: actionMinimize, Detail: minimizeClassifier})
	}
	return p, nil
}

// screen applies the shared screen (moderation.Policy.Screen) to t and
// returns the maintainer's earlier decision about it with the result. A
// maintainer's decision beats the automatic exemptions: a confirmed item
// ("machine") is checked even when its author or labels would exempt it.
// Nothing is read for an item the policy does not check (mode off, surface
// off), and the author's teams are asked of GitHub only when the policy
// names exempt teams and the exemptions apply.
func (a *App) screen(ctx context.Context, gh *github.Client, t target, pol moderation.Policy) (override string, skip moderation.Skip, why string) {
	var teams []string
	if pol.Checks(t.item.Kind) {
		override = a.override(ctx, t)
		if override != overrideMachine && len(pol.Exemptions.Teams) > 0 {
			teams = a.authorTeams(ctx, gh, t.owner, t.item.Author, pol.Exemptions.Teams)
		}
	}
	skip, why = pol.Screen(t.item, t.labels, t.draft, teams)
	if skip == moderation.SkipExempt && override == overrideMachine {
		return override, moderation.SkipNone, ""
	}
	return override, skip, why
}

// execute carries out a plan: each failed action is logged and counted, and
// the others still run; the decision is recorded with what was done and
// what failed ("failed:label"), and the check run says what failed. It
// returns an *actionsFailedError when an action failed, so the job is
// retried (a rate limit, a 5xx) or counted as failed (a refusal). note is
// an extra line for the comment and the check run; it may be empty.
func (a *App) execute(ctx context.Context, log *slog.Logger, gh *github.Client, t target, p Plan, note string) error {
	if note == "" && p.Confirmed {
		note = "A maintainer reviewed this and confirmed the flag."
	}
	v := *p.Verdict
	var failed []actionFailure
	log = log.With("score", v.Score, "verdict", v.Verdict.String(), "flagged", p.Flagged, "mode", p.Mode.String())
	var done []string
	for _, act := range p.Actions {
		var err error
		switch act.Kind {
		case actionCheckRun:
			err = a.upsertCheckRun(ctx, gh, t, a.withDetails(checkRunFor(p, note), t))
		case actionLabel:
			err = a.addLabel(ctx, gh, t, labelPolicyFor(p, act.Detail))
		case actionUnlabel:
			err = a.removeLabel(ctx, gh, t, p.policy.Label.Name)
		case actionComment:
			// A flagged item gets its comment back if someone deleted it; a
			// deleted "no longer flagged" comment stays deleted.
			err = a.upsertSticky(ctx, gh, t, stickyBody(t, p, note)+a.detailsLine(t, p), p.Flagged)
		case actionMinimize:
			err = a.graphqlMutation(ctx, gh, "minimize comment", minimizeMutation, map[string]string{"id": t.nodeID, "classifier": minimizeClassifier})
		}
		a.countAction(act.Kind, err)
		if err != nil {
			log.Error("github action failed", "action", act.Kind, "err", err)
			failed = append(failed, actionFailure{act.Kind, err})
			done = append(done, actionFailedPrefix+act.Kind)
			continue
		}
		done = append(done, act.Kind)
	}
	if len(failed) > 0 && slices.Contains(done, actionCheckRun) {
		// Show on the check run what could not be done.
		err := a.upsertCheckRun(ctx, gh, t, checkRunFor(p, failureNote(note, failed)))
		a.countAction(actionCheckRun, err)
		if err != nil {
			log.Error("github action failed", "action", actionCheckRun, "err", err)
		}
	}
	if p.Mode == moderation.ModeObserve {
		done = append(done, actionObserve)
	}
	a.record(ctx, log, t, v, done)
	log.Info("item checked", "actions", strings.Join(done, ","))
	return actionsError(failed)
}

// actionFailure is one action GitHub did not carry out.
type actionFailure struct {
	kind string
	err  error
}

// actionsFailedError says which actions of a job failed; transient is true
// when one may succeed if tried again (a rate limit, a 5xx, the network).
type actionsFailedError struct {
	failures  []actionFailure
	transient bool
}

func (e *actionsFailedError) Error() string {
	parts := make([]string, 0, len(e.failures))
	for _, f := range e.failures {
		parts = append(parts, f.kind+": "+f.err.Error())
	}
	return "github actions failed: " + strings.Join(parts, "; ")
}

// Unwrap gives errors.As the failures' errors (a rate limit's wait).
func (e *actionsFailedError) Unwrap() []error {
	errs := make([]error, 0, len(e.failures))
	for _, f := range e.failures {
		errs = append(errs, f.err)
	}
	return errs
}

// actionsError is nil for no failures, else an *actionsFailedError.
func actionsError(failed []actionFailure) error {
	if len(failed) == 0 {
		return nil
	}
	e := &actionsFailedError{failures: failed}
	for _, f := range failed {
		if transient(f.err) {
			e.transient = true
		}
	}
	return e
}

// transient reports whether a failed GitHub call may succeed later: a rate
// limit, a 5xx, a transport or store failure; not a 4xx refusal.
func transient(err error) bool {
	var rl *rateLimitedError
	var primary *github.RateLimitError
	var secondary *github.AbuseRateLimitError
	if errors.As(err, &rl) || errors.As(err, &primary) || errors.As(err, &secondary) {
		return true
	}
	var resp *github.ErrorResponse
	if errors.As(err, &resp) && resp.Response != nil {
		code := resp.Response.StatusCode
		return code >= 500 || code == http.StatusTooManyRequests
	}
	return true
}

// countAction counts one action's outcome in /metrics.
func (a *App) countAction(kind string, err error) {
	result := "ok"
	if err != nil {
		result = "failed"
	}
	a.metrics.actions.WithLabelValues(kind, result).Inc()
}

// record stores the decision; the text and title only when the server keeps texts.
func (a *App) record(ctx context.Context, log *slog.Logger, t target, v moderation.Verdict, actions []string) int64 {
	d := store.Decision{
		Platform: string(moderation.GitHub), Scope: t.scope(), ItemID: t.item.ID, Kind: string(t.item.Kind), ItemURL: t.item.URL,
		Author: t.item.Author, Score: v.Score, Verdict: v.Verdict.String(), CannotJudge: v.CannotJudge, Reasons: moderation.ReasonTexts(v.Reasons, a.opt.StoreText),
		Model: v.ModelVersion, Actions: actions, CreatedAt: a.now().UTC(),
	}
	if a.opt.StoreText {
		// The title is text people wrote: kept only with the text.
		d.Text, d.Title = t.item.Text(), t.item.Title
		if d.Title == "" {
			d.Title = t.threadTitle
		}
	}
	id, err := a.opt.Store.RecordDecision(ctx, d)
	if err != nil {
		log.Error("record decision", "err", err)
	}
	return id
}

// authorTeams returns which of the policy's exempt teams the author belongs to.
func (a *App) authorTeams(ctx context.Context, gh *github.Client, owner, author string, teams []string) []string {
	var in []string
	for _, team := range teams {
		org, slug, ok := strings.Cut(team, "/")
		if !ok {
			org, slug = owner, team
		}
		m, _, err := gh.Teams.GetTeamMembershipBySlug(ctx, org, slug, author)
		if err != nil {
			continue // 404: not a member (or the team is invisible to the App)
		}
		if m.GetState() == "active" {
			in = append(in, org+"/"+slug)
		}
	}
	return in
}

// reportPolicyError tells maintainers their policy file is invalid: a failing
// check run on pull requests, a log line otherwise.
func (a *App) reportPolicyError(ctx context.Context, log *slog.Logger, gh *github.Client, t target, p Plan) {
	log.Warn("invalid policy file; nothing done", "policy", p.PolicySource, "err", p.PolicyError)
	if t.item.Kind != moderation.KindPullRequest || t.headSHA == "" {
		return
	}
	if err := a.upsertCheckRun(ctx, gh, t, policyErrorCheckRun(p)); err != nil {
		log.Error("report invalid policy", "err", err)
	}
}
