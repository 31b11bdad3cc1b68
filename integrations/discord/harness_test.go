package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/internal/jsondig"
	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/sqlstore"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// IDs of the test server.
const (
	guildID      = "100"
	generalID    = "200" // a plain text channel
	modlogID     = "201"
	exemptChanID = "202" // exempted in some tests
	inCategoryID = "203" // a channel under categoryID
	categoryID   = "300"
	threadID     = "400" // a thread in general
	authorID     = "500"
	modID        = "600"
	selfID       = "700" // the bot, and its application
	otherBotID   = "701"
	privateID    = "204" // a channel @everyone cannot see
	ownerID      = "800" // the server's owner
)

// Roles of the test server, by position (higher outranks lower). press and
// the fake's member lookup use them; @everyone (the guild ID) may view and
// read every channel but privateID.
const (
	roleMember  = "r-member" // position 1, every author's
	roleMM      = "r-mm"     // position 2, Manage Messages
	roleModM    = "r-modm"   // position 2, Moderate Members
	roleSenior  = "r-senior" // position 3, no permissions: outranks moderators
	roleAdmin   = "r-admin"  // position 5, Administrator
	roleHelper  = "r-helper" // position 1, no permissions
	roleBot     = "r-bot"    // position 4, the bot's: what it needs everywhere
	everyoneSee = discordgo.PermissionViewChannel | discordgo.PermissionReadMessageHistory | discordgo.PermissionSendMessages
)

// now is the tests' fixed clock.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Texts the fake checker recognises by prefix.
const (
	slopText  = "SLOP: As an AI language model, it is important to note that delving into this tapestry is crucial."
	maybeText = "MAYBE: In today's fast-paced world, it's worth noting that this message reads a little polished."
	humanText = "lol no, I wrote this on my phone on the bus and the build is still broken, will look tonight"
)

// fakeChecker scores texts by prefix: SLOP 0.99 machine, MIXED 0.99 machine
// with a reason towards human first, MAYBE 0.92 machine, anything else 0.10
// human.
type fakeChecker struct {
	fn func(it moderation.Item) // optional hook, called before scoring
}

func (f *fakeChecker) Check(ctx context.Context, it moderation.Item) (moderation.Verdict, error) {
	if f.fn != nil {
		f.fn(it)
	}
	r := detector.Result{Score: 0.10, Verdict: detector.Human}
	switch {
	case strings.HasPrefix(it.Body, "SLOP"):
		r = detector.Result{Score: 0.99, Verdict: detector.Machine, Reasons: []detector.Reason{
			{Family: "phrasing", Signal: "stock_phrase", Text: "stock phrases such as \"it is important to note\"", Weight: 1.2},
			{Family: "vocabulary", Signal: "delve", Text: "words common in generated text (delve, tapestry)", Weight: 0.8},
		}}
	case strings.HasPrefix(it.Body, "MIXED"):
		// The detector also returns reasons pointing towards human writing.
		r = detector.Result{Score: 0.99, Verdict: detector.Machine, Reasons: []detector.Reason{
			{Family: "style", Signal: "typos", Text: "typos and lowercase sentence starts", Weight: -0.7},
			{Family: "phrasing", Signal: "stock_phrase", Text: "stock phrases such as \"it is important to note\"", Weight: 1.2},
		}}
	case strings.HasPrefix(it.Body, "MAYBE"):
		r = detector.Result{Score: 0.92, Verdict: detector.Machine, Reasons: []detector.Reason{
			{Family: "phrasing", Signal: "stock_phrase", Text: "stock phrases such as \"in today's fast-paced world\"", Weight: 0.9},
		}}
	}
	return moderation.Verdict{Item: it, Result: r, ModelVersion: "test-1", CheckedAt: now}, nil
}

// call is one request the fake Discord API received.
type call struct {
	Method string
	Path   string // without the /api/v9 prefix
	Body   map[string]any
	Raw    string
}

func (c call) String() string { return c.Method + " " + c.Path }

