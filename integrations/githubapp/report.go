package githubapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
)

// CheckRunName is the name of the App's check run on pull requests.
const CheckRunName = "slopguard"

// Identifiers of the check run's requested actions (buttons).
const (
	ActionNotSlop = "not_slop"
	ActionRecheck = "recheck"
)

// markerPrefix starts the hidden marker in every comment the App writes.
const markerPrefix = "<!-- slopguard:"

// minimizeClassifier is the reason given when hiding a comment: it says the
// comment is off topic, not that its author is a spammer.
const minimizeClassifier = "OFF_TOPIC"

// checkRun is what the check run shows.
type checkRun struct {
	conclusion     string
	title, summary string
	actions        []*github.CheckRunAction
	detailsURL     string // optional
}

// checkRunFor renders a plan as a check run; note is an extra line such as
// "Marked not slop by @alice".
func checkRunFor(p Plan, note string) checkRun {
	v := p.Verdict
	var title string
	switch {
	case p.Flagged && p.Rule == moderation.RuleHoneypot:
		title = "The text follows the project's instruction for AI agents"
	case p.Flagged && p.Rule == moderation.RuleDisclosed:
		title = "The item discloses an AI agent, which this project does not accept"
	case p.Flagged && p.Rule == moderation.RuleUndisclosed:
		title = "Machine-generated patterns, no AI disclosure"
	case p.Flagged:
		title = "The text shows patterns common in machine-generated writing"
	case p.Assisted:
		title = "Discloses AI assistance: labelled " + moderation.AssistedLabel
	case v.Verdict == detector.Unsure:
		title = "Not enough to judge"
	default:
		title = "No strong machine-writing patterns"
	}
	var b strings.Builder
	if note != "" {
		fmt.Fprintf(&b, "**%s**\n\n", note)
	}
	writeVerdict(&b, p)
	b.WriteString("\nThis describes patterns in the text, not its author. ")
	if p.Enforce {
		b.WriteString("This repository runs slopguard in enforce mode, so the check fails; a maintainer can clear it with **Not slop**.\n")
	} else {
		b.WriteString("The check never blocks merging; a maintainer decides what happens next.\n")
	}
	cr := checkRun{conclusion: p.conclusion(), title: title, summary: b.String()}
	if p.Flagged {
		cr.actions = append(cr.actions, &github.CheckRunAction{Label: "Not slop", Description: "Clear the flag (maintainers only)", Identifier: ActionNotSlop})
	}
	cr.actions = append(cr.actions, &github.CheckRunAction{Label: "Re-check", Description: "Score the text again", Identifier: ActionRecheck})
	return cr
}

// writeVerdict writes score, verdict, reasons and model version as Markdown.
func writeVerdict(b *strings.Builder, p Plan) {
	v := p.Verdict
	fmt.Fprintf(b, "- Score: **%.2f** (flagged at %.2f or more)\n", v.Score, p.Threshold)
	fmt.Fprintf(b, "- Verdict: %s\n", v.Verdict)
	fmt.Fprintf(b, "- Model: `%s`\n", v.ModelVersion)
	writeRule(b, p)
	writeAuthorContext(b, p)
	if v.Note != "" {
		fmt.Fprintf(b, "- Note: %s\n", inertReason(v.Note))
	}
	// GitHub keeps its own list rather than moderation.ShownReasons, so
	// its text stays as it was: reasons of positive weight and the note on
	// hidden characters, in the detector's order, at most five in all (the
	// note counts towards the five and keeps its place); a provenance
	// reason of zero weight is said by the rule line instead.
	var pos []detector.Reason
	for _, r := range v.Reasons {
		if r.Weight > 0 || r.Signal == detector.SignalHiddenCharacters {
			pos = append(pos, r)
		}
	}
	if len(pos) > 0 {
		b.WriteString("\nPatterns in the text:\n")
		for i, r := range pos {
			if i == 5 {
				break
			}
			fmt.Fprintf(b, "- %s\n", inertReason(r.Text))
		}
	}
}

