package discord

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

const (
	callbackPath = "/interactions/i-1/tok/callback"
	// answerPath edits the (deferred) answer to interaction i-1.
	answerPath = "/webhooks/" + selfID + "/tok/messages/@original"
)

// flagged posts a flag for message 1001 and returns the mod-log message the
// buttons are on, as Discord would send it back in a button interaction.
func flagged(t *testing.T, h *harness) *discordgo.Message {
	t.Helper()
	h.api.mu.Lock()
	h.api.messages[generalID+"/1001"] = slopText
	h.api.mu.Unlock()
	h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
	calls := h.api.Calls()
	wantPaths(t, calls, "POST /channels/"+modlogID+"/messages")
	return &discordgo.Message{ID: "901", ChannelID: modlogID, Embeds: []*discordgo.MessageEmbed{{Title: "Possible machine-generated message", Fields: []*discordgo.MessageEmbedField{{Name: "Score", Value: "0.99"}}}}}
}

// press builds a button press by a member with perms in the mod-log, who
// has the test server's roles that give those permissions everywhere.
func press(customID string, perms int64, on *discordgo.Message) *discordgo.InteractionCreate {
	var roles []string
	for _, r := range []struct {
		perm int64
		role string
	}{{discordgo.PermissionManageMessages, roleMM}, {discordgo.PermissionModerateMembers, roleModM}, {discordgo.PermissionAdministrator, roleAdmin}} {
		if perms&r.perm != 0 {
			roles = append(roles, r.role)
		}
	}
	return &discordgo.InteractionCreate{Interaction: &discordgo.Interaction{
		ID: "i-1", Token: "tok", AppID: selfID, Type: discordgo.InteractionMessageComponent, GuildID: guildID, ChannelID: modlogID,
		Member:  &discordgo.Member{User: &discordgo.User{ID: modID, Username: "mo"}, Permissions: perms, Roles: roles},
		Message: on,
		Data:    discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ButtonComponent},
	}}
}

func TestButtonWithoutPermissionIsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		button string
		perms  int64
		want   string
	}{
		{"dismiss", discordgo.PermissionSendMessages, "Manage Messages"},
		{"notslop", discordgo.PermissionSendMessages, "Manage Messages"},
		{"delete", discordgo.PermissionModerateMembers, "Manage Messages"},
		{"timeout", discordgo.PermissionManageMessages, "Moderate Members"},
	}
	for _, tt := range tests {
		t.Run(tt.button, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			on := flagged(t, h)
			h.bot.InteractionCreate(nil, press("slopguard:"+tt.button+":1", tt.perms, on))
			calls := h.api.Calls()
			wantPaths(t, calls, "POST "+callbackPath)
			wantField(t, "response type", calls[0].Body, float64(discordgo.InteractionResponseChannelMessageWithSource), "type")
			wantField(t, "flags", calls[0].Body, float64(discordgo.MessageFlagsEphemeral), "data", "flags")
			if got, _ := dig(calls[0].Body, "data", "content").(string); !strings.Contains(got, tt.want) {
				t.Errorf("content: got %q, want it to name %s", got, tt.want)
			}
			fb, err := h.store.Feedback(context.Background(), store.FeedbackFilter{})
			if err != nil || len(fb) != 0 {
				t.Errorf("feedback: got %d (%v), want none", len(fb), err)
			}
		})
	}
}