// fakeDiscord is an httptest server standing in for Discord's REST API. It
// records every call and answers like Discord does, closely enough for the bot.
type fakeDiscord struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	calls    []call
	nextID   int
	messages map[string]string         // "channel/message" → content, for GET
	roles    map[string][]string       // user ID → roles, for GET of a member; roleMember when absent
	posts    map[string]map[string]any // "channel/message" → what the bot posted there, kept up to date by edits, for GET
	limited  map[string]int            // "METHOD path" → how many 429s to answer first
	// oneAnswer makes a second callback to an interaction fail as Discord's
	// does (40060), as when two replicas both receive the interaction.
	oneAnswer bool
	answered  map[string]bool // interaction IDs answered, with oneAnswer
	sleeps    []time.Duration // waits requested by RetryTransport
}

func newFakeDiscord(t *testing.T) *fakeDiscord {
	f := &fakeDiscord{t: t, nextID: 900, messages: map[string]string{}, roles: map[string][]string{}, posts: map[string]map[string]any{}, limited: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeDiscord) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/api/v"+discordgo.APIVersion)
	c := call{Method: r.Method, Path: path, Raw: string(raw)}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &c.Body); err != nil {
			f.t.Errorf("%s %s: body is not a JSON object: %v: %s", r.Method, path, err, raw)
		}
	}
	if r.Header.Get("Authorization") != "Bot test-token" {
		f.t.Errorf("%s %s: got authorization %q, want the bot token", r.Method, path, r.Header.Get("Authorization"))
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	key := r.Method + " " + path
	if f.limited[key] > 0 {
		f.limited[key]--
		f.mu.Unlock()
		w.Header().Set("Retry-After", "2")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"message": "You are being rate limited.", "retry_after": 1.5, "global": false}`)
		return
	}
	f.nextID++
	id := strconv.Itoa(f.nextID)
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if f.oneAnswer && r.Method == "POST" && len(parts) == 4 && parts[0] == "interactions" && parts[3] == "callback" {
		if f.answered == nil {
			f.answered = map[string]bool{}
		}
		if f.answered[parts[1]] {
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"message": "Interaction has already been acknowledged.", "code": 40060}`)
			return
		}
		f.answered[parts[1]] = true
	}
	var resp any
	switch {
	case r.Method == "POST" && len(parts) == 3 && parts[0] == "channels" && parts[2] == "messages":
		f.posts[parts[1]+"/"+id] = map[string]any{"embeds": c.Body["embeds"], "components": c.Body["components"]}
		resp = map[string]any{"id": id, "channel_id": parts[1]}
	case r.Method == "GET" && len(parts) == 4 && parts[0] == "channels":
		key := parts[1] + "/" + parts[3]
		if post, ok := f.posts[key]; ok {
			resp = map[string]any{"id": parts[3], "channel_id": parts[1], "author": map[string]any{"id": selfID, "bot": true},
				"embeds": post["embeds"], "components": post["components"]}
			break
		}
		content, ok := f.messages[key]
		if !ok {
			f.mu.Unlock()
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message": "Unknown Message", "code": 10008}`)
			return
		}
		resp = map[string]any{"id": parts[3], "channel_id": parts[1], "content": content, "author": map[string]any{"id": authorID}}
	case r.Method == "PATCH" && len(parts) == 4 && parts[0] == "channels":
		// Like Discord, an edit changes only what it sends.
		post := f.posts[parts[1]+"/"+parts[3]]
		if post == nil {
			post = map[string]any{}
			f.posts[parts[1]+"/"+parts[3]] = post
		}
		for _, k := range []string{"embeds", "components"} {
			if v, ok := c.Body[k]; ok {
				post[k] = v
			}
		}
		resp = map[string]any{"id": parts[3], "channel_id": parts[1]}
	case r.Method == "PATCH" && len(parts) == 5 && parts[0] == "webhooks" && parts[3] == "messages" && parts[4] == "@original":
		// Editing an interaction's (deferred) answer.
		resp = map[string]any{"id": id, "channel_id": generalID, "content": c.Body["content"]}
	case r.Method == "POST" && path == "/users/@me/channels":
		resp = map[string]any{"id": "dm-" + c.Body["recipient_id"].(string), "type": 1}
	case r.Method == "PUT" && len(parts) == 3 && parts[0] == "applications":
		resp = json.RawMessage(raw)
	case r.Method == "GET" && len(parts) == 4 && parts[0] == "guilds" && parts[2] == "members":
		roles, ok := f.roles[parts[3]]
		switch {
		case !ok && parts[3] == selfID:
			roles = []string{roleBot}
		case !ok:
			roles = []string{roleMember}
		}
		resp = map[string]any{"user": map[string]any{"id": parts[3]}, "roles": roles, "joined_at": "2025-01-01T00:00:00Z"}
	case r.Method == "PATCH" && len(parts) == 4 && parts[0] == "guilds":
		resp = map[string]any{"user": map[string]any{"id": parts[3]}}
	}
	f.mu.Unlock()
	if resp == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// Calls returns the calls so far and forgets them.
