package discord

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Command names.
const (
	commandGroup       = "slopguard"
	commandContextMenu = "Check for slop"
)

// Commands returns the application commands the bot registers: the
// /slopguard group, for members with Manage Server by default, and the
// "Check for slop" message context-menu command, for members with Manage
// Messages. Server admins can change who sees them under Integrations.
func Commands() []*discordgo.ApplicationCommand {
	manageGuild := int64(discordgo.PermissionManageGuild)
	manageMessages := int64(discordgo.PermissionManageMessages)
	guildOnly := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	minZero, minOne := 0.0, 1.0
	textChannels := []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews, discordgo.ChannelTypeGuildForum}
	exemptOptions := []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionRole, Name: "role", Description: "A role whose members are never checked"},
		// Every channel messages can be sent in: voice and stage channels
		// have a text chat, and threads of all three kinds.
		{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "A channel (and its threads) never checked",
			ChannelTypes: append(slices.Clone(textChannels), discordgo.ChannelTypeGuildVoice, discordgo.ChannelTypeGuildStageVoice,
				discordgo.ChannelTypeGuildNewsThread, discordgo.ChannelTypeGuildPublicThread, discordgo.ChannelTypeGuildPrivateThread)},
		{Type: discordgo.ApplicationCommandOptionChannel, Name: "category", Description: "A category whose channels are never checked",
			ChannelTypes: []discordgo.ChannelType{discordgo.ChannelTypeGuildCategory}},
	}
	return []*discordgo.ApplicationCommand{
		{
			Type:                     discordgo.ChatApplicationCommand,
			Name:                     commandGroup,
			Description:              "Configure slopguard, which flags likely machine-generated messages",
			DefaultMemberPermissions: &manageGuild,
			Contexts:                 guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{
					Type: discordgo.ApplicationCommandOptionSubCommand, Name: "setup",
					Description: "Choose the mod-log channel and the mode",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionChannel, Name: "modlog", Description: "Where flags and appeals are posted",
							ChannelTypes: textChannels[:2], Required: true},
						{Type: discordgo.ApplicationCommandOptionString, Name: "mode", Description: "What slopguard may do",
							Choices: []*discordgo.ApplicationCommandOptionChoice{
								{Name: "off: do nothing", Value: "off"},
								{Name: "observe: score and record only", Value: "observe"},
								{Name: "flag: post to the mod-log (default)", Value: "flag"},
								{Name: "enforce: also delete / time out past strikes", Value: "enforce"},
							}},
						{Type: discordgo.ApplicationCommandOptionBoolean, Name: "delete", Description: "Enforce mode deletes the message"},
						{Type: discordgo.ApplicationCommandOptionInteger, Name: "timeout_minutes", Description: "Enforce mode times the author out this long; 0 never",
							MinValue: &minZero, MaxValue: float64(MaxTimeout / time.Minute)},
						{Type: discordgo.ApplicationCommandOptionInteger, Name: "strike_window_hours", Description: "How long a strike counts",
							MinValue: &minOne, MaxValue: 24 * 365},
					},
				},
				{
					Type: discordgo.ApplicationCommandOptionSubCommand, Name: "threshold",
					Description: "Set the score at which messages are flagged (and enforced)",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionNumber, Name: "flag", Description: "Flag at or above this score; 0 uses the model's own",
							Required: true, MinValue: &minZero, MaxValue: 1},
						{Type: discordgo.ApplicationCommandOptionNumber, Name: "enforce", Description: "Enforce mode acts at or above this score; 0 means halfway from the flag threshold to 1",
							MinValue: &minZero, MaxValue: 1},
						{Type: discordgo.ApplicationCommandOptionInteger, Name: "strikes", Description: "Enforce-level messages before acting",
							MinValue: &minOne, MaxValue: 100},
					},
				},
				{
					Type: discordgo.ApplicationCommandOptionSubCommandGroup, Name: "exempt",
					Description: "Leave roles, channels or categories alone",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Exempt a role, channel or category", Options: exemptOptions},
						{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Stop exempting a role, channel or category", Options: exemptOptions},
					},
				},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "status", Description: "Show the settings and recent counts"},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "dashboard", Description: "A private link to this server's dashboard (Manage Server)"},
				{
					Type: discordgo.ApplicationCommandOptionSubCommand, Name: "check",
					Description: "Score a text or a message link (only you see the answer)",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionString, Name: "text", Description: "The text to score", MaxLength: 4000},
						{Type: discordgo.ApplicationCommandOptionString, Name: "message", Description: "A message link (Copy Message Link)"},
					},
				},
			},
		},
		{
			Type:                     discordgo.MessageApplicationCommand,
			Name:                     commandContextMenu,
			DefaultMemberPermissions: &manageMessages,
			Contexts:                 guildOnly,
		},
	}
}

// RegisterCommands overwrites the application's global commands with
// Commands; doing it on every start is idempotent.
func (b *Bot) RegisterCommands(ctx context.Context) error {
	appID := b.appID()
	if appID == "" {
		return fmt.Errorf("register commands: application ID not known yet")
	}
	if _, err := b.api.ApplicationCommandBulkOverwrite(appID, "", Commands(), discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("register commands: %w", err)
	}
	b.log.Info("discord: commands registered", "app_id", appID, "count", len(Commands()))
	return nil
}
