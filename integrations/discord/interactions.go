package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// buttonTimeout is how long the "Timeout 1 h" button times an author out.
const buttonTimeout = time.Hour

// answerTimeout bounds filling in a deferred answer, which is sent even when
// the work before it used up the event's time.
const answerTimeout = 10 * time.Second

// InteractionCreate handles slash commands, the context-menu command and
// button presses. It runs in discordgo's goroutine for the event. Discord
// wants a first answer within three seconds: commands defer theirs and fill
// it in when done; buttons acknowledge before any store work and answer
// refusals with private follow-ups.
func (b *Bot) InteractionCreate(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic == nil || ic.Interaction == nil {
		return
	}
	i := ic.Interaction
	defer b.recoverEvent("interaction", "guild_id", i.GuildID, "interaction_id", i.ID)
	ctx, cancel := b.eventContext()
	defer cancel()
	log := b.log.With("guild_id", i.GuildID, "interaction_id", i.ID, "user_id", interactionUser(i))
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		data := i.ApplicationCommandData()
		switch data.Name {
		case commandGroup:
			b.slashCommand(ctx, log, i, data)
		case commandContextMenu:
			b.contextMenu(ctx, log, i, data)
		default:
			b.reply(ctx, log, i, "I do not know that command.")
		}
	case discordgo.InteractionMessageComponent:
		b.button(ctx, log, i, i.MessageComponentData())
	}
}

func interactionUser(i *discordgo.Interaction) string {
	switch {
	case i.Member != nil && i.Member.User != nil:
		return i.Member.User.ID
	case i.User != nil:
		return i.User.ID
	}
	return ""
}

// reply answers an interaction with a message only its user sees, cut to
// Discord's limits.
func (b *Bot) reply(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, content string, embeds ...*discordgo.MessageEmbed) {
	err := b.api.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content: clip(content, maxContent), Embeds: fitEmbeds(embeds), Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions,
		},
	}, discordgo.WithContext(ctx))
	switch {
	case err == nil:
	case isAlreadyAnswered(err):
		log.Debug("discord: interaction answered by another replica")
	default:
		log.Error("discord: answer interaction", "err", RedactTokens(err.Error()))
	}
}

// deferReply gives an interaction a private "thinking…" answer, for work
// that may outlast the three seconds Discord waits for the first one;
// editReply fills it in. It reports whether Discord took the answer.
func (b *Bot) deferReply(ctx context.Context, log *slog.Logger, i *discordgo.Interaction) bool {
	return b.respond(ctx, log, i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}, "defer interaction answer")
}

// respond gives an interaction its one first answer and reports whether
// Discord took it. An answer another replica gave first is logged at debug,
// any other failure as an error saying what failed.
func (b *Bot) respond(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, resp *discordgo.InteractionResponse, what string) bool {
	err := b.api.InteractionRespond(i, resp, discordgo.WithContext(ctx))
	switch {
	case err == nil:
		return true
	case isAlreadyAnswered(err):
		log.Debug("discord: interaction answered by another replica")
	default:
		log.Error("discord: "+what, "err", RedactTokens(err.Error()))
	}
	return false
}

// withAppID returns i with the application ID set, which the webhook
// endpoints that edit or follow up an answer need; a gateway interaction
// may come without it.
func (b *Bot) withAppID(i *discordgo.Interaction) *discordgo.Interaction {
	if i.AppID != "" {
		return i
	}
	cp := *i
	cp.AppID = b.appID()
	return &cp
}

// editReply fills in the answer deferReply gave, cut to Discord's limits. It
// is sent even when ctx is done, within answerTimeout, so the user is never
// left with "thinking…".
func (b *Bot) editReply(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, content string, embeds ...*discordgo.MessageEmbed) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), answerTimeout)
	defer cancel()
	i = b.withAppID(i)
	content = clip(content, maxContent)
	fitted := fitEmbeds(embeds)
	edit := &discordgo.WebhookEdit{Content: &content, Embeds: &fitted, AllowedMentions: noMentions}
	if _, err := b.api.InteractionResponseEdit(i, edit, discordgo.WithContext(ctx)); err != nil {
		log.Error("discord: answer interaction", "err", RedactTokens(err.Error()))
	}
}

