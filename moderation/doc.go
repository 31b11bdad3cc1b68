// Package moderation holds the platform-neutral domain of slopguard: the
// Item a platform asks about, the Verdict the detector gives, the moderation
// Mode a scope runs in, and the Pipeline that turns one into the other.
//
// Integrations translate their platform's types into Items at the edge and
// act on Verdicts; nothing here imports a platform SDK.
//
// Provenance is decided here too, so every surface agrees: Judge reads the
// agents' marks (package disclosure) into the verdict, and Policy.Decide
// applies a repository's rules (honeypot, disclosed, require_disclosure,
// then the score) and says which one fired.
//
// The decision every surface makes about an item is in decide.go, so the
// GitHub App, the CI check and the Discord bot agree:
//
//	Policy.Screen      is it checked? mode off, the kind's surface, exemptions
//	Policy.Outcome     a checked item's Decision, and whether enforce mode acts
//	ScoreOutcome       the same by score alone, for a Discord server's Thresholds
//	FlaggedScore       the one score rule (Verdict.Flagged applies it)
//	Mode.Checks/Tells  off checks nothing; observe checks but tells no one
//	ShownReasons       which reasons people see as patterns found
//
// The Pipeline scores an item with its Kind when the scorer has thresholds
// per kind (KindScorer), and the Verdict carries that kind's threshold
// (Verdict.KindThreshold), which Decide and Outcome use in place of the
// model's default; a policy's or server's own threshold still wins.
//
// item.go holds the item vocabulary: Kinds, ItemID and ParseItemID for the
// numbered IDs ("pr/12", "comment/345", "review/9"), and IsBotLogin.
//
// guild.go holds the rules a Discord server's moderation settings must meet
// (GuildRules.Check), for the operator's defaults in config and a server's
// own settings in integrations/discord alike.
package moderation
