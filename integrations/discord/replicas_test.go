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

// TestTwoReplicasActOncePerMessage runs two bots on one store, as two
// `serve` replicas on one database are: Discord sends every event to both
// gateway sessions. One of them scores and acts; the message earns one
// strike, one deletion, one timeout, one DM and one mod-log post.
func TestTwoReplicasActOncePerMessage(t *testing.T) {
	t.Parallel()
	api := newFakeDiscord(t)
	path := filepath.Join(t.TempDir(), "slopguard.db")
	var bots []*Bot
	for range 2 {
		st := openStore(t, path)
		b, err := New(Options{
			API: api.session(), Channels: testState(t), Checker: &fakeChecker{}, Store: st,
			Defaults: defaults(), ModelThreshold: 0.9, Workers: 2, QueueSize: 16, MinChars: 20,
			AppID: selfID, SelfID: selfID, Now: func() time.Time { return now },
		})
		if err != nil {
			t.Fatal(err)
		}
		bots = append(bots, b)
	}
	if _, err := bots[0].settings.modify(context.Background(), guildID, func(s *Settings) error {
		s.Mode = moderation.ModeEnforce
		s.Strikes = 1
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, b := range bots {
		b.Start()
	}
	edited := now.Add(time.Minute)
	for _, b := range bots {
		b.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1001", slopText)})
		// A flagged edit of another message: one mod-log post, not two.
		e := msg("1002", maybeText)
		e.EditedTimestamp = &edited
		b.MessageUpdate(nil, &discordgo.MessageUpdate{Message: e})
	}
	for _, b := range bots {
		if err := b.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	count := map[string]int{}
	for _, c := range api.Calls() {
		count[c.String()]++
	}
	for _, want := range []string{
		"DELETE /channels/" + generalID + "/messages/1001",
		"PATCH /guilds/" + guildID + "/members/" + authorID,
		"POST /users/@me/channels",
		"POST /channels/dm-" + authorID + "/messages",
	} {
		if count[want] != 1 {
			t.Errorf("%s: %d calls, want 1 (all calls: %v)", want, count[want], count)
		}
	}
	if got := count["POST /channels/"+modlogID+"/messages"]; got != 2 {
		t.Errorf("mod-log posts: %d, want 2 (one per message; all calls: %v)", got, count)
	}
	if n, err := bots[0].store.Strikes(context.Background(), guildID, authorID, now, 0); err != nil || n != 1 {
		t.Errorf("strikes: %d, %v; want 1", n, err)
	}
	ds, err := bots[0].store.Decisions(context.Background(), store.DecisionFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var items []string
	for _, d := range ds {
		items = append(items, d.ItemID)
	}
	if len(ds) != 2 {
		t.Errorf("decisions for items %s, want one each for 1001 and 1002", strings.Join(items, ", "))
	}
}

// TestTwoReplicasAnswerAPressOnce: both replicas receive a button press;
// Discord takes one answer per interaction, and the replica whose answer
// was refused leaves the press to the other, saying nothing to the presser.
func TestTwoReplicasAnswerAPressOnce(t *testing.T) {
	t.Parallel()
	api := newFakeDiscord(t)
	api.oneAnswer = true
	path := filepath.Join(t.TempDir(), "slopguard.db")
	var bots []*Bot
	for range 2 {
		b, err := New(Options{
			API: api.session(), Channels: testState(t), Checker: &fakeChecker{}, Store: openStore(t, path),
			Defaults: defaults(), ModelThreshold: 0.9, Workers: 1, QueueSize: 16, MinChars: 20,
			AppID: selfID, SelfID: selfID, Now: func() time.Time { return now },
		})
		if err != nil {
			t.Fatal(err)
		}
		bots = append(bots, b)
	}
	bots[0].process(context.Background(), job{msg: msg("1001", slopText)})
	api.Calls()
	on := &discordgo.Message{ID: "901", ChannelID: modlogID, Embeds: []*discordgo.MessageEmbed{{Title: "Possible machine-generated message"}}}
	for _, b := range bots {
		b.InteractionCreate(nil, press("slopguard:dismiss:1", discordgo.PermissionManageMessages, on))
	}
	count := map[string]int{}
	for _, c := range api.Calls() {
		count[c.String()]++
	}
	if count["PATCH /channels/"+modlogID+"/messages/901"] != 1 || count["POST "+followupPath] != 0 || count["POST "+callbackPath] != 2 {
		t.Errorf("calls %v: want two answers tried, one post edit, no follow-up", count)
	}
}

// TestUpdateOfAnEditedMessageWithoutANewEditIsNotRescored: production never
// has the message before an update (the state keeps no messages), so an
// embed unfurling on a message edited earlier arrives with the same edit
// time and text as that edit: it is the same event, claimed once.
func TestUpdateOfAnEditedMessageWithoutANewEditIsNotRescored(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
	at := now.Add(time.Minute)
	edit := func() *discordgo.Message {
		m := msg("1001", maybeText)
		m.EditedTimestamp = &at
		return m
	}
	h.bot.MessageUpdate(nil, &discordgo.MessageUpdate{Message: edit()})
	unfurled := edit()
	unfurled.Embeds = []*discordgo.MessageEmbed{{URL: "https://example.org"}}
	h.bot.MessageUpdate(nil, &discordgo.MessageUpdate{Message: unfurled})
	h.drain(t)
	post := "/channels/" + modlogID + "/messages"
	wantPaths(t, h.api.Calls(), "POST "+post, "GET "+post+"/901", "PATCH "+post+"/901")
	if n := len(h.decisions(t)); n != 2 {
		t.Errorf("decisions: %d, want 2 (the message and its one edit)", n)
	}
}

// TestEditWithoutMemberStillHonoursExemptRoles: Discord may send
// MESSAGE_UPDATE without the author's member object; a server with exempt
// roles then looks the author's roles up instead of scoring an exempt
// member's edit.
func TestEditWithoutMemberStillHonoursExemptRoles(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.settings(t, func(s *Settings) { s.ExemptRoles = []string{roleSenior} })
	h.api.roles[authorID] = []string{roleSenior}
	m := msg("1001", slopText)
	m.Member = nil
	h.bot.process(context.Background(), job{msg: m, edited: true})
	wantPaths(t, h.api.Calls(), "GET /guilds/"+guildID+"/members/"+authorID)
	if n := len(h.decisions(t)); n != 0 {
		t.Errorf("decisions: %d, want none for an exempt member's edit", n)
	}
}
