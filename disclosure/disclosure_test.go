package disclosure

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The samples below are written for these tests. Each follows the wording an
// agent or bot really uses, as shown where the comment says; ids and hashes
// are made up.
func TestScanPositives(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		text     string
		agent    string
		evidence Evidence
		quote    string // a substring the mark's quote must contain
	}{
		// Claude Code's footer and trailer: anthropics/claude-code issues
		// #14241 and #29999; the claude.ai/code form is the one in the
		// AIDev pull request data.
		{"claude footer old link", "Adds retry to the uploader.\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n",
			ClaudeCode, Footer, "Generated with [Claude Code](https://claude.ai/code)"},
		{"claude footer new link", "Fix typo.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)",
			ClaudeCode, Footer, "claude.com/claude-code"},
		{"claude footer plain", "Bump the Java profile.\n\n🤖 Generated with Claude Code", ClaudeCode, Footer, "Generated with Claude Code"},
		// The footer as copied from a terminal, which shows the link's address
		// (an AIDev Claude Code pull request).
		{"claude footer bare link", "  ---\n  🤖 Generated with https://claude.ai/code\n", ClaudeCode, Footer, "Generated with https://claude.ai/code"},
		{"claude trailer", "fix: guard nil config\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", ClaudeCode, Trailer, "Co-Authored-By: Claude <noreply@anthropic.com>"},
		// apache/pinot#18688 quotes model-named variants of the trailer.
		{"claude trailer model name", "x\n\nCo-authored-by: Claude Opus 4.6 <noreply@anthropic.com>", ClaudeCode, Trailer, "Claude Opus 4.6"},
		// Rendered pages drop the brackets or make a mailto: link (AIDev data).
		{"claude trailer rendered", "Co-Authored-By: Claude mailto:noreply@anthropic.com", ClaudeCode, Trailer, "mailto:noreply@anthropic.com"},
		// Codex task links as in the AIDev data's signature field.
		{"codex task link", "## Summary\n- add retries\n\n------\nhttps://chatgpt.com/codex/tasks/task_e_6844bd7d94388323962ddcbe96f949aa",
			Codex, Link, "chatgpt.com/codex/tasks/task_e_"},
		{"codex trailer", "feat: add audio contracts\n\nCo-authored-by: Codex <noreply@openai.com>", Codex, Trailer, "noreply@openai.com"},
		// Copilot coding agent's trailer, as in commits on public repositories.
		{"copilot trailer", "Update loadtest/stress-test.js\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>", Copilot, Trailer, "+Copilot@users.noreply.github.com"},
		// Devin's session links in the AIDev data, in several layouts.
		{"devin link bold", "**Link to Devin run:** https://app.devin.ai/sessions/e1ebd3c817324e83bc5d9b57cc2881aa\n**Requested by:** @someone",
			Devin, Link, "app.devin.ai/sessions/"},
		{"devin link markdown", "- **Session Link**: [Devin Run](https://app.devin.ai/sessions/483f1bbd732c473ab2b09895962b50aa)", Devin, Link, "app.devin.ai/sessions/483f"},
		{"devin trailer", "Fix JSON.\n\nCo-Authored-By: Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>", Devin, Trailer, "devin-ai-integration[bot]@users"},
		// Cursor's background agent footer ("Open in Cursor") and trailer.
		{"cursor link", `<a href="https://cursor.com/background-agent?bcId=bc-0cf04834-c057-41c6-abc9-853f23aceb00&cursor_ref=pr_footer">Open in Cursor</a>`,
			Cursor, Link, "bcId=bc-0cf04834"},
		{"cursor web link", "[Open in Web](https://cursor.com/agents/bc-103abc90-04ed-41ab-9255-d1182cfcd700)", Cursor, Link, "cursor.com/agents/bc-"},
		// The agent's web address as Cursor's background-agent API returns it ("url").
		{"cursor agent url", "Agent: https://cursor.com/agents?id=bc-d68dcb7c-9938-45e3-afb4-3551a92a052e", Cursor, Link, "cursor.com/agents?id=bc-"},
		{"cursor trailer", "docs: split DOI\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>", Cursor, Trailer, "cursoragent@cursor.com"},
		// Jules's footer and commit co-author (google-labs-code/jules-sdk#94).
		{"jules link", "---\n*PR created automatically by Jules for task [13400934124857324500](https://jules.google.com/task/13400934124857324500) started by @someone*",
			Jules, Link, "jules.google.com/task/"},
		{"jules trailer", "perf: batch queries\n\nCo-authored-by: google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>", Jules, Trailer, "google-labs-jules[bot]@"},
		{"amazon q trailer", "fix: syntax\n\nCo-authored-by: Amazon Q Developer <208079219+amazon-q-developer[bot]@users.noreply.github.com>", AmazonQ, Trailer, "amazon-q-developer[bot]@"},
		{"aider trailer", "refactor parser\n\nCo-authored-by: aider (gpt-4o) <aider@aider.chat>", Aider, Trailer, "aider@aider.chat"},
		{"model trailer", "tune\n\nCo-authored-by: GPT-5 <bot@example.org>", LanguageModel, Trailer, "GPT-5"},
		{"qwen trailer", "tune\n\nCo-authored-by: Qwen2.5-Coder <bot@example.org>", LanguageModel, Trailer, "Qwen2.5-Coder"},
		{"deepseek trailer", "tune\n\nCo-authored-by: DeepSeek-V3 <bot@example.org>", LanguageModel, Trailer, "DeepSeek-V3"},
		// CodeRabbit's release-notes block (its HTML comment markers).
		{"coderabbit block", "Fixes the flaky test.\n\n<!-- This is an auto-generated comment: release notes by coderabbit.ai -->\n## Summary by CodeRabbit\n\n* **Bug Fixes**\n  * Stabilised the test.\n<!-- end of auto-generated comment: release notes by coderabbit.ai -->",
			CodeRabbit, Summary, "release notes by coderabbit.ai"},
		{"coderabbit heading only", "## Summary by CodeRabbit\n\n- **New Features**\n  - Added filters.", CodeRabbit, Summary, "Summary by CodeRabbit"},
		// Ellipsis: ELLIPSIS_HIDDEN markers and the "created by" footer.
		{"ellipsis block", "Adds AGENTS.md.\n<!-- ELLIPSIS_HIDDEN -->\n\n----\n\n> [!IMPORTANT]\n> Adds `AGENTS.md`.\n\n<sup>This description was created by </sup>[<img alt=\"Ellipsis\" src=\"https://img.shields.io/badge/Ellipsis-blue\">](https://www.ellipsis.dev)\n<!-- ELLIPSIS_HIDDEN -->",
			Ellipsis, Summary, "ELLIPSIS_HIDDEN"},
		{"ellipsis footer", "> Summary line\n\n<sup>This description was created by [Ellipsis](https://www.ellipsis.dev)</sup>", Ellipsis, Summary, "This description was created by [Ellipsis"},
		{"sourcery", "Fixes #90\n\n## Summary by Sourcery\n\nEnsure scripts handle empty arrays.\n\nBug Fixes:\n- Prevent unbound variable errors.", Sourcery, Summary, "Summary by Sourcery"},
		{"greptile", "<h3>Greptile Summary</h3>\n\n- Adds support for ignore markers", Greptile, Summary, "Greptile Summary"},
		// Gemini Code Assist's summary opening, as on vllm and sglang PRs.
		{"gemini", "## Summary of Changes\n\nHello @someone, I'm Gemini Code Assist[^1]! I'm currently reviewing this pull request.", Gemini, Summary, "I'm Gemini Code Assist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			marks := Scan(tt.text, "text")
			if len(marks) != 1 {
				t.Fatalf("got %d marks %+v, want 1", len(marks), marks)
			}
			m := marks[0]
			if m.Agent != tt.agent || m.Evidence != tt.evidence {
				t.Errorf("got %s/%s, want %s/%s", m.Agent, m.Evidence, tt.agent, tt.evidence)
			}
			if !strings.Contains(m.Quote, tt.quote) {
				t.Errorf("got quote %q, want it to contain %q", m.Quote, tt.quote)
			}
			if m.Start < 0 || m.End > len(tt.text) || m.Start >= m.End {
				t.Fatalf("got span [%d,%d) in a text of %d bytes", m.Start, m.End, len(tt.text))
			}
			if m.Evidence != Summary && !strings.Contains(tt.text[m.Start:m.End], strings.TrimSuffix(tt.quote, "…")) {
				t.Errorf("span %q does not hold the quote %q", tt.text[m.Start:m.End], tt.quote)
			}
		})
	}
}

