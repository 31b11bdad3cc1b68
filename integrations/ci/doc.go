// Package ci is slopguard's CI adapter: it turns what a pipeline gives it
// (a GitHub Actions event file, files and globs, standard input, JSONL
// records, the commit messages of a git range) into moderation Items, checks
// them, and reports the verdicts in the formats CI systems display: text for
// people, JSON, SARIF 2.1.0, GitHub workflow commands with a step summary,
// reviewdog's rdjson and Markdown.
//
// The flow is three stages, each usable on its own:
//
//	Collect…  inputs → []Input (an Item plus where its text came from)
//	Run       []Input → Report (verdicts read against the policy's mode,
//	          threshold, exemptions and the --fail-on score)
//	Write     Report → one of the Formats
//
// Run decides nothing of its own: whether an input is checked
// (moderation.Policy.Screen), whether it is flagged and by which rule
// (moderation.Policy.Outcome) and which reasons become findings
// (moderation.Shown) are the same calls the other surfaces make; only the
// --fail-on score is the CI check's. Items get their IDs from
// moderation.ItemID ("pr/12", "comment/345") and their bot flag from
// moderation.IsBotLogin, as in the GitHub App.
//
// LoadPolicy reads the repository policy (.github/slopguard.yml) with the
// command line's overrides of mode and threshold; WriteActionsFiles writes
// a GitHub Actions step's outputs and summary.
//
// Nothing here reads the process environment or exits: the caller passes
// getenv, readers and writers, and maps Report.ExitCode to the process
// (Report.ExitMessage says why in one line).
package ci
