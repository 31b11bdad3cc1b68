package discord

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// IDs of a second server the bot is in, and of a private thread in general.
const (
	otherGuildID   = "110"
	otherChannelID = "950" // readable by the other server's @everyone
	privThreadID   = "410" // a private thread in general
)

// withOtherServerAndPrivateThread adds to the harness's cache a second
// server whose @everyone reads its channel, and a private thread in general.
func withOtherServerAndPrivateThread(t *testing.T, h *harness) {
	t.Helper()
	st := h.bot.channels.(*discordgo.State)
	if err := st.GuildAdd(&discordgo.Guild{
		ID: otherGuildID, OwnerID: "801",
		Roles:    []*discordgo.Role{{ID: otherGuildID, Name: "@everyone", Permissions: everyoneSee}},
		Channels: []*discordgo.Channel{{ID: otherChannelID, GuildID: otherGuildID, Type: discordgo.ChannelTypeGuildText}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.ChannelAdd(&discordgo.Channel{ID: privThreadID, GuildID: guildID, Type: discordgo.ChannelTypeGuildPrivateThread, ParentID: generalID}); err != nil {
		t.Fatal(err)
	}
}

// TestCheckLinkRefusesOtherServersAndPrivateThreads: the link's server part
// is only text; the channel decides. A channel of another server the bot is
// in must not be read for a member of this one (their roles mean nothing
// there, and @everyone's permissions there are not theirs), and a private
// thread is readable only by its members and those with Manage Threads, not
// by everyone who reads its parent channel.
func TestCheckLinkRefusesOtherServersAndPrivateThreads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		channel string
		roles   []string
		perms   int64
		want    string
		fetched bool
		state   func(st *discordgo.State)
	}{
		{"a channel of another server", otherChannelID, []string{roleHelper}, 0, "another server", false, nil},
		{"a channel of another server, as an administrator here", otherChannelID, []string{roleAdmin}, 0, "another server", false, nil},
		{"a private thread in a readable channel", privThreadID, []string{roleHelper}, 0, "private thread", false, nil},
		{"a private thread, as an administrator", privThreadID, []string{roleAdmin}, 0, "|Reads like machine-generated text", true, nil},
		// GUILD_CREATE lists the active threads without guild_id, and
		// discordgo fills it in for channels only: the parent tells.
		{"a thread known from the server's GUILD_CREATE", threadID, []string{roleHelper}, 0, "|Reads like machine-generated text", true,
			func(st *discordgo.State) { th, _ := st.Channel(threadID); th.GuildID = "" }},
		{"a thread of another server known from its GUILD_CREATE", "951", []string{roleHelper}, 0, "another server", false,
			func(st *discordgo.State) {
				g, _ := st.Guild(otherGuildID)
				g.Threads = append(g.Threads, &discordgo.Channel{ID: "951", Type: discordgo.ChannelTypeGuildPublicThread, ParentID: otherChannelID})
				if err := st.GuildAdd(g); err != nil {
					panic(err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			withOtherServerAndPrivateThread(t, h)
			if tt.state != nil {
				tt.state(h.bot.channels.(*discordgo.State))
			}
			wantCheckOfLink(t, h, tt.channel, tt.roles, tt.perms, tt.fetched, tt.want)
		})
	}
}

// TestButtonsFollowDiscordsImplicitDenials: Discord takes every other
// channel permission from a member who cannot see the channel, and all but
// View Channel and Read Message History from a member who is timed out
// (the owner and administrators excepted). A moderator so restricted where
// the message is may not delete it, nor time its author out, by button.
func TestButtonsFollowDiscordsImplicitDenials(t *testing.T) {
	t.Parallel()
	deleteCall := "DELETE /channels/" + generalID + "/messages/1001"
	timeoutCall := "PATCH /guilds/" + guildID + "/members/" + authorID
	hideGeneral := func(st *discordgo.State) {
		ch, _ := st.Channel(generalID)
		ch.PermissionOverwrites = []*discordgo.PermissionOverwrite{{ID: guildID, Type: discordgo.PermissionOverwriteTypeRole, Deny: discordgo.PermissionViewChannel}}
	}
	timedOut := func(ev *discordgo.InteractionCreate) {
		until := now.Add(time.Hour)
		ev.Member.CommunicationDisabledUntil = &until
	}
	tests := []struct {
		name     string
		button   string
		perms    int64
		state    func(st *discordgo.State)
		press    func(ev *discordgo.InteractionCreate)
		wantCall string // "" when refused
	}{
		{"delete in a channel the moderator cannot see", "delete", discordgo.PermissionManageMessages, hideGeneral, nil, ""},
		{"delete in a hidden channel, as an administrator", "delete", discordgo.PermissionAdministrator, hideGeneral, nil, deleteCall},
		{"delete by a timed-out moderator", "delete", discordgo.PermissionManageMessages, nil, timedOut, ""},
		{"timeout by a timed-out moderator", "timeout", discordgo.PermissionModerateMembers, nil, timedOut, ""},
		{"delete by a timed-out administrator", "delete", discordgo.PermissionAdministrator, nil, timedOut, deleteCall},
		{"delete by a moderator whose timeout ended", "delete", discordgo.PermissionManageMessages, nil, func(ev *discordgo.InteractionCreate) {
			until := now.Add(-time.Minute)
			ev.Member.CommunicationDisabledUntil = &until
		}, deleteCall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			if tt.state != nil {
				tt.state(h.bot.channels.(*discordgo.State))
			}
			on := flagged(t, h)
			ev := press("slopguard:"+tt.button+":1", tt.perms, on)
			if tt.press != nil {
				tt.press(ev)
			}
			h.bot.InteractionCreate(nil, ev)
			calls := h.api.Calls()
			acted := false
			for _, c := range calls {
				acted = acted || c.String() == deleteCall || c.String() == timeoutCall
			}
			if want := tt.wantCall != ""; acted != want {
				t.Errorf("acted: %v, want %v (calls %s)", acted, want, paths(calls))
			}
		})
	}
}

// TestSetupRefusesAModLogInAnotherServer: a mod-log channel of another
// server the bot is in would carry this server's flags, with the texts
// they quote, to people outside it.
func TestSetupRefusesAModLogInAnotherServer(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	withOtherServerAndPrivateThread(t, h)
	// A thread of this server known from GUILD_CREATE (no guild_id) is
	// a mod-log like any channel.
	st := h.bot.channels.(*discordgo.State)
	th, _ := st.Channel(threadID)
	th.GuildID = ""
	h.bot.InteractionCreate(nil, slash("setup", opt("modlog", discordgo.ApplicationCommandOptionChannel, threadID)))
	if got := answerText(t, h.api.Calls()); !strings.Contains(got, "Saved.") {
		t.Fatalf("a thread of this server as the mod-log: got %q, want it saved", got)
	}
	h.api.mu.Lock()
	h.api.calls = nil
	h.api.mu.Unlock()
	h.bot.InteractionCreate(nil, slash("setup", opt("modlog", discordgo.ApplicationCommandOptionChannel, otherChannelID)))
	if got := answerText(t, h.api.Calls()); !strings.Contains(got, "another server") {
		t.Errorf("answer: got %q, want a refusal naming another server", got)
	}
	h.bot.settings.forget(guildID)
	set, err := h.bot.settings.get(context.Background(), guildID)
	if err != nil {
		t.Fatal(err)
	}
	if set.ModLogChannel == otherChannelID {
		t.Errorf("the mod-log was set to the other server's channel %s", otherChannelID)
	}
}

// TestButtonsInAPrivateThreadNameManageThreads: a moderator without Manage
// Threads who presses Delete or Timeout on a message in a private thread
// is told that Manage Threads is what they lack, not that their
// permissions could not be checked; nothing is done.
func TestButtonsInAPrivateThreadNameManageThreads(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		button string
		perms  int64
		need   string
	}{
		{"delete", discordgo.PermissionManageMessages, "Manage Messages"},
		{"timeout", discordgo.PermissionModerateMembers, "Moderate Members"},
	} {
		t.Run(tt.button, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			on := flagged(t, h)
			// The flagged message's channel is a private thread under the mod-log channel.
			ch, err := h.bot.channels.(*discordgo.State).Channel(generalID)
			if err != nil {
				t.Fatal(err)
			}
			ch.Type, ch.ParentID = discordgo.ChannelTypeGuildPrivateThread, modlogID
			h.api.mu.Lock()
			h.api.calls = nil
			h.api.mu.Unlock()
			h.bot.InteractionCreate(nil, press("slopguard:"+tt.button+":1", tt.perms, on))
			calls := h.api.Calls()
			var got string
			for _, c := range calls {
				if c.String() == "POST "+followupPath {
					got, _ = dig(c.Body, "content").(string)
				}
			}
			if !strings.Contains(got, "Manage Threads") || !strings.Contains(got, tt.need) || strings.Contains(got, "could not check") {
				t.Errorf("answer: got %q, want it to say Manage Threads (and %s) is needed", got, tt.need)
			}
			for _, c := range calls {
				if c.Method == "DELETE" || c.Method == "PATCH" && strings.Contains(c.Path, "/members/") {
					t.Errorf("acted in a private thread the moderator cannot manage: %s", c)
				}
			}
		})
	}
}
