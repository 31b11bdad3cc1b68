package discord

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
)

// Direct messages: the answer to text sent to the bot, the /slopguard check
// answer it shares, and the note to an author enforce mode acted on.

// answerDM scores text sent to the bot in a direct message and replies with
// the result; nothing is stored.
func (b *Bot) answerDM(ctx context.Context, m *discordgo.Message) {
	log := b.log.With("channel_id", m.ChannelID, "message_id", m.ID, "author_id", m.Author.ID)
	it := moderation.Item{Platform: moderation.Discord, Kind: moderation.KindMessage, ID: m.ID, Author: m.Author.ID, Body: m.Content}
	var embed *discordgo.MessageEmbed
	if utf8.RuneCountInString(strings.TrimSpace(m.Content)) < b.minChars {
		embed = fitEmbed(&discordgo.MessageEmbed{Description: fmt.Sprintf("Send me a text of at least %d characters and I will tell you how machine-like it reads.", b.minChars)})
	} else {
		v, err := b.checker.Check(ctx, it)
		if err != nil {
			log.Error("discord: check DM", "err", err)
			return
		}
		b.metrics.messages.WithLabelValues("dm").Inc()
		embed = checkEmbed(v, b.modelThreshold)
	}
	if _, err := b.api.ChannelMessageSendComplex(m.ChannelID, &discordgo.MessageSend{
		Embeds: []*discordgo.MessageEmbed{embed}, AllowedMentions: noMentions,
		Reference: &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID},
	}, discordgo.WithContext(ctx)); err != nil {
		log.Error("discord: answer DM", "err", err)
	}
}

// checkEmbed answers /slopguard check, the context menu and DMs.
func checkEmbed(v moderation.Verdict, threshold float64) *discordgo.MessageEmbed {
	title := "Reads like human writing"
	colour := colourClear
	switch {
	case v.CannotJudge:
		title, colour = "Cannot judge this text", colourHandled
	case v.Flagged(threshold):
		title, colour = "Reads like machine-generated text", colourFlag
	case v.Verdict == detector.Unsure:
		title, colour = "Not enough evidence either way", colourHandled
	}
	return fitEmbed(&discordgo.MessageEmbed{
		Title: title,
		Color: colour,
		Fields: []*discordgo.MessageEmbedField{
			{Name: "Score", Value: fmt.Sprintf("%.2f · %s (flagged from %.2f)", v.Score, v.Verdict, threshold), Inline: true},
			{Name: "Patterns found", Value: reasonList(v.Result, 5)},
		},
		Footer: &discordgo.MessageEmbedFooter{Text: "model " + v.ModelVersion + " · scored on this server's bot, nothing was sent anywhere"},
	})
}

// dmAuthor tells the author what was done (r) and why, with a button to ask
// a moderator to review. An error means the author was not told, often
// because they do not accept DMs (50007).
func (b *Bot) dmAuthor(ctx context.Context, m *discordgo.Message, v moderation.Verdict, decisionID int64, p plan, r result) error {
	ch, err := b.api.UserChannelCreate(m.Author.ID, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("open DM with %s: %w", m.Author.ID, err)
	}
	var did []string
	if r.deleted {
		did = append(did, "removed your message")
	}
	if r.timedOut {
		did = append(did, "paused your ability to post for "+humanDuration(p.timeout))
	}
	embed := fitEmbed(&discordgo.MessageEmbed{
		Title: "About your message",
		Description: fmt.Sprintf("Your message in <#%s> read very much like machine-generated text, and it is the %s such message in a short time, so the server's moderation bot %s.\n\n"+
			"This is an automatic judgement about the text, not about you, and it can be wrong. If you wrote it yourself, press the button below and a moderator will take a look.",
			m.ChannelID, ordinal(p.strikes), strings.Join(did, " and ")),
		Color: colourAct,
		Fields: []*discordgo.MessageEmbedField{
			{Name: "Patterns found", Value: reasonList(v.Result, 5)},
			{Name: "Your message", Value: quote(excerpt(m.Content, 300))},
		},
		Footer: &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("decision %d", decisionID)},
	})
	_, err = b.api.ChannelMessageSendComplex(ch.ID, &discordgo.MessageSend{
		Embeds: []*discordgo.MessageEmbed{embed},
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Ask a moderator to review", Style: discordgo.PrimaryButton, CustomID: customID(actionAppeal, decisionID)},
		}}},
		AllowedMentions: noMentions,
	}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("send DM to %s: %w", m.Author.ID, err)
	}
	return nil
}