func TestButtonsAct(t *testing.T) {
	t.Parallel()
	const mm, modm = discordgo.PermissionManageMessages, discordgo.PermissionModerateMembers
	modlogMsg := "PATCH /channels/" + modlogID + "/messages/901"
	getMsg := "GET /channels/" + generalID + "/messages/1001"
	tests := []struct {
		button    string
		perms     int64
		wantCalls []string
		wantLabel string // feedback label, "" for none
		handled   string
	}{
		{"dismiss", mm, []string{"POST " + callbackPath, modlogMsg}, "", "Dismissed by <@600>"},
		{"notslop", mm, []string{"POST " + callbackPath, getMsg, modlogMsg}, "human", "Marked **not slop** by <@600>; thank you, this helps the model"},
		{"delete", mm, []string{"POST " + callbackPath, getMsg, "DELETE /channels/" + generalID + "/messages/1001", modlogMsg}, "machine", "Message deleted by <@600>"},
		{"timeout", modm, []string{"POST " + callbackPath, "GET /guilds/" + guildID + "/members/" + authorID, getMsg, "PATCH /guilds/" + guildID + "/members/" + authorID, modlogMsg}, "machine", "<@500> timed out for 1 h by <@600>"},
		{"admin may do anything", discordgo.PermissionAdministrator, []string{"POST " + callbackPath, modlogMsg}, "", "Dismissed by <@600>"},
	}
	for _, tt := range tests {
		t.Run(tt.button, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			on := flagged(t, h)
			action := tt.button
			if strings.Contains(action, " ") {
				action = "dismiss"
			}
			h.bot.InteractionCreate(nil, press("slopguard:"+action+":1", tt.perms, on))
			calls := h.api.Calls()
			wantPaths(t, calls, tt.wantCalls...)
			wantField(t, "response type", calls[0].Body, float64(discordgo.InteractionResponseDeferredMessageUpdate), "type")
			last := calls[len(calls)-1].Body
			wantField(t, "edited embed field", last, "Handled", "embeds", 0, "fields", 1, "name")
			wantField(t, "handled", last, tt.handled, "embeds", 0, "fields", 1, "value")
			if got, ok := dig(last, "components").([]any); !ok || len(got) != 0 {
				t.Errorf("components after handling: got %v, want []", dig(last, "components"))
			}
			if action == "timeout" {
				if got, want := dig(calls[3].Body, "communication_disabled_until"), now.Add(time.Hour).Format(time.RFC3339); got != want {
					t.Errorf("timeout until: got %v, want %v", got, want)
				}
			}
			fb, err := h.store.Feedback(context.Background(), store.FeedbackFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantLabel == "" {
				if len(fb) != 0 {
					t.Errorf("feedback: got %+v, want none", fb)
				}
				return
			}
			if len(fb) != 1 || fb[0].Label != tt.wantLabel || fb[0].By != modID || fb[0].DecisionID != 1 || fb[0].Text != slopText {
				t.Errorf("feedback: got %+v, want one %s label by %s on decision 1 with the text", fb, tt.wantLabel, modID)
			}
		})
	}
}

func TestButtonFromAnotherGuildIsRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	on := flagged(t, h)
	ev := press("slopguard:delete:1", discordgo.PermissionManageMessages, on)
	ev.GuildID = "999"
	h.bot.InteractionCreate(nil, ev)
	calls := h.api.Calls()
	wantPaths(t, calls, "POST "+callbackPath, "POST "+followupPath)
	if got, _ := dig(calls[1].Body, "content").(string); !strings.Contains(got, "no longer have a record") {
		t.Errorf("content: got %q", got)
	}
}

func TestAppeal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.enforceOne(t, slopText)

	h.bot.InteractionCreate(nil, appealPress("666"))
	calls := h.api.Calls()
	wantPaths(t, calls, "POST "+callbackPath, "POST "+followupPath)
	if got, _ := dig(calls[1].Body, "content").(string); !strings.Contains(got, "Only the author") {
		t.Errorf("someone else's appeal: got %q", got)
	}

	h.bot.InteractionCreate(nil, appealPress(authorID))
	calls = h.api.Calls()
	wantPaths(t, calls, "POST "+callbackPath, "POST /channels/"+modlogID+"/messages", "PATCH /channels/dm-"+authorID+"/messages/903")
	wantField(t, "appeal title", calls[1].Body, "Review requested", "embeds", 0, "title")
	wantField(t, "appeal actions", calls[1].Body, "delete, timeout, dm, modlog", "embeds", 0, "fields", 1, "value")
	wantField(t, "appeal button", calls[1].Body, "slopguard:notslop:1", "components", 0, "components", 0, "custom_id")
	wantField(t, "DM after appeal", calls[2].Body, "A moderator has been asked to review this.", "embeds", 0, "fields", 0, "value")

	h.bot.InteractionCreate(nil, appealPress(authorID))
	calls = h.api.Calls()
	wantPaths(t, calls, "POST "+callbackPath, "POST "+followupPath)
	if got, _ := dig(calls[1].Body, "content").(string); !strings.Contains(got, "already asked") {
		t.Errorf("second appeal: got %q", got)
	}
}

// slash builds a /slopguard interaction with one subcommand.
func slash(sub string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.InteractionCreate {
	return &discordgo.InteractionCreate{Interaction: &discordgo.Interaction{
		ID: "i-1", Token: "tok", AppID: selfID, Type: discordgo.InteractionApplicationCommand, GuildID: guildID, ChannelID: generalID,
		Member: &discordgo.Member{User: &discordgo.User{ID: modID}, Permissions: discordgo.PermissionManageGuild},
		Data: discordgo.ApplicationCommandInteractionData{Name: "slopguard", CommandType: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: sub, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}}},
	}}
}

