package discord

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// job is one message waiting for a worker.
type job struct {
	msg    *discordgo.Message
	edited bool
}

// MessageCreate queues a new message for scoring unless it is skipped.
func (b *Bot) MessageCreate(_ *discordgo.Session, m *discordgo.MessageCreate) {
	if m == nil || m.Message == nil {
		return
	}
	defer b.recoverEvent("message_create", "guild_id", m.GuildID, "message_id", m.ID)
	b.admit(m.Message, false)
}

// MessageUpdate queues an edited message for re-scoring; the mod-log post, if
// any, is updated with the new score.
func (b *Bot) MessageUpdate(_ *discordgo.Session, m *discordgo.MessageUpdate) {
	if m == nil || m.Message == nil {
		return
	}
	defer b.recoverEvent("message_update", "guild_id", m.GuildID, "message_id", m.ID)
	// Only the edit time tells an edit: BeforeUpdate is set only when the
	// session's state caches messages, which the served bot's session does
	// not (server/discord.go). An edit that keeps the text is scored again,
	// once: eventKey claims each edit by its time and text.
	if m.EditedTimestamp == nil {
		b.metrics.messages.WithLabelValues("skipped_unchanged").Inc()
		return // an embed unfurled or a pin changed; the author did not edit the text
	}
	b.admit(m.Message, true)
}

// admit applies the checks that need no I/O, then queues the message, or
// drops and counts it when the queue is full.
func (b *Bot) admit(m *discordgo.Message, edited bool) {
	if why := b.quickSkip(m); why != "" {
		b.metrics.messages.WithLabelValues(why).Inc()
		return
	}
	cp := *m
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		b.metrics.messages.WithLabelValues("dropped").Inc()
		b.metrics.dropped.Inc()
		return
	}
	if m.GuildID == "" && !b.admitDM(m) {
		return
	}
	select {
	case b.queue <- job{msg: &cp, edited: edited}:
	default:
		if m.GuildID == "" {
			b.doneDM(m.Author.ID)
		}
		b.metrics.messages.WithLabelValues("dropped").Inc()
		b.metrics.dropped.Inc()
		b.log.Warn("discord: scoring queue full; message dropped", "guild_id", m.GuildID, "channel_id", m.ChannelID, "message_id", m.ID)
	}
}

// admitDM decides whether a direct message may wait in the scoring queue,
// which it shares with server messages: DMs may fill at most half of it,
// and each user may have one DM waiting or being answered. A refused DM is
// dropped and counted.
func (b *Bot) admitDM(m *discordgo.Message) bool {
	b.dmMu.Lock()
	defer b.dmMu.Unlock()
	if b.dmPending == nil {
		b.dmPending = make(map[string]bool)
	}
	if b.dmPending[m.Author.ID] || len(b.dmPending) >= max(cap(b.queue)/2, 1) {
		b.metrics.messages.WithLabelValues("dropped_dm").Inc()
		return false
	}
	b.dmPending[m.Author.ID] = true
	return true
}

// doneDM ends a user's waiting DM.
func (b *Bot) doneDM(userID string) {
	b.dmMu.Lock()
	delete(b.dmPending, userID)
	b.dmMu.Unlock()
}

// quickSkip returns why a message is not worth queuing, or "".
func (b *Bot) quickSkip(m *discordgo.Message) string {
	switch {
	case m.Author == nil:
		return "skipped_no_author"
	case m.Author.ID == b.selfID():
		return "skipped_self"
	case (m.Author.Bot || m.WebhookID != "") && !b.includeBots:
		return "skipped_bot"
	case m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply:
		return "skipped_system"
	case m.GuildID != "" && utf8.RuneCountInString(strings.TrimSpace(m.Content)) < b.minChars:
		return "skipped_short"
	}
	return ""
}

func (b *Bot) worker() {
	defer b.wg.Done()
	for j := range b.queue {
		b.runJob(j)
	}
}

