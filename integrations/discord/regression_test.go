package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
)

// longChecker scores every text as machine-generated with five reasons of
// 600 two-byte characters each, far past what one embed field may hold.
type longChecker struct{}

func (longChecker) Check(_ context.Context, it moderation.Item) (moderation.Verdict, error) {
	var reasons []detector.Reason
	for i := range 5 {
		reasons = append(reasons, detector.Reason{Family: "phrasing", Signal: fmt.Sprint("s", i), Text: strings.Repeat("é", 600), Weight: 1})
	}
	r := detector.Result{Score: 0.99, Verdict: detector.Machine, Reasons: reasons}
	return moderation.Verdict{Item: it, Result: r, ModelVersion: "test-1", CheckedAt: now}, nil
}

// wantEmbedFits fails t unless the decoded embed is within Discord's limits.
func wantEmbedFits(t *testing.T, where string, embed any) {
	t.Helper()
	if embed == nil {
		t.Fatalf("%s: no embed", where)
	}
	runes := func(path ...any) int {
		s, _ := dig(embed, path...).(string)
		if !utf8.ValidString(s) {
			t.Errorf("%s %v: not valid UTF-8 (cut inside a character)", where, path)
		}
		return utf8.RuneCountInString(s)
	}
	total := runes("title") + runes("description") + runes("footer", "text") + runes("author", "name")
	if n := runes("title"); n > maxEmbedTitle {
		t.Errorf("%s: title has %d characters, Discord allows %d", where, n, maxEmbedTitle)
	}
	if n := runes("description"); n > maxEmbedDescription {
		t.Errorf("%s: description has %d characters, Discord allows %d", where, n, maxEmbedDescription)
	}
	fields, _ := dig(embed, "fields").([]any)
	if len(fields) > maxEmbedFields {
		t.Errorf("%s: %d fields, Discord allows %d", where, len(fields), maxEmbedFields)
	}
	for i := range fields {
		name, value := runes("fields", i, "name"), runes("fields", i, "value")
		if name == 0 || name > maxFieldName || value == 0 || value > maxFieldValue {
			t.Errorf("%s: field %v has a %d-character name and a %d-character value, Discord allows 1-%d and 1-%d",
				where, dig(embed, "fields", i, "name"), name, value, maxFieldName, maxFieldValue)
		}
		total += name + value
	}
	if total > maxEmbedTotal {
		t.Errorf("%s: embed has %d characters in all, Discord allows %d", where, total, maxEmbedTotal)
	}
}

func TestEveryEmbedTheBotSendsFitsDiscordLimits(t *testing.T) {
	t.Parallel()
	long := "SLOP " + strings.Repeat("ü", 1990)
	tests := []struct {
		name string
		run  func(t *testing.T, h *harness) any // returns the embed sent
	}{
		{"mod-log post", func(t *testing.T, h *harness) any {
			h.bot.process(context.Background(), job{msg: msg("1001", long)})
			calls := h.api.Calls()
			wantPaths(t, calls, "POST /channels/"+modlogID+"/messages")
			return dig(calls[0].Body, "embeds", 0)
		}},
		{"mod-log post after an edit", func(t *testing.T, h *harness) any {
			h.bot.process(context.Background(), job{msg: msg("1001", long)})
			h.bot.process(context.Background(), job{msg: msg("1001", long), edited: true})
			calls := h.api.Calls()
			return dig(calls[len(calls)-1].Body, "embeds", 0)
		}},
		{"DM to the author", func(t *testing.T, h *harness) any {
			h.settings(t, func(s *Settings) { s.Mode = moderation.ModeEnforce; s.Strikes = 1 })
			h.bot.process(context.Background(), job{msg: msg("1001", long)})
			for _, c := range h.api.Calls() {
				if c.String() == "POST /channels/dm-"+authorID+"/messages" {
					return dig(c.Body, "embeds", 0)
				}
			}
			return nil
		}},
		{"appeal post", func(t *testing.T, h *harness) any {
			h.enforceOne(t, long)
			h.bot.InteractionCreate(nil, appealPress(authorID))
			for _, c := range h.api.Calls() {
				if c.String() == "POST /channels/"+modlogID+"/messages" {
					return dig(c.Body, "embeds", 0)
				}
			}
			return nil
		}},
		{"/slopguard check", func(t *testing.T, h *harness) any {
			h.bot.InteractionCreate(nil, slash("check", opt("text", discordgo.ApplicationCommandOptionString, long)))
			calls := h.api.Calls()
			wantPaths(t, calls, "POST "+callbackPath, "PATCH "+answerPath)
			return dig(calls[1].Body, "embeds", 0)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(o *Options) { o.Checker = longChecker{} })
			wantEmbedFits(t, tt.name, tt.run(t, h))
		})
	}
}