// fitEmbeds drops nil embeds and cuts the others to Discord's limits.
func fitEmbeds(embeds []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	out := []*discordgo.MessageEmbed{}
	for _, e := range embeds {
		if e != nil {
			out = append(out, fitEmbed(e))
		}
	}
	return out
}

// acknowledge tells Discord a button press was received; the message it is
// on is edited afterwards. It reports whether Discord took the answer:
// Discord takes one per interaction, so when several replicas receive the
// press, the one whose answer was taken handles it and the others stop.
func (b *Bot) acknowledge(ctx context.Context, log *slog.Logger, i *discordgo.Interaction) bool {
	return b.respond(ctx, log, i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}, "acknowledge button")
}

func hasPermission(perms, want int64) bool {
	return perms&discordgo.PermissionAdministrator != 0 || perms&want == want
}

// button handles a press on a mod-log or appeal button.
func (b *Bot) button(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, data discordgo.MessageComponentInteractionData) {
	action, id, err := parseCustomID(data.CustomID)
	if err != nil {
		log.Warn("discord: unknown button", "err", err)
		b.reply(ctx, log, i, "This button is not one of mine.")
		return
	}
	log = log.With("action", action, "decision_id", id)
	if action == actionAppeal {
		b.appeal(ctx, log, i, id)
		return
	}
	if i.Member == nil || i.Member.User == nil || i.GuildID == "" {
		b.reply(ctx, log, i, "This button only works in a server.")
		return
	}
	need, needName := int64(discordgo.PermissionManageMessages), "Manage Messages"
	if action == actionTimeout {
		need, needName = discordgo.PermissionModerateMembers, "Moderate Members"
	}
	// The presser's permissions in the mod-log, sent with the press: no
	// I/O yet, so a refusal is the first answer. Delete and Timeout are
	// checked again where the message is, after the acknowledgement.
	if !hasPermission(i.Member.Permissions, need) {
		b.metrics.actions.WithLabelValues("button_refused").Inc()
		log.Info("discord: button refused: missing permission", "permission", needName)
		b.reply(ctx, log, i, fmt.Sprintf("You need the %s permission to do that.", needName))
		return
	}
	// Acknowledge before any store work: Discord waits three seconds for
	// the first answer, and a busy database can take longer. What follows
	// answers the presser with private follow-ups.
	if !b.acknowledge(ctx, log, i) {
		return
	}
	d, err := b.store.Decision(ctx, id)
	if err != nil || d.Scope != i.GuildID {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			log.Error("discord: load decision", "err", err)
		}
		b.followup(ctx, log, i, "I no longer have a record of this flag.")
		return
	}
	channelID, messageID := decisionChannel(d), d.ItemID
	if action == actionDelete || action == actionTimeout {
		if why := b.mayActOn(ctx, log, i, action, channelID, d.Scope, d.Author); why != "" {
			b.metrics.actions.WithLabelValues("button_refused").Inc()
			b.followup(ctx, log, i, why)
			return
		}
	}
	// First press wins: two moderators, or a double click, must not both
	// act on one post, each from their own stale copy of it.
	claim, ok := b.claimPost(ctx, log, i, id)
	if !ok {
		return
	}

	mod := i.Member.User.ID
	var outcome string
	failed := false
	switch action {
	case actionDismiss:
		outcome = fmt.Sprintf("Dismissed by <@%s>", mod)
	case actionNotSlop:
		b.feedback(ctx, log, d, mod, "human", "not slop (mod-log button)", channelID, messageID)
		outcome = fmt.Sprintf("Marked **not slop** by <@%s>; thank you, this helps the model", mod)
		if b.removeStrike(ctx, log, d) {
			outcome += fmt.Sprintf("; the strike it gave <@%s> was removed", d.Author)
		}
	case actionDelete:
		b.feedback(ctx, log, d, mod, "machine", "deleted (mod-log button)", channelID, messageID)
		err := b.api.ChannelMessageDelete(channelID, messageID, discordgo.WithContext(ctx),
			discordgo.WithAuditLogReason("slopguard: deleted by moderator "+i.Member.User.Username))
		switch {
		case err == nil:
			b.metrics.actions.WithLabelValues("delete").Inc()
			outcome = fmt.Sprintf("Message deleted by <@%s>", mod)
		case isUnknownMessage(err):
			log.Info("discord: message already deleted")
			outcome = fmt.Sprintf("<@%s> pressed Delete; the message was already deleted", mod)
		default:
			log.Error("discord: delete message", "err", err)
			outcome, failed = fmt.Sprintf("<@%s> pressed Delete, but it failed: %s", mod, restErrorText(err)), true
		}
	case actionTimeout:
		b.feedback(ctx, log, d, mod, "machine", "timed out (mod-log button)", channelID, messageID)
		until := b.now().Add(buttonTimeout).UTC()
		err := b.api.GuildMemberTimeout(d.Scope, d.Author, &until, discordgo.WithContext(ctx),
			discordgo.WithAuditLogReason("slopguard: timed out by moderator "+i.Member.User.Username))
		if err != nil {
			log.Error("discord: time out author", "err", err)
			outcome, failed = fmt.Sprintf("<@%s> pressed Timeout, but it failed: %s", mod, restErrorText(err)), true
		} else {
			b.metrics.actions.WithLabelValues("timeout").Inc()
			outcome = fmt.Sprintf("<@%s> timed out for 1 h by <@%s>", d.Author, mod)
		}
	}
	if failed {
		// The buttons stay: let this or another moderator try again.
		if err := b.store.ReleaseMessage(ctx, claim.Platform, claim.Scope, claim.ItemID, claim.Kind); err != nil {
			log.Error("discord: release handled post", "err", err)
		}
	}
	b.metrics.actions.WithLabelValues("button_" + action).Inc()
	log.Info("discord: moderator action", "moderator_id", mod, "outcome", outcome)
	b.markHandled(ctx, log, i.Message, outcome, failed)
}

