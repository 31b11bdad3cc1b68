package discord

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

func TestSkippedMessagesMakeNoCalls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		settings func(*Settings)
		edit     func(*discordgo.Message)
		outcome  string
	}{
		{"self", nil, func(m *discordgo.Message) { m.Author = &discordgo.User{ID: selfID, Bot: true} }, "skipped_self"},
		{"other bot", nil, func(m *discordgo.Message) { m.Author = &discordgo.User{ID: otherBotID, Bot: true} }, "skipped_bot"},
		{"webhook", nil, func(m *discordgo.Message) { m.WebhookID = "42" }, "skipped_bot"},
		{"no author", nil, func(m *discordgo.Message) { m.Author = nil }, "skipped_no_author"},
		{"system message", nil, func(m *discordgo.Message) { m.Type = discordgo.MessageTypeGuildMemberJoin }, "skipped_system"},
		{"too short", nil, func(m *discordgo.Message) { m.Content = "SLOP: delve" }, "skipped_short"},
		{"no content without the intent", nil, func(m *discordgo.Message) { m.Content = "" }, "skipped_short"},
		{"mode off", func(s *Settings) { s.Mode = moderation.ModeOff }, nil, "skipped_off"},
		{"exempt role", func(s *Settings) { s.ExemptRoles = []string{"r-member"} }, nil, "skipped_exempt"},
		{"exempt channel", func(s *Settings) { s.ExemptChannels = []string{exemptChanID} },
			func(m *discordgo.Message) { m.ChannelID = exemptChanID }, "skipped_exempt"},
		{"thread of exempt channel", func(s *Settings) { s.ExemptChannels = []string{exemptChanID} },
			func(m *discordgo.Message) { m.ChannelID = "401" }, "skipped_exempt"},
		{"exempt category", func(s *Settings) { s.ExemptCategories = []string{categoryID} },
			func(m *discordgo.Message) { m.ChannelID = inCategoryID }, "skipped_exempt"},
		{"all threads exempt", func(s *Settings) { s.ExemptThreads = true },
			func(m *discordgo.Message) { m.ChannelID = threadID }, "skipped_exempt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewRegistry()
			h := newHarness(t, func(o *Options) { o.Metrics = reg })
			if tt.settings != nil {
				h.settings(t, tt.settings)
			}
			m := msg("1001", slopText)
			if tt.edit != nil {
				tt.edit(m)
			}
			h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: m})
			h.drain(t)
			if calls := h.api.Calls(); len(calls) != 0 {
				t.Errorf("got %d Discord calls (%s), want 0", len(calls), paths(calls))
			}
			if ds := h.decisions(t); len(ds) != 0 {
				t.Errorf("got %d decisions, want 0", len(ds))
			}
			if got := testutil.ToFloat64(h.bot.metrics.messages.WithLabelValues(tt.outcome)); got != 1 {
				t.Errorf("messages_total{outcome=%q}: got %v, want 1", tt.outcome, got)
			}
		})
	}
}

func TestFlagPostsExactlyOneEmbed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1001", slopText)})
	h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1002", humanText)})
	h.drain(t)

	calls := h.api.Calls()
	wantPaths(t, calls, "POST /channels/"+modlogID+"/messages")
	golden(t, "flag_post.json", calls[0].Body)

	ds := h.decisions(t)
	if len(ds) != 2 {
		t.Fatalf("got %d decisions, want 2 (the flagged and the human message)", len(ds))
	}
	byItem := map[string][]string{}
	for _, d := range ds {
		byItem[d.ItemID] = d.Actions
	}
	if got := byItem["1001"]; !slices.Equal(got, []string{"modlog"}) {
		t.Errorf("flagged decision actions: got %v, want [modlog]", got)
	}
	if got := byItem["1002"]; len(got) != 0 {
		t.Errorf("human decision actions: got %v, want none", got)
	}
	owned, _, err := h.store.ClaimMessage(context.Background(), ownedKey("1001"))
	if err != nil || owned != modlogID+"/901" {
		t.Errorf("owned mod-log post: got %q (%v), want %q", owned, err, modlogID+"/901")
	}
}

func ownedKey(itemID string) store.OwnedMessage {
	return store.OwnedMessage{Platform: "discord", Scope: guildID, ItemID: itemID, Kind: ownedKindModLog}
}

func TestFlagWithoutModLogMakesNoCalls(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.settings(t, func(s *Settings) { s.ModLogChannel = "" })
	h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1001", slopText)})
	h.drain(t)
	if calls := h.api.Calls(); len(calls) != 0 {
		t.Errorf("got calls %s, want none", paths(calls))
	}
}