func TestFitEmbedCutsEveryPartRuneSafely(t *testing.T) {
	t.Parallel()
	field := &discordgo.MessageEmbedField{Name: "Patterns found", Value: strings.Repeat("é", 3000)}
	var many []*discordgo.MessageEmbedField
	for i := range 30 {
		many = append(many, &discordgo.MessageEmbedField{Name: fmt.Sprint("f", i), Value: strings.Repeat("ß", 900)})
	}
	tests := []struct {
		name  string
		embed *discordgo.MessageEmbed
		check func(t *testing.T, e *discordgo.MessageEmbed)
	}{
		{"long field value", &discordgo.MessageEmbed{Title: "t", Fields: []*discordgo.MessageEmbedField{field}}, func(t *testing.T, e *discordgo.MessageEmbed) {
			if v := e.Fields[0].Value; utf8.RuneCountInString(v) != maxFieldValue || !strings.HasSuffix(v, "…") {
				t.Errorf("value: %d characters, want %d ending in …", utf8.RuneCountInString(v), maxFieldValue)
			}
			if utf8.RuneCountInString(field.Value) != 3000 {
				t.Errorf("the caller's field was changed in place")
			}
		}},
		{"long title and description", &discordgo.MessageEmbed{Title: strings.Repeat("T", 300), Description: strings.Repeat("d", 5000)}, func(t *testing.T, e *discordgo.MessageEmbed) {
			if utf8.RuneCountInString(e.Title) != maxEmbedTitle || utf8.RuneCountInString(e.Description) > maxEmbedDescription {
				t.Errorf("title %d, description %d characters", utf8.RuneCountInString(e.Title), utf8.RuneCountInString(e.Description))
			}
		}},
		{"30 fields keep the first 24 and the newest", &discordgo.MessageEmbed{Fields: many}, func(t *testing.T, e *discordgo.MessageEmbed) {
			if len(e.Fields) != maxEmbedFields || e.Fields[0].Name != "f0" || e.Fields[24].Name != "f29" {
				t.Errorf("got %d fields, first %q, last %q", len(e.Fields), e.Fields[0].Name, e.Fields[len(e.Fields)-1].Name)
			}
		}},
		{"empty field value", &discordgo.MessageEmbed{Fields: []*discordgo.MessageEmbedField{{Name: "Your message", Value: ""}}}, func(t *testing.T, e *discordgo.MessageEmbed) {
			if e.Fields[0].Value != "-" {
				t.Errorf("empty value: got %q, want -", e.Fields[0].Value)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := fitEmbed(tt.embed)
			tt.check(t, e)
			var decoded any
			b, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &decoded); err != nil {
				t.Fatal(err)
			}
			wantEmbedFits(t, tt.name, decoded)
		})
	}
	if got := clip("héllo wörld", 7); got != "héllo…" {
		t.Errorf("clip: got %q, want \"héllo…\"", got)
	}
	if got := clip("short", 7); got != "short" {
		t.Errorf("clip of a short text: got %q", got)
	}
}