// claimPost claims the post a moderator's button is on for the presser, so
// that only the first press on it acts, and reports whether this press won.
// A press that lost is told privately who was first. The claim is kept per
// post (a flag and its appeal are handled separately) as an owned message of
// kind ownedKindHandled whose MessageID is the presser's user ID.
func (b *Bot) claimPost(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, decisionID int64) (store.OwnedMessage, bool) {
	post := fmt.Sprintf("%s/decision-%d", i.ChannelID, decisionID)
	if i.Message != nil && i.Message.ID != "" {
		post = i.Message.ChannelID + "/" + i.Message.ID
		if i.Message.ChannelID == "" {
			post = i.ChannelID + "/" + i.Message.ID
		}
	}
	claim := store.OwnedMessage{Platform: string(moderation.Discord), Scope: i.GuildID, ItemID: post, Kind: ownedKindHandled,
		MessageID: i.Member.User.ID, UpdatedAt: b.now()}
	first, won, err := b.store.ClaimMessage(ctx, claim)
	switch {
	case err != nil:
		log.Error("discord: claim handled post", "err", err)
		b.followup(ctx, log, i, "I could not record that just now; please press the button again.")
		return claim, false
	case !won && first == claim.MessageID:
		b.followup(ctx, log, i, "You have already pressed a button on this post.")
		return claim, false
	case !won:
		b.metrics.actions.WithLabelValues("button_already_handled").Inc()
		log.Info("discord: button refused: post already handled", "handled_by", first)
		b.followup(ctx, log, i, fmt.Sprintf("This was already handled by <@%s>.", first))
		return claim, false
	}
	return claim, true
}

// removeStrike takes back the strike the decision's message gave its author
// and reports whether there was one.
func (b *Bot) removeStrike(ctx context.Context, log *slog.Logger, d store.Decision) bool {
	if d.Author == "" || d.ItemID == "" {
		return false
	}
	removed, err := b.store.RemoveStrike(ctx, d.Scope, d.Author, d.ItemID)
	if err != nil {
		log.Error("discord: remove strike", "err", err)
		return false
	}
	if removed {
		b.metrics.actions.WithLabelValues("strike_removed").Inc()
	}
	return removed
}

