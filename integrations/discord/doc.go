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
// Per-server Settings live in the store as JSON under the key
// "discord.settings" of scope guild ID, so they survive a restart.
package discord
