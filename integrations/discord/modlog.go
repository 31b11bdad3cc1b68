package discord

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// Button actions, encoded with a decision ID in a component's custom ID as
// "slopguard:<action>:<decision id>".
const (
	actionDismiss = "dismiss"
	actionNotSlop = "notslop"
	actionDelete  = "delete"
	actionTimeout = "timeout"
	actionAppeal  = "appeal"
)

// ownedKindModLog is the store.OwnedMessage kind of a mod-log post; its
// MessageID is "channelID/messageID". ownedKindAppeal guards a decision's one
// appeal; ownedKindHandled, keyed by a post's "channelID/messageID", records
// the moderator whose button press on it was first.
const (
	ownedKindModLog  = "modlog"
	ownedKindAppeal  = store.KindAppealClaim
	ownedKindHandled = store.KindHandledClaim
)

// Embed colours.
const (
	colourFlag    = 0xE67E22
	colourAct     = 0xC0392B
	colourHandled = 0x95A5A6
	colourClear   = 0x2ECC71
	colourAppeal  = 0x3498DB
)

// noMentions stops anything the bot posts from pinging anyone.
var noMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

func customID(action string, decisionID int64) string {
	return "slopguard:" + action + ":" + strconv.FormatInt(decisionID, 10)
}

func parseCustomID(s string) (action string, decisionID int64, err error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 || parts[0] != "slopguard" {
		return "", 0, fmt.Errorf("custom ID %q is not slopguard:<action>:<decision id>", s)
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || id <= 0 {
		return "", 0, fmt.Errorf("custom ID %q has no decision ID", s)
	}
	switch parts[1] {
	case actionDismiss, actionNotSlop, actionDelete, actionTimeout, actionAppeal:
		return parts[1], id, nil
	}
	return "", 0, fmt.Errorf("custom ID %q has unknown action %q", s, parts[1])
}

// modButtons are the moderator buttons under a mod-log post.
func modButtons(decisionID int64) []discordgo.MessageComponent {
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Dismiss", Style: discordgo.SecondaryButton, CustomID: customID(actionDismiss, decisionID)},
		discordgo.Button{Label: "Not slop", Style: discordgo.SuccessButton, CustomID: customID(actionNotSlop, decisionID)},
		discordgo.Button{Label: "Delete message", Style: discordgo.DangerButton, CustomID: customID(actionDelete, decisionID)},
		discordgo.Button{Label: "Timeout 1 h", Style: discordgo.DangerButton, CustomID: customID(actionTimeout, decisionID)},
	}}}
}

// flagEmbed describes a flagged message for moderators; enforced lists what
// enforce mode did or could not do.
func flagEmbed(m *discordgo.Message, v moderation.Verdict, decisionID int64, p plan, enforced []string, edited bool) *discordgo.MessageEmbed {
	title := "Possible machine-generated message"
	if edited {
		title += " (edited)"
	}
	e := &discordgo.MessageEmbed{
		Title:       title,
		URL:         jumpLink(m.GuildID, m.ChannelID, m.ID),
		Description: quote(excerpt(m.Content, 400)),
		Color:       colourFlag,
		Fields: []*discordgo.MessageEmbedField{
			{Name: "Author", Value: fmt.Sprintf("<@%s> (%s)", m.Author.ID, m.Author.Username), Inline: true},
			{Name: "Channel", Value: fmt.Sprintf("<#%s>", m.ChannelID), Inline: true},
			{Name: "Score", Value: fmt.Sprintf("%.2f · %s", v.Score, v.Verdict), Inline: true},
			{Name: "Patterns found", Value: reasonList(v.Result, 5)},
		},
		Footer:    &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("decision %d · model %s · a score describes the text, not the person", decisionID, v.ModelVersion)},
		Timestamp: v.CheckedAt.Format("2006-01-02T15:04:05Z07:00"),
	}
	if p.strikes > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Strikes", Value: fmt.Sprintf("%d of %d in the window", p.strikes, p.strikesNeeded), Inline: true})
	}
	if len(enforced) > 0 {
		e.Color = colourAct
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Enforced", Value: strings.Join(enforced, "\n")})
	}
	return fitEmbed(e)
}

// postModLog posts the flag to the mod-log, or updates the post already made
// for this message (an edit re-scored), and reports whether the mod-log
// shows it.
func (b *Bot) postModLog(ctx context.Context, log *slog.Logger, set Settings, m *discordgo.Message, v moderation.Verdict, decisionID int64, p plan, enforced []string, edited bool) bool {
	key := store.OwnedMessage{Platform: string(moderation.Discord), Scope: m.GuildID, ItemID: m.ID, Kind: ownedKindModLog}
	current, _, err := b.store.ClaimMessage(ctx, key)
	if err != nil {
		log.Error("discord: look up mod-log post", "err", err)
		return false
	}
	embed := b.withDetails(flagEmbed(m, v, decisionID, p, enforced, edited), decisionID)
	note := editNote(m, v, true)
	if current != "" {
		return b.updateModLog(ctx, log, current, embed, modButtons(decisionID), note)
	}
	posted, err := b.api.ChannelMessageSendComplex(set.ModLogChannel, &discordgo.MessageSend{
		Embeds: []*discordgo.MessageEmbed{embed}, Components: modButtons(decisionID), AllowedMentions: noMentions,
	}, discordgo.WithContext(ctx))
	if err != nil {
		log.Error("discord: post to mod-log", "modlog_channel", set.ModLogChannel, "err", err)
		return false
	}
	b.metrics.actions.WithLabelValues("modlog").Inc()
	key.MessageID = set.ModLogChannel + "/" + posted.ID
	key.UpdatedAt = b.now()
	current, won, err := b.store.ClaimMessage(ctx, key)
	if err != nil {
		log.Error("discord: record mod-log post", "err", err)
		return true
	}
	if !won {
		// Another worker posted about this message first: keep one post.
		if err := b.api.ChannelMessageDelete(set.ModLogChannel, posted.ID, discordgo.WithContext(ctx)); err != nil {
			log.Error("discord: delete duplicate mod-log post", "err", err)
		}
		return b.updateModLog(ctx, log, current, embed, modButtons(decisionID), note)
	}
	return true
}