// feedback records a moderator's judgement with the message text, read from
// the decision or, when texts are not stored, fetched from Discord.
func (b *Bot) feedback(ctx context.Context, log *slog.Logger, d store.Decision, by, label, note, channelID, messageID string) {
	text := d.Text
	if text == "" && channelID != "" {
		if m, err := b.api.ChannelMessage(channelID, messageID, discordgo.WithContext(ctx)); err != nil {
			log.Warn("discord: fetch message text for feedback", "err", err)
		} else {
			text = m.Content
		}
	}
	_, err := b.store.AddFeedback(ctx, store.Feedback{
		DecisionID: d.ID, Platform: d.Platform, Scope: d.Scope, ItemID: d.ItemID, Kind: string(moderation.KindMessage),
		By: by, Label: label, Note: note, Text: text, CreatedAt: b.now().UTC(),
	})
	if err != nil {
		log.Error("discord: record feedback", "err", err)
	}
}

// markHandled edits the message a button was on to say who did what, and
// removes the buttons unless the action failed.
func (b *Bot) markHandled(ctx context.Context, log *slog.Logger, msg *discordgo.Message, outcome string, failed bool) {
	if msg == nil {
		return
	}
	var embed discordgo.MessageEmbed
	if len(msg.Embeds) > 0 && msg.Embeds[0] != nil {
		embed = *msg.Embeds[0]
		embed.Fields = slices.Clone(embed.Fields)
	}
	embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{Name: "Handled", Value: outcome})
	if !failed {
		embed.Color = colourHandled
	}
	edit := &discordgo.MessageEdit{Channel: msg.ChannelID, ID: msg.ID, Embeds: &[]*discordgo.MessageEmbed{fitEmbed(&embed)}, AllowedMentions: noMentions}
	if !failed {
		edit.Components = &[]discordgo.MessageComponent{}
	}
	if _, err := b.api.ChannelMessageEditComplex(edit, discordgo.WithContext(ctx)); err != nil {
		log.Error("discord: update handled post", "err", err)
	}
}

// appeal posts an author's request for review to the mod-log, once per decision.
func (b *Bot) appeal(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, id int64) {
	user := i.User
	if user == nil && i.Member != nil {
		user = i.Member.User
	}
	// Acknowledge before the store work, as for moderator buttons.
	if !b.acknowledge(ctx, log, i) {
		return
	}
	d, err := b.store.Decision(ctx, id)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			log.Error("discord: load decision", "err", err)
		}
		b.followup(ctx, log, i, "I no longer have a record of this; please contact a moderator directly.")
		return
	}
	if user == nil || user.ID != d.Author {
		b.followup(ctx, log, i, "Only the author of the message can ask for a review.")
		return
	}
	set, err := b.settings.get(ctx, d.Scope)
	if err != nil || set.ModLogChannel == "" {
		if err != nil {
			log.Error("discord: load settings", "err", err)
		}
		b.followup(ctx, log, i, "This server has no mod-log channel set up; please contact a moderator directly.")
		return
	}
	key := store.OwnedMessage{Platform: string(moderation.Discord), Scope: d.Scope, ItemID: d.ItemID, Kind: ownedKindAppeal, MessageID: "pending", UpdatedAt: b.now()}
	if _, won, err := b.store.ClaimMessage(ctx, key); err != nil || !won {
		if err != nil {
			log.Error("discord: record appeal", "err", err)
		}
		b.followup(ctx, log, i, "You have already asked; a moderator will take a look.")
		return
	}
	embed := fitEmbed(&discordgo.MessageEmbed{
		Title:       "Review requested",
		URL:         d.ItemURL,
		Description: fmt.Sprintf("<@%s> says their message was wrongly flagged and asks a moderator to review it.", d.Author),
		Color:       colourAppeal,
		Fields: []*discordgo.MessageEmbedField{
			{Name: "Score", Value: fmt.Sprintf("%.2f · %s", d.Score, d.Verdict), Inline: true},
			{Name: "Actions taken", Value: orNone(strings.Join(d.Actions, ", ")), Inline: true},
			{Name: "Patterns found", Value: orNone(strings.Join(d.Reasons, "\n"))},
		},
		Footer: &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("decision %d · Not slop records feedback; lift a timeout from the member's profile", d.ID)},
	})
	posted, err := b.api.ChannelMessageSendComplex(set.ModLogChannel, &discordgo.MessageSend{
		Embeds: []*discordgo.MessageEmbed{embed},
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Not slop", Style: discordgo.SuccessButton, CustomID: customID(actionNotSlop, d.ID)},
			discordgo.Button{Label: "Dismiss", Style: discordgo.SecondaryButton, CustomID: customID(actionDismiss, d.ID)},
		}}},
		AllowedMentions: noMentions,
	}, discordgo.WithContext(ctx))
	outcome := "A moderator has been asked to review this."
	if err != nil {
		log.Error("discord: post appeal", "err", err)
		outcome = "I could not reach the moderators just now; press the button again later, or contact one directly."
		if err := b.store.ReleaseMessage(ctx, key.Platform, key.Scope, key.ItemID, key.Kind); err != nil {
			log.Error("discord: release appeal", "err", err)
		}
	} else {
		b.metrics.actions.WithLabelValues("appeal").Inc()
		key.MessageID = set.ModLogChannel + "/" + posted.ID
		if err := b.store.ReplaceMessage(ctx, key); err != nil {
			log.Error("discord: record appeal post", "err", err)
		}
		log.Info("discord: appeal posted", "author_id", d.Author)
	}
	// On failure the claim was released: keep the button so the author can retry.
	b.markHandled(ctx, log, i.Message, outcome, err != nil)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// contextMenu answers "Check for slop" on a message, privately.
