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

// statusWindow is how far back /slopguard status counts.
const statusWindow = 7 * 24 * time.Hour

// maxExemptShown is how many exemptions a reply lists before "and N more".
const maxExemptShown = 20

// settingsCommands are the /slopguard subcommands that change the settings.
var settingsCommands = []string{"setup", "threshold", "exempt"}

// slashCommand handles /slopguard and its subcommands. Discord decides who
// sees the command (DefaultMemberPermissions and the server's Integrations
// page), for the whole group at once; a server may open it to helpers for
// check and status, so the subcommands that change settings also require
// Manage Server here. Every subcommand reads or writes the store and check
// may call Discord, so the answer is deferred first and filled in after.
func (b *Bot) slashCommand(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	if i.GuildID == "" || len(data.Options) == 0 {
		b.reply(ctx, log, i, "Use /slopguard in a server.")
		return
	}
	sub := data.Options[0]
	log = log.With("command", sub.Name)
	if slices.Contains(settingsCommands, sub.Name) && (i.Member == nil || !hasPermission(i.Member.Permissions, discordgo.PermissionManageGuild)) {
		b.metrics.actions.WithLabelValues("command_refused").Inc()
		log.Info("discord: command refused: missing permission", "permission", "Manage Server")
		b.reply(ctx, log, i, "Sorry, changing slopguard's settings needs the Manage Server permission. "+
			"You can still use /slopguard status and /slopguard check.")
		return
	}
	if !b.deferReply(ctx, log, i) {
		return
	}
	opts := options(sub.Options)
	var (
		content string
		embed   *discordgo.MessageEmbed
		err     error
	)
	switch sub.Name {
	case "setup":
		content, err = b.cmdSetup(ctx, log, i, opts)
	case "threshold":
		content, err = b.cmdThreshold(ctx, log, i, opts)
	case "exempt":
		if len(sub.Options) == 0 {
			err = errors.New("say add or remove")
			break
		}
		op := sub.Options[0]
		content, err = b.cmdExempt(ctx, log, i, op.Name, options(op.Options))
	case "status":
		content, err = b.cmdStatus(ctx, log, i)
	case "check":
		embed, err = b.cmdCheck(ctx, log, i, opts)
	case "dashboard":
		content, err = b.cmdDashboard(i)
	default:
		err = fmt.Errorf("unknown subcommand %q", clip(sub.Name, 40))
	}
	if err != nil {
		// The reason goes to the user only: it may quote what they typed.
		log.Info("discord: command refused", "command", sub.Name)
		b.editReply(ctx, log, i, "Not done: "+err.Error())
		return
	}
	b.editReply(ctx, log, i, content, embed)
}

// options indexes a subcommand's options by name.
func options(opts []*discordgo.ApplicationCommandInteractionDataOption) map[string]*discordgo.ApplicationCommandInteractionDataOption {
	m := make(map[string]*discordgo.ApplicationCommandInteractionDataOption, len(opts))
	for _, o := range opts {
		m[o.Name] = o
	}
	return m
}

// str returns an option's value as a string (strings, channels, roles), or "".
func str(o *discordgo.ApplicationCommandInteractionDataOption) string {
	if o == nil {
		return ""
	}
	s, _ := o.Value.(string)
	return s
}

// num returns a number or integer option's value and whether it was given.
func num(o *discordgo.ApplicationCommandInteractionDataOption) (float64, bool) {
	if o == nil {
		return 0, false
	}
	f, ok := o.Value.(float64)
	return f, ok
}

