package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/store/sqlstore"
)

// FuzzInteraction decodes arbitrary gateway INTERACTION_CREATE payloads the
// way discordgo does and hands them to the bot. Properties: decoding or
// handling never panics (the handler's own recover must not be needed).
func FuzzInteraction(f *testing.F) {
	member := `"member":{"user":{"id":"600"},"permissions":"8"}`
	for _, s := range []string{
		`{"id":"1","type":2,"guild_id":"100",` + member + `,"data":{"name":"slopguard","type":1,"options":[{"name":"status","type":1}]}}`,
		`{"id":"1","type":2,"guild_id":"100",` + member + `,"data":{"name":"slopguard","type":1,"options":[{"name":"threshold","type":1,"options":[{"name":"value","type":10,"value":0.8}]}]}}`,
		`{"id":"1","type":2,"guild_id":"100",` + member + `,"data":{"name":"slopguard","type":1,"options":[{"name":"exempt","type":2,"options":[{"name":"add","type":1,"options":[{"name":"role","type":8,"value":"5"}]}]}]}}`,
		`{"id":"1","type":2,"guild_id":"100",` + member + `,"data":{"name":"slopguard","type":1,"options":[{"name":"check","type":1,"options":[{"name":"text","type":3,"value":"hello there"}]}]}}`,
		`{"id":"1","type":2,"guild_id":"100",` + member + `,"data":{"name":"Check for slop","type":3,"target_id":"9","resolved":{"messages":{"9":{"id":"9","content":"x","author":{"id":"5"}}}}}}`,
		`{"id":"1","type":3,"guild_id":"100",` + member + `,"message":{"id":"2","channel_id":"201"},"data":{"custom_id":"slopguard:dismiss:1","component_type":2}}`,
		`{"id":"1","type":3,"user":{"id":"5"},"data":{"custom_id":"slopguard:appeal:99999999999999999999","component_type":2}}`,
		`{"id":"1","type":3,"data":{"custom_id":"slopguard:timeout:-1","component_type":2}}`,
		`{"type":2,"data":{"name":"slopguard","options":[{"name":"setup","options":[{"name":"mode","value":[1]}]}]}}`,
		`{"type":2}`, `{"type":3}`, `{}`, `null`, `[]`,
	} {
		f.Add([]byte(s))
	}
	b, logs := newFuzzBot(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var ic discordgo.InteractionCreate
		if err := json.Unmarshal(data, &ic); err != nil {
			return
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("InteractionCreate panicked: %v", p)
				}
			}()
			b.bot.InteractionCreate(nil, &ic)
		}()
		if out := logs.String(); strings.Contains(out, "panicked") {
			logs.Reset()
			t.Fatalf("handler recovered a panic:\n%s", out)
		}
		logs.Reset()
	})
}

type fuzzBot struct {
	bot *Bot
	api *nopAPI
}

func newFuzzBot(tb testing.TB) (*fuzzBot, *syncBuffer) {
	tb.Helper()
	st, err := sqlstore.Open(context.Background(), "sqlite", filepath.Join(tb.TempDir(), "fuzz.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	logs := &syncBuffer{}
	api := &nopAPI{}
	b, err := New(Options{
		API: api, Checker: &fakeChecker{}, Store: st, Defaults: defaults(), ModelThreshold: 0.9,
		Workers: 1, QueueSize: 4, MinChars: 1, AppID: selfID, SelfID: selfID,
		Logger:       slog.New(slog.NewTextHandler(logs, nil)),
		Now:          func() time.Time { return now },
		EventTimeout: time.Second,
	})
	if err != nil {
		tb.Fatal(err)
	}
	b.Start()
	tb.Cleanup(func() { b.Stop(context.Background()) })
	return &fuzzBot{bot: b, api: api}, logs
}

// nopAPI accepts every call and answers with a plain message.
type nopAPI struct{}

func (a *nopAPI) ChannelMessage(channelID, messageID string, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	return &discordgo.Message{ID: messageID, ChannelID: channelID, Content: "some text", Author: &discordgo.User{ID: authorID}}, nil
}

func (a *nopAPI) ChannelMessageSendComplex(channelID string, _ *discordgo.MessageSend, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	return &discordgo.Message{ID: "1", ChannelID: channelID}, nil
}

func (a *nopAPI) ChannelMessageEditComplex(m *discordgo.MessageEdit, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	return &discordgo.Message{ID: m.ID, ChannelID: m.Channel}, nil
}

func (a *nopAPI) ChannelMessageDelete(string, string, ...discordgo.RequestOption) error { return nil }

func (a *nopAPI) GuildMemberTimeout(string, string, *time.Time, ...discordgo.RequestOption) error {
	return nil
}

func (a *nopAPI) UserChannelCreate(id string, _ ...discordgo.RequestOption) (*discordgo.Channel, error) {
	return &discordgo.Channel{ID: "dm-" + id}, nil
}

func (a *nopAPI) InteractionRespond(*discordgo.Interaction, *discordgo.InteractionResponse, ...discordgo.RequestOption) error {
	return nil
}

func (a *nopAPI) InteractionResponseEdit(*discordgo.Interaction, *discordgo.WebhookEdit, ...discordgo.RequestOption) (*discordgo.Message, error) {
	return &discordgo.Message{ID: "1"}, nil
}

func (a *nopAPI) FollowupMessageCreate(*discordgo.Interaction, bool, *discordgo.WebhookParams, ...discordgo.RequestOption) (*discordgo.Message, error) {
	return &discordgo.Message{}, nil
}

func (a *nopAPI) GuildMember(_, userID string, _ ...discordgo.RequestOption) (*discordgo.Member, error) {
	return &discordgo.Member{User: &discordgo.User{ID: userID}}, nil
}

func (a *nopAPI) ApplicationCommandBulkOverwrite(_, _ string, c []*discordgo.ApplicationCommand, _ ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error) {
	return c, nil
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
func (s *syncBuffer) Reset()         { s.mu.Lock(); defer s.mu.Unlock(); s.b.Reset() }