// upsertCheckRun creates the item's check run for the current head commit,
// or updates the one already created for it.
func (a *App) upsertCheckRun(ctx context.Context, gh *github.Client, t target, cr checkRun) error {
	key := checkRunKey(t)
	current, _, err := a.opt.Store.ClaimMessage(ctx, key)
	if err != nil {
		return fmt.Errorf("look up check run: %w", err)
	}
	output := &github.CheckRunOutput{Title: github.String(cr.title), Summary: github.String(cr.summary)}
	id, sha, _ := strings.Cut(current, "@")
	if sha == t.headSHA && id != pendingClaim {
		runID, _ := strconv.ParseInt(id, 10, 64)
		_, resp, err := gh.Checks.UpdateCheckRun(ctx, t.owner, t.repo, runID, github.UpdateCheckRunOptions{
			Name: CheckRunName, Status: github.String("completed"), Conclusion: github.String(cr.conclusion),
			CompletedAt: &github.Timestamp{Time: a.now()}, Output: output, Actions: cr.actions, DetailsURL: optional(cr.detailsURL),
		})
		if err == nil {
			return nil
		}
		if resp == nil || resp.StatusCode != http.StatusNotFound {
			return fmt.Errorf("update check run %d: %w", runID, err)
		}
	}
	if (sha == t.headSHA && id == pendingClaim) || retrying(ctx) {
		// An earlier job began creating the run and died (or got a 5xx)
		// before remembering it: adopt that run rather than add another.
		runID, err := a.findCheckRun(ctx, gh, t)
		if err != nil {
			return err
		}
		if runID != 0 {
			key.MessageID = fmt.Sprintf("%d@%s", runID, t.headSHA)
			if err := a.opt.Store.ReplaceMessage(ctx, key); err != nil {
				return fmt.Errorf("remember check run: %w", err)
			}
			return a.upsertCheckRun(withAttempt(ctx, 1), gh, t, cr)
		}
	}
	// Say a create is under way first, so that if this process dies before
	// remembering the run, the next job for the item looks for it.
	key.MessageID = pendingClaim + "@" + t.headSHA
	if err := a.opt.Store.ReplaceMessage(ctx, key); err != nil {
		return fmt.Errorf("remember check run: %w", err)
	}
	run, _, err := gh.Checks.CreateCheckRun(ctx, t.owner, t.repo, github.CreateCheckRunOptions{
		Name: CheckRunName, HeadSHA: t.headSHA, ExternalID: github.String(t.item.ID),
		Status: github.String("completed"), Conclusion: github.String(cr.conclusion),
		CompletedAt: &github.Timestamp{Time: a.now()}, Output: output, Actions: cr.actions, DetailsURL: optional(cr.detailsURL),
	})
	if err != nil {
		return fmt.Errorf("create check run: %w", err)
	}
	key.MessageID = fmt.Sprintf("%d@%s", run.GetID(), t.headSHA)
	if err := a.opt.Store.ReplaceMessage(ctx, key); err != nil {
		return fmt.Errorf("remember check run: %w", err)
	}
	return nil
}

// findCheckRun returns the ID of the App's check run for t's item on its
// head commit, or 0 when there is none.
func (a *App) findCheckRun(ctx context.Context, gh *github.Client, t target) (int64, error) {
	res, _, err := gh.Checks.ListCheckRunsForRef(ctx, t.owner, t.repo, t.headSHA, &github.ListCheckRunsOptions{
		CheckName: github.String(CheckRunName), Filter: github.String("all"), ListOptions: github.ListOptions{PerPage: 100},
	})
	if err != nil {
		return 0, fmt.Errorf("look for an earlier check run: %w", err)
	}
	for _, run := range res.CheckRuns {
		if run.GetExternalID() == t.item.ID && run.GetHeadSHA() == t.headSHA {
			return run.GetID(), nil
		}
	}
	return 0, nil
}

