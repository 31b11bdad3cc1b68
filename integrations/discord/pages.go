package discord

import (
	"context"
	"errors"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/store"
)

// Pages makes links to the pages that explain decisions; the links are
// signed and expire. A method that returns "" posts no link.
type Pages interface {
	// DecisionURL links to one decision's page.
	DecisionURL(id int64) string
	// ScopeURL links to a scope's dashboard.
	ScopeURL(platform, scope string) string
}

// withDetails adds a link to the decision's page to a mod-log embed.
func (b *Bot) withDetails(e *discordgo.MessageEmbed, decisionID int64) *discordgo.MessageEmbed {
	if b.pages == nil {
		return e
	}
	if u := b.pages.DecisionURL(decisionID); u != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Details", Value: "[The text with the patterns marked](" + u + ")"})
	}
	return fitEmbed(e)
}

// cmdDashboard answers /slopguard dashboard, privately, with a fresh link
// to the server's dashboard; only for members with Manage Server.
func (b *Bot) cmdDashboard(i *discordgo.Interaction) (string, error) {
	if i.Member == nil || !hasPermission(i.Member.Permissions, discordgo.PermissionManageGuild) {
		return "", errors.New("the dashboard needs the Manage Server permission")
	}
	if b.pages == nil {
		return "", errors.New("this slopguard has no dashboard: its operator has not set a public URL and a link secret")
	}
	u := b.pages.ScopeURL("discord", i.GuildID)
	if u == "" {
		return "", errors.New("this slopguard has no dashboard: its operator has not set a public URL and a link secret")
	}
	return "This server's dashboard (a private link; it expires, ask again for a fresh one): " + u, nil
}

// StoredSettings returns a server's settings as kept in st (what
// /slopguard changed), or defaults when it changed none. It reads the
// store only, for the pages that show the policy in force.
func StoredSettings(ctx context.Context, st store.Store, defaults Settings, guildID string) (Settings, error) {
	ss := &settingsStore{store: st, defaults: defaults, now: time.Now}
	return ss.get(ctx, guildID)
}
