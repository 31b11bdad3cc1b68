package discord

import (
	"context"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/store"
)

func TestDecisionChannel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    store.Decision
		want string
	}{
		{"recorded channel", store.Decision{ChannelID: "20", ItemURL: "https://discord.com/channels/1/2/3"}, "20"},
		{"older row: from the link", store.Decision{ItemURL: "https://discord.com/channels/1/2/3"}, "2"},
		{"older row without a link", store.Decision{}, ""},
		{"older row with a bad link", store.Decision{ItemURL: "https://example.com/x"}, ""},
	}
	for _, tt := range tests {
		if got := decisionChannel(tt.d); got != tt.want {
			t.Errorf("%s: decisionChannel(%+v) = %q, want %q", tt.name, tt.d, got, tt.want)
		}
	}
}

// noChannelStore serves decisions as a store from before schema 9 did:
// without their channel.
type noChannelStore struct{ store.Store }

func (s noChannelStore) Decision(ctx context.Context, id int64) (store.Decision, error) {
	d, err := s.Store.Decision(ctx, id)
	d.ChannelID = ""
	return d, err
}

// TestDecisionKeepsItsChannel: a decision records the message's channel,
// and a button on a decision stored without one (an older row) still acts
// in the channel its jump link names.
func TestDecisionKeepsItsChannel(t *testing.T) {
	t.Parallel()
	for _, old := range []bool{false, true} {
		h := newHarness(t, func(o *Options) {
			if old {
				o.Store = noChannelStore{o.Store}
			}
		})
		on := flagged(t, h)
		if d := latestDecision(t, h, "1001"); d.ChannelID != generalID {
			t.Errorf("recorded decision: ChannelID %q, want %q", d.ChannelID, generalID)
		}
		h.bot.InteractionCreate(nil, press("slopguard:delete:1", discordgo.PermissionManageMessages, on))
		wantPaths(t, h.api.Calls(), "POST "+callbackPath, "GET /channels/"+generalID+"/messages/1001",
			"DELETE /channels/"+generalID+"/messages/1001", "PATCH /channels/"+modlogID+"/messages/901")
	}
}
