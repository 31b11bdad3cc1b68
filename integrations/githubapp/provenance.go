package githubapp

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/moderation"
)

// maxCommitPages bounds the commits read per pull request: 100 a page, and
// GitHub's list endpoint stops at 250 commits anyway.
const maxCommitPages = 3

// prCommits returns the pull request's commits, for the trailers in their
// messages (Co-authored-by: Claude …), and whether all of them were read.
// It is best effort: a failure is logged and the commits read so far are
// returned, so the item is still checked on its text.
func (a *App) prCommits(ctx context.Context, log *slog.Logger, gh *github.Client, t target) ([]moderation.Commit, bool) {
	var out []moderation.Commit
	opts := &github.ListOptions{PerPage: 100}
	for page := 0; page < maxCommitPages; page++ {
		cs, resp, err := gh.PullRequests.ListCommits(ctx, t.owner, t.repo, t.number, opts)
		if err != nil {
			log.Warn("list pull request commits; disclosure reads the text only", "err", err)
			return out, false
		}
		for _, c := range cs {
			out = append(out, moderation.Commit{SHA: c.GetSHA(), Message: c.GetCommit().GetMessage()})
		}
		if resp == nil || resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return out, true
}

// outcome decides v under the policy with the shared decision
// (moderation.Policy.Outcome: the rule that flags and whether enforce mode
// acts). When the commits could not be read, whether they disclose an
// agent is unknown, so require_disclosure, which tells the author they
// disclosed nothing, does not fire on a guess; the other rules still apply.
func (a *App) outcome(pol moderation.Policy, v moderation.Verdict, commitsRead bool) moderation.Outcome {
	o := pol.Outcome(v, a.opt.ModelThreshold)
	if o.Rule == moderation.RuleUndisclosed && !commitsRead {
		pol.RequireDisclosure = false
		o = pol.Outcome(v, a.opt.ModelThreshold)
	}
	return o
}

// assistedLabel is the neutral label for items that disclose an agent.
var assistedLabel = moderation.LabelPolicy{
	Name: moderation.AssistedLabel, Color: moderation.AssistedLabelColor, Description: moderation.AssistedLabelDescription,
}

// labelPolicyFor is the label an action adds: the policy's flag label, or
// the neutral ai-assisted label.
func labelPolicyFor(p Plan, name string) moderation.LabelPolicy {
	if strings.EqualFold(name, moderation.AssistedLabel) && !strings.EqualFold(name, p.policy.Label.Name) {
		return assistedLabel
	}
	return p.policy.Label
}

// writeRule writes which policy rule decided, and the disclosure, as Markdown.
func writeRule(b *strings.Builder, p Plan) {
	if p.Rule != moderation.RuleNone {
		fmt.Fprintf(b, "- Rule: `%s`: %s\n", p.Rule, p.Why)
	}
	if d := p.Verdict.Disclosure; d != nil && p.Rule != moderation.RuleDisclosed {
		fmt.Fprintf(b, "- Disclosure: the item %s\n", d.Sentence())
	}
}
