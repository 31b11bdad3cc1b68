package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/bwmarrin/discordgo"
)

// Moderator buttons and /slopguard check act on a message in another
// channel than the one the interaction came from, so the permissions
// Discord sends with the interaction (the presser's in the mod-log, or in
// the channel where the command ran) do not answer whether the presser may
// act there. These helpers compute them from the gateway's cache.

// Errors of permissionsIn that the caller tells the user about.
var (
	errOtherServer   = errors.New("the channel is in another server")
	errPrivateThread = errors.New("the channel is a private thread")
)

// permissionsIn returns what member of server guildID may do in channelID:
// discordgo's computation from the server's roles and the channel's
// overwrites, with a thread taking its parent channel's, and then Discord's
// implicit denials that discordgo leaves out: nothing at all without View
// Channel, and only View Channel and Read Message History while timed out
// (the owner and administrators excepted). It fails when the bot has no
// channel cache or does not know the channel, when the channel is in
// another server (errOtherServer: the member's roles mean nothing there),
// and for a private thread without Manage Threads (errPrivateThread: its
// members are not in the cache, and reading the parent does not let anyone
// read it).
func (b *Bot) permissionsIn(guildID string, member *discordgo.Member, channelID string) (int64, error) {
	if b.channels == nil {
		return 0, errors.New("no channel cache")
	}
	if member == nil || member.User == nil {
		return 0, errors.New("no member in the interaction")
	}
	ch, err := b.channels.Channel(channelID)
	if err != nil || ch == nil {
		return 0, fmt.Errorf("channel %s is not in the cache: %w", channelID, errors.Join(err, errors.New("not found")))
	}
	// A thread takes its parent's permissions, and its server too: the
	// threads GUILD_CREATE lists come without guild_id.
	base := ch
	if ch.IsThread() && ch.ParentID != "" {
		if base, err = b.channels.Channel(ch.ParentID); err != nil || base == nil {
			return 0, fmt.Errorf("parent channel %s is not in the cache: %w", ch.ParentID, errors.Join(err, errors.New("not found")))
		}
	}
	if base.GuildID != guildID {
		return 0, fmt.Errorf("channel %s: %w", channelID, errOtherServer)
	}
	g, err := b.channels.Guild(guildID)
	if err != nil {
		return 0, fmt.Errorf("server %s is not in the cache: %w", guildID, err)
	}
	perms, err := b.channels.MessagePermissions(&discordgo.Message{ChannelID: base.ID, Author: member.User, Member: member})
	if err != nil {
		return 0, fmt.Errorf("permissions in channel %s: %w", base.ID, err)
	}
	if member.User.ID == g.OwnerID || perms&discordgo.PermissionAdministrator != 0 {
		return perms, nil
	}
	if perms&discordgo.PermissionViewChannel == 0 {
		return 0, nil
	}
	if t := member.CommunicationDisabledUntil; t != nil && t.After(b.now()) {
		perms &= discordgo.PermissionViewChannel | discordgo.PermissionReadMessageHistory
	}
	if ch.Type == discordgo.ChannelTypeGuildPrivateThread && perms&discordgo.PermissionManageThreads == 0 {
		return 0, fmt.Errorf("channel %s: %w", channelID, errPrivateThread)
	}
	return perms, nil
}

// channelGuild is the server of a cached channel, a thread's from its
// parent when it has none; "" when the cache does not know.
func (b *Bot) channelGuild(channelID string) string {
	ch, err := b.channels.Channel(channelID)
	if err != nil || ch == nil {
		return ""
	}
	if ch.GuildID == "" && ch.IsThread() && ch.ParentID != "" {
		if p, err := b.channels.Channel(ch.ParentID); err == nil && p != nil {
			return p.GuildID
		}
	}
	return ch.GuildID
}

// highestRole is the position of the highest of roles in g: 0 (the
// @everyone role's) for none.
func highestRole(g *discordgo.Guild, roles []string) int {
	top := 0
	for _, r := range g.Roles {
		for _, id := range roles {
			if r.ID == id && r.Position > top {
				top = r.Position
			}
		}
	}
	return top
}

// outranks reports whether mod may moderate target by Discord's role
// hierarchy: the owner outranks everyone and nobody outranks the owner;
// otherwise mod's highest role must be above target's. Administrator does
// not change this.
func outranks(g *discordgo.Guild, mod, target *discordgo.Member) bool {
	switch {
	case mod.User != nil && mod.User.ID == g.OwnerID:
		return true
	case target.User != nil && target.User.ID == g.OwnerID:
		return false
	}
	return highestRole(g, mod.Roles) > highestRole(g, target.Roles)
}

// mayActOn checks that the presser of a Delete or Timeout button may do it
// to the flagged message in channelID and its author: need in that channel,
// and for a timeout a higher role than the author's. It returns "" when
// allowed, or what to tell the presser.
func (b *Bot) mayActOn(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, action, channelID, guildID, authorID string) string {
	need, needName := int64(discordgo.PermissionManageMessages), "Manage Messages"
	if action == actionTimeout {
		need, needName = discordgo.PermissionModerateMembers, "Moderate Members"
	}
	perms, err := b.permissionsIn(guildID, i.Member, channelID)
	if errors.Is(err, errPrivateThread) {
		log.Info("discord: button refused: private thread without Manage Threads", "channel_id", channelID)
		return fmt.Sprintf("<#%s> is a private thread: you need the Manage Threads permission there (and %s) to do that.", channelID, needName)
	}
	if err != nil {
		log.Warn("discord: button refused: cannot compute permissions", "channel_id", channelID, "err", err)
		return fmt.Sprintf("I could not check your permissions in <#%s>, so I did nothing.", channelID)
	}
	if !hasPermission(perms, need) {
		log.Info("discord: button refused: missing permission in the message's channel", "permission", needName, "channel_id", channelID)
		return fmt.Sprintf("You need the %s permission in <#%s> to do that.", needName, channelID)
	}
	if action != actionTimeout {
		return ""
	}
	g, err := b.channels.Guild(guildID)
	if err != nil {
		log.Warn("discord: button refused: server not in the cache", "err", err)
		return "I could not check the server's roles, so I did nothing."
	}
	target, err := b.api.GuildMember(guildID, authorID, discordgo.WithContext(ctx))
	if err != nil {
		log.Warn("discord: button refused: cannot look the author up", "err", err)
		return fmt.Sprintf("I could not look <@%s> up (%s), so I did nothing.", authorID, restErrorText(err))
	}
	if target.User == nil {
		target.User = &discordgo.User{ID: authorID}
	}
	if !outranks(g, i.Member, target) {
		log.Info("discord: button refused: author not below the moderator")
		return fmt.Sprintf("Not done: your highest role is not above <@%s>'s.", authorID)
	}
	return ""
}
