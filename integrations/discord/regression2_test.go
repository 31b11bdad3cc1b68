package discord

// Regression tests from the second review: enforce mode records and tells
// only what Discord accepted, the first press on a mod-log post wins,
// "Not slop" takes the strike back,
// an upheld appeal keeps the deleted message's text, an already-deleted
// message is not a failure, a server the bot left is left alone, and every
// channel with messages can be exempted.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// routeFault makes the fake Discord answer one route with a Discord JSON
// error while on; everything else goes to the normal fake.
type routeFault struct {
	hits atomic.Int32
	off  atomic.Bool
}

// refuseRoute answers method requests whose path ends in suffix with status
// and a Discord error body of code and message, recording them as calls.
func refuseRoute(h *harness, method, suffix string, status, code int, message string) *routeFault {
	f := &routeFault{}
	next := h.api.srv.Config.Handler
	h.api.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.off.Load() || r.Method != method || !strings.HasSuffix(r.URL.Path, suffix) {
			next.ServeHTTP(w, r)
			return
		}
		f.hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		c := call{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/api/v"+discordgo.APIVersion), Raw: string(body)}
		_ = jsonDecode(string(body), &c.Body)
		h.api.mu.Lock()
		h.api.calls = append(h.api.calls, c)
		h.api.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"message": %q, "code": %d}`, message, code)
	})
	return f
}

// latestDecision is the newest decision about message itemID.
func latestDecision(t *testing.T, h *harness, itemID string) store.Decision {
	t.Helper()
	d, err := h.store.LatestDecision(context.Background(), "discord", guildID, itemID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Routes the enforce tests fail.
var (
	deleteRoute  = [2]string{"DELETE", "/channels/" + generalID + "/messages/1001"}
	timeoutRoute = [2]string{"PATCH", "/guilds/" + guildID + "/members/" + authorID}
	dmRoute      = [2]string{"POST", "/channels/dm-" + authorID + "/messages"}
	modlogRoute  = [2]string{"POST", "/channels/" + modlogID + "/messages"}
)

type fault struct {
	route   [2]string
	status  int
	code    int
	message string
}

func TestEnforceRecordsTellsAndReportsOnlyWhatSucceeded(t *testing.T) {
	t.Parallel()
	missingPerms := func(route [2]string) fault { return fault{route, 403, 50013, "Missing Permissions"} }
	tests := []struct {
		name        string
		timeout     time.Duration
		faults      []fault
		wantActions []string
		wantDM      string // what the DM says was done; "" for no DM
		wantNoDM    string // what the DM must not say
		wantNotes   string // the mod-log's Enforced field
		wantText    bool   // the decision keeps the message text (store_text is off)
	}{
		{
			name: "all succeed", timeout: time.Hour,
			wantActions: []string{"delete", "timeout", "dm", "modlog"},
			wantDM:      "removed your message and paused your ability to post for 1h",
			wantNotes:   "deleted the message\ntimed the author out for 1h", wantText: true,
		},
		{
			name: "timeout refused (owner, admin or above the bot's role)", timeout: time.Hour,
			faults:      []fault{missingPerms(timeoutRoute)},
			wantActions: []string{"delete", "dm", "modlog"},
			wantDM:      "so the server's moderation bot removed your message.", wantNoDM: "paused",
			wantNotes: "deleted the message\ncould not time the author out: Missing Permissions (code 50013)", wantText: true,
		},
		{
			name: "DMs closed", timeout: time.Hour,
			faults:      []fault{{dmRoute, 403, 50007, "Cannot send messages to this user"}},
			wantActions: []string{"delete", "timeout", "modlog"},
			wantDM:      "removed your message and paused your ability to post for 1h", // attempted
			wantNotes:   "deleted the message\ntimed the author out for 1h\ncould not DM the author: Cannot send messages to this user (code 50007)",
			wantText:    true,
		},
		{
			name: "nothing succeeded: no DM", timeout: time.Hour,
			faults:      []fault{missingPerms(deleteRoute), missingPerms(timeoutRoute)},
			wantActions: []string{"modlog"},
			wantNotes:   "could not delete the message: Missing Permissions (code 50013)\ncould not time the author out: Missing Permissions (code 50013)",
		},
		{
			name: "mod-log post refused", timeout: time.Hour,
			faults:      []fault{missingPerms(modlogRoute)},
			wantActions: []string{"delete", "timeout", "dm"},
			wantDM:      "removed your message and paused your ability to post for 1h", wantText: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			h.settings(t, func(s *Settings) { s.Mode = moderation.ModeEnforce; s.Strikes = 1; s.Timeout = tt.timeout })
			for _, f := range tt.faults {
				refuseRoute(h, f.route[0], f.route[1], f.status, f.code, f.message)
			}
			h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
			calls := h.api.Calls()
			var dm, modlog *call
			for i, c := range calls {
				switch c.String() {
				case "POST /channels/dm-" + authorID + "/messages":
					dm = &calls[i]
				case "POST /channels/" + modlogID + "/messages":
					modlog = &calls[i]
				}
			}
			switch {
			case tt.wantDM == "" && dm != nil:
				t.Errorf("the author was sent a DM although nothing was done: %v", dig(dm.Body, "embeds", 0, "description"))
			case tt.wantDM != "" && dm == nil:
				t.Errorf("no DM sent; calls:\n%s", paths(calls))
			case dm != nil:
				desc, _ := dig(dm.Body, "embeds", 0, "description").(string)
				if !strings.Contains(desc, tt.wantDM) || (tt.wantNoDM != "" && strings.Contains(desc, tt.wantNoDM)) {
					t.Errorf("DM says:\n%s\nwant it to say %q and not %q", desc, tt.wantDM, tt.wantNoDM)
				}
			}
			if modlog == nil {
				t.Fatalf("no mod-log post; calls:\n%s", paths(calls))
			}
			if got := fieldValue(modlog.Body, "Enforced"); got != tt.wantNotes && tt.wantNotes != "" {
				t.Errorf("mod-log Enforced field:\n got %q\nwant %q", got, tt.wantNotes)
			}
			d := latestDecision(t, h, "1001")
			if !slices.Equal(d.Actions, tt.wantActions) {
				t.Errorf("decision actions %v, want %v (only what Discord accepted)", d.Actions, tt.wantActions)
			}
			if got := d.Text == slopText; got != tt.wantText {
				t.Errorf("decision keeps the text: %v, want %v (store_text is off; only a deleted message's text is kept)", got, tt.wantText)
			}
		})
	}
}

func TestAlreadyDeletedMessageCountsAsDeleted(t *testing.T) {
	t.Parallel()
	t.Run("enforce", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, nil)
		h.settings(t, func(s *Settings) { s.Mode = moderation.ModeEnforce; s.Strikes = 1; s.Timeout = 0 })
		refuseRoute(h, "DELETE", "/channels/"+generalID+"/messages/1001", 404, discordgo.ErrCodeUnknownMessage, "Unknown Message")
		h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
		calls := h.api.Calls()
		if got := fieldValue(calls[len(calls)-1].Body, "Enforced"); got != "the message was already deleted" {
			t.Errorf("mod-log Enforced field: got %q, want the message reported as already deleted", got)
		}
		// Someone else deleted it: not the bot's action, and with store_text
		// off its text is not kept (the exception is for messages the bot
		// deleted itself).
		if d := latestDecision(t, h, "1001"); slices.Contains(d.Actions, "delete") || d.Text != "" {
			t.Errorf("decision: actions %v, text %q; want no delete recorded and no text", d.Actions, d.Text)
		}
	})
	t.Run("button", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, nil)
		on := flagged(t, h)
		refuseRoute(h, "DELETE", "/channels/"+generalID+"/messages/1001", 404, discordgo.ErrCodeUnknownMessage, "Unknown Message")
		h.bot.InteractionCreate(nil, press("slopguard:delete:1", discordgo.PermissionManageMessages, on))
		calls := h.api.Calls()
		last := calls[len(calls)-1]
		if got, ok := last.Body["components"].([]any); !ok || len(got) != 0 {
			t.Errorf("the buttons were kept as after a failure: components %v", last.Body["components"])
		}
		if got := fieldValue(last.Body, "Handled"); got != "<@600> pressed Delete; the message was already deleted" {
			t.Errorf("handled: got %q", got)
		}
		// The post is handled: another press is refused, not retried.
		h.bot.InteractionCreate(nil, press("slopguard:delete:1", discordgo.PermissionManageMessages, on))
		wantPaths(t, h.api.Calls(), "POST "+callbackPath, "POST "+followupPath)
	})
}

// secondModerator is the press of another moderator, 601.
func secondModerator(ev *discordgo.InteractionCreate) *discordgo.InteractionCreate {
	ev.Member = &discordgo.Member{User: &discordgo.User{ID: "601", Username: "mo2"}, Permissions: ev.Member.Permissions | discordgo.PermissionModerateMembers,
		Roles: append(slices.Clone(ev.Member.Roles), roleModM)}
	return ev
}

func TestOnlyTheFirstPressOnAPostActs(t *testing.T) {
	t.Parallel()
	t.Run("one after the other", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, nil)
		on := flagged(t, h)
		h.bot.InteractionCreate(nil, press("slopguard:notslop:1", discordgo.PermissionManageMessages, on))
		h.api.Calls()
		// The second moderator still sees the buttons on their copy of the post.
		h.bot.InteractionCreate(nil, secondModerator(press("slopguard:delete:1", discordgo.PermissionManageMessages, on)))
		calls := h.api.Calls()
		wantPaths(t, calls, "POST "+callbackPath, "POST "+followupPath)
		if got, _ := dig(calls[1].Body, "content").(string); got != "This was already handled by <@600>." {
			t.Errorf("second press answer: got %q", got)
		}
		wantField(t, "second press answer flags", calls[1].Body, float64(discordgo.MessageFlagsEphemeral), "flags")
	})
	t.Run("at the same time", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, nil)
		on := flagged(t, h)
		presses := []*discordgo.InteractionCreate{
			press("slopguard:notslop:1", discordgo.PermissionManageMessages, on),
			secondModerator(press("slopguard:delete:1", discordgo.PermissionManageMessages, on)),
		}
		var wg sync.WaitGroup
		for _, ev := range presses {
			wg.Add(1)
			go func() { defer wg.Done(); h.bot.InteractionCreate(nil, ev) }()
		}
		wg.Wait()
		fb, err := h.store.Feedback(context.Background(), store.FeedbackFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(fb) != 1 {
			t.Errorf("feedback rows for one flag: got %d (%+v), want 1", len(fb), fb)
		}
		var handled []string
		for _, c := range h.api.Calls() {
			if c.String() == "PATCH /channels/"+modlogID+"/messages/901" {
				handled = append(handled, fieldValue(c.Body, "Handled"))
			}
		}
		if len(handled) != 1 {
			t.Errorf("the post was marked handled %d times: %q", len(handled), handled)
		}
	})
}

func TestFailedButtonActionCanBeRetried(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	on := flagged(t, h)
	refused := refuseRoute(h, "PATCH", "/guilds/"+guildID+"/members/"+authorID, 403, 50013, "Missing Permissions")
	h.bot.InteractionCreate(nil, press("slopguard:timeout:1", discordgo.PermissionModerateMembers, on))
	calls := h.api.Calls()
	last := calls[len(calls)-1]
	if _, ok := last.Body["components"]; ok {
		t.Fatalf("a failed timeout removed the buttons: %v", last.Body["components"])
	}
	refused.off.Store(true)
	h.bot.InteractionCreate(nil, secondModerator(press("slopguard:timeout:1", discordgo.PermissionModerateMembers, on)))
	calls = h.api.Calls()
	if !slices.ContainsFunc(calls, func(c call) bool { return c.String() == "PATCH /guilds/"+guildID+"/members/"+authorID }) {
		t.Fatalf("the retry after a failed action was refused; calls:\n%s", paths(calls))
	}
	if got := fieldValue(calls[len(calls)-1].Body, "Handled"); got != "<@500> timed out for 1 h by <@601>" {
		t.Errorf("handled after the retry: got %q", got)
	}
}

func TestNotSlopRemovesTheStrike(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.settings(t, func(s *Settings) { s.Mode = moderation.ModeEnforce; s.Strikes = 2 })
	on := flagged(t, h) // message 1001: strike 1 of 2, decision 1
	h.bot.InteractionCreate(nil, press("slopguard:notslop:1", discordgo.PermissionManageMessages, on))
	calls := h.api.Calls()
	if got, want := fieldValue(calls[len(calls)-1].Body, "Handled"),
		"Marked **not slop** by <@600>; thank you, this helps the model; the strike it gave <@500> was removed"; got != want {
		t.Errorf("handled:\n got %q\nwant %q", got, want)
	}
	if n, err := h.store.Strikes(context.Background(), guildID, authorID, now, 24*time.Hour); err != nil || n != 0 {
		t.Errorf("strikes after Not slop: %d, %v; want 0", n, err)
	}
	// The next message over the enforce threshold is the first strike again.
	h.bot.process(context.Background(), job{msg: msg("1002", slopText)})
	wantPaths(t, h.api.Calls(), "POST /channels/"+modlogID+"/messages")
}

// An appeal upheld on a message enforce mode deleted: the feedback keeps the
// text although store_text is off and the message is gone, and the strike
// is removed.
func TestUpheldAppealOnADeletedMessageKeepsTheTextAndRemovesTheStrike(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)   // StoreText false, as in the default config
	h.enforceOne(t, slopText) // deleted; GET answers 404
	h.bot.InteractionCreate(nil, appealPress(authorID))
	calls := h.api.Calls()
	wantPaths(t, calls, "POST "+callbackPath, "POST /channels/"+modlogID+"/messages", "PATCH /channels/dm-"+authorID+"/messages/903")
	appealPost := &discordgo.Message{ID: "905", ChannelID: modlogID, Embeds: []*discordgo.MessageEmbed{{Title: "Review requested"}}}
	h.bot.InteractionCreate(nil, press("slopguard:notslop:1", discordgo.PermissionManageMessages, appealPost))
	calls = h.api.Calls()
	if got := fieldValue(calls[len(calls)-1].Body, "Handled"); !strings.HasSuffix(got, "the strike it gave <@500> was removed") {
		t.Errorf("handled: got %q, want it to say the strike was removed", got)
	}
	fb, err := h.store.Feedback(context.Background(), store.FeedbackFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fb) != 1 || fb[0].Label != "human" || fb[0].Text != slopText {
		t.Fatalf("feedback: got %+v, want one human label with the deleted message's text", fb)
	}
	var sb strings.Builder
	if written, skipped, err := store.ExportFeedback(context.Background(), h.store, &sb, store.FeedbackFilter{}); err != nil || written != 1 || skipped != 0 {
		t.Errorf("feedback export: wrote %d, skipped %d, %v; want the upheld appeal exported", written, skipped, err)
	}
	if n, err := h.store.Strikes(context.Background(), guildID, authorID, now, 24*time.Hour); err != nil || n != 0 {
		t.Errorf("strikes after the appeal was upheld: %d, %v; want 0", n, err)
	}
}

func TestRemovedFromServerLeavesItAlone(t *testing.T) {
	t.Parallel()
	left := &discordgo.GuildDelete{Guild: &discordgo.Guild{ID: guildID}}
	outage := &discordgo.GuildDelete{Guild: &discordgo.Guild{ID: guildID, Unavailable: true}}
	joined := &discordgo.GuildCreate{Guild: &discordgo.Guild{ID: guildID}}
	tests := []struct {
		name      string
		events    []any
		wantCalls int
	}{
		{"removed", []any{left}, 0},
		{"outage: still a member", []any{outage}, 1},
		{"removed, then added again", []any{left, joined}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			h.settings(t, func(s *Settings) { s.Mode = moderation.ModeEnforce; s.Strikes = 5 })
			for _, ev := range tt.events {
				switch ev := ev.(type) {
				case *discordgo.GuildDelete:
					h.bot.GuildDelete(nil, ev)
				case *discordgo.GuildCreate:
					h.bot.GuildCreate(nil, ev)
				}
			}
			h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
			if calls := h.api.Calls(); len(calls) != tt.wantCalls {
				t.Errorf("REST calls: got %d, want %d:\n%s", len(calls), tt.wantCalls, paths(calls))
			}
		})
	}
}

func TestRemovedFromServerDropsQueuedMessagesAndSettings(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	started := make(chan struct{}, 4)
	checker := &fakeChecker{fn: func(it moderation.Item) {
		if it.ID == "1001" {
			started <- struct{}{}
			<-gate
		}
	}}
	h := newHarness(t, func(o *Options) { o.Checker = checker; o.Workers = 1 })
	h.settings(t, func(s *Settings) { s.Mode = moderation.ModeEnforce; s.Strikes = 1 })
	h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1001", slopText)})
	<-started
	for _, id := range []string{"1002", "1003", "1004"} {
		h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg(id, slopText)})
	}
	h.bot.GuildDelete(nil, &discordgo.GuildDelete{Guild: &discordgo.Guild{ID: guildID}})
	h.bot.settings.mu.Lock()
	_, cached := h.bot.settings.cache[guildID]
	h.bot.settings.mu.Unlock()
	if cached {
		t.Errorf("the settings of a server the bot left are still cached")
	}
	close(gate)
	h.drain(t)
	if calls := h.api.Calls(); len(calls) != 0 {
		t.Errorf("after the bot was removed from the server it made %d REST calls there:\n%s", len(calls), paths(calls))
	}
}

func TestExemptChannelOptionTakesEveryChannelWithMessages(t *testing.T) {
	t.Parallel()
	var types []discordgo.ChannelType
	for _, sub := range Commands()[0].Options {
		if sub.Name != "exempt" {
			continue
		}
		for _, o := range sub.Options[0].Options {
			if o.Name == "channel" {
				types = o.ChannelTypes
			}
		}
	}
	for _, want := range []discordgo.ChannelType{
		discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews, discordgo.ChannelTypeGuildForum,
		discordgo.ChannelTypeGuildVoice, discordgo.ChannelTypeGuildStageVoice,
		discordgo.ChannelTypeGuildNewsThread, discordgo.ChannelTypeGuildPublicThread, discordgo.ChannelTypeGuildPrivateThread,
	} {
		if !slices.Contains(types, want) {
			t.Errorf("/slopguard exempt add channel: type %d not selectable (%v)", want, types)
		}
	}
}

func TestRedactTokens(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"/api/v9/interactions/123/aW50ZXJhY3Rpb24tdG9rZW4/callback":                         "/api/v9/interactions/123/***/callback",
		`Post "https://discord.com/api/v9/webhooks/42/abc.def-ghi/messages/@original": EOF`: `Post "https://discord.com/api/v9/webhooks/42/***/messages/@original": EOF`,
		"/api/v9/channels/1/messages/2":                                                     "/api/v9/channels/1/messages/2",
	}
	for in, want := range tests {
		if got := RedactTokens(in); got != want {
			t.Errorf("RedactTokens(%q) = %q, want %q", in, got, want)
		}
	}
}