func (b *Bot) runJob(j job) {
	defer b.recoverEvent("score", "guild_id", j.msg.GuildID, "message_id", j.msg.ID)
	b.metrics.inFlight.Inc()
	defer b.metrics.inFlight.Dec()
	ctx, cancel := b.eventContext()
	defer cancel()
	if j.msg.GuildID == "" {
		defer b.doneDM(j.msg.Author.ID)
		b.answerDM(ctx, j.msg)
		return
	}
	b.process(ctx, j)
}

// process scores one server message and acts according to the server's mode.
func (b *Bot) process(ctx context.Context, j job) {
	m := j.msg
	log := b.log.With("guild_id", m.GuildID, "channel_id", m.ChannelID, "message_id", m.ID, "author_id", m.Author.ID, "edited", j.edited)
	if b.hasLeft(m.GuildID) {
		b.metrics.messages.WithLabelValues("skipped_left").Inc()
		return
	}
	set, err := b.settings.get(ctx, m.GuildID)
	if err != nil {
		b.metrics.messages.WithLabelValues("error").Inc()
		log.Error("discord: load settings", "err", err)
		return
	}
	if !set.Mode.Checks() {
		b.metrics.messages.WithLabelValues("skipped_off").Inc()
		return
	}
	if m.Member == nil && len(set.ExemptRoles) > 0 {
		// An update may come without the member: look the roles up, so
		// an exempt member's edit stays exempt.
		if mem, err := b.api.GuildMember(m.GuildID, m.Author.ID, discordgo.WithContext(ctx)); err != nil {
			log.Warn("discord: look up the author's roles for exemptions", "err", err)
		} else {
			m.Member = mem
		}
	}
	if why := b.exempt(set, m); why != "" {
		b.metrics.messages.WithLabelValues("skipped_exempt").Inc()
		log.Debug("discord: exempt", "why", why)
		return
	}
	// Every replica's gateway session receives the event: the one that
	// claims it in the store first acts on it, the others drop it.
	first, err := b.store.MarkDelivery(ctx, string(moderation.Discord), eventKey(m, j.edited), time.Now().Add(eventClaimTTL))
	if err != nil {
		b.metrics.messages.WithLabelValues("error").Inc()
		log.Error("discord: claim message", "err", err)
		return
	}
	if !first {
		b.metrics.messages.WithLabelValues("skipped_claimed").Inc()
		log.Debug("discord: another replica handles this message")
		return
	}
	v, err := b.checker.Check(ctx, b.item(m))
	if err != nil {
		b.metrics.messages.WithLabelValues("error").Inc()
		log.Error("discord: check message", "err", err)
		return
	}
	if b.hasLeft(m.GuildID) {
		// Removed from the server while this message was being scored.
		b.metrics.messages.WithLabelValues("skipped_left").Inc()
		return
	}
	o := moderation.ScoreOutcome(set.Mode, v, set.Thresholds(v.ModelThreshold(b.modelThreshold)))
	log = log.With("score", v.Score, "verdict", v.Verdict.String(), "flagged", o.Flagged, "mode", set.Mode.String())
	outcome := "scored"
	if o.Flagged {
		outcome = "flagged"
	}
	b.metrics.messages.WithLabelValues(outcome).Inc()

	d := b.decision(v, m)
	if !set.Mode.Tells() {
		if _, err := b.store.RecordDecision(ctx, d); err != nil {
			log.Error("discord: record decision", "err", err)
		}
		log.Info("discord: observed")
		return
	}

	p := b.countStrike(ctx, log, set, m, planFor(set, o, j.edited))
	// The decision is recorded before acting, without actions: without its
	// ID the buttons cannot work, and acting anyway would punish without a
	// record, so stop here when it fails. Only what succeeds is added to it.
	id, err := b.store.RecordDecision(ctx, d)
	if err != nil {
		log.Error("discord: record decision", "err", err)
		return
	}
	log = log.With("decision_id", id)
	var recorded []string
	record := func(r result) {
		actions := r.actions()
		if slices.Equal(actions, recorded) {
			return
		}
		// The text of a message the bot deleted is kept whatever store_text
		// says: the message is gone, and an upheld appeal needs it for the
		// feedback that retrains the model. Retention prunes it with the decision.
		text := ""
		if r.deleted {
			text = m.Content
		}
		if err := b.store.UpdateDecision(ctx, id, actions, text); err != nil {
			log.Error("discord: record actions", "actions", strings.Join(actions, ","), "err", err)
			return
		}
		recorded = actions
	}
	r := b.enforce(ctx, log, set, p, m)
	if r.deleted || r.timedOut {
		record(r) // before the DM, whose appeal button shows the actions
		if err := b.dmAuthor(ctx, m, v, id, p, r); err != nil {
			log.Warn("discord: DM the author (they may not accept DMs)", "err", err)
			r.notes = append(r.notes, "could not DM the author: "+restErrorText(err))
		} else {
			r.dmSent = true
			b.metrics.actions.WithLabelValues("dm").Inc()
		}
	}
	switch {
	case p.modlog:
		r.posted = b.postModLog(ctx, log, set, m, v, id, p, r.notes, j.edited)
	case j.edited:
		b.clearModLog(ctx, log, m, v)
	}
	record(r)
	log.Info("discord: message handled", "actions", strings.Join(r.actions(), ","))
}

