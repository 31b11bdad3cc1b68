package discord

import (
	"time"

	"github.com/bwmarrin/discordgo"
)

// API is the part of Discord's REST API the bot uses. *discordgo.Session
// implements it; tests point a real session at a fake server.
type API interface {
	ChannelMessage(channelID, messageID string, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessageEditComplex(m *discordgo.MessageEdit, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessageDelete(channelID, messageID string, options ...discordgo.RequestOption) error
	GuildMemberTimeout(guildID, userID string, until *time.Time, options ...discordgo.RequestOption) error
	UserChannelCreate(recipientID string, options ...discordgo.RequestOption) (*discordgo.Channel, error)
	InteractionRespond(interaction *discordgo.Interaction, resp *discordgo.InteractionResponse, options ...discordgo.RequestOption) error
	InteractionResponseEdit(interaction *discordgo.Interaction, newresp *discordgo.WebhookEdit, options ...discordgo.RequestOption) (*discordgo.Message, error)
	FollowupMessageCreate(interaction *discordgo.Interaction, wait bool, data *discordgo.WebhookParams, options ...discordgo.RequestOption) (*discordgo.Message, error)
	GuildMember(guildID, userID string, options ...discordgo.RequestOption) (*discordgo.Member, error)
	ApplicationCommandBulkOverwrite(appID, guildID string, commands []*discordgo.ApplicationCommand, options ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error)
}

// Channels looks channels and servers up in the gateway's cache without a
// REST call, and computes a member's permissions in a channel from it (the
// server's roles, the channel's overwrites, the owner and Administrator
// rules). *discordgo.State implements it.
type Channels interface {
	Channel(channelID string) (*discordgo.Channel, error)
	Guild(guildID string) (*discordgo.Guild, error)
	// MessagePermissions returns the permissions of m.Author, a member with
	// m.Member.Roles, in m.ChannelID.
	MessagePermissions(m *discordgo.Message) (int64, error)
}

var (
	_ API      = (*discordgo.Session)(nil)
	_ Channels = (*discordgo.State)(nil)
)