func TestSettingsKeepAnExplicitZeroOrEmptyChoiceAcrossRestart(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/slopguard.db"
	st := openStore(t, path)
	def := defaults()
	def.Threshold, def.EnforceThreshold = 0.95, 0.97
	def.ExemptRoles, def.ExemptChannels, def.ExemptCategories, def.ExemptThreads = []string{"r-op"}, []string{exemptChanID}, []string{categoryID}, true
	newBot := func() *Bot {
		b, err := New(Options{API: newFakeDiscord(t).session(), Checker: &fakeChecker{}, Store: st, Defaults: def, ModelThreshold: 0.9, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	_, err := newBot().settings.modify(context.Background(), guildID, func(s *Settings) error {
		s.Threshold, s.ModLogChannel = 0, ""
		s.ExemptRoles, s.ExemptChannels, s.ExemptCategories, s.ExemptThreads = nil, []string{}, nil, false
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := newBot().settings.get(context.Background(), guildID) // a restart: nothing cached
	if err != nil {
		t.Fatal(err)
	}
	if got.Threshold != 0 || got.ModLogChannel != "" || len(got.ExemptRoles)+len(got.ExemptChannels)+len(got.ExemptCategories) != 0 || got.ExemptThreads {
		t.Errorf("after a restart: got %s, want the explicit 0, \"\", no exemptions the server chose", mustJSON(t, got))
	}

	// Settings stored before every key was written still load; keys they
	// lack keep the defaults.
	old := `{"mode":"enforce","enforce_threshold":0.98,"strikes":4,"strike_window":"2h0m0s","timeout":"0s","delete":false}`
	if err := st.PutSetting(context.Background(), "101", SettingsKey, []byte(old)); err != nil {
		t.Fatal(err)
	}
	got, err = newBot().settings.get(context.Background(), "101")
	if err != nil {
		t.Fatal(err)
	}
	if got.Mode != moderation.ModeEnforce || got.Strikes != 4 || got.Threshold != 0.95 || !got.ExemptThreads || !slices.Equal(got.ExemptChannels, []string{exemptChanID}) {
		t.Errorf("old stored settings: got %s, want them over the defaults", mustJSON(t, got))
	}
}

// modlogPatches returns the edits of the mod-log post owned for message 1001
// among calls, and that post's "channel/message" ID.
func modlogPatches(t *testing.T, h *harness, calls []call) ([]call, string) {
	t.Helper()
	owned, _, err := h.store.ClaimMessage(context.Background(), ownedKey("1001"))
	if err != nil || owned == "" {
		t.Fatalf("owned mod-log post: %q, %v", owned, err)
	}
	channelID, messageID, _ := strings.Cut(owned, "/")
	var out []call
	for _, c := range calls {
		if c.String() == "PATCH /channels/"+channelID+"/messages/"+messageID {
			out = append(out, c)
		}
	}
	return out, owned
}

// fieldValue returns the value of the embed field called name in body, or "".
func fieldValue(body map[string]any, name string) string {
	fields, _ := dig(body, "embeds", 0, "fields").([]any)
	for _, f := range fields {
		if dig(f, "name") == name {
			v, _ := dig(f, "value").(string)
			return v
		}
	}
	return ""
}

func TestEditKeepsTheRecordOnTheModLogPost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(t *testing.T, h *harness) // flags message 1001 and acts on it
		edit    string
		keep    map[string]string // field → text its value must keep
		note    string            // text the Edited field must have
		buttons int               // buttons on the post after the edit
	}{
		{"timed out, then edited below the threshold", func(t *testing.T, h *harness) {
			h.settings(t, func(s *Settings) {
				s.Mode = moderation.ModeEnforce
				s.Strikes = 1
				s.Delete = false
				s.Timeout = time.Hour
			})
			h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
		}, humanText, map[string]string{"Enforced": "timed the author out for 1h", "Strikes": "1 of 1"}, "now 0.10 · human, below the flag threshold", 4},
		{"dismissed, then edited and still flagged", func(t *testing.T, h *harness) {
			h.bot.InteractionCreate(nil, press("slopguard:dismiss:1", discordgo.PermissionManageMessages, flagged(t, h)))
		}, maybeText, map[string]string{"Handled": "Dismissed by <@600>"}, "now 0.92 · machine, still over the flag threshold", 0},
		{"dismissed, then edited below the threshold", func(t *testing.T, h *harness) {
			h.bot.InteractionCreate(nil, press("slopguard:dismiss:1", discordgo.PermissionManageMessages, flagged(t, h)))
		}, humanText, map[string]string{"Handled": "Dismissed by <@600>"}, "now 0.10 · human, below the flag threshold", 0},
		{"a strike counted, then edited", func(t *testing.T, h *harness) {
			h.settings(t, func(s *Settings) { s.Mode = moderation.ModeEnforce })
			h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
		}, humanText, map[string]string{"Strikes": "1 of 2"}, "now 0.10 · human", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			tt.setup(t, h)
			h.api.Calls()
			for i := range 2 { // a second edit updates the note, it does not add one
				e := msg("1001", tt.edit)
				at := now.Add(time.Duration(i+1) * time.Minute) // each edit has its own time
				e.EditedTimestamp = &at
				h.bot.process(context.Background(), job{msg: e, edited: true})
				patches, _ := modlogPatches(t, h, h.api.Calls())
				if len(patches) != 1 {
					t.Fatalf("got %d edits of the mod-log post, want 1", len(patches))
				}
				body := patches[0].Body
				for field, want := range tt.keep {
					if got := fieldValue(body, field); !strings.Contains(got, want) {
						t.Errorf("field %s after the edit: got %q, want it kept (%q)", field, got, want)
					}
				}
				if got := fieldValue(body, editedField); !strings.Contains(got, tt.note) || !strings.Contains(got, tt.edit) {
					t.Errorf("Edited field: got %q, want %q and the new text", got, tt.note)
				}
				if _, ok := body["components"]; ok {
					t.Errorf("the edit sent components %v; the post's buttons must stay as they were", body["components"])
				}
				if n := strings.Count(patches[0].Raw, `"name":"Edited"`); n != 1 {
					t.Errorf("got %d Edited fields, want 1", n)
				}
			}
			_, owned := modlogPatches(t, h, nil)
			h.api.mu.Lock()
			post := h.api.posts[owned]
			buttons, _ := dig(post, "components", 0, "components").([]any)
			h.api.mu.Unlock()
			if len(buttons) != tt.buttons {
				t.Errorf("buttons on the post: got %d, want %d", len(buttons), tt.buttons)
			}
		})
	}
}

func TestEditOfAModLogPostThatCannotBeReadLeavesItAlone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.bot.process(context.Background(), job{msg: msg("1001", slopText)})
	h.api.Calls()
	h.api.mu.Lock()
	delete(h.api.posts, modlogID+"/901") // the post is gone (or unreadable): GET answers 404
	h.api.mu.Unlock()
	h.bot.process(context.Background(), job{msg: msg("1001", humanText), edited: true})
	wantPaths(t, h.api.Calls(), "GET /channels/"+modlogID+"/messages/901")
}

// appealPress is user pressing the appeal button on the bot's DM 903 to
// the author.
func appealPress(user string) *discordgo.InteractionCreate {
	dm := &discordgo.Message{ID: "903", ChannelID: "dm-" + authorID, Embeds: []*discordgo.MessageEmbed{{Title: "About your message"}}}
	return &discordgo.InteractionCreate{Interaction: &discordgo.Interaction{
		ID: "i-1", Token: "tok", AppID: selfID, Type: discordgo.InteractionMessageComponent, ChannelID: dm.ChannelID,
		User: &discordgo.User{ID: user}, Message: dm,
		Data: discordgo.MessageComponentInteractionData{CustomID: "slopguard:appeal:1"},
	}}
}

func TestFailedAppealKeepsTheButtonForARetry(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.enforceOne(t, slopText)
	dmEdit := "PATCH /channels/dm-" + authorID + "/messages/903"
	modlogPost := "POST /channels/" + modlogID + "/messages"

	h.api.mu.Lock()
	h.api.limited[modlogPost] = 10 // the mod-log cannot be reached for now
	h.api.mu.Unlock()
	h.bot.InteractionCreate(nil, appealPress(authorID))
	calls := h.api.Calls()
	if got := calls[len(calls)-1]; got.String() != dmEdit {
		t.Fatalf("calls %s: want the DM edited last", paths(calls))
	} else if _, ok := got.Body["components"]; ok {
		t.Errorf("the appeal failed but the DM's components were set to %v; the author could not ask again", got.Body["components"])
	} else if v := dig(got.Body, "embeds", 0, "fields", 0, "value"); !strings.Contains(fmt.Sprint(v), "press the button again") {
		t.Errorf("DM after a failed appeal: got %v", v)
	}

	h.api.mu.Lock()
	h.api.limited[modlogPost] = 0
	h.api.mu.Unlock()
	h.bot.InteractionCreate(nil, appealPress(authorID))
	calls = h.api.Calls()
	wantPaths(t, calls, "POST "+callbackPath, modlogPost, dmEdit)
	if got, ok := calls[2].Body["components"].([]any); !ok || len(got) != 0 {
		t.Errorf("after the appeal was posted: components %v, want the button removed", calls[2].Body["components"])
	}
}

func TestSettingsSubcommandsNeedManageServer(t *testing.T) {
	t.Parallel()
	const helper = discordgo.PermissionSendMessages | discordgo.PermissionViewChannel | discordgo.PermissionManageMessages
	setup := slash("setup", opt("modlog", discordgo.ApplicationCommandOptionChannel, generalID),
		opt("mode", discordgo.ApplicationCommandOptionString, "enforce"),
		opt("timeout_minutes", discordgo.ApplicationCommandOptionInteger, float64(40320)))
	tests := []struct {
		name    string
		ev      *discordgo.InteractionCreate
		perms   int64
		refused bool
	}{
		{"setup by a helper", setup, helper, true},
		{"threshold by a helper", slash("threshold", opt("flag", discordgo.ApplicationCommandOptionNumber, 0.5)), helper, true},
		{"exempt by a helper", exempt("add", opt("role", discordgo.ApplicationCommandOptionRole, "r-member")), helper, true},
		{"status by a helper", slash("status"), helper, false},
		{"check by a helper", slash("check", opt("text", discordgo.ApplicationCommandOptionString, humanText)), helper, false},
		{"setup with Manage Server", setup, discordgo.PermissionManageGuild, false},
		{"threshold by an administrator", slash("threshold", opt("flag", discordgo.ApplicationCommandOptionNumber, 0.5)), discordgo.PermissionAdministrator, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			before, err := h.bot.settings.get(context.Background(), guildID)
			if err != nil {
				t.Fatal(err)
			}
			ev := *tt.ev
			in := *ev.Interaction
			member := *in.Member
			member.Permissions = tt.perms
			in.Member, ev.Interaction = &member, &in
			got := replyText(t, h, &ev)
			after, err := h.bot.settings.get(context.Background(), guildID)
			if err != nil {
				t.Fatal(err)
			}
			changed := mustJSON(t, before) != mustJSON(t, after)
			switch {
			case tt.refused && (!strings.Contains(got, "Manage Server") || changed):
				t.Errorf("got reply %q and settings changed=%v, want a polite refusal naming Manage Server and nothing changed", got, changed)
			case !tt.refused && strings.Contains(got, "Manage Server"):
				t.Errorf("got reply %q, want it done", got)
			}
		})
	}
}