// Near misses: texts people write that must not count as disclosures.
func TestScanNearMisses(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"These fixtures were generated with care from the 2023 survey.",
		"Generated with make generate; see README.",
		"Works well alongside GitHub Copilot and Claude Code in VS Code.",
		"## README\n\nThis plugin adds Copilot completions to the editor. Install Copilot first.",
		"Co-Authored-By: Claude Martin <claude.martin@example.com>",
		"Co-authored-by: Qwendolyn Park <qpark@example.com>", // a person's name that starts like a model's
		"Co-authored-by: Jane Doe <jane@openai.community.example>",
		"Signed-off-by: Dev <dev@anthropic.com.example.net>",
		"Co-authored-by: Dev <noreply@anthropic.com.example.net>",
		"mail me at noreply@anthropic.com if the docs are wrong", // no trailer
		"string expectedDescription = \"This description was created by a .NET test\";",
		"See https://app.devin.ai/ for pricing, and https://chatgpt.com/codex for the product page.",
		"## Summary by the team\n\nWe agreed on the plan.",
		"I asked Gemini Code Assist about this and it was wrong.",
		"Our bot cursor[bot] is not involved; the cursor moves on click.",
		"The Greptile summary was useless, so I rewrote the description myself.",
		// Quoting an agent's wording in Markdown code is discussing it, not signing with it.
		"Claude Code ends its PRs with `🤖 Generated with [Claude Code](https://claude.ai/code)`; strip it.",
		"Our hook removes these lines:\n\n```\n🤖 Generated with [Claude Code](https://claude.ai/code)\nCo-Authored-By: Claude <noreply@anthropic.com>\n```\n",
		"Unclosed fence:\n~~~\nhttps://app.devin.ai/sessions/e1ebd3c817324e83bc5d9b57cc2881aa\n",
		// A pull request template's hidden comment stays in every description
		// written from it; people do not see it, and no agent signs in one.
		"Fixes the cache.\n\n<!-- AI policy: if an agent wrote this, keep its footer, e.g.\n🤖 Generated with [Claude Code](https://claude.ai/code)\nCo-Authored-By: Claude <noreply@anthropic.com> -->",
		"Fixes the cache.\n<!-- Devin users: link the session, like https://app.devin.ai/sessions/e1ebd3c817324e83bc5d9b57cc2881aa",
	} {
		if got := Scan(text, "text"); len(got) != 0 {
			t.Errorf("Scan(%q) = %+v, want no marks", text, got)
		}
	}
}