func TestEditRescoresAndUpdatesThePost(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	edited := func(m *discordgo.Message) *discordgo.Message {
		at := now.Add(time.Minute)
		m.EditedTimestamp = &at
		return m
	}
	h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1001", slopText)})
	// An update that is not an edit (an embed unfurled): nothing to do.
	h.bot.MessageUpdate(nil, &discordgo.MessageUpdate{Message: msg("1001", maybeText)})
	// Edited, still flagged: the post is updated, not duplicated.
	h.bot.MessageUpdate(nil, &discordgo.MessageUpdate{Message: edited(msg("1001", maybeText))})
	// The same edit delivered again (a replayed event): claimed once, nothing more to do.
	h.bot.MessageUpdate(nil, &discordgo.MessageUpdate{Message: edited(msg("1001", maybeText))})
	// Edited to a human text: the post says so and loses its buttons.
	h.bot.MessageUpdate(nil, &discordgo.MessageUpdate{Message: edited(msg("1001", humanText))})
	h.drain(t)

	calls := h.api.Calls()
	post := "/channels/" + modlogID + "/messages"
	// Each update reads the post first, to keep any record on it (there is none here).
	wantPaths(t, calls, "POST "+post, "GET "+post+"/901", "PATCH "+post+"/901", "GET "+post+"/901", "PATCH "+post+"/901")
	wantField(t, "edit title", calls[2].Body, "Possible machine-generated message (edited)", "embeds", 0, "title")
	wantField(t, "edit score", calls[2].Body, "0.92 · machine", "embeds", 0, "fields", 2, "value")
	wantField(t, "edit buttons", calls[2].Body, "slopguard:dismiss:2", "components", 0, "components", 0, "custom_id")
	wantField(t, "cleared title", calls[4].Body, "Edited: now below the threshold", "embeds", 0, "title")
	if got, ok := dig(calls[4].Body, "components").([]any); !ok || len(got) != 0 {
		t.Errorf("cleared components: got %v, want []", dig(calls[4].Body, "components"))
	}
}

func TestObserveMakesNoCalls(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.settings(t, func(s *Settings) { s.Mode = moderation.ModeObserve })
	for i, text := range []string{slopText, slopText, maybeText, humanText} {
		h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg(string(rune('a'+i))+"00", text)})
	}
	h.drain(t)
	if calls := h.api.Calls(); len(calls) != 0 {
		t.Errorf("got calls %s, want none", paths(calls))
	}
	ds := h.decisions(t)
	if len(ds) != 4 {
		t.Fatalf("got %d decisions, want 4", len(ds))
	}
	for _, d := range ds {
		if len(d.Actions) != 0 {
			t.Errorf("decision %s: got actions %v, want none", d.ItemID, d.Actions)
		}
	}
}

func TestEnforceActsOnlyPastStrikes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.settings(t, func(s *Settings) { s.Mode = moderation.ModeEnforce })
	post := "POST /channels/" + modlogID + "/messages"

	// Strike 1: over the enforce threshold, flagged only.
	h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
	wantPaths(t, h.api.Calls(), post)
	// Over the flag threshold but under the enforce one: flagged, no strike.
	h.bot.process(context.Background(), job{msg: msg("1002", maybeText)})
	wantPaths(t, h.api.Calls(), post)
	// An edit is never enforced.
	h.bot.process(context.Background(), job{msg: msg("1003", slopText), edited: true})
	wantPaths(t, h.api.Calls(), post)
	// Strike 2 of 2: delete, time out, DM the author with an appeal button, then the mod-log.
	h.bot.process(context.Background(), job{msg: msg("1004", slopText)})
	calls := h.api.Calls()
	wantPaths(t, calls,
		"DELETE /channels/"+generalID+"/messages/1004",
		"PATCH /guilds/"+guildID+"/members/"+authorID,
		"POST /users/@me/channels",
		"POST /channels/dm-"+authorID+"/messages",
		post)
	if got, want := dig(calls[1].Body, "communication_disabled_until"), now.Add(time.Hour).Format(time.RFC3339); got != want {
		t.Errorf("timeout until: got %v, want %v", got, want)
	}
	wantField(t, "DM recipient", calls[2].Body, authorID, "recipient_id")
	wantField(t, "DM button", calls[3].Body, "slopguard:appeal:4", "components", 0, "components", 0, "custom_id")
	if got := dig(calls[3].Body, "embeds", 0, "description"); !strings.Contains(got.(string), "removed your message and paused your ability to post for 1h") {
		t.Errorf("DM text: got %q, want it to say what was done", got)
	}
	enforced := dig(calls[4].Body, "embeds", 0, "fields", 5, "value")
	if enforced != "deleted the message\ntimed the author out for 1h" {
		t.Errorf("mod-log enforced field: got %v", enforced)
	}
	d, err := h.store.LatestDecision(context.Background(), "discord", guildID, "1004")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"delete", "timeout", "dm", "modlog"}; !slices.Equal(d.Actions, want) {
		t.Errorf("decision actions: got %v, want %v", d.Actions, want)
	}
}

func TestEnforceWithoutDeleteOrTimeoutOnlyFlags(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.settings(t, func(s *Settings) { s.Mode = moderation.ModeEnforce; s.Strikes = 1; s.Delete = false; s.Timeout = 0 })
	h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
	wantPaths(t, h.api.Calls(), "POST /channels/"+modlogID+"/messages")
}

