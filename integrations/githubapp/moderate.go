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

// installationSetting is the store key (scoped by "owner/repo") of the
// repository's installation ID, which the enforce sweep needs.
const installationSetting = "github.installation"

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
}

func (t target) scope() string { return t.owner + "/" + t.repo }

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
	if pol.Mode < moderation.ModeFlag || t.item.Kind != moderation.KindPullRequest || t.headSHA == "" {
		return nil
	}
	return []Action{{Kind: "check_run", Detail: conclusion}}
}

// skippedCheckRun renders the check run of a skipped plan.
func skippedCheckRun(p Plan, conclusion string) checkRun {
	return checkRun{conclusion: conclusion, title: "Not checked: " + p.Skipped,
		summary: "slopguard did not score this pull request (" + p.Skipped + "), so the check passes.\n",
		actions: []*github.CheckRunAction{{Label: "Re-check", Description: "Score the text again", Identifier: ActionRecheck}}}
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

// plan decides what to do about t under its repository's policy, reading
// from GitHub and the store but writing nothing.
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
	if !pol.Checks(t.item.Kind) {
		p.Skipped = fmt.Sprintf("mode %s or surface for %s turned off", pol.Mode, t.item.Kind)
		return p, nil
	}
	// A maintainer's decision beats the automatic exemptions: a confirmed
	// item is flagged even when its author or labels would exempt it.
	override := a.override(ctx, t)
	if override != "machine" {
		var teams []string
		if len(pol.Exemptions.Teams) > 0 {
			teams = a.authorTeams(ctx, gh, t.owner, t.item.Author, pol.Exemptions.Teams)
		}
		if exempt, why := pol.Exempt(t.item, t.labels, t.draft, teams); exempt {
			p.Skipped = "exempt: " + why
			p.Actions = skippedCheckRunAction(pol, t, "skipped")
			return p, nil
		}
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
	if override == "human" {
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
	d := a.decide(pol, v, commitsRead)
	v = d.Verdict
	p.Verdict = &v
	p.Threshold, p.Flagged, p.Rule, p.Why, p.Assisted = d.Threshold, d.Flagged, d.Rule, d.Why, d.Assisted
	p.Enforce = pol.Mode == moderation.ModeEnforce && d.Flagged && d.Rule != moderation.RuleDisclosed &&
		v.Flagged(pol.EnforceThreshold(v.ModelThreshold(a.opt.ModelThreshold)))
	a.metrics.verdicts.WithLabelValues(v.Verdict.String(), strconv.FormatBool(p.Flagged)).Inc()
	if override == "machine" {
		// A maintainer confirmed the flag: an edit that scores low does not
		// take the label or the comment away.
		if !p.Flagged {
			p.Rule, p.Why = moderation.RuleNone, "" // the maintainer decided, not a rule
		}
		p.Flagged, p.Confirmed = true, true
	}

	if pol.Mode < moderation.ModeFlag {
		return p, nil // observe: record only, write nothing to GitHub
	}
	if t.item.Kind == moderation.KindPullRequest && t.headSHA != "" {
		p.Actions = append(p.Actions, Action{Kind: "check_run", Detail: p.conclusion()})
	}
	// The neutral label goes on with the first disclosure (a push can add
	// a trailer) and stays: maintainers may put it on by hand too.
	if p.Assisted && !t.isComment() && !slices.ContainsFunc(t.labels, func(l string) bool { return strings.EqualFold(l, moderation.AssistedLabel) }) {
		p.Actions = append(p.Actions, Action{Kind: "label", Detail: moderation.AssistedLabel})
	}
	if t.checkRunOnly {
		return p, nil
	}
	hasLabel := slices.ContainsFunc(t.labels, func(l string) bool { return strings.EqualFold(l, pol.Label.Name) })
	if !t.isComment() {
		switch {
		case p.Flagged && !hasLabel:
			p.Actions = append(p.Actions, Action{Kind: "label", Detail: pol.Label.Name})
		case !p.Flagged && hasLabel:
			p.Actions = append(p.Actions, Action{Kind: "unlabel", Detail: pol.Label.Name})
		}
	}
	if pol.Comment.Enabled {
		current, err := a.stickyID(ctx, t)
		if err != nil {
			return p, err
		}
		switch {
		case p.Flagged && current == 0:
			p.Actions = append(p.Actions, Action{Kind: "comment", Detail: "create"})
		case current != 0:
			p.Actions = append(p.Actions, Action{Kind: "comment", Detail: "update"})
		}
	}
	if p.Enforce && pol.Enforce.Minimize && t.minimizable() {
		p.Actions = append(p.Actions, Action{Kind: "minimize", Detail: minimizeClassifier})
	}
	return p, nil
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
		case "check_run":
			err = a.upsertCheckRun(ctx, gh, t, a.withDetails(checkRunFor(p, note), t))
		case "label":
			err = a.addLabel(ctx, gh, t, labelPolicyFor(p, act.Detail))
		case "unlabel":
			err = a.removeLabel(ctx, gh, t, p.policy.Label.Name)
		case "comment":
			// A flagged item gets its comment back if someone deleted it; a
			// deleted "no longer flagged" comment stays deleted.
			err = a.upsertSticky(ctx, gh, t, stickyBody(t, p, note)+a.detailsLine(t, p), p.Flagged)
		case "minimize":
			err = a.graphqlMutation(ctx, gh, "minimize comment", minimizeMutation, map[string]string{"id": t.nodeID, "classifier": minimizeClassifier})
		}
		a.countAction(act.Kind, err)
		if err != nil {
			log.Error("github action failed", "action", act.Kind, "err", err)
			failed = append(failed, actionFailure{act.Kind, err})
			done = append(done, "failed:"+act.Kind)
			continue
		}
		done = append(done, act.Kind)
	}
	if len(failed) > 0 && slices.Contains(done, "check_run") {
		// Show on the check run what could not be done.
		err := a.upsertCheckRun(ctx, gh, t, checkRunFor(p, failureNote(note, failed)))
		a.countAction("check_run", err)
		if err != nil {
			log.Error("github action failed", "action", "check_run", "err", err)
		}
	}
	if p.Mode == moderation.ModeObserve {
		done = append(done, "observe")
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

// failureNote adds to note a line per failed action, for the check run.
func failureNote(note string, failed []actionFailure) string {
	var b strings.Builder
	if note != "" {
		b.WriteString(note + " ")
	}
	for i, f := range failed {
		if i > 0 {
			b.WriteString(" ")
		}
		status := ""
		var resp *github.ErrorResponse
		if errors.As(f.err, &resp) && resp.Response != nil {
			status = fmt.Sprintf(" (GitHub answered %d: %s)", resp.Response.StatusCode, resp.Message)
			if resp.Response.StatusCode == http.StatusForbidden {
				status += "; check the App's permissions"
			}
		}
		fmt.Fprintf(&b, "slopguard could not %s%s.", actionVerb(f.kind), status)
	}
	return b.String()
}

// actionVerb says what an action does, for failureNote.
func actionVerb(kind string) string {
	switch kind {
	case "label":
		return "add the label"
	case "unlabel":
		return "remove the label"
	case "comment":
		return "post or update its comment"
	case "minimize":
		return "hide the comment"
	case "close":
		return "close the item"
	}
	return "update the " + strings.ReplaceAll(kind, "_", " ")
}

// countAction counts one action's outcome in /metrics.
func (a *App) countAction(kind string, err error) {
	result := "ok"
	if err != nil {
		result = "failed"
	}
	a.metrics.actions.WithLabelValues(kind, result).Inc()
}

// record stores the decision; the text only when the server keeps texts.
func (a *App) record(ctx context.Context, log *slog.Logger, t target, v moderation.Verdict, actions []string) int64 {
	d := store.Decision{
		Platform: string(moderation.GitHub), Scope: t.scope(), ItemID: t.item.ID, ItemURL: t.item.URL,
		Author: t.item.Author, Score: v.Score, Verdict: v.Verdict.String(), CannotJudge: v.CannotJudge, Reasons: moderation.ReasonTexts(v.Reasons, a.opt.StoreText),
		Model: v.ModelVersion, Actions: actions, CreatedAt: a.now().UTC(),
	}
	if a.opt.StoreText {
		d.Text = t.item.Text()
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
	cr := checkRun{
		conclusion: "failure",
		title:      "Invalid slopguard policy file",
		summary: fmt.Sprintf("slopguard did not check this pull request because the policy file `%s` is invalid:\n\n```\n%s\n```\n\n"+
			"Fix the file on the default branch; the next event will use it.", p.PolicySource, p.PolicyError),
	}
	if err := a.upsertCheckRun(ctx, gh, t, cr); err != nil {
		log.Error("report invalid policy", "err", err)
	}
}