// clearModLog updates an existing mod-log post after an edit brought the
// message under the threshold; without a post it does nothing. A post that
// records what was done about the message keeps that record (updateModLog).
func (b *Bot) clearModLog(ctx context.Context, log *slog.Logger, m *discordgo.Message, v moderation.Verdict) {
	key := store.OwnedMessage{Platform: string(moderation.Discord), Scope: m.GuildID, ItemID: m.ID, Kind: ownedKindModLog}
	current, _, err := b.store.ClaimMessage(ctx, key)
	if err != nil || current == "" {
		if err != nil {
			log.Error("discord: look up mod-log post", "err", err)
		}
		return
	}
	embed := fitEmbed(&discordgo.MessageEmbed{
		Title:       "Edited: now below the threshold",
		URL:         jumpLink(m.GuildID, m.ChannelID, m.ID),
		Description: quote(excerpt(m.Content, 400)),
		Color:       colourClear,
		Fields: []*discordgo.MessageEmbedField{
			{Name: "Author", Value: fmt.Sprintf("<@%s>", m.Author.ID), Inline: true},
			{Name: "Score", Value: fmt.Sprintf("%.2f · %s", v.Score, v.Verdict), Inline: true},
		},
	})
	b.updateModLog(ctx, log, current, embed, []discordgo.MessageComponent{}, editNote(m, v, false))
}

// recordFields name the mod-log fields that record what was done about a
// message: a strike counted, an enforcement, a moderator's handling. An edit
// never takes them off the post.
var recordFields = []string{"Strikes", "Enforced", "Handled"}

// editedField is the field an edit sets on a post that keeps its record.
const editedField = "Edited"

// editNote is the value of the "Edited" field: the edit's score and text.
func editNote(m *discordgo.Message, v moderation.Verdict, stillFlagged bool) string {
	state := "below the flag threshold"
	if stillFlagged {
		state = "still over the flag threshold"
	}
	return fmt.Sprintf("now %.2f · %s, %s\n%s", v.Score, v.Verdict, state, quote(excerpt(m.Content, 300)))
}

// updateModLog updates the mod-log post owned as "channelID/messageID" after
// an edit re-scored the message. A post that records what was done about the
// message (recordFields) keeps its embed and its buttons as they are, with
// the "Edited" field set to note; any other post is replaced by embed and
// components. The post is read first to tell which; when it cannot be read
// it is left alone rather than risk erasing a record. It reports whether
// the post was updated.
func (b *Bot) updateModLog(ctx context.Context, log *slog.Logger, owned string, embed *discordgo.MessageEmbed, components []discordgo.MessageComponent, note string) bool {
	channelID, messageID, ok := strings.Cut(owned, "/")
	if !ok {
		log.Error("discord: malformed owned mod-log message", "owned", owned)
		return false
	}
	post, err := b.api.ChannelMessage(channelID, messageID, discordgo.WithContext(ctx))
	if err != nil {
		log.Error("discord: read mod-log post before updating it", "modlog_message_id", messageID, "err", err)
		return false
	}
	edit := &discordgo.MessageEdit{Channel: channelID, ID: messageID, AllowedMentions: noMentions}
	if old := firstEmbed(post); old != nil && hasRecord(old) {
		// Components stay unset, so Discord keeps the buttons as they are.
		edit.Embeds = &[]*discordgo.MessageEmbed{fitEmbed(withField(old, editedField, note))}
	} else {
		edit.Embeds = &[]*discordgo.MessageEmbed{embed}
		edit.Components = &components
	}
	if _, err := b.api.ChannelMessageEditComplex(edit, discordgo.WithContext(ctx)); err != nil {
		log.Error("discord: update mod-log post", "modlog_message_id", messageID, "err", err)
		return false
	}
	b.metrics.actions.WithLabelValues("modlog_update").Inc()
	return true
}

// firstEmbed returns a copy of m's first embed, or nil.
func firstEmbed(m *discordgo.Message) *discordgo.MessageEmbed {
	if m == nil || len(m.Embeds) == 0 || m.Embeds[0] == nil {
		return nil
	}
	e := *m.Embeds[0]
	e.Fields = slices.Clone(e.Fields)
	return &e
}

// hasRecord reports whether e has one of the recordFields.
func hasRecord(e *discordgo.MessageEmbed) bool {
	for _, f := range e.Fields {
		if f != nil && slices.Contains(recordFields, f.Name) {
			return true
		}
	}
	return false
}

// withField sets the field called name in e to value, replacing the first
// such field or appending one, and returns e.
func withField(e *discordgo.MessageEmbed, name, value string) *discordgo.MessageEmbed {
	for i, f := range e.Fields {
		if f != nil && f.Name == name {
			e.Fields[i] = &discordgo.MessageEmbedField{Name: name, Value: value}
			return e
		}
	}
	e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: value})
	return e
}