func TestScanAuthor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		login    string
		agent    string
		reviewer bool
	}{
		// Logins as GitHub's API reports them (see the package doc of each
		// agent's app page github.com/apps/<slug>).
		{"Copilot", Copilot, false},
		{"copilot-swe-agent[bot]", Copilot, false},
		{"copilot-pull-request-reviewer[bot]", Copilot, true},
		{"devin-ai-integration[bot]", Devin, false},
		{"google-labs-jules[bot]", Jules, false},
		{"amazon-q-developer[bot]", AmazonQ, false},
		{"claude[bot]", ClaudeCode, false},
		{"chatgpt-codex-connector[bot]", Codex, true},
		{"cursor[bot]", Cursor, true},
		{"cursoragent", Cursor, false},
		{"gemini-code-assist[bot]", Gemini, true},
		{"coderabbitai[bot]", CodeRabbit, true},
		{"ellipsis-dev[bot]", Ellipsis, true},
		{"sourcery-ai[bot]", Sourcery, true},
		{"greptile-apps[bot]", Greptile, true},
		{"CodeRabbitAI[bot]", CodeRabbit, true},
		// Near misses.
		{"copilot-fan", "", false},
		{"coderabbitai", "", false},
		{"dependabot[bot]", "", false},
		{"devin", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		ms := ScanAuthor(tt.login)
		if tt.agent == "" {
			if len(ms) != 0 {
				t.Errorf("ScanAuthor(%q) = %+v, want none", tt.login, ms)
			}
			continue
		}
		if len(ms) != 1 || ms[0].Agent != tt.agent || ms[0].Evidence != Account || ms[0].Reviewer != tt.reviewer {
			t.Errorf("ScanAuthor(%q) = %+v, want %s account (reviewer %v)", tt.login, ms, tt.agent, tt.reviewer)
		}
		if got := IsAgentAccount(tt.login); got != !tt.reviewer {
			t.Errorf("IsAgentAccount(%q) = %v, want %v", tt.login, got, !tt.reviewer)
		}
	}
}

