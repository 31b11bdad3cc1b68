package discord

import (
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/moderation"
)

func TestChannelTitle(t *testing.T) {
	t.Parallel()
	st := discordgo.NewState()
	if err := st.GuildAdd(&discordgo.Guild{
		ID: "g1",
		Channels: []*discordgo.Channel{
			{ID: "c1", GuildID: "g1", Name: "general", Type: discordgo.ChannelTypeGuildText},
			{ID: "c2", GuildID: "g1", Type: discordgo.ChannelTypeGuildText},
		},
		Threads: []*discordgo.Channel{
			{ID: "t1", GuildID: "g1", Name: "my private question", Type: discordgo.ChannelTypeGuildPublicThread, ParentID: "c1"},
			{ID: "t2", GuildID: "g1", Name: "orphan", Type: discordgo.ChannelTypeGuildPublicThread, ParentID: "gone"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, channel, want string
	}{
		{"a channel", "c1", "#general"},
		{"a thread names its parent channel, not itself", "t1", "#general"},
		{"a channel without a name", "c2", ""},
		{"a thread whose parent is not cached", "t2", ""},
		{"a channel not cached", "c9", ""},
		{"no channel", "", ""},
	}
	b := &Bot{channels: st}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := b.channelTitle(tt.channel); got != tt.want {
				t.Errorf("channelTitle(%q) = %q, want %q", tt.channel, got, tt.want)
			}
		})
	}
	if got := (&Bot{}).channelTitle("c1"); got != "" {
		t.Errorf("channelTitle without a cache = %q, want empty", got)
	}
	// The decision carries it whatever store_text says: a channel's name
	// is the server's, not the member's.
	m := &discordgo.Message{ID: "m1", GuildID: "g1", ChannelID: "t1", Author: &discordgo.User{ID: "u1"}}
	if d := b.decision(moderation.Verdict{}, m); d.Title != "#general" || d.Text != "" {
		t.Errorf("decision title, text = %q, %q; want #general and no text", d.Title, d.Text)
	}
}
