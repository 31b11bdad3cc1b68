package discord

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/store"
)

// followupPath sends a follow-up to interaction i-1: how a refusal reaches
// the presser after the press was acknowledged.
const followupPath = "/webhooks/" + selfID + "/tok"

// TestModeratorButtonsCheckTheSourceChannelAndRoles: Delete and Timeout act
// on the flagged message and its author, so the presser needs the permission
// where the message is, not only in the mod-log, and may time out only
// someone they outrank.
func TestModeratorButtonsCheckTheSourceChannelAndRoles(t *testing.T) {
	t.Parallel()
	const mm, modm = discordgo.PermissionManageMessages, discordgo.PermissionModerateMembers
	deleteCall := "DELETE /channels/" + generalID + "/messages/1001"
	timeoutCall := "PATCH /guilds/" + guildID + "/members/" + authorID
	tests := []struct {
		name        string
		button      string
		press       func(ev *discordgo.InteractionCreate)
		state       func(st *discordgo.State)
		authorRoles []string
		wantCall    string // the action's call, "" when refused
		wantRefusal string // text of the follow-up, when refused
	}{
		{name: "delete with Manage Messages everywhere", button: "delete", wantCall: deleteCall},
		{name: "delete with Manage Messages in the mod-log only", button: "delete",
			press: func(ev *discordgo.InteractionCreate) {
				ev.Member.Roles = []string{roleHelper} // the mod-log's overwrite gave the interaction's permissions
			}, wantRefusal: "Manage Messages permission in <#" + generalID + ">"},
		{name: "delete denied by the message's channel", button: "delete",
			state: func(st *discordgo.State) {
				ch, _ := st.Channel(generalID)
				ch.PermissionOverwrites = []*discordgo.PermissionOverwrite{{ID: roleMM, Type: discordgo.PermissionOverwriteTypeRole, Deny: mm}}
			}, wantRefusal: "Manage Messages permission in <#" + generalID + ">"},
		{name: "timeout of a lower member", button: "timeout", wantCall: timeoutCall},
		{name: "timeout of a member who outranks the moderator", button: "timeout", authorRoles: []string{roleSenior},
			wantRefusal: "role is not above"},
		{name: "timeout of an equal member", button: "timeout", authorRoles: []string{roleModM},
			wantRefusal: "role is not above"},
		{name: "timeout of the owner", button: "timeout", authorRoles: []string{roleMember},
			press:       func(ev *discordgo.InteractionCreate) {},
			state:       func(st *discordgo.State) { g, _ := st.Guild(guildID); g.OwnerID = authorID },
			wantRefusal: "role is not above"},
		{name: "the owner times out anyone", button: "timeout", authorRoles: []string{roleSenior},
			press: func(ev *discordgo.InteractionCreate) { ev.Member.User.ID = ownerID }, wantCall: timeoutCall},
		{name: "an administrator above the author", button: "timeout", authorRoles: []string{roleSenior},
			press: func(ev *discordgo.InteractionCreate) { ev.Member.Roles = []string{roleAdmin} }, wantCall: timeoutCall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			h.changeState(tt.state)
			if tt.authorRoles != nil {
				h.api.roles[authorID] = tt.authorRoles
			}
			on := flagged(t, h)
			perms := int64(mm)
			if tt.button == "timeout" {
				perms = modm
			}
			ev := press("slopguard:"+tt.button+":1", perms, on)
			if tt.press != nil {
				tt.press(ev)
			}
			h.bot.InteractionCreate(nil, ev)
			calls := h.api.Calls()
			if got := dig(calls[0].Body, "type"); calls[0].Path != callbackPath || got != float64(discordgo.InteractionResponseDeferredMessageUpdate) {
				t.Fatalf("first call: %s type %v, want the deferred acknowledgement (6) of the press", calls[0], got)
			}
			var acted bool
			var refusal string
			for _, c := range calls {
				if c.String() == tt.wantCall || c.String() == deleteCall || c.String() == timeoutCall {
					acted = true
				}
				if c.String() == "POST "+followupPath {
					refusal, _ = dig(c.Body, "content").(string)
					wantField(t, "refusal flags", c.Body, float64(discordgo.MessageFlagsEphemeral), "flags")
				}
			}
			if tt.wantCall != "" && (!acted || refusal != "") {
				t.Errorf("calls %s: want %s and no refusal (got %q)", paths(calls), tt.wantCall, refusal)
			}
			if tt.wantCall == "" {
				if acted {
					t.Errorf("calls %s: the refused action was made", paths(calls))
				}
				if !strings.Contains(refusal, tt.wantRefusal) {
					t.Errorf("refusal: got %q, want it to contain %q (calls %s)", refusal, tt.wantRefusal, paths(calls))
				}
				// Refused, the post keeps its buttons for someone who may.
				if cur, _, _ := h.store.ClaimMessage(context.Background(), store.OwnedMessage{Platform: "discord", Scope: guildID,
					ItemID: modlogID + "/901", Kind: ownedKindHandled}); cur != "" {
					t.Errorf("a refused press claimed the post for %s", cur)
				}
			}
		})
	}
}

