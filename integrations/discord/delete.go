package discord

import (
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// deletedField is the field a mod-log post gets when its message is deleted.
const deletedField = "Deleted"

// quotingFields are the mod-log fields that may quote the message's text.
var quotingFields = []string{"Patterns found", editedField}

// MessageDelete removes what the mod-log post about a deleted message quotes
// of it: the excerpt and the patterns found (which may quote up to a few
// words), and an "Edited" note. A post without a record (recordFields)
// also loses its buttons, which would act on a message that is gone; a post
// with one keeps its record and its buttons. Like new messages, the event
// is claimed in the store, so one replica edits the post.
func (b *Bot) MessageDelete(_ *discordgo.Session, m *discordgo.MessageDelete) {
	if m == nil || m.Message == nil || m.GuildID == "" || b.hasLeft(m.GuildID) {
		return
	}
	defer b.recoverEvent("message_delete", "guild_id", m.GuildID, "message_id", m.ID)
	ctx, cancel := b.eventContext()
	defer cancel()
	log := b.log.With("guild_id", m.GuildID, "channel_id", m.ChannelID, "message_id", m.ID)
	owned, _, err := b.store.ClaimMessage(ctx, store.OwnedMessage{Platform: string(moderation.Discord), Scope: m.GuildID, ItemID: m.ID, Kind: ownedKindModLog})
	if err != nil {
		log.Error("discord: look up mod-log post of a deleted message", "err", err)
		return
	}
	if owned == "" {
		return // never flagged
	}
	first, err := b.store.MarkDelivery(ctx, string(moderation.Discord), "delete/"+m.ID, time.Now().Add(eventClaimTTL))
	if err != nil || !first {
		if err != nil {
			log.Error("discord: claim message delete", "err", err)
		}
		return
	}
	channelID, messageID, ok := strings.Cut(owned, "/")
	if !ok {
		log.Error("discord: malformed owned mod-log message", "owned", owned)
		return
	}
	post, err := b.api.ChannelMessage(channelID, messageID, discordgo.WithContext(ctx))
	if err != nil {
		log.Warn("discord: read the mod-log post of a deleted message", "err", err)
		return
	}
	e := firstEmbed(post)
	if e == nil {
		return
	}
	record := hasRecord(e)
	e.Description = ""
	var fields []*discordgo.MessageEmbedField
	for _, f := range e.Fields {
		if f != nil && !slices.Contains(quotingFields, f.Name) {
			fields = append(fields, f)
		}
	}
	e.Fields = fields
	note := "The message was deleted; its excerpt was removed from this post."
	if !record {
		note = "The message was deleted before a moderator handled it; its excerpt and the buttons were removed."
	}
	e = withField(e, deletedField, note)
	edit := &discordgo.MessageEdit{Channel: channelID, ID: messageID, Embeds: &[]*discordgo.MessageEmbed{fitEmbed(e)}, AllowedMentions: noMentions}
	if !record {
		edit.Components = &[]discordgo.MessageComponent{}
	}
	if _, err := b.api.ChannelMessageEditComplex(edit, discordgo.WithContext(ctx)); err != nil {
		log.Error("discord: update the mod-log post of a deleted message", "err", err)
		return
	}
	b.metrics.actions.WithLabelValues("modlog_deleted").Inc()
	log.Info("discord: message deleted; mod-log post cleared")
}
