package githubapp

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
)

// This file renders what people read on GitHub: the check run's title and
// summary, and every version of the App's comment about an item, which all
// start with stickyHeader. Nothing here calls GitHub or the store; the
// writes are in writes.go.

// markerPrefix starts the hidden marker in every comment the App writes.
const markerPrefix = "<!-- slopguard:"

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

// skippedCheckRun renders the check run of a skipped plan.
func skippedCheckRun(p Plan, conclusion string) checkRun {
	return checkRun{conclusion: conclusion, title: "Not checked: " + p.Skipped,
		summary: "slopguard did not score this pull request (" + p.Skipped + "), so the check passes.\n",
		actions: []*github.CheckRunAction{{Label: "Re-check", Description: "Score the text again", Identifier: ActionRecheck}}}
}

// notSlopCheckRun is the check run of a pull request a maintainer (by)
// marked not slop.
func notSlopCheckRun(by string) checkRun {
	return checkRun{conclusion: "success", title: "Marked not slop by a maintainer",
		summary: fmt.Sprintf("@%s reviewed this pull request and cleared slopguard's flag.", by)}
}

// policyErrorCheckRun is the failing check run of a pull request whose
// repository's policy file is invalid.
func policyErrorCheckRun(p Plan) checkRun {
	return checkRun{
		conclusion: "failure",
		title:      "Invalid slopguard policy file",
		summary: fmt.Sprintf("slopguard did not check this pull request because the policy file `%s` is invalid:\n\n```\n%s\n```\n\n"+
			"Fix the file on the default branch; the next event will use it.", p.PolicySource, p.PolicyError),
	}
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
	case actionLabel:
		return "add the label"
	case actionUnlabel:
		return "remove the label"
	case actionComment:
		return "post or update its comment"
	case actionMinimize:
		return "hide the comment"
	case actionClose:
		return "close the item"
	}
	return "update the " + strings.ReplaceAll(kind, "_", " ")
}

// stickyMarker is the hidden first line of the App's comment about an
// item; findSticky finds the comment by it.
func stickyMarker(itemID string) string {
	return fmt.Sprintf("%ssticky item=%s -->", markerPrefix, itemID)
}

// stickyHeader starts every version of the App's comment about an item:
// the marker, then the heading.
func stickyHeader(itemID string) string {
	return stickyMarker(itemID) + "\n**slopguard** · automated check\n\n"
}

// stickyBody renders the App's comment about an item; status is an extra
// line answering a command.
func stickyBody(t target, p Plan, status string) string {
	var b strings.Builder
	b.WriteString(stickyHeader(t.item.ID))
	what := map[moderation.Kind]string{
		moderation.KindPullRequest: "pull request", moderation.KindIssue: "issue",
		moderation.KindComment: "comment", moderation.KindReviewComment: "review comment",
		moderation.KindReview: "review",
	}[t.item.Kind]
	subject := "this " + what
	if t.isComment() && t.item.URL != "" {
		subject = fmt.Sprintf("[this %s](%s) by @%s", what, t.item.URL, t.item.Author)
	}
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

// clearedBody is the App's comment once a maintainer (by) cleared the flag.
func clearedBody(itemID, by string) string {
	return stickyHeader(itemID) + fmt.Sprintf("A maintainer (@%s) reviewed this and cleared the flag. Sorry for the noise, and thanks for your patience!\n", by)
}

// closedBody is the App's comment when the enforce sweep closes an item
// still flagged closeAfterHours after it was flagged.
func closedBody(itemID string, closeAfterHours int) string {
	return stickyHeader(itemID) + fmt.Sprintf("This repository closes items that still show strong machine-writing patterns %d hours after they were flagged, "+
		"and no maintainer has cleared this one, so it is now closed. A maintainer can reopen it at any time; "+
		"`/slopguard appeal` asks them to look.\n", closeAfterHours)
}

// appealPing is the comment asking the maintainers team to review an item
// sender appealed.
func appealPing(itemID, team, sender string) string {
	return fmt.Sprintf("%sappeal item=%s -->\n@%s: @%s asks for a human review of %s flagged by slopguard. "+
		"Answer with `/slopguard not-slop` or `/slopguard confirm`.", markerPrefix, itemID, team, sender, itemID)
}