// eventClaimTTL is how long a message event's claim is kept: far longer
// than two replicas' gateway sessions can disagree about when they saw it.
const eventClaimTTL = 24 * time.Hour

// eventKey names one message event for the replicas' claim: the message ID
// for a new message; for an edit, also the edit's time and a hash of the
// new text, so that each edit is claimed once and a later edit again.
func eventKey(m *discordgo.Message, edited bool) string {
	if !edited {
		return "message/" + m.ID
	}
	h := fnv.New64a()
	h.Write([]byte(m.Content))
	at := int64(0)
	if m.EditedTimestamp != nil {
		at = m.EditedTimestamp.UnixMicro()
	}
	return fmt.Sprintf("edit/%s/%d/%x", m.ID, at, h.Sum64())
}

// plan is what the bot means to do about one message.
type plan struct {
	modlog        bool
	strike        bool // the message earns its author a strike
	strikes       int  // strikes counted for this message, 0 when none was added (countStrike)
	strikesNeeded int
	delete        bool          // set by countStrike once the author has strikesNeeded
	timeout       time.Duration // likewise
}

// result is what was done about one message, which may fall short of the plan.
type result struct {
	deleted  bool // the bot deleted the message
	timedOut bool
	dmSent   bool
	posted   bool     // the mod-log shows the message
	notes    []string // what enforce did or could not do, for the mod-log
}

// actions are the decision's actions for r.
func (r result) actions() []string {
	var a []string
	if r.deleted {
		a = append(a, "delete")
	}
	if r.timedOut {
		a = append(a, "timeout")
	}
	if r.dmSent {
		a = append(a, "dm")
	}
	if r.posted {
		a = append(a, "modlog")
	}
	return a
}

// planFor decides the actions for a scored message from its outcome; it
// reads and writes nothing. A flagged message goes to the mod-log; in
// enforce mode a message over the stricter threshold earns a strike
// (moderation.Outcome.Enforce), and countStrike then says whether the author
// has enough to act on. Edits are flagged but never enforced, so one
// message cannot earn two strikes.
func planFor(set Settings, o moderation.Outcome, edited bool) plan {
	return plan{
		modlog:        o.Flagged && set.ModLogChannel != "",
		strike:        o.Enforce && !edited,
		strikesNeeded: set.Strikes,
	}
}

// countStrike adds the strike p plans to the author's record in the store
// and, once the author has set.Strikes within the window, plans the delete
// and the timeout. Without a planned strike it returns p as it is.
func (b *Bot) countStrike(ctx context.Context, log *slog.Logger, set Settings, m *discordgo.Message, p plan) plan {
	if !p.strike {
		return p
	}
	n, err := b.store.AddStrike(ctx, m.GuildID, m.Author.ID, m.ID, b.now(), set.StrikeWindow)
	if err != nil {
		log.Error("discord: add strike", "err", err)
		return p
	}
	p.strikes = n
	if n >= set.Strikes {
		p.delete = set.Delete
		p.timeout = set.Timeout
	}
	return p
}