// TestWorkerPoolIsBounded sends 500 messages from 500 goroutines at once and
// checks that exactly Workers are scored at a time while the rest wait in
// the queue, not in goroutines.
func TestWorkerPoolIsBounded(t *testing.T) {
	t.Parallel()
	const workers, messages = 4, 500
	gate := make(chan struct{})
	started := make(chan struct{}, messages)
	var inFlight, maxInFlight, checked atomic.Int64
	checker := &fakeChecker{fn: func(moderation.Item) {
		n := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		started <- struct{}{}
		<-gate
		checked.Add(1)
		inFlight.Add(-1)
	}}
	h := newHarness(t, func(o *Options) { o.Checker = checker; o.Workers = workers; o.QueueSize = messages })
	h.settings(t, func(s *Settings) { s.Mode = moderation.ModeObserve })

	var wg sync.WaitGroup
	for i := range messages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg(string(rune('0'+i%10))+strings.Repeat("1", i/10+1), humanText)})
		}()
	}
	wg.Wait()
	for range workers {
		<-started
	}
	if got := len(h.bot.queue); got != messages-workers {
		t.Errorf("queued while %d workers are busy: got %d, want %d", workers, got, messages-workers)
	}
	close(gate)
	h.drain(t)
	if got := checked.Load(); got != messages {
		t.Errorf("checked: got %d, want %d", got, messages)
	}
	if got := maxInFlight.Load(); got != workers {
		t.Errorf("most scored at once: got %d, want %d", got, workers)
	}
	if got := len(h.decisions(t)); got != messages {
		t.Errorf("decisions: got %d, want %d", got, messages)
	}
}

func TestFullQueueDropsAndCounts(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	started := make(chan struct{}, 3)
	checker := &fakeChecker{fn: func(moderation.Item) { started <- struct{}{}; <-gate }}
	reg := prometheus.NewRegistry()
	h := newHarness(t, func(o *Options) { o.Checker = checker; o.Workers = 1; o.QueueSize = 1; o.Metrics = reg })
	h.settings(t, func(s *Settings) { s.Mode = moderation.ModeObserve })

	h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1001", humanText)})
	<-started                                                                           // the worker holds the first message
	h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1002", humanText)}) // queued
	h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1003", humanText)}) // dropped
	if got := testutil.ToFloat64(h.bot.metrics.dropped); got != 1 {
		t.Errorf("dropped: got %v, want 1", got)
	}
	close(gate)
	h.drain(t)
	if got := len(h.decisions(t)); got != 2 {
		t.Errorf("decisions: got %d, want 2", got)
	}
	if got := testutil.ToFloat64(h.bot.metrics.dropped); got != 1 {
		t.Errorf("dropped after drain: got %v, want 1", got)
	}
}

func TestPanicInScoringIsRecovered(t *testing.T) {
	t.Parallel()
	checker := &fakeChecker{fn: func(it moderation.Item) {
		if it.ID == "1001" {
			panic("boom")
		}
	}}
	h := newHarness(t, func(o *Options) { o.Checker = checker })
	h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1001", slopText)})
	h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1002", slopText)})
	h.drain(t)
	wantPaths(t, h.api.Calls(), "POST /channels/"+modlogID+"/messages")
}

func TestDirectMessageIsAnswered(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	dm := &discordgo.Message{ID: "1001", ChannelID: "dm-1", Content: slopText, Author: &discordgo.User{ID: authorID}}
	h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: dm})
	h.drain(t)
	calls := h.api.Calls()
	wantPaths(t, calls, "POST /channels/dm-1/messages")
	wantField(t, "DM answer title", calls[0].Body, "Reads like machine-generated text", "embeds", 0, "title")
	wantField(t, "DM answer reference", calls[0].Body, "1001", "message_reference", "message_id")
	if ds := h.decisions(t); len(ds) != 0 {
		t.Errorf("DM checks store nothing: got %d decisions", len(ds))
	}
}

func TestJumpLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		link                string
		guild, channel, msg string
		wantErr             bool
	}{
		{"https://discord.com/channels/1/2/3", "1", "2", "3", false},
		{"https://ptb.discord.com/channels/10/20/30/", "10", "20", "30", false},
		{"https://discordapp.com/channels/1/2/3", "1", "2", "3", false},
		{"https://discord.com/channels/@me/2/3", "", "", "", true},
		{"https://example.com/channels/1/2/3", "", "", "", true},
		{"https://discord.com/channels/1/2", "", "", "", true},
		{"not a link", "", "", "", true},
	}
	for _, tt := range tests {
		g, c, m, err := parseJumpLink(tt.link)
		if (err != nil) != tt.wantErr || g != tt.guild || c != tt.channel || m != tt.msg {
			t.Errorf("parseJumpLink(%q): got %q %q %q %v, want %q %q %q error=%v", tt.link, g, c, m, err, tt.guild, tt.channel, tt.msg, tt.wantErr)
		}
	}
	if got := jumpLink("1", "2", "3"); got != "https://discord.com/channels/1/2/3" {
		t.Errorf("jumpLink: got %q", got)
	}
}
