package discord

import (
	"strconv"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/slopguard/slopguard/moderation"
)

// TestDirectMessagesCannotCrowdOutServerMessages: DMs share the scoring
// queue with server messages, so they may fill at most half of it, and a
// user has at most one DM waiting; a DM flood leaves room for the servers.
func TestDirectMessagesCannotCrowdOutServerMessages(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	started := make(chan struct{}, 1)
	held := false
	checker := &fakeChecker{fn: func(moderation.Item) {
		if !held {
			held = true
			started <- struct{}{}
			<-gate
		}
	}}
	reg := prometheus.NewRegistry()
	h := newHarness(t, func(o *Options) { o.Checker = checker; o.Workers = 1; o.QueueSize = 8; o.Metrics = reg })
	h.settings(t, func(s *Settings) { s.Mode = moderation.ModeObserve })
	h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1000", humanText)})
	<-started // the worker holds the first message; the queue is empty

	dm := func(id, user string) *discordgo.MessageCreate {
		return &discordgo.MessageCreate{Message: &discordgo.Message{ID: id, ChannelID: "dm-" + user, Content: humanText, Author: &discordgo.User{ID: user}}}
	}
	h.bot.MessageCreate(nil, dm("2000", "u0"))
	h.bot.MessageCreate(nil, dm("2001", "u0")) // u0 already has one waiting
	for i := 1; i < 10; i++ {                  // many users: at most half the queue
		h.bot.MessageCreate(nil, dm(strconv.Itoa(2001+i), "u"+strconv.Itoa(i)))
	}
	for i := range 4 { // the other half still takes server messages
		h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg(strconv.Itoa(1001+i), humanText)})
	}
	if got := testutil.ToFloat64(h.bot.metrics.messages.WithLabelValues("dropped_dm")); got != 7 {
		t.Errorf("DMs dropped: %v, want 7 (one for u0's second, six past half the queue)", got)
	}
	if got := testutil.ToFloat64(h.bot.metrics.messages.WithLabelValues("dropped")); got != 0 {
		t.Errorf("server messages dropped: %v, want 0", got)
	}
	close(gate)
	h.drain(t)
	if got := len(h.decisions(t)); got != 5 {
		t.Errorf("server messages scored: %d, want 5", got)
	}
}

// TestAnsweredDMLetsTheUserSendAnother: the one-waiting-DM limit ends when
// the DM is answered.
func TestAnsweredDMLetsTheUserSendAnother(t *testing.T) {
	t.Parallel()
	api := newFakeDiscord(t)
	b, err := New(Options{API: api.session(), Checker: &fakeChecker{}, Store: openStore(t, ""), Defaults: defaults(),
		ModelThreshold: 0.9, QueueSize: 8, MinChars: 20, AppID: selfID, SelfID: selfID})
	if err != nil {
		t.Fatal(err)
	}
	dm := &discordgo.MessageCreate{Message: &discordgo.Message{ID: "3000", ChannelID: "dm-u0", Content: humanText, Author: &discordgo.User{ID: "u0"}}}
	b.MessageCreate(nil, dm)
	b.MessageCreate(nil, dm)
	if len(b.queue) != 1 {
		t.Fatalf("queued: %d, want 1 (one DM waiting per user)", len(b.queue))
	}
	b.runJob(<-b.queue) // answered
	b.MessageCreate(nil, dm)
	if len(b.queue) != 1 {
		t.Errorf("queued after the answer: %d, want 1", len(b.queue))
	}
	wantPaths(t, api.Calls(), "POST /channels/dm-u0/messages")
}