// enforce deletes the message and times its author out as planned, and
// returns what was done. A message that is already gone counts as deleted.
func (b *Bot) enforce(ctx context.Context, log *slog.Logger, set Settings, p plan, m *discordgo.Message) result {
	var r result
	reason := discordgo.WithAuditLogReason(fmt.Sprintf("slopguard: %d strikes within %s", p.strikes, set.StrikeWindow))
	if p.delete {
		err := b.api.ChannelMessageDelete(m.ChannelID, m.ID, discordgo.WithContext(ctx), reason)
		switch {
		case err == nil:
			b.metrics.actions.WithLabelValues("delete").Inc()
			r.deleted = true
			r.notes = append(r.notes, "deleted the message")
		case isUnknownMessage(err):
			// Someone else deleted it: nothing for the bot to record as
			// its own action, tell the author about, or keep the text of.
			log.Info("discord: message already deleted")
			r.notes = append(r.notes, "the message was already deleted")
		default:
			log.Error("discord: delete message", "err", err)
			r.notes = append(r.notes, "could not delete the message: "+restErrorText(err))
		}
	}
	if p.timeout > 0 {
		until := b.now().Add(p.timeout).UTC()
		if err := b.api.GuildMemberTimeout(m.GuildID, m.Author.ID, &until, discordgo.WithContext(ctx), reason); err != nil {
			log.Error("discord: time out author", "err", err)
			r.notes = append(r.notes, "could not time the author out: "+restErrorText(err))
		} else {
			b.metrics.actions.WithLabelValues("timeout").Inc()
			r.timedOut = true
			r.notes = append(r.notes, "timed the author out for "+humanDuration(p.timeout))
		}
	}
	return r
}

// exempt returns why a message is exempt under set, or "".
func (b *Bot) exempt(set Settings, m *discordgo.Message) string {
	if m.Member != nil {
		for _, r := range m.Member.Roles {
			if slices.Contains(set.ExemptRoles, r) {
				return "role " + r
			}
		}
	}
	if slices.Contains(set.ExemptChannels, m.ChannelID) {
		return "channel " + m.ChannelID
	}
	if b.channels == nil {
		return ""
	}
	// Walk up at most thread → channel → category.
	id := m.ChannelID
	for depth := 0; depth < 3 && id != ""; depth++ {
		ch, err := b.channels.Channel(id)
		if err != nil || ch == nil {
			return ""
		}
		switch {
		case ch.IsThread() && set.ExemptThreads:
			return "thread " + ch.ID
		case ch.Type == discordgo.ChannelTypeGuildCategory && slices.Contains(set.ExemptCategories, ch.ID):
			return "category " + ch.ID
		case depth > 0 && slices.Contains(set.ExemptChannels, ch.ID):
			return "channel " + ch.ID
		}
		id = ch.ParentID
	}
	return ""
}

// item translates a message into the platform-neutral Item.
func (b *Bot) item(m *discordgo.Message) moderation.Item {
	return moderation.Item{
		Platform:    moderation.Discord,
		Kind:        moderation.KindMessage,
		Scope:       m.GuildID,
		ID:          m.ID,
		URL:         jumpLink(m.GuildID, m.ChannelID, m.ID),
		Author:      m.Author.ID,
		AuthorIsBot: m.Author.Bot || m.WebhookID != "",
		Body:        m.Content,
	}
}

func (b *Bot) decision(v moderation.Verdict, m *discordgo.Message) store.Decision {
	d := store.Decision{
		Platform: string(moderation.Discord), Scope: m.GuildID, ItemID: m.ID, Kind: string(moderation.KindMessage), ItemURL: v.Item.URL, ChannelID: m.ChannelID,
		Author: m.Author.ID, Score: v.Score, Verdict: v.Verdict.String(), CannotJudge: v.CannotJudge, Model: v.ModelVersion,
		CreatedAt: v.CheckedAt, Title: b.channelTitle(m.ChannelID),
	}
	d.Reasons = moderation.ReasonTexts(v.Reasons, b.storeText)
	if b.storeText {
		d.Text = m.Content
	}
	return d
}