func TestRepliesFitDiscordContentLimit(t *testing.T) {
	t.Parallel()
	badLink := "https://" + strings.Repeat("x", 2500)
	tests := []struct {
		name  string
		ev    *discordgo.InteractionCreate
		check func(t *testing.T, reply string)
	}{
		{"status with 80 exempt channels", slash("status"), func(t *testing.T, reply string) {
			if !strings.Contains(reply, "and 60 more") {
				t.Errorf("reply %q: want the exemptions listed with \"and 60 more\"", reply)
			}
		}},
		{"check with a long bad link", slash("check", opt("message", discordgo.ApplicationCommandOptionString, badLink)), func(t *testing.T, reply string) {
			if !strings.Contains(reply, "is not a message link") || strings.Contains(reply, strings.Repeat("x", 100)) {
				t.Errorf("reply %q: want the error without the whole link echoed", reply)
			}
		}},
		// Discord only offers the listed modes; were it to pass another, the
		// error quoting it is still cut to fit.
		{"setup with a long unknown mode", slash("setup", opt("modlog", discordgo.ApplicationCommandOptionChannel, modlogID),
			opt("mode", discordgo.ApplicationCommandOptionString, strings.Repeat("x", 2500))), func(t *testing.T, reply string) {
			if !strings.HasPrefix(reply, "Not done: unknown mode") || !strings.HasSuffix(reply, "…") {
				t.Errorf("reply %.80q…: want the error cut with …", reply)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			h.settings(t, func(s *Settings) {
				for i := range 80 {
					s.ExemptChannels = append(s.ExemptChannels, fmt.Sprintf("1234567890123456%03d", i))
				}
			})
			reply := replyText(t, h, tt.ev)
			if n := utf8.RuneCountInString(reply); n > maxContent {
				t.Errorf("reply has %d characters; Discord refuses more than %d", n, maxContent)
			}
			tt.check(t, reply)
		})
	}
	if got := clip(strings.Repeat("ä", 2100), maxContent); utf8.RuneCountInString(got) != maxContent || !utf8.ValidString(got) {
		t.Errorf("clip to %d: got %d characters (valid UTF-8 %v)", maxContent, utf8.RuneCountInString(got), utf8.ValidString(got))
	}
}

func TestCommandsAnswerBeforeSlowWork(t *testing.T) {
	t.Parallel()
	menu := &discordgo.InteractionCreate{Interaction: &discordgo.Interaction{
		ID: "i-1", Token: "tok", AppID: selfID, Type: discordgo.InteractionApplicationCommand, GuildID: guildID, ChannelID: generalID,
		Member: &discordgo.Member{User: &discordgo.User{ID: modID}, Permissions: discordgo.PermissionManageMessages},
		Data: discordgo.ApplicationCommandInteractionData{Name: commandContextMenu, CommandType: discordgo.MessageApplicationCommand, TargetID: "1001",
			Resolved: &discordgo.ApplicationCommandInteractionDataResolved{Messages: map[string]*discordgo.Message{
				"1001": {ID: "1001", ChannelID: generalID, Content: slopText, Author: &discordgo.User{ID: authorID}},
			}}},
	}}
	link := "https://discord.com/channels/" + guildID + "/" + generalID + "/1001"
	tests := []struct {
		name   string
		ev     *discordgo.InteractionCreate
		middle []string // calls between the deferred answer and filling it in
		want   string
	}{
		// Discord answers the fetch with 429 twice: with production's RetryTransport
		// that is seconds of waiting, which must come after the first answer.
		{"check a message link", slash("check", opt("message", discordgo.ApplicationCommandOptionString, link)),
			[]string{"GET /channels/" + generalID + "/messages/1001", "GET /channels/" + generalID + "/messages/1001", "GET /channels/" + generalID + "/messages/1001"},
			"|Reads like machine-generated text"},
		{"check a text", slash("check", opt("text", discordgo.ApplicationCommandOptionString, slopText)), nil, "|Reads like machine-generated text"},
		{"status", slash("status"), nil, "**Mode**: flag"},
		{"setup", slash("setup", opt("modlog", discordgo.ApplicationCommandOptionChannel, modlogID)), []string{"GET /guilds/" + guildID + "/members/" + selfID}, "Saved."},
		{"threshold", slash("threshold", opt("flag", discordgo.ApplicationCommandOptionNumber, 0.5)), nil, "Saved."},
		{"exempt", exempt("add", opt("role", discordgo.ApplicationCommandOptionRole, "r-x")), nil, "Saved."},
		{"context menu", menu, nil, "|Reads like machine-generated text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			h.api.mu.Lock()
			h.api.messages[generalID+"/1001"] = slopText
			h.api.limited["GET /channels/"+generalID+"/messages/1001"] = 2
			h.api.mu.Unlock()
			h.bot.InteractionCreate(nil, tt.ev)
			if got := deferredAnswer(t, h.api.Calls(), tt.middle...); !strings.Contains(got, tt.want) {
				t.Errorf("answer: got %q, want it to contain %q", got, tt.want)
			}
			if strings.HasPrefix(tt.name, "check a message") && len(h.api.Sleeps()) != 2 {
				t.Errorf("waits: got %v, want two 429 waits after the first answer", h.api.Sleeps())
			}
		})
	}
}

func TestReasonListAlwaysShowsTheCharacterNote(t *testing.T) {
	t.Parallel()
	res := detector.Result{}
	for i := range 5 {
		res.Reasons = append(res.Reasons, detector.Reason{Signal: "phrase", Text: fmt.Sprintf("pattern %d", i), Weight: 1})
	}
	res.Reasons = append(res.Reasons, detector.Reason{Signal: detector.SignalHiddenCharacters, Text: "3 look-alike letters were folded"})
	got := reasonList(res, 3)
	if !strings.Contains(got, "look-alike") || strings.Contains(got, "pattern 3") {
		t.Errorf("reasonList(…, 3) = %q: want three patterns and the character note", got)
	}
}