// findSticky returns the ID of the App's comment about t's item in its
// thread, found by its marker, or 0 when there is none.
func (a *App) findSticky(ctx context.Context, gh *github.Client, t target) (int64, error) {
	marker := fmt.Sprintf("%ssticky item=%s -->", markerPrefix, t.item.ID)
	opt := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for page := 0; page < 10; page++ {
		cs, resp, err := gh.Issues.ListComments(ctx, t.owner, t.repo, t.number, opt)
		if err != nil {
			return 0, fmt.Errorf("look for an earlier comment: %w", err)
		}
		for _, c := range cs {
			if strings.HasPrefix(c.GetBody(), marker) && c.GetUser().GetType() == "Bot" {
				return c.GetID(), nil
			}
		}
		if resp == nil || resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	return 0, nil
}

// addLabel puts the policy's label on the pull request or issue, creating
// the label with its colour and description first if the repository lacks it.
func (a *App) addLabel(ctx context.Context, gh *github.Client, t target, l moderation.LabelPolicy) error {
	if err := a.ensureLabel(ctx, gh, t, l); err != nil {
		return err
	}
	if _, _, err := gh.Issues.AddLabelsToIssue(ctx, t.owner, t.repo, t.number, []string{l.Name}); err != nil {
		return fmt.Errorf("add label %q: %w", l.Name, err)
	}
	return nil
}

func (a *App) ensureLabel(ctx context.Context, gh *github.Client, t target, l moderation.LabelPolicy) error {
	cacheKey := t.scope() + "\x00" + l.Name
	if _, ok := a.labelsOK.Load(cacheKey); ok {
		return nil
	}
	// go-github puts the name into the URL path as it is: escape it, or a
	// label such as "ai/slop" asks for a path that does not exist.
	_, resp, err := gh.Issues.GetLabel(ctx, t.owner, t.repo, url.PathEscape(l.Name))
	if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
		return fmt.Errorf("get label %q: %w", l.Name, err)
	}
	if err != nil { // 404: create it
		label := &github.Label{Name: github.String(l.Name)}
		if l.Color != "" {
			label.Color = github.String(strings.ToLower(l.Color))
		}
		if l.Description != "" {
			label.Description = github.String(l.Description)
		}
		_, resp, err := gh.Issues.CreateLabel(ctx, t.owner, t.repo, label)
		if err != nil && (resp == nil || resp.StatusCode != http.StatusUnprocessableEntity) { // 422: created meanwhile
			return fmt.Errorf("create label %q: %w", l.Name, err)
		}
	}
	a.labelsOK.Store(cacheKey, struct{}{})
	return nil
}

// removeLabel takes the label off; a label already gone is fine.
func (a *App) removeLabel(ctx context.Context, gh *github.Client, t target, name string) error {
	resp, err := gh.Issues.RemoveLabelForIssue(ctx, t.owner, t.repo, t.number, url.PathEscape(name))
	if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
		return fmt.Errorf("remove label %q: %w", name, err)
	}
	return nil
}

// stickyID returns the ID of the App's comment about the item, or 0.
func (a *App) stickyID(ctx context.Context, t target) (int64, error) {
	current, _, err := a.opt.Store.ClaimMessage(ctx, stickyKey(t))
	if err != nil {
		return 0, fmt.Errorf("look up comment: %w", err)
	}
	if current == "" || current == pendingClaim {
		return 0, nil
	}
	id, err := strconv.ParseInt(current, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stored comment id %q: %w", current, err)
	}
	return id, nil
}

// upsertSticky edits the App's one comment about the item, or creates it
// when create is true and there is none (or it was deleted).
func (a *App) upsertSticky(ctx context.Context, gh *github.Client, t target, body string, create bool) error {
	key := stickyKey(t)
	id, err := a.stickyID(ctx, t)
	if err != nil {
		return err
	}
	if id != 0 {
		_, resp, err := gh.Issues.EditComment(ctx, t.owner, t.repo, id, &github.IssueComment{Body: github.String(body)})
		if err == nil {
			return nil
		}
		if resp == nil || resp.StatusCode != http.StatusNotFound {
			return fmt.Errorf("edit comment %d: %w", id, err)
		}
		// Someone deleted it: forget it, and post a new one only if asked to.
		if err := a.opt.Store.ReleaseMessage(ctx, key.Platform, key.Scope, key.ItemID, key.Kind); err != nil {
			return fmt.Errorf("forget deleted comment: %w", err)
		}
	}
	if !create {
		return nil
	}
	// Claim the comment before posting it ("pending"), so that one job
	// posts it, and a job after a crash (or a 5xx) looks for it first.
	key.MessageID = pendingClaim
	current, won, err := a.opt.Store.ClaimMessage(ctx, key)
	if err != nil {
		return fmt.Errorf("claim comment: %w", err)
	}
	if !won && current != pendingClaim {
		return a.upsertSticky(ctx, gh, t, body, create) // another job posted it meanwhile
	}
	if !won || retrying(ctx) {
		found, err := a.findSticky(ctx, gh, t)
		if err != nil {
			return err
		}
		if found != 0 {
			key.MessageID = strconv.FormatInt(found, 10)
			if err := a.opt.Store.ReplaceMessage(ctx, key); err != nil {
				return fmt.Errorf("remember comment: %w", err)
			}
			return a.upsertSticky(withAttempt(ctx, 1), gh, t, body, create)
		}
	}
	c, _, err := gh.Issues.CreateComment(ctx, t.owner, t.repo, t.number, &github.IssueComment{Body: github.String(body)})
	if err != nil {
		return fmt.Errorf("create comment: %w", err)
	}
	key.MessageID = strconv.FormatInt(c.GetID(), 10)
	if err := a.opt.Store.ReplaceMessage(ctx, key); err != nil {
		return fmt.Errorf("remember comment: %w", err)
	}
	return nil
}