func (b *Bot) cmdSetup(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, opts map[string]*discordgo.ApplicationCommandInteractionDataOption) (string, error) {
	modlog := str(opts["modlog"])
	if modlog == "" {
		return "", errors.New("choose a mod-log channel")
	}
	// The flags it carries quote this server's messages: never to a
	// channel of another server the bot is in.
	if b.channels != nil {
		if g := b.channelGuild(modlog); g != "" && g != i.GuildID {
			return "", errors.New("that channel is in another server")
		}
	}
	set, err := b.settings.modify(ctx, i.GuildID, func(s *Settings) error {
		s.ModLogChannel = modlog
		if m := str(opts["mode"]); m != "" {
			mode, err := moderation.ParseMode(m)
			if err != nil {
				return err
			}
			s.Mode = mode
		}
		if o := opts["delete"]; o != nil {
			v, _ := o.Value.(bool)
			s.Delete = v
		}
		if v, ok := num(opts["timeout_minutes"]); ok {
			s.Timeout = time.Duration(v) * time.Minute
		}
		if v, ok := num(opts["strike_window_hours"]); ok {
			s.StrikeWindow = time.Duration(v) * time.Hour
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	log.Info("discord: setup", "modlog_channel", set.ModLogChannel, "mode", set.Mode.String())
	msg := "Saved.\n" + b.describe(set)
	if missing, where := b.missingInModLog(ctx, log, i, set); missing != "" {
		msg += "\n\n⚠ I am missing " + missing + " in " + where + "; check my role."
	}
	return msg, nil
}

// missingInModLog names the permissions the bot lacks for set's mode in
// the mod-log channel, computed from the gateway's cache with the bot's
// roles, and where that is. When they cannot be computed it falls back to
// the interaction's app_permissions, which are the bot's in the channel
// where the command ran.
func (b *Bot) missingInModLog(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, set Settings) (missing, where string) {
	var (
		self *discordgo.Member
		err  = errors.New("the bot's user ID is not known yet")
	)
	if b.selfID() != "" {
		self, err = b.api.GuildMember(i.GuildID, b.selfID(), discordgo.WithContext(ctx))
	}
	if err == nil && self != nil {
		if self.User == nil {
			self.User = &discordgo.User{ID: b.selfID()}
		}
		var perms int64
		if perms, err = b.permissionsIn(i.GuildID, self, set.ModLogChannel); err == nil {
			return missingPermissions(perms, set.Mode), "<#" + set.ModLogChannel + ">"
		}
	}
	log.Warn("discord: cannot compute my permissions in the mod-log channel", "modlog_channel", set.ModLogChannel, "err", err)
	return missingAppPermissions(i.AppPermissions, set.Mode), "this channel"
}

// missingAppPermissions names the permissions the bot lacks for mode, judged
// from the interaction's app_permissions (this channel's), or "".
func missingAppPermissions(perms int64, mode moderation.Mode) string {
	if perms == 0 {
		return "" // not sent: nothing to judge from
	}
	return missingPermissions(perms, mode)
}

// missingPermissions names the permissions among perms the bot lacks for
// mode, or "".
func missingPermissions(perms int64, mode moderation.Mode) string {
	need := []struct {
		bit  int64
		name string
	}{{discordgo.PermissionViewChannel, "View Channels"}, {discordgo.PermissionSendMessages, "Send Messages"}, {discordgo.PermissionEmbedLinks, "Embed Links"}}
	if mode == moderation.ModeEnforce {
		need = append(need, struct {
			bit  int64
			name string
		}{discordgo.PermissionManageMessages, "Manage Messages"}, struct {
			bit  int64
			name string
		}{discordgo.PermissionModerateMembers, "Moderate Members"})
	}
	var missing []string
	for _, n := range need {
		if !hasPermission(perms, n.bit) {
			missing = append(missing, n.name)
		}
	}
	return strings.Join(missing, ", ")
}

func (b *Bot) cmdThreshold(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, opts map[string]*discordgo.ApplicationCommandInteractionDataOption) (string, error) {
	flag, ok := num(opts["flag"])
	if !ok {
		return "", errors.New("give a flag threshold between 0 and 1")
	}
	set, err := b.settings.modify(ctx, i.GuildID, func(s *Settings) error {
		s.Threshold = flag
		if v, ok := num(opts["enforce"]); ok {
			s.EnforceThreshold = v
		} else if s.EnforceThreshold > 0 && s.EnforceThreshold < s.FlagThreshold(b.modelThreshold) {
			// Not asked for: an old enforce threshold the new flag
			// threshold passed goes back to the default, halfway to 1.
			s.EnforceThreshold = 0
		}
		if v, ok := num(opts["strikes"]); ok {
			s.Strikes = int(v)
		}
		if flag := s.FlagThreshold(b.modelThreshold); s.EnforceThreshold > 0 && s.EnforceThreshold < flag {
			return fmt.Errorf("the enforce threshold %.4g is below the flag threshold %.4g; give one at or above it, or 0 for halfway to 1 (%.4g)",
				s.EnforceThreshold, flag, moderation.DefaultEnforceThreshold(flag))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	log.Info("discord: threshold", "threshold", set.Threshold, "enforce_threshold", set.EnforceThreshold, "strikes", set.Strikes)
	return "Saved.\n" + b.describe(set), nil
}

func (b *Bot) cmdExempt(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, op string, opts map[string]*discordgo.ApplicationCommandInteractionDataOption) (string, error) {
	role, channel, category := str(opts["role"]), str(opts["channel"]), str(opts["category"])
	if role == "" && channel == "" && category == "" {
		return "", errors.New("give a role, a channel or a category")
	}
	var change func(list []string, id string) []string
	switch op {
	case "add":
		change = func(list []string, id string) []string {
			if id == "" || slices.Contains(list, id) {
				return list
			}
			return append(list, id)
		}
	case "remove":
		change = func(list []string, id string) []string {
			return slices.DeleteFunc(list, func(s string) bool { return s == id })
		}
	default:
		return "", fmt.Errorf("unknown exempt operation %q (want add or remove)", clip(op, 40))
	}
	set, err := b.settings.modify(ctx, i.GuildID, func(s *Settings) error {
		s.ExemptRoles = change(s.ExemptRoles, role)
		s.ExemptChannels = change(s.ExemptChannels, channel)
		s.ExemptCategories = change(s.ExemptCategories, category)
		return nil
	})
	if err != nil {
		return "", err
	}
	log.Info("discord: exempt", "op", op, "role", role, "channel", channel, "category", category)
	return "Saved.\n" + b.describe(set), nil
}

func (b *Bot) cmdStatus(ctx context.Context, log *slog.Logger, i *discordgo.Interaction) (string, error) {
	set, err := b.settings.get(ctx, i.GuildID)
	if err != nil {
		log.Error("discord: status settings", "err", err)
		return "", errors.New("could not read the settings")
	}
	const limit = 10000
	ds, err := b.store.Decisions(ctx, store.DecisionFilter{Platform: string(moderation.Discord), Scope: i.GuildID, Since: b.now().Add(-statusWindow), Limit: limit})
	if err != nil {
		log.Error("discord: status decisions", "err", err)
		return "", errors.New("could not read the decision log")
	}
	var flagged, enforced int
	for _, d := range ds {
		if slices.Contains(d.Actions, "modlog") {
			flagged++
		}
		if slices.Contains(d.Actions, "delete") || slices.Contains(d.Actions, "timeout") {
			enforced++
		}
	}
	more := ""
	if len(ds) == limit {
		more = " (at least)"
	}
	return fmt.Sprintf("%s\n\n**Last 7 days**%s: %d messages scored, %d flagged to the mod-log, %d enforced.",
		b.describe(set), more, len(ds), flagged, enforced), nil
}

func (b *Bot) cmdCheck(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, opts map[string]*discordgo.ApplicationCommandInteractionDataOption) (*discordgo.MessageEmbed, error) {
	text, link := str(opts["text"]), str(opts["message"])
	switch {
	case text != "" && link != "":
		return nil, errors.New("give a text or a message link, not both")
	case text != "":
		return b.checkMessage(ctx, log, i, &discordgo.Message{Content: text})
	case link != "":
		guildID, channelID, messageID, err := parseJumpLink(link)
		if err != nil {
			return nil, err
		}
		if guildID != i.GuildID {
			return nil, errors.New("that message is in another server")
		}
		// The answer quotes the message: only for a caller who can read it.
		perms, err := b.permissionsIn(i.GuildID, i.Member, channelID)
		switch {
		case errors.Is(err, errOtherServer):
			return nil, errors.New("that message is in another server")
		case errors.Is(err, errPrivateThread):
			log.Info("discord: check refused: private thread", "channel_id", channelID)
			return nil, fmt.Errorf("<#%s> is a private thread: use the \"Check for slop\" menu on the message instead", channelID)
		}
		if err != nil {
			log.Info("discord: check refused: cannot compute permissions", "channel_id", channelID, "err", err)
			//lint:ignore ST1005 shown to the Discord user as a sentence
			return nil, fmt.Errorf("I cannot check that you can read <#%s>; use the \"Check for slop\" menu on the message instead", channelID)
		}
		if !hasPermission(perms, discordgo.PermissionViewChannel|discordgo.PermissionReadMessageHistory) {
			log.Info("discord: check refused: caller cannot read the channel", "channel_id", channelID)
			return nil, fmt.Errorf("you cannot read <#%s>", channelID)
		}
		m, err := b.api.ChannelMessage(channelID, messageID, discordgo.WithContext(ctx))
		if err != nil {
			log.Warn("discord: fetch message for check", "err", err)
			//lint:ignore ST1005 shown to the Discord user as a sentence
			return nil, fmt.Errorf("I could not read that message (%s)", restErrorText(err))
		}
		if strings.TrimSpace(m.Content) == "" {
			//lint:ignore ST1005 shown to the Discord user as a sentence
			return nil, errors.New("I cannot see any text in that message (without the Message Content intent, use the \"Check for slop\" menu on the message instead)")
		}
		return b.checkMessage(ctx, log, i, m)
	}
	return nil, errors.New("give a text or a message link")
}

// describe renders a server's settings for people.
func (b *Bot) describe(s Settings) string {
	modlog := "not set"
	if s.ModLogChannel != "" {
		modlog = "<#" + s.ModLogChannel + ">"
	}
	threshold := scoreText(s.FlagThreshold(b.modelThreshold))
	if s.Threshold == 0 {
		threshold += " (the model's)"
	}
	var lines []string
	enforceNote := ""
	if s.EnforceThreshold == 0 {
		enforceNote = " (halfway to 1)"
	}
	lines = append(lines,
		fmt.Sprintf("**Mode**: %s · **mod-log**: %s", s.Mode, modlog),
		fmt.Sprintf("**Flag at**: %s · **enforce at**: %s%s after %d strikes in %s", threshold, scoreText(s.ActThreshold(b.modelThreshold)), enforceNote, s.Strikes, humanDuration(s.StrikeWindow)),
		fmt.Sprintf("**Enforce does**: delete %s, timeout %s", onOff(s.Delete), timeoutText(s.Timeout)),
		"**Exempt**: "+exemptText(s),
	)
	return strings.Join(lines, "\n")
}

// scoreText shows a threshold with two to four decimals, enough to tell
// the model's 0.9888 from a derived 0.9944 (both 0.99 at two).
func scoreText(x float64) string {
	t := strings.TrimRight(fmt.Sprintf("%.4f", x), "0")
	if i := strings.IndexByte(t, '.'); i >= 0 && len(t)-i-1 < 2 {
		t += strings.Repeat("0", 2-(len(t)-i-1))
	}
	return t
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func timeoutText(d time.Duration) string {
	if d == 0 {
		return "off"
	}
	return humanDuration(d)
}

// exemptText lists a server's exemptions, the first maxExemptShown of them
// and then how many more, so a long list cannot push a reply past Discord's
// 2000 characters.
func exemptText(s Settings) string {
	var parts []string
	if s.ExemptThreads {
		parts = append(parts, "all threads")
	}
	for _, r := range s.ExemptRoles {
		parts = append(parts, "<@&"+r+">")
	}
	for _, c := range s.ExemptChannels {
		parts = append(parts, "<#"+c+">")
	}
	for _, c := range s.ExemptCategories {
		parts = append(parts, "<#"+c+"> (category)")
	}
	if len(parts) == 0 {
		return "nothing"
	}
	if len(parts) > maxExemptShown {
		return strings.Join(parts[:maxExemptShown], ", ") + fmt.Sprintf(" and %d more", len(parts)-maxExemptShown)
	}
	return strings.Join(parts, ", ")
}
