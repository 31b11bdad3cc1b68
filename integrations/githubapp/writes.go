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

	"github.com/slopguard/slopguard/moderation"
)

// CheckRunName is the name of the App's check run on pull requests.
const CheckRunName = "slopguard"

// Identifiers of the check run's requested actions (buttons).
const (
	ActionNotSlop = "not_slop"
	ActionRecheck = "recheck"
)

// minimizeClassifier is the reason given when hiding a comment: it says the
// comment is off topic, not that its author is a spammer.
const minimizeClassifier = "OFF_TOPIC"

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
	marker := stickyMarker(t.item.ID)
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
	current, _, err := a.reads.ClaimMessage(ctx, stickyKey(t)) // no MessageID: a look-up
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