// Every row of the table has a positive sample above; this keeps a new row
// from slipping in untested.
func TestEveryAgentHasASample(t *testing.T) {
	t.Parallel()
	want := map[string]bool{ClaudeCode: true, Codex: true, Copilot: true, Devin: true, Cursor: true, Jules: true,
		Gemini: true, AmazonQ: true, CodeRabbit: true, Ellipsis: true, Sourcery: true, Greptile: true, Aider: true, LanguageModel: true}
	for _, a := range Agents() {
		if !want[a] {
			t.Errorf("agent %q is in the table but has no sample in the tests", a)
		}
		delete(want, a)
	}
	for a := range want {
		t.Errorf("agent %q has samples but no table row", a)
	}
}

// A person's PR with a CodeRabbit block pasted in: both parts are named, and
// Rest returns the person's words only.
func TestMixedText(t *testing.T) {
	t.Parallel()
	person := "I moved the cache flush before the write because the old order lost updates on crash.\nTested by killing the process mid-write."
	bot := "<!-- This is an auto-generated comment: release notes by coderabbit.ai -->\n## Summary by CodeRabbit\n\n* **Bug Fixes**\n  * Improved reliability of cache persistence.\n<!-- end of auto-generated comment: release notes by coderabbit.ai -->"
	text := person + "\n\n" + bot + "\n\nThanks for reviewing!"
	marks := Scan(text, "text")
	if len(marks) != 1 || marks[0].Evidence != Summary || marks[0].Own() {
		t.Fatalf("got marks %+v, want one CodeRabbit summary", marks)
	}
	if got := text[marks[0].Start:marks[0].End]; got != bot {
		t.Errorf("got block %q, want %q", got, bot)
	}
	rest, words := Rest(text, marks)
	if !words || !strings.Contains(rest, "cache flush") || !strings.Contains(rest, "Thanks for reviewing!") || strings.Contains(rest, "CodeRabbit") {
		t.Errorf("got rest %q (words %v), want the person's part only", rest, words)
	}

	// A description that is nothing but the bot's block has no person's part.
	only := Scan(bot, "text")
	if rest, words := Rest(bot, only); words {
		t.Errorf("got rest %q with words, want none", rest)
	}

	// An agent's own footer alongside a pasted review summary: both named.
	both := "Adds retries.\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n\n## Summary by Sourcery\n\nAdd retries."
	ms := Scan(both, "text")
	if len(ms) != 2 || ms[0].Agent != ClaudeCode || !ms[0].Own() || ms[1].Agent != Sourcery || ms[1].Own() {
		t.Errorf("got %+v, want Claude Code footer then Sourcery summary", ms)
	}
}