func (b *Bot) contextMenu(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	var m *discordgo.Message
	if data.Resolved != nil {
		m = data.Resolved.Messages[data.TargetID]
	}
	if m == nil || strings.TrimSpace(m.Content) == "" {
		b.reply(ctx, log, i, "I cannot see any text in that message.")
		return
	}
	if m.GuildID == "" {
		m.GuildID = i.GuildID
	}
	if !b.deferReply(ctx, log, i) {
		return
	}
	embed, err := b.checkMessage(ctx, log, i, m)
	if err != nil {
		b.editReply(ctx, log, i, "Scoring failed; please try again.")
		return
	}
	b.editReply(ctx, log, i, "", embed)
}

// checkMessage scores a message or text for /slopguard check and the context
// menu and returns the answer.
func (b *Bot) checkMessage(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, m *discordgo.Message) (*discordgo.MessageEmbed, error) {
	it := moderation.Item{Platform: moderation.Discord, Kind: moderation.KindMessage, Scope: i.GuildID, ID: m.ID, Body: m.Content}
	if m.Author != nil {
		it.Author, it.AuthorIsBot = m.Author.ID, m.Author.Bot
	}
	if m.ID != "" && m.ChannelID != "" {
		it.URL = jumpLink(i.GuildID, m.ChannelID, m.ID)
	}
	v, err := b.checker.Check(ctx, it)
	if err != nil {
		log.Error("discord: check", "err", err)
		return nil, errors.New("scoring failed; please try again")
	}
	threshold := b.modelThreshold
	if i.GuildID != "" {
		if set, err := b.settings.get(ctx, i.GuildID); err == nil {
			threshold = set.FlagThreshold(b.modelThreshold)
		}
	}
	return checkEmbed(v, threshold), nil
}

// followup sends the user of an acknowledged interaction a message only
// they see.
func (b *Bot) followup(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, content string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), answerTimeout)
	defer cancel()
	i = b.withAppID(i)
	_, err := b.api.FollowupMessageCreate(i, false, &discordgo.WebhookParams{
		Content: clip(content, maxContent), Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions,
	}, discordgo.WithContext(ctx))
	if err != nil {
		log.Error("discord: follow up interaction", "err", RedactTokens(err.Error()))
	}
}