func (f *fakeDiscord) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

func (f *fakeDiscord) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// rewrite sends every request to the fake server, keeping the path.
type rewrite struct{ target *url.URL }

func (rw rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = rw.target.Scheme, rw.target.Host, ""
	return http.DefaultTransport.RoundTrip(r)
}

// session returns a real discordgo session whose REST calls reach the fake,
// through the same RetryTransport production uses, with an instant clock.
func (f *fakeDiscord) session() *discordgo.Session {
	s, err := discordgo.New("Bot test-token")
	if err != nil {
		f.t.Fatal(err)
	}
	target, _ := url.Parse(f.srv.URL)
	s.ShouldRetryOnRateLimit = false
	s.Client = &http.Client{Transport: &RetryTransport{
		Base: rewrite{target},
		Sleep: func(ctx context.Context, d time.Duration) error {
			f.mu.Lock()
			f.sleeps = append(f.sleeps, d)
			f.mu.Unlock()
			return nil
		},
	}}
	return s
}

// testState is a gateway cache with the test server's channels.
func testState(t *testing.T) *discordgo.State {
	st := discordgo.NewState()
	err := st.GuildAdd(&discordgo.Guild{
		ID: guildID, OwnerID: ownerID,
		Roles: []*discordgo.Role{
			{ID: guildID, Name: "@everyone", Position: 0, Permissions: everyoneSee},
			{ID: roleMember, Position: 1},
			{ID: roleHelper, Position: 1},
			{ID: roleMM, Position: 2, Permissions: discordgo.PermissionManageMessages},
			{ID: roleModM, Position: 2, Permissions: discordgo.PermissionModerateMembers},
			{ID: roleSenior, Position: 3},
			{ID: roleAdmin, Position: 5, Permissions: discordgo.PermissionAdministrator},
			{ID: roleBot, Position: 4, Permissions: discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks |
				discordgo.PermissionManageMessages | discordgo.PermissionModerateMembers},
		},
		Channels: []*discordgo.Channel{
			{ID: privateID, GuildID: guildID, Type: discordgo.ChannelTypeGuildText, PermissionOverwrites: []*discordgo.PermissionOverwrite{
				{ID: guildID, Type: discordgo.PermissionOverwriteTypeRole, Deny: discordgo.PermissionViewChannel},
			}},
			{ID: generalID, GuildID: guildID, Type: discordgo.ChannelTypeGuildText},
			{ID: modlogID, GuildID: guildID, Type: discordgo.ChannelTypeGuildText},
			{ID: exemptChanID, GuildID: guildID, Type: discordgo.ChannelTypeGuildText},
			{ID: categoryID, GuildID: guildID, Type: discordgo.ChannelTypeGuildCategory},
			{ID: inCategoryID, GuildID: guildID, Type: discordgo.ChannelTypeGuildText, ParentID: categoryID},
		},
		Threads: []*discordgo.Channel{
			{ID: threadID, GuildID: guildID, Type: discordgo.ChannelTypeGuildPublicThread, ParentID: generalID},
			{ID: "401", GuildID: guildID, Type: discordgo.ChannelTypeGuildPublicThread, ParentID: exemptChanID},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// openStore opens a fresh SQLite store at path (a new one when path is "").
func openStore(t *testing.T, path string) store.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "slopguard.db")
	}
	s, err := sqlstore.Open(context.Background(), "sqlite", path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// defaults are the tests' server defaults: flag mode with a mod-log.
func defaults() Settings {
	return Settings{Mode: moderation.ModeFlag, ModLogChannel: modlogID, EnforceThreshold: 0.95, Strikes: 2,
		StrikeWindow: 24 * time.Hour, Timeout: time.Hour, Delete: true}
}

type harness struct {
	bot   *Bot
	api   *fakeDiscord
	store store.Store
}

// newHarness builds a started bot against a fake Discord and a SQLite store;
// mutate adjusts the options first.
func newHarness(t *testing.T, mutate func(*Options)) *harness {
	t.Helper()
	h := &harness{api: newFakeDiscord(t), store: openStore(t, "")}
	opts := Options{
		API: h.api.session(), Channels: testState(t), Checker: &fakeChecker{}, Store: h.store,
		Defaults: defaults(), ModelThreshold: 0.9, Workers: 1, QueueSize: 16, MinChars: 20,
		AppID: selfID, SelfID: selfID, Now: func() time.Time { return now },
	}
	if mutate != nil {
		mutate(&opts)
	}
	b, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	b.Start()
	t.Cleanup(func() { b.Stop(context.Background()) })
	h.bot = b
	return h
}

// drain waits until every queued message has been handled; the bot accepts
// no more messages afterwards.
func (h *harness) drain(t *testing.T) {
	t.Helper()
	if err := h.bot.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// settings stores settings for the test guild.
func (h *harness) settings(t *testing.T, change func(*Settings)) {
	t.Helper()
	if _, err := h.bot.settings.modify(context.Background(), guildID, func(s *Settings) error { change(s); return nil }); err != nil {
		t.Fatal(err)
	}
}

// state is the bot's channel cache.
func (h *harness) state() *discordgo.State { return h.bot.channels.(*discordgo.State) }

// changeState lets change edit the bot's channel cache; nil changes nothing.
func (h *harness) changeState(change func(*discordgo.State)) {
	if change != nil {
		change(h.state())
	}
}

// enforceOne puts the server in enforce mode at one strike, has the bot
// act on message 1001 with text (a mod-log post, the DM 903 to its author
// with the appeal button, delete, timeout), and forgets the calls.
func (h *harness) enforceOne(t *testing.T, text string) {
	t.Helper()
	h.settings(t, func(s *Settings) { s.Mode = moderation.ModeEnforce; s.Strikes = 1 })
	h.bot.process(context.Background(), job{msg: msg("1001", text)})
	h.api.Calls()
}

func (h *harness) decisions(t *testing.T) []store.Decision {
	t.Helper()
	ds, err := h.store.Decisions(context.Background(), store.DecisionFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// msg builds a server message from the author in general.
func msg(id, content string) *discordgo.Message {
	return &discordgo.Message{
		ID: id, GuildID: guildID, ChannelID: generalID, Content: content, Type: discordgo.MessageTypeDefault,
		Author: &discordgo.User{ID: authorID, Username: "ada"},
		Member: &discordgo.Member{Roles: []string{"r-member"}},
	}
}

// paths renders calls as "METHOD path" for comparison.
func paths(calls []call) string {
	var s []string
	for _, c := range calls {
		s = append(s, c.String())
	}
	return strings.Join(s, "\n")
}

func wantPaths(t *testing.T, calls []call, want ...string) {
	t.Helper()
	if got, w := paths(calls), strings.Join(want, "\n"); got != w {
		t.Fatalf("calls:\n got:\n%s\nwant:\n%s", got, w)
	}
}

// wantField wants the value at path in a request body to be want; what
// names it when it is not.
func wantField(t *testing.T, what string, body, want any, path ...any) {
	t.Helper()
	if got := dig(body, path...); got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

// golden compares got (indented JSON) with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(got); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("%s differs from the golden file (run with -update if the change is intended):\n got:\n%s\nwant:\n%s", name, b, want)
	}
}

// dig walks a decoded JSON value along keys and indexes.
var dig = jsondig.Dig

func jsonEncode(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

func jsonDecode(s string, v any) error { return json.Unmarshal([]byte(s), v) }