// TestCheckLinkOnlyForChannelsTheCallerCanRead: /slopguard check quotes the
// message it scores, so a link to a channel the caller cannot read is
// refused without fetching it. The link's server part is only text; the
// channel decides. A channel of another server the bot is in must not be
// read for a member of this one (their roles mean nothing there, and
// @everyone's permissions there are not theirs), and a private thread is
// readable only by its members and those with Manage Threads, not by
// everyone who reads its parent channel.
func TestCheckLinkOnlyForChannelsTheCallerCanRead(t *testing.T) {
	t.Parallel()
	const checked = "|Reads like machine-generated text"
	tests := []struct {
		name    string
		channel string
		roles   []string
		want    string
		fetched bool
		state   func(st *discordgo.State)
	}{
		{"readable channel", generalID, []string{roleHelper}, checked, true, nil},
		{"channel hidden from the caller", privateID, []string{roleHelper}, "you cannot read <#" + privateID + ">", false, nil},
		{"administrator reads everything", privateID, []string{roleAdmin}, checked, true, nil},
		{"channel the bot does not know", "299", []string{roleAdmin}, "cannot check", false, nil},
		{"a channel of another server", otherChannelID, []string{roleHelper}, "another server", false, nil},
		{"a channel of another server, as an administrator here", otherChannelID, []string{roleAdmin}, "another server", false, nil},
		{"a private thread in a readable channel", privThreadID, []string{roleHelper}, "private thread", false, nil},
		{"a private thread, as an administrator", privThreadID, []string{roleAdmin}, checked, true, nil},
		// GUILD_CREATE lists the active threads without guild_id, and
		// discordgo fills it in for channels only: the parent tells.
		{"a thread known from the server's GUILD_CREATE", threadID, []string{roleHelper}, checked, true,
			func(st *discordgo.State) { th, _ := st.Channel(threadID); th.GuildID = "" }},
		{"a thread of another server known from its GUILD_CREATE", "951", []string{roleHelper}, "another server", false,
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
			h.changeState(tt.state)
			wantCheckOfLink(t, h, tt.channel, tt.roles, 0, tt.fetched, tt.want)
		})
	}
}

// wantCheckOfLink stores slopText as message 1001 of channel, has a member
// with roles and perms run /slopguard check on its link, and wants the bot
// to have fetched the message or not, and its answer to contain want.
func wantCheckOfLink(t *testing.T, h *harness, channel string, roles []string, perms int64, wantFetched bool, want string) {
	t.Helper()
	h.api.mu.Lock()
	h.api.messages[channel+"/1001"] = slopText
	h.api.mu.Unlock()
	ev := slash("check", opt("message", discordgo.ApplicationCommandOptionString, "https://discord.com/channels/"+guildID+"/"+channel+"/1001"))
	ev.Member.Roles = roles
	ev.Member.Permissions = perms
	h.bot.InteractionCreate(nil, ev)
	calls := h.api.Calls()
	fetched := false
	for _, c := range calls {
		fetched = fetched || c.String() == "GET /channels/"+channel+"/messages/1001"
	}
	if fetched != wantFetched {
		t.Errorf("fetched the message: %v, want %v (calls %s)", fetched, wantFetched, paths(calls))
	}
	if got := answerText(t, calls); !strings.Contains(got, want) {
		t.Errorf("answer: got %q, want it to contain %q", got, want)
	}
}

// orderStore reports, on each store call a press makes, whether the press
// had been acknowledged by then.
type orderStore struct {
	store.Store
	api *fakeDiscord

	mu    sync.Mutex
	early []string // store calls made before the acknowledgement
}

func (s *orderStore) check(what string) {
	s.api.mu.Lock()
	acked := false
	for _, c := range s.api.calls {
		acked = acked || c.Path == callbackPath
	}
	s.api.mu.Unlock()
	if !acked {
		s.mu.Lock()
		s.early = append(s.early, what)
		s.mu.Unlock()
	}
}

