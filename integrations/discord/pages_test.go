package discord

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// fakePages makes recognisable links; empty ones when public is false.
type fakePages struct{ public bool }

func (p fakePages) DecisionURL(id int64) string {
	if !p.public {
		return ""
	}
	return fmt.Sprintf("https://sg.example.org/d/%d?sig=x", id)
}

func (p fakePages) ScopeURL(platform, scope string) string {
	if !p.public {
		return ""
	}
	return "https://sg.example.org/dashboard?platform=" + platform + "&scope=" + scope
}

func TestModLogLinksToDecisionPage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		pages Pages
		want  bool
	}{{"public URL", fakePages{true}, true}, {"no public URL", fakePages{false}, false}, {"no pages", nil, false}} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(o *Options) { o.Pages = tt.pages })
			h.bot.MessageCreate(nil, &discordgo.MessageCreate{Message: msg("1001", slopText)})
			h.drain(t)
			calls := h.api.Calls()
			wantPaths(t, calls, "POST /channels/"+modlogID+"/messages")
			fields, _ := dig(calls[0].Body, "embeds", 0, "fields").([]any)
			var linked bool
			for _, f := range fields {
				v, _ := f.(map[string]any)["value"].(string)
				linked = linked || strings.Contains(v, "https://sg.example.org/d/")
			}
			if linked != tt.want {
				t.Errorf("mod-log embed links to the page: %v, want %v (fields %v)", linked, tt.want, fields)
			}
		})
	}
}

func TestDashboardCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *Options) { o.Pages = fakePages{true} })
	if got := replyText(t, h, slash("dashboard")); !strings.Contains(got, "https://sg.example.org/dashboard?platform=discord&scope="+guildID) {
		t.Errorf("dashboard: got %q, want a link to the server's dashboard", got)
	}
	noPerm := slash("dashboard")
	noPerm.Member.Permissions = discordgo.PermissionSendMessages
	if got := replyText(t, h, noPerm); strings.Contains(got, "https://") || !strings.Contains(got, "Manage Server") {
		t.Errorf("dashboard without Manage Server: got %q, want a refusal", got)
	}
	off := newHarness(t, nil)
	if got := replyText(t, off, slash("dashboard")); strings.Contains(got, "https://") || !strings.Contains(got, "no dashboard") {
		t.Errorf("dashboard without pages: got %q", got)
	}
}

func TestStoredSettings(t *testing.T) {
	t.Parallel()
	st := openStore(t, "")
	got, err := StoredSettings(t.Context(), st, defaults(), guildID)
	if err != nil || got.Mode != defaults().Mode || got.Threshold != defaults().Threshold {
		t.Fatalf("a server with no settings: %+v, %v; want the defaults", got, err)
	}
	h := newHarness(t, func(o *Options) { o.Store = st })
	replyText(t, h, slash("threshold", opt("flag", discordgo.ApplicationCommandOptionNumber, 0.75)))
	got, err = StoredSettings(t.Context(), st, defaults(), guildID)
	if err != nil || got.Threshold != 0.75 {
		t.Errorf("after /slopguard threshold flag:0.75: threshold %v, %v; want 0.75", got.Threshold, err)
	}
}