func TestCommitMessageWithSeveralTrailers(t *testing.T) {
	t.Parallel()
	msg := "Fix formatting check\n\nCo-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>\n\n---------\n\nCo-authored-by: google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>\nCo-authored-by: Jane Doe <jane@example.com>\n"
	ms := Scan(msg, "commit abc1234")
	if len(ms) != 2 || ms[0].Agent != ClaudeCode || ms[1].Agent != Jules || ms[0].Where != "commit abc1234" {
		t.Fatalf("got %+v, want Claude Code then Jules trailers", ms)
	}
}

func TestShortenKeepsRunes(t *testing.T) {
	t.Parallel()
	s := shorten(strings.Repeat("é", 60))
	if !strings.HasSuffix(s, "…") || len(s) > maxQuote+len("…") {
		t.Errorf("got %q", s)
	}
	for _, r := range strings.TrimSuffix(s, "…") {
		if r != 'é' {
			t.Fatalf("cut inside a rune: %q", s)
		}
	}
}

// Descriptions written in GitHub's web form arrive with CRLF line ends: the
// marks that end a line, and Markdown code before them, must read the same.
func TestScanCRLF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		text  string
		agent string
		quote string
	}{
		{"sourcery heading", "Fixes #90\r\n\r\n## Summary by Sourcery\r\n\r\nEnsure scripts handle empty arrays.", Sourcery, "Summary by Sourcery"},
		{"coderabbit heading", "Fixes the test.\r\n\r\n## Summary by CodeRabbit\r\n\r\n* **Bug Fixes**", CodeRabbit, "Summary by CodeRabbit"},
		{"greptile heading", "Fixes it.\r\n\r\n### Greptile Summary\r\n\r\n- Adds markers", Greptile, "Greptile Summary"},
		{"rendered trailer", "fix\r\n\r\nCo-Authored-By: Claude mailto:noreply@anthropic.com\r\n", ClaudeCode, "mailto:noreply@anthropic.com"},
		{"footer after a code block", "Run it with:\r\n\r\n```sh\r\nmake test\r\n```\r\n\r\n🤖 Generated with [Claude Code](https://claude.ai/code)\r\n", ClaudeCode, "Generated with [Claude Code]"},
		{"link after a tilde block", "~~~\r\nx\r\n~~~\r\nhttps://app.devin.ai/sessions/e1ebd3c817324e83bc5d9b57cc2881aa", Devin, "app.devin.ai/sessions/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ms := Scan(tt.text, "text")
			if len(ms) != 1 || ms[0].Agent != tt.agent || !strings.Contains(ms[0].Quote, tt.quote) {
				t.Fatalf("got %+v, want one %s mark quoting %q", ms, tt.agent, tt.quote)
			}
		})
	}
	// Code is still code with CRLF line ends.
	code := "Our hook strips:\r\n\r\n```\r\n🤖 Generated with [Claude Code](https://claude.ai/code)\r\n```\r\n"
	if ms := Scan(code, "text"); len(ms) != 0 {
		t.Errorf("got %+v in a CRLF code block, want none", ms)
	}
}

// A mark on a blockquoted line is someone quoting it ("Quote reply" on an
// agent's pull request), not an agent signing: it is reported as quoted,
// not as the text's own.
func TestScanQuoted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		text   string
		quoted bool
	}{
		{"quoted footer", "> Retries the upload.\n>\n> 🤖 Generated with [Claude Code](https://claude.ai/code)\n\nPlease drop the footer.", true},
		{"quoted trailer", "Why does this commit say\n\n> Co-Authored-By: Claude <noreply@anthropic.com>\n\nwhen you wrote it?", true},
		{"nested quote, indented", "  > > https://app.devin.ai/sessions/e1ebd3c817324e83bc5d9b57cc2881aa\n\nok", true},
		{"own footer", "Retries the upload.\n\n🤖 Generated with [Claude Code](https://claude.ai/code)", false},
		{"own footer under a quote", "> a note\n\n🤖 Generated with [Claude Code](https://claude.ai/code)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ms := Scan(tt.text, "text")
			if len(ms) != 1 {
				t.Fatalf("got %+v, want one mark", ms)
			}
			if ms[0].Quoted != tt.quoted || ms[0].Own() == tt.quoted {
				t.Errorf("got quoted %v own %v, want quoted %v", ms[0].Quoted, ms[0].Own(), tt.quoted)
			}
		})
	}
}

func TestPrefilterOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want prefilter
	}{
		{`https://app\.devin\.ai/sessions/[0-9a-f]{32}`, prefilter{{s: "https://app.devin.ai/sessions/"}}},
		// The longest operand of a concatenation; a repetition of at least once.
		{`ab(?:cdef)+x*`, prefilter{{s: "cdef"}}},
		// Optional parts are not required.
		{`(?:abcdef)?xyz`, prefilter{{s: "xyz"}}},
		{`(?:abcdef)*`, nil},
		// Case-insensitive: lower-cased, cut where a rune folds outside
		// ASCII ('s' with U+017F, 'k' with U+212A).
		{`(?i)Co-Authored-By:`, prefilter{{s: "co-authored-by:", fold: true}}},
		{`(?i)greptile summary`, prefilter{{s: "greptile ", fold: true}}},
		{`(?i)ask`, nil},
		// An alternation needs a needle in every branch.
		{`abcd|(?i)efgh`, prefilter{{s: "abcd"}, {s: "efgh", fold: true}}},
		{`abcd|e`, nil},
		{"`[^`\n]+`", nil},
	}
	for _, tt := range tests {
		got := prefilterOf(regexp.MustCompile(tt.expr))
		if !slices.Equal(got, tt.want) {
			t.Errorf("prefilterOf(%q) = %+v, want %+v", tt.expr, got, tt.want)
		}
	}
}

func TestMayMatchIgnoresASCIICaseOnly(t *testing.T) {
	t.Parallel()
	fold := prefilter{{s: "co-authored-by:", fold: true}}
	exact := prefilter{{s: "Summary by"}}
	tests := []struct {
		p    prefilter
		text string
		want bool
	}{
		{fold, "x\nCo-Authored-By: A", true},
		{fold, "CO-AUTHORED-BY:", true},
		{fold, "co-authored-by", false},
		{fold, "", false},
		{prefilter{{s: "a[b]", fold: true}}, "A{B}", false}, // '[' and '{' differ by the case bit but are not letters
		{exact, "## Summary by X", true},
		{exact, "## summary by X", false},
		{nil, "", true},
	}
	for _, tt := range tests {
		if got := tt.p.mayMatch(&haystack{text: tt.text}); got != tt.want {
			t.Errorf("%+v.mayMatch(%q) = %v, want %v", tt.p, tt.text, got, tt.want)
		}
	}
}

// TestNeedleScanAgreesWithSearch checks the one-pass scan Scan uses
// against searching each needle on its own, on the samples in odd case,
// cut at every length and placed at a text's very end.
func TestNeedleScanAgreesWithSearch(t *testing.T) {
	t.Parallel()
	var texts []string
	for _, s := range prefilterSamples {
		texts = append(texts, s, strings.ToUpper(s), "x"+s[:len(s)/2], "ab "+s)
	}
	texts = append(texts, "", "c", "co", "CO-AUTHORED-BY", "Co-authored-by:")
	for _, text := range texts {
		h := &haystack{text: text}
		for _, n := range needleScan.needles {
			reg := n
			reg.id = slices.Index(needleScan.needles, n) + 1
			lower := strings.Map(func(r rune) rune {
				if 'A' <= r && r <= 'Z' {
					return r + 'a' - 'A'
				}
				return r
			}, text)
			want := !n.fold && strings.Contains(text, n.s) || n.fold && strings.Contains(lower, n.s)
			if got := h.holds(reg); got != want {
				t.Errorf("scan says %q holds %+v: %v, search says %v", text, n, got, want)
			}
			if got := (prefilter{n}).mayMatch(&haystack{text: text}); got != want {
				t.Errorf("unregistered %+v.mayMatch(%q) = %v, want %v", n, text, got, want)
			}
		}
	}
}