func opt(name string, typ discordgo.ApplicationCommandOptionType, v any) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: typ, Value: v}
}

func exempt(op string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.InteractionCreate {
	ev := slash("exempt")
	ev.Data = discordgo.ApplicationCommandInteractionData{Name: "slopguard", Options: []*discordgo.ApplicationCommandInteractionDataOption{{
		Name: "exempt", Type: discordgo.ApplicationCommandOptionSubCommandGroup,
		Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: op, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}},
	}}}
	return ev
}

// replyText runs one interaction that makes no other calls and returns its
// private answer: a reply, or a deferred answer and the edit filling it in.
func replyText(t *testing.T, h *harness, ev *discordgo.InteractionCreate) string {
	t.Helper()
	h.bot.InteractionCreate(nil, ev)
	calls := h.api.Calls()
	if len(calls) > 0 && dig(calls[0].Body, "type") == float64(discordgo.InteractionResponseDeferredChannelMessageWithSource) {
		if len(calls) == 3 && calls[1].String() == "GET /guilds/"+guildID+"/members/"+selfID {
			calls = append(calls[:1], calls[2]) // setup looks up the bot's roles for its mod-log check
		}
		wantPaths(t, calls, "POST "+callbackPath, "PATCH "+answerPath)
	} else {
		wantPaths(t, calls, "POST "+callbackPath)
	}
	return answerText(t, calls)
}

// answerText returns the private answer in calls, which begin with the
// interaction's first answer: "content|embed title".
func answerText(t *testing.T, calls []call) string {
	t.Helper()
	if len(calls) == 0 || calls[0].String() != "POST "+callbackPath {
		t.Fatalf("calls %s: want the interaction answered first", paths(calls))
	}
	wantField(t, "flags", calls[0].Body, float64(discordgo.MessageFlagsEphemeral), "data", "flags")
	data := dig(calls[0].Body, "data")
	if dig(calls[0].Body, "type") == float64(discordgo.InteractionResponseDeferredChannelMessageWithSource) {
		last := calls[len(calls)-1]
		if last.String() != "PATCH "+answerPath {
			t.Fatalf("calls %s: a deferred answer must be filled in last", paths(calls))
		}
		data = last.Body
	}
	s, _ := dig(data, "content").(string)
	if title, ok := dig(data, "embeds", 0, "title").(string); ok {
		s += "|" + title
	}
	return s
}

// deferredAnswer wants calls to be a deferred first answer, the calls
// middle, and the edit filling the answer in, and returns the answer as
// answerText does.
func deferredAnswer(t *testing.T, calls []call, middle ...string) string {
	t.Helper()
	wantPaths(t, calls, append(append([]string{"POST " + callbackPath}, middle...), "PATCH "+answerPath)...)
	wantField(t, "first answer type", calls[0].Body, float64(discordgo.InteractionResponseDeferredChannelMessageWithSource), "type")
	return answerText(t, calls)
}

func TestSettingsSurviveRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "slopguard.db")
	opts := func(st store.Store, api API) Options {
		return Options{API: api, Checker: &fakeChecker{}, Store: st, Defaults: Settings{
			Mode: moderation.ModeFlag, EnforceThreshold: 0.97, Strikes: 3, StrikeWindow: 168 * time.Hour, Timeout: time.Hour, Delete: true,
		}, ModelThreshold: 0.9, MinChars: 20, Now: func() time.Time { return now }}
	}
	fake := newFakeDiscord(t)
	st1 := openStore(t, path)
	b1, err := New(opts(st1, fake.session()))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{bot: b1, api: fake, store: st1}
	steps := []struct {
		ev   *discordgo.InteractionCreate
		want string
	}{
		{slash("setup", opt("modlog", discordgo.ApplicationCommandOptionChannel, modlogID), opt("mode", discordgo.ApplicationCommandOptionString, "enforce")), "**Mode**: enforce · **mod-log**: <#201>"},
		{slash("threshold", opt("flag", discordgo.ApplicationCommandOptionNumber, 0.8), opt("enforce", discordgo.ApplicationCommandOptionNumber, 0.95), opt("strikes", discordgo.ApplicationCommandOptionInteger, 2.0)), "**Flag at**: 0.80 · **enforce at**: 0.95 after 2 strikes in 7d"},
		{slash("threshold", opt("flag", discordgo.ApplicationCommandOptionNumber, 0.99), opt("enforce", discordgo.ApplicationCommandOptionNumber, 0.95)), "Not done: the enforce threshold 0.95 is below the flag threshold 0.99"},
		{exempt("add", opt("role", discordgo.ApplicationCommandOptionRole, "r-mods"), opt("category", discordgo.ApplicationCommandOptionChannel, categoryID)), "**Exempt**: <@&r-mods>, <#300> (category)"},
		{exempt("add", opt("channel", discordgo.ApplicationCommandOptionChannel, exemptChanID)), "**Exempt**: <@&r-mods>, <#202>, <#300> (category)"},
		{exempt("remove", opt("role", discordgo.ApplicationCommandOptionRole, "r-mods")), "**Exempt**: <#202>, <#300> (category)"},
		{exempt("add"), "Not done: give a role, a channel or a category"},
		{slash("setup"), "Not done: choose a mod-log channel"},
		{slash("setup", opt("modlog", discordgo.ApplicationCommandOptionChannel, modlogID), opt("timeout_minutes", discordgo.ApplicationCommandOptionInteger, 50000.0)), "Not done: timeout: 833h20m0s is not between 0 and 28 days"},
		{slash("setup", opt("modlog", discordgo.ApplicationCommandOptionChannel, modlogID), opt("delete", discordgo.ApplicationCommandOptionBoolean, false),
			opt("timeout_minutes", discordgo.ApplicationCommandOptionInteger, 1440.0), opt("strike_window_hours", discordgo.ApplicationCommandOptionInteger, 48.0)),
			"**Enforce does**: delete off, timeout 1d"},
	}
	for _, st := range steps {
		if got := replyText(t, h, st.ev); !strings.Contains(got, st.want) {
			t.Errorf("got reply %q, want it to contain %q", got, st.want)
		}
	}
	if err := b1.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := st1.Close(); err != nil {
		t.Fatal(err)
	}

	// A new process: a new store handle and a new bot.
	st2 := openStore(t, path)
	b2, err := New(opts(st2, fake.session()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := b2.settings.get(context.Background(), guildID)
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{Mode: moderation.ModeEnforce, ModLogChannel: modlogID, Threshold: 0.8, EnforceThreshold: 0.95, Strikes: 2,
		StrikeWindow: 48 * time.Hour, Timeout: 24 * time.Hour, Delete: false, ExemptChannels: []string{exemptChanID}, ExemptCategories: []string{categoryID}}
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Errorf("settings after restart:\n got %s\nwant %s", g, w)
	}
	h2 := &harness{bot: b2, api: fake, store: st2}
	if got := replyText(t, h2, slash("status")); !strings.Contains(got, "**Mode**: enforce") || !strings.Contains(got, "0 messages scored") {
		t.Errorf("status after restart: got %q", got)
	}
	other, err := b2.settings.get(context.Background(), "101")
	if err != nil || other.Mode != moderation.ModeFlag || other.ModLogChannel != "" {
		t.Errorf("another guild: got %+v (%v), want the defaults", other, err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	var s strings.Builder
	if err := jsonEncode(&s, v); err != nil {
		t.Fatal(err)
	}
	return s.String()
}

func TestStatusCounts(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.settings(t, func(s *Settings) { s.Mode = moderation.ModeEnforce; s.Strikes = 1; s.Timeout = 0 })
	h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
	h.bot.process(context.Background(), job{msg: msg("1002", maybeText)})
	h.bot.process(context.Background(), job{msg: msg("1003", humanText)})
	h.api.Calls()
	if got := replyText(t, h, slash("status")); !strings.Contains(got, "3 messages scored, 2 flagged to the mod-log, 1 enforced") {
		t.Errorf("status: got %q", got)
	}
}

func TestCheckCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.api.messages[generalID+"/1001"] = slopText
	h.api.messages[generalID+"/1002"] = ""
	tests := []struct {
		name string
		ev   *discordgo.InteractionCreate
		pre  []string // calls between deferring the answer and filling it in
		want string
	}{
		{"text", slash("check", opt("text", discordgo.ApplicationCommandOptionString, slopText)), nil, "|Reads like machine-generated text"},
		{"human text", slash("check", opt("text", discordgo.ApplicationCommandOptionString, humanText)), nil, "|Reads like human writing"},
		{"link", slash("check", opt("message", discordgo.ApplicationCommandOptionString, "https://discord.com/channels/100/200/1001")),
			[]string{"GET /channels/200/messages/1001"}, "|Reads like machine-generated text"},
		{"link without content", slash("check", opt("message", discordgo.ApplicationCommandOptionString, "https://discord.com/channels/100/200/1002")),
			[]string{"GET /channels/200/messages/1002"}, "Message Content intent"},
		{"link to a missing message", slash("check", opt("message", discordgo.ApplicationCommandOptionString, "https://discord.com/channels/100/200/1404")),
			[]string{"GET /channels/200/messages/1404"}, "Unknown Message (code 10008)"},
		{"link to another server", slash("check", opt("message", discordgo.ApplicationCommandOptionString, "https://discord.com/channels/999/200/1001")), nil, "another server"},
		{"bad link", slash("check", opt("message", discordgo.ApplicationCommandOptionString, "hello")), nil, "is not a message link"},
		{"nothing", slash("check"), nil, "give a text or a message link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.bot.InteractionCreate(nil, tt.ev)
			if got := deferredAnswer(t, h.api.Calls(), tt.pre...); !strings.Contains(got, tt.want) {
				t.Errorf("reply: got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestContextMenu(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	menu := func(content string) *discordgo.InteractionCreate {
		return &discordgo.InteractionCreate{Interaction: &discordgo.Interaction{
			ID: "i-1", Token: "tok", AppID: selfID, Type: discordgo.InteractionApplicationCommand, GuildID: guildID, ChannelID: generalID,
			Member: &discordgo.Member{User: &discordgo.User{ID: modID}, Permissions: discordgo.PermissionManageMessages},
			Data: discordgo.ApplicationCommandInteractionData{Name: "Check for slop", CommandType: discordgo.MessageApplicationCommand, TargetID: "1001",
				Resolved: &discordgo.ApplicationCommandInteractionDataResolved{Messages: map[string]*discordgo.Message{
					"1001": {ID: "1001", ChannelID: generalID, Content: content, Author: &discordgo.User{ID: authorID}},
				}}},
		}}
	}
	if got := replyText(t, h, menu(slopText)); got != "|Reads like machine-generated text" {
		t.Errorf("slop: got %q", got)
	}
	if got := replyText(t, h, menu("")); !strings.Contains(got, "cannot see any text") {
		t.Errorf("empty: got %q", got)
	}
}

func TestReadyRegistersCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *Options) { o.AppID, o.SelfID = "", "" })
	h.bot.Ready(nil, &discordgo.Ready{SessionID: "s", User: &discordgo.User{ID: selfID}, Application: &discordgo.Application{ID: "app-1"}})
	calls := h.api.Calls()
	wantPaths(t, calls, "PUT /applications/app-1/commands")
	var cmds []map[string]any
	if err := jsonDecode(calls[0].Raw, &cmds); err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 2 {
		t.Fatalf("got %d commands, want 2", len(cmds))
	}
	tests := []struct {
		i           int
		name, perms string
		typ         float64
	}{
		{0, "slopguard", "32", 1},        // Manage Server
		{1, "Check for slop", "8192", 3}, // Manage Messages
	}
	for _, tt := range tests {
		c := cmds[tt.i]
		if c["name"] != tt.name || c["default_member_permissions"] != tt.perms || c["type"] != tt.typ {
			t.Errorf("command %d: got name %v perms %v type %v, want %s %s %v", tt.i, c["name"], c["default_member_permissions"], c["type"], tt.name, tt.perms, tt.typ)
		}
	}
	var subs []string
	for _, o := range cmds[0]["options"].([]any) {
		subs = append(subs, o.(map[string]any)["name"].(string))
	}
	if got := strings.Join(subs, ","); got != "setup,threshold,exempt,status,dashboard,check" {
		t.Errorf("subcommands: got %s", got)
	}
	if h.bot.selfID() != selfID {
		t.Errorf("self ID from Ready: got %q, want %q", h.bot.selfID(), selfID)
	}
	// Another shard does not register.
	h2 := newHarness(t, func(o *Options) { o.ShardID = 1 })
	h2.bot.Ready(nil, &discordgo.Ready{User: &discordgo.User{ID: selfID}})
	if calls := h2.api.Calls(); len(calls) != 0 {
		t.Errorf("shard 1: got calls %s, want none", paths(calls))
	}
}

func TestUnknownButtonAndPanicsAreHandled(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	if got := replyText(t, h, press("other:thing", discordgo.PermissionAdministrator, nil)); !strings.Contains(got, "not one of mine") {
		t.Errorf("unknown button: got %q", got)
	}
	// Data of the wrong type panics inside discordgo's accessor; the handler recovers.
	ev := press("slopguard:dismiss:1", discordgo.PermissionAdministrator, nil)
	ev.Type = discordgo.InteractionApplicationCommand
	h.bot.InteractionCreate(nil, ev)
	if calls := h.api.Calls(); len(calls) != 0 {
		t.Errorf("after a panic: got calls %s, want none", paths(calls))
	}
}