func (s *orderStore) Decision(ctx context.Context, id int64) (store.Decision, error) {
	s.check("Decision")
	return s.Store.Decision(ctx, id)
}

func (s *orderStore) ClaimMessage(ctx context.Context, m store.OwnedMessage) (string, bool, error) {
	s.check("ClaimMessage " + m.Kind)
	return s.Store.ClaimMessage(ctx, m)
}

func (s *orderStore) Setting(ctx context.Context, scope, key string) ([]byte, error) {
	s.check("Setting")
	return s.Store.Setting(ctx, scope, key)
}

// TestPressesAreAcknowledgedBeforeStoreWork: Discord shows "This interaction
// failed" when the first answer takes over three seconds, and a busy
// database can take longer; buttons and appeals answer first.
func TestPressesAreAcknowledgedBeforeStoreWork(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		ev   func(on *discordgo.Message) *discordgo.InteractionCreate
	}{
		{"dismiss", func(on *discordgo.Message) *discordgo.InteractionCreate {
			return press("slopguard:dismiss:1", discordgo.PermissionManageMessages, on)
		}},
		{"delete", func(on *discordgo.Message) *discordgo.InteractionCreate {
			return press("slopguard:delete:1", discordgo.PermissionManageMessages, on)
		}},
		{"appeal", func(*discordgo.Message) *discordgo.InteractionCreate {
			dm := &discordgo.Message{ID: "903", ChannelID: "dm-" + authorID}
			return &discordgo.InteractionCreate{Interaction: &discordgo.Interaction{
				ID: "i-1", Token: "tok", Type: discordgo.InteractionMessageComponent, ChannelID: dm.ChannelID,
				User: &discordgo.User{ID: authorID}, Message: dm,
				Data: discordgo.MessageComponentInteractionData{CustomID: "slopguard:appeal:1"},
			}}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var os *orderStore
			h := newHarness(t, func(o *Options) {
				os = &orderStore{Store: o.Store, api: nil}
				o.Store = os
			})
			os.api = h.api
			on := flagged(t, h)
			h.bot.settings.forget(guildID) // the appeal reads the settings afresh
			os.mu.Lock()
			os.early = nil
			os.mu.Unlock()
			h.bot.InteractionCreate(nil, tt.ev(on))
			calls := h.api.Calls()
			if len(calls) == 0 || calls[0].Path != callbackPath {
				t.Fatalf("calls %s: want the acknowledgement first", paths(calls))
			}
			os.mu.Lock()
			defer os.mu.Unlock()
			if len(os.early) != 0 {
				t.Errorf("store calls before the acknowledgement: %v", os.early)
			}
		})
	}
}

// TestSetupChecksTheBotCanPostInTheModLog: the warning about missing
// permissions is about the chosen mod-log channel, where the bot posts,
// not about the channel where the command ran.
func TestSetupChecksTheBotCanPostInTheModLog(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, channel string
		app           int64 // the bot's permissions where the command ran
		want, notWant string
	}{
		{"a channel the bot can post in", modlogID, 0, "Saved.", "missing"},
		{"a channel hidden from the bot", privateID, discordgo.PermissionAll, "missing View Channels", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			ev := slash("setup", opt("modlog", discordgo.ApplicationCommandOptionChannel, tt.channel))
			ev.AppPermissions = tt.app
			h.bot.InteractionCreate(nil, ev)
			got := answerText(t, h.api.Calls())
			if !strings.Contains(got, tt.want) || (tt.notWant != "" && strings.Contains(got, tt.notWant)) {
				t.Errorf("answer %q: want %q and not %q", got, tt.want, tt.notWant)
			}
			if tt.channel == privateID && !strings.Contains(got, "<#"+privateID+">") {
				t.Errorf("answer %q: want it to name the mod-log channel", got)
			}
		})
	}
}

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
	st := h.state()
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
			h.changeState(tt.state)
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
	st := h.state()
	th, _ := st.Channel(threadID)
	th.GuildID = ""
	h.bot.InteractionCreate(nil, slash("setup", opt("modlog", discordgo.ApplicationCommandOptionChannel, threadID)))
	if got := answerText(t, h.api.Calls()); !strings.Contains(got, "Saved.") {
		t.Fatalf("a thread of this server as the mod-log: got %q, want it saved", got)
	}
	h.api.Calls() // forget the first answer
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
			ch, err := h.state().Channel(generalID)
			if err != nil {
				t.Fatal(err)
			}
			ch.Type, ch.ParentID = discordgo.ChannelTypeGuildPrivateThread, modlogID
			h.api.Calls() // forget the flag's calls
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
