package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/moderation"
)

// TestDeletedMessageLeavesNoExcerpt: when the author deletes a flagged
// message, its mod-log post keeps no excerpt of it (nor the patterns, which
// may quote it) and loses its buttons; a post that records an action keeps
// the record. Each delete is handled once, whichever replica sees it.
func TestDeletedMessageLeavesNoExcerpt(t *testing.T) {
	t.Parallel()
	deleted := func(id string) *discordgo.MessageDelete {
		return &discordgo.MessageDelete{Message: &discordgo.Message{ID: id, ChannelID: generalID, GuildID: guildID}}
	}
	post := "/channels/" + modlogID + "/messages/901"
	t.Run("flagged, then deleted by its author", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, nil)
		h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
		h.api.Calls()
		h.bot.MessageDelete(nil, deleted("1001"))
		calls := h.api.Calls()
		wantPaths(t, calls, "GET "+post, "PATCH "+post)
		body := calls[1].Body
		if strings.Contains(calls[1].Raw, "As an AI language model") || strings.Contains(calls[1].Raw, "stock phrases") {
			t.Errorf("the edited post still quotes the message: %s", calls[1].Raw)
		}
		if got := fieldValue(body, "Deleted"); !strings.Contains(got, "deleted") {
			t.Errorf("Deleted field: got %q", got)
		}
		if got, ok := dig(body, "components").([]any); !ok || len(got) != 0 {
			t.Errorf("components: got %v, want none", dig(body, "components"))
		}
		// The same event on another replica, or again: nothing more.
		h.bot.MessageDelete(nil, deleted("1001"))
		wantPaths(t, h.api.Calls())
	})
	t.Run("enforced: the record stays", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, nil)
		h.settings(t, func(s *Settings) { s.Mode = moderation.ModeEnforce; s.Strikes = 1; s.Delete = false })
		h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
		calls := h.api.Calls()
		modlogPost := calls[len(calls)-1]
		id, _ := dig(modlogPost.Body, "components", 0, "components", 0, "custom_id").(string)
		if id == "" {
			t.Fatalf("no mod-log post: %s", paths(calls))
		}
		postPath := "/channels/" + modlogID + "/messages/904"
		h.bot.MessageDelete(nil, deleted("1001"))
		calls = h.api.Calls()
		wantPaths(t, calls, "GET "+postPath, "PATCH "+postPath)
		if got := fieldValue(calls[1].Body, "Enforced"); !strings.Contains(got, "timed the author out") {
			t.Errorf("Enforced field after the delete: got %q, want the record kept", got)
		}
		if _, ok := calls[1].Body["components"]; ok {
			t.Errorf("the buttons of a post with a record were changed: %v", calls[1].Body["components"])
		}
	})
	t.Run("not flagged", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, nil)
		h.bot.process(context.Background(), job{msg: msg("1002", humanText)})
		h.bot.MessageDelete(nil, deleted("1002"))
		h.bot.MessageDelete(nil, &discordgo.MessageDelete{Message: &discordgo.Message{ID: "5", ChannelID: "dm-1"}}) // a DM
		wantPaths(t, h.api.Calls())
	})
}