// stickyBody renders the App's comment about an item; status is an extra
// line answering a command.
func stickyBody(t target, p Plan, status string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%ssticky item=%s -->\n", markerPrefix, t.item.ID)
	what := map[moderation.Kind]string{
		moderation.KindPullRequest: "pull request", moderation.KindIssue: "issue",
		moderation.KindComment: "comment", moderation.KindReviewComment: "review comment",
		moderation.KindReview: "review",
	}[t.item.Kind]
	subject := "this " + what
	if t.isComment() && t.item.URL != "" {
		subject = fmt.Sprintf("[this %s](%s) by @%s", what, t.item.URL, t.item.Author)
	}
	b.WriteString("**slopguard** · automated check\n\n")
	switch {
	case p.Verdict != nil && p.Flagged:
		if text := strings.TrimSpace(p.policy.Comment.Text); text != "" {
			b.WriteString(text + "\n\n")
		} else if p.Rule != moderation.RuleScore && p.Why != "" {
			fmt.Fprintf(&b, "slopguard flagged %s under this project's AI policy. %s "+
				"Nothing happens automatically: a maintainer will take a look.\n\n", subject, p.Why)
		} else {
			fmt.Fprintf(&b, "The text of %s shows patterns that are common in machine-generated writing. "+
				"This is about the text, not about you, and nothing happens automatically: a maintainer will take a look.\n\n", subject)
		}
		writeVerdict(&b, p)
		b.WriteString("\n<details><summary>What you can do</summary>\n\n")
		suffix := ""
		if t.isComment() {
			suffix = " " + t.item.ID
		}
		fmt.Fprintf(&b, "- Edited the text? Comment `/slopguard recheck%s` to score it again.\n", suffix)
		fmt.Fprintf(&b, "- Think this is wrong? Comment `/slopguard appeal%s` and a maintainer will review it.\n", suffix)
		fmt.Fprintf(&b, "- Maintainers: `/slopguard not-slop%s` clears the flag, `/slopguard confirm%s` keeps it.\n", suffix, suffix)
		b.WriteString("\n</details>\n")
	case p.Verdict != nil && p.Assisted:
		fmt.Fprintf(&b, "Re-checked: %s discloses AI assistance, so under this project's policy it is labelled `%s` and not flagged. %s\n",
			subject, moderation.AssistedLabel, p.Why)
	case p.Verdict != nil:
		fmt.Fprintf(&b, "Re-checked: the text of %s no longer shows the patterns flagged earlier (score %.2f). Thanks!\n", subject, p.Verdict.Score)
	}
	if status != "" {
		fmt.Fprintf(&b, "\n%s\n", status)
	}
	return b.String()
}

// GraphQL mutations on a comment; the REST API has neither.
const (
	// minimizeMutation hides a comment; $classifier is the reason.
	minimizeMutation = `mutation($id: ID!, $classifier: ReportedContentClassifiers!) { minimizeComment(input: {subjectId: $id, classifier: $classifier}) { minimizedComment { isMinimized } } }`
	// unminimizeMutation shows a hidden comment again.
	unminimizeMutation = `mutation($id: ID!) { unminimizeComment(input: {subjectId: $id}) { unminimizedComment { isMinimized } } }`
)

// graphqlMutation runs a GraphQL mutation, such as minimizeMutation, with
// its variables; name says which in errors. An answer with errors is an error.
func (a *App) graphqlMutation(ctx context.Context, gh *github.Client, name, mutation string, vars map[string]string) error {
	body, err := json.Marshal(map[string]any{"query": mutation, "variables": vars})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.opt.GraphQLURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := gh.Client().Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: graphql status %d: %s", name, resp.StatusCode, bytes.TrimSpace(raw))
	}
	var out struct {
		Errors []struct{ Message string } `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("%s: decode answer: %w", name, err)
	}
	if len(out.Errors) > 0 {
		msgs := make([]error, 0, len(out.Errors))
		for _, e := range out.Errors {
			msgs = append(msgs, errors.New(e.Message))
		}
		return fmt.Errorf("%s: %w", name, errors.Join(msgs...))
	}
	return nil
}
