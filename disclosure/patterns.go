package disclosure

import (
	"regexp"
	"strings"
)

// pattern is one row of the table: a wording or account an agent uses.
type pattern struct {
	agent    string
	evidence Evidence
	// re matches the mark in a text, or the whole login for an Account.
	re *regexp.Regexp
	// end, for a Summary, matches the end of the block; nil means the block
	// runs to the end of the text (bots that append their block last).
	end *regexp.Regexp
	// reviewer marks review bots, which write about other people's work.
	reviewer bool
}

// trailer matches a Co-authored-by trailer line whose address matches addr.
// Web pages that render commit messages drop the angle brackets or turn the
// address into a mailto: link, so both forms match. Patterns that end at a
// line end allow a \r before it: text typed into GitHub's web forms comes
// with CRLF line ends, and (?m)$ matches only before \n.
func trailer(addr string) *regexp.Regexp {
	return regexp.MustCompile(`(?im)^[ \t>*-]*co-authored-by:[^\n]*?(?:<|\bmailto:|\s)` + addr + `(?:>|[ \t]*\r?$)`)
}

// login matches exactly one account login, case-insensitively.
func login(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)^` + regexp.QuoteMeta(name) + `$`)
}

// Agent and bot names as reports show them.
const (
	ClaudeCode    = "Claude Code"
	Codex         = "OpenAI Codex"
	Copilot       = "GitHub Copilot"
	Devin         = "Devin"
	Cursor        = "Cursor"
	Jules         = "Jules"
	Gemini        = "Gemini Code Assist"
	AmazonQ       = "Amazon Q Developer"
	CodeRabbit    = "CodeRabbit"
	Ellipsis      = "Ellipsis"
	Sourcery      = "Sourcery"
	Greptile      = "Greptile"
	Aider         = "Aider"
	LanguageModel = "a language model"
)

// table is every pattern slopguard knows. Each row's wording was taken from
// the agent's public documentation or from its marks on public pull
// requests and commits; disclosure_test.go cites the source of each sample.
var table = []pattern{
	// Claude Code signs pull request descriptions and commits it writes
	// with a footer and a trailer (the claude.ai/code link became
	// claude.com/claude-code in later versions; copied from a terminal, the
	// footer shows the link's address instead of its text).
	{agent: ClaudeCode, evidence: Footer, re: regexp.MustCompile(`(?i)generated with (?:\[?claude code\]?(?:\(https?://[^\s)]+\))?|https://claude\.(?:ai/code|com/claude-code)\b)`)},
	{agent: ClaudeCode, evidence: Trailer, re: trailer(`noreply@anthropic\.com`)},
	{agent: ClaudeCode, evidence: Account, re: login("claude[bot]")},

	// OpenAI Codex (cloud) links the task it ran in the pull request body.
	{agent: Codex, evidence: Link, re: regexp.MustCompile(`https://chatgpt\.com/codex/tasks/task_[a-z]_[0-9a-f]{16,}`)},
	{agent: Codex, evidence: Trailer, re: trailer(`(?:noreply|codex)@openai\.com`)},
	{agent: Codex, evidence: Account, re: login("chatgpt-codex-connector[bot]"), reviewer: true},

	// GitHub Copilot: the coding agent opens pull requests as "Copilot"
	// (app copilot-swe-agent) and co-authors commits; code review posts as
	// copilot-pull-request-reviewer[bot].
	{agent: Copilot, evidence: Account, re: login("copilot-swe-agent[bot]")},
	{agent: Copilot, evidence: Account, re: login("Copilot")},
	{agent: Copilot, evidence: Account, re: login("copilot-pull-request-reviewer[bot]"), reviewer: true},
	{agent: Copilot, evidence: Trailer, re: trailer(`\d+\+Copilot@users\.noreply\.github\.com`)},

	// Devin links its session and commits through its GitHub app.
	{agent: Devin, evidence: Link, re: regexp.MustCompile(`https://app\.devin\.ai/sessions/[0-9a-f]{32}`)},
	{agent: Devin, evidence: Trailer, re: trailer(`(?:\d+\+)?devin-ai-integration\[bot\]@users\.noreply\.github\.com`)},
	{agent: Devin, evidence: Account, re: login("devin-ai-integration[bot]")},

	// Cursor's background agent links itself under the pull requests it
	// opens (and its API gives its address as cursor.com/agents?id=bc-…)
	// and co-authors commits; cursor[bot] is its review bot.
	{agent: Cursor, evidence: Link, re: regexp.MustCompile(`https://(?:www\.)?cursor\.com/(?:background-agent\?bcId=|agents/|agents\?id=)bc-[0-9a-f-]{8,}`)},
	{agent: Cursor, evidence: Trailer, re: trailer(`cursoragent@cursor\.com`)},
	// Commits the agent authors as cursoragent@cursor.com belong to the
	// GitHub account "cursoragent" (the AIDev commit data's author field).
	{agent: Cursor, evidence: Account, re: login("cursoragent")},
	{agent: Cursor, evidence: Account, re: login("cursor[bot]"), reviewer: true},

	// Jules links its task ("PR created automatically by Jules for task …").
	{agent: Jules, evidence: Link, re: regexp.MustCompile(`https://jules\.google\.com/task/\d+`)},
	{agent: Jules, evidence: Trailer, re: trailer(`(?:\d+\+)?google-labs-jules\[bot\]@users\.noreply\.github\.com`)},
	{agent: Jules, evidence: Account, re: login("google-labs-jules[bot]")},

	// Gemini Code Assist reviews and summarises pull requests.
	{agent: Gemini, evidence: Summary, re: regexp.MustCompile(`(?:#{1,6}[ \t]*Summary of Changes\s+)?Hello @[\w-]+, I'm Gemini Code Assist`), reviewer: true},
	{agent: Gemini, evidence: Account, re: login("gemini-code-assist[bot]"), reviewer: true},

	// Amazon Q Developer's agent pushes commits and opens pull requests.
	{agent: AmazonQ, evidence: Trailer, re: trailer(`(?:\d+\+)?amazon-q-developer\[bot\]@users\.noreply\.github\.com`)},
	{agent: AmazonQ, evidence: Account, re: login("amazon-q-developer[bot]")},

	// CodeRabbit writes its summary into the pull request description
	// between two HTML comments.
	{agent: CodeRabbit, evidence: Summary, reviewer: true,
		re:  regexp.MustCompile(`<!--\s*This is an auto-generated comment: release notes by coderabbit\.ai\s*-->`),
		end: regexp.MustCompile(`<!--\s*end of auto-generated comment: release notes by coderabbit\.ai\s*-->`)},
	{agent: CodeRabbit, evidence: Summary, reviewer: true,
		re:  regexp.MustCompile(`(?m)^#{1,6}[ \t]*Summary by CodeRabbit[ \t]*\r?$`),
		end: regexp.MustCompile(`<!--\s*end of auto-generated comment: release notes by coderabbit\.ai\s*-->`)},
	{agent: CodeRabbit, evidence: Account, re: login("coderabbitai[bot]"), reviewer: true},

	// Ellipsis puts its summary between two ELLIPSIS_HIDDEN comments and
	// ends it with "This description was created by Ellipsis".
	{agent: Ellipsis, evidence: Summary, reviewer: true,
		re:  regexp.MustCompile(`<!--\s*ELLIPSIS_HIDDEN\s*-->`),
		end: regexp.MustCompile(`<!--\s*ELLIPSIS_HIDDEN\s*-->`)},
	{agent: Ellipsis, evidence: Summary, reviewer: true,
		re: regexp.MustCompile(`(?:<sup>)?This description was created by\s*(?:</sup>\s*)?\[?(?:<img alt="Ellipsis"|Ellipsis\b)`)},
	{agent: Ellipsis, evidence: Account, re: login("ellipsis-dev[bot]"), reviewer: true},

	// Sourcery appends "## Summary by Sourcery" to the description.
	{agent: Sourcery, evidence: Summary, reviewer: true, re: regexp.MustCompile(`(?m)^#{1,6}[ \t]*Summary by Sourcery[ \t]*\r?$`)},
	{agent: Sourcery, evidence: Account, re: login("sourcery-ai[bot]"), reviewer: true},

	// Greptile posts "Greptile Summary" as an HTML heading.
	{agent: Greptile, evidence: Summary, reviewer: true, re: regexp.MustCompile(`(?i)<h3>\s*Greptile Summary\s*</h3>|(?m)^#{1,6}[ \t]*Greptile Summary[ \t]*\r?$`)},
	{agent: Greptile, evidence: Account, re: login("greptile-apps[bot]"), reviewer: true},

	// Aider co-authors its commits with the model it used.
	{agent: Aider, evidence: Trailer, re: trailer(`aider@aider\.chat`)},

	// Any other Co-authored-by trailer whose name is a model's; a name only
	// starts like one ("Qwendolyn") when a letter follows.
	{agent: LanguageModel, evidence: Trailer, re: regexp.MustCompile(`(?im)^[ \t>*-]*co-authored-by:[ \t]*(?:GPT-\d[\w.-]*|ChatGPT\b|Claude (?:\d[\w.]* )?(?:Opus|Sonnet|Haiku)\b|Gemini \d[\w.]*|(?:DeepSeek|Qwen)(?:[\d.-][\w.-]*)?\b)[^\n<]*<[^>\n]+>`)},
}

// Agents lists the agent and bot names in the table, each once, in table order.
func Agents() []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range table {
		if !seen[p.agent] {
			seen[p.agent] = true
			out = append(out, p.agent)
		}
	}
	return out
}

// Describe is the mark's evidence kind in words, with "(quoted)" for a
// mark someone quoted, for reports that list marks.
func (m Mark) Describe() string {
	if m.Quoted {
		return m.Evidence.Describe() + " (quoted)"
	}
	return m.Evidence.Describe()
}

// Describe is the evidence kind in words, for reasons and reports.
func (e Evidence) Describe() string {
	switch e {
	case Footer:
		return "signature line"
	case Link:
		return "task or session link"
	case Trailer:
		return "Co-authored-by trailer"
	case Account:
		return "author account"
	case Summary:
		return "summary block"
	}
	return strings.ReplaceAll(string(e), "_", " ")
}