// everyExpression is every expression Scan runs, with its prefilter.
func everyExpression() (res []*regexp.Regexp, pfs []prefilter) {
	for i, p := range table {
		res, pfs = append(res, p.re), append(pfs, tableFilters[i])
	}
	res = append(res, fencedBackticks, fencedTildes, inlineCode)
	return res, append(pfs, codeFilters...)
}

// checkPrefilters fails when a prefilter turns away a text its expression
// matches: the one way a prefilter could change what Scan finds.
func checkPrefilters(t *testing.T, text string) {
	t.Helper()
	res, pfs := everyExpression()
	for i, re := range res {
		if re.MatchString(text) && !pfs[i].mayMatch(&haystack{text: text}) {
			t.Fatalf("%q matches %q but its prefilter %+v turns it away", re, text, pfs[i])
		}
	}
}

// prefilterSamples holds texts each expression matches, in odd case and
// with the non-ASCII runes that fold to ASCII letters.
var prefilterSamples = []string{
	"🤖 GENERATED WITH [Claude Code](https://claude.ai/code)",
	"generated with https://claude.com/claude-code",
	"x\n> CO-AUTHORED-BY: Claude <NOREPLY@ANTHROPIC.COM>",
	"Co-authored-by: Claude <noreply@anthropic.com>\r",
	"co-authored-by: x mailto:codex@openai.com",
	"Co-Authored-By: Copilot <12+copilot@users.noreply.github.com>",
	"Co-authored-by: d <devin-ai-integration[bot]@users.noreply.github.com>",
	"Co-authored-by: C <cursoragent@cursor.com>",
	"Co-authored-by: j <1+google-labs-jules[bot]@users.noreply.github.com>",
	"Co-authored-by: q <amazon-q-developer[bot]@users.noreply.github.com>",
	"Co-authored-by: aider (gpt-4) <aider@aider.chat>",
	"Co-authored-by: GPT-4o <x@y>",
	"Co-authored-by: Claude 3.5 Sonnet <x@y>",
	"co-authored-by: Qwen2.5 <x@y>",
	"https://chatgpt.com/codex/tasks/task_e_0123456789abcdef0123",
	"https://app.devin.ai/sessions/0123456789abcdef0123456789abcdef",
	"https://www.cursor.com/agents?id=bc-01234567-89ab",
	"https://jules.google.com/task/123",
	"## Summary of Changes\n\nHello @someone, I'm Gemini Code Assist",
	"<!-- This is an auto-generated comment: release notes by coderabbit.ai -->",
	"## Summary by CodeRabbit\r\n",
	"<!--ELLIPSIS_HIDDEN-->",
	"<sup>This description was created by </sup>[Ellipsis",
	"### Summary by Sourcery",
	"<H3> greptile SUMMARY </h3>",
	"# Greptile \u017fummary",
	"```go\ncode\n```",
	"~~~\ncode",
	"`x`",
}

func TestPrefilterPassesSamples(t *testing.T) {
	t.Parallel()
	res, _ := everyExpression()
	for _, re := range res[:len(table)] {
		if !slices.ContainsFunc(prefilterSamples, re.MatchString) && !strings.HasPrefix(re.String(), "(?i)^") {
			t.Errorf("no sample matches %q: add one", re)
		}
	}
	for _, s := range prefilterSamples {
		checkPrefilters(t, s)
	}
}

// TestPrefilterSharedData checks the prefilters on every text of the
// labelled pull request data beside the checkout, agents' marks included.
func TestPrefilterSharedData(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join(sharedData, "*.jsonl"))
	if len(names) == 0 {
		t.Skipf("labelled data not beside this checkout: the check needs %s", sharedData)
	}
	if testing.Short() {
		t.Skip("reads every pull request text")
	}
	for _, name := range names {
		if _, err := os.Stat(name); err != nil {
			t.Fatal(err)
		}
		for _, r := range readRecords(t, filepath.Base(name)) {
			checkPrefilters(t, r.Text)
		}
	}
}

func FuzzPrefilter(f *testing.F) {
	for _, s := range prefilterSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) { checkPrefilters(t, text) })
}
