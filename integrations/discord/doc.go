// Package discord is slopguard's Discord bot: gateway handlers that score
// server messages on a bounded worker pool, a mod-log post with buttons for
// moderators, the /slopguard slash commands and the "Check for slop"
// message context-menu command, and enforce mode's strikes, deletions,
// timeouts and appeals.
//
// The bot talks to Discord through two small interfaces, API (the REST calls
// it makes) and Channels (the gateway's channel cache); *discordgo.Session and
// *discordgo.State implement them. Discord types stop here: the bot turns a
// message into a moderation.Item, asks a moderation.Checker, records a
// store.Decision and acts according to the server's Settings.
//
// A scored message is decided by moderation.ScoreOutcome against the
// server's Settings.Thresholds (flagged, and whether enforce mode acts), as
// the other surfaces decide through moderation; planFor turns the outcome
// into a plan without touching the store, and countStrike is the one step
// that records a strike. The reasons shown as "Patterns found" are
// moderation.ShownReasons: those pointing towards machine writing, and the
// note on hidden characters.
//
// Among the files: messages.go (gateway events, the worker, process, plan
// and enforce), modlog.go (the mod-log post), dm.go (the DM answer, the
// /slopguard check answer and the note to an author acted on),
// interactions.go (buttons and appeals), slash.go and commands.go (slash
// commands), settings.go, links.go (jump links), rest.go (REST failures),
// text.go (excerpts, reason lists, durations) and limits.go (embed limits).
//
// Per-server Settings live in the store as JSON under the key
// "discord.settings" of scope guild ID, so they survive a restart.
package discord
