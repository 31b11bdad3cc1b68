package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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
	"github.com/gorilla/websocket"

	"github.com/slopguard/slopguard/internal/jsondig"
)

// The end-to-end test runs `slopguard serve` with discord.api_url pointing
// at a fake Discord in this process: an httptest server answering the REST
// API (discordgo's paths under /api/v9) and a websocket gateway speaking
// HELLO, IDENTIFY, READY, GUILD_CREATE, dispatches and heartbeats, with
// Discord's JSON shapes. Nothing touches the network but loopback.

// IDs of the fake server.
const (
	e2eGuild   = "100"
	e2eGeneral = "200"
	e2eModLog  = "201"
	e2eAuthor  = "500"
	e2eMod     = "600"
	e2eBot     = "700"
	e2eOwner   = "800"
	e2eToken   = "test-token"
)

// e2eSlop is flagged by the embedded model (score 1.00); e2eHuman is not.
const (
	e2eSlop  = "This PR refactors the configuration loader to improve maintainability and ensure consistent error handling across all modules. Added comprehensive validation for all configuration fields. Enhanced error messages to provide clearer guidance to users. Updated the documentation to reflect the new behavior."
	e2eHuman = "lol no, I wrote this on my phone on the bus and the build is still broken, will look tonight after dinner when the kids are asleep"
)

// e2eCall is one REST request the fake answered.
type e2eCall struct {
	method, path string // path without /api/v9
	body         map[string]any
	status       int
}

func (c e2eCall) String() string { return c.method + " " + c.path }

// gatewayConn is one bot session connected to the fake gateway.
type gatewayConn struct {
	ws         *websocket.Conn
	mu         sync.Mutex // guards writes and seq
	seq        int64
	heartbeats int
}

func (c *gatewayConn) dispatch(typ string, d any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	return c.ws.WriteJSON(map[string]any{"op": 0, "t": typ, "s": c.seq, "d": d})
}

// fakeDiscordServer is Discord's REST API and gateway for the test.
type fakeDiscordServer struct {
	t   *testing.T
	srv *httptest.Server
	n   *notifier

	mu       sync.Mutex
	calls    []e2eCall
	conns    []*gatewayConn
	answered map[string]bool // interaction IDs with an accepted callback
	posts    int
}

func newFakeDiscordServer(t *testing.T, n *notifier) *fakeDiscordServer {
	f := &fakeDiscordServer{t: t, n: n, answered: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/gateway/", f.gateway)
	mux.HandleFunc("/api/", f.rest)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeDiscordServer) wsURL() string {
	return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/gateway"
}

// rest answers the REST API as Discord does, closely enough for the bot.
func (f *fakeDiscordServer) rest(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/api/v"+discordgo.APIVersion)
	c := e2eCall{method: r.Method, path: path, status: http.StatusOK}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &c.body); err != nil {
			f.t.Errorf("%s %s: body is not JSON: %v", r.Method, path, err)
		}
	}
	if got := r.Header.Get("Authorization"); got != "Bot "+e2eToken && !strings.HasPrefix(path, "/webhooks/") && !strings.HasPrefix(path, "/interactions/") {
		f.t.Errorf("%s %s: authorization %q, want the bot token", r.Method, path, got)
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var resp any
	f.mu.Lock()
	switch {
	case r.Method == "GET" && (path == "/gateway" || path == "/gateway/bot"):
		resp = map[string]any{"url": f.wsURL(), "shards": 1,
			"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}}
	case r.Method == "PUT" && len(parts) == 3 && parts[0] == "applications" && parts[2] == "commands":
		resp = json.RawMessage(raw)
	case r.Method == "POST" && len(parts) == 4 && parts[0] == "interactions" && parts[3] == "callback":
		if f.answered[parts[1]] {
			c.status = http.StatusBadRequest
			resp = map[string]any{"message": "Interaction has already been acknowledged.", "code": 40060}
			break
		}
		f.answered[parts[1]] = true
		c.status = http.StatusNoContent
	case r.Method == "PATCH" && len(parts) == 5 && parts[0] == "webhooks" && parts[4] == "@original":
		resp = map[string]any{"id": "answer-" + parts[2], "channel_id": e2eGeneral, "content": c.body["content"], "type": 0}
	case r.Method == "POST" && len(parts) == 3 && parts[0] == "webhooks":
		c.status = http.StatusNoContent // a follow-up, sent without ?wait=true
	case r.Method == "POST" && len(parts) == 3 && parts[0] == "channels" && parts[2] == "messages":
		f.posts++
		resp = map[string]any{"id": "90" + strconv.Itoa(f.posts), "channel_id": parts[1], "type": 0,
			"author": map[string]any{"id": e2eBot, "username": "slopguard", "bot": true},
			"embeds": c.body["embeds"], "components": c.body["components"], "timestamp": "2026-03-01T12:00:00+00:00"}
	case r.Method == "PATCH" && len(parts) == 4 && parts[0] == "channels" && parts[2] == "messages":
		resp = map[string]any{"id": parts[3], "channel_id": parts[1], "type": 0, "embeds": c.body["embeds"]}
	case r.Method == "GET" && len(parts) == 4 && parts[0] == "guilds" && parts[2] == "members":
		roles := []any{}
		if parts[3] == e2eBot {
			roles = []any{"r-bot"}
		}
		resp = map[string]any{"user": map[string]any{"id": parts[3], "username": "u" + parts[3]}, "roles": roles,
			"joined_at": "2026-01-01T00:00:00+00:00", "deaf": false, "mute": false}
	case r.Method == "DELETE" && len(parts) == 4 && parts[0] == "channels" && parts[2] == "messages":
		c.status = http.StatusNoContent
	case r.Method == "GET" && len(parts) == 4 && parts[0] == "channels" && parts[2] == "messages":
		resp = map[string]any{"id": parts[3], "channel_id": parts[1], "type": 0, "content": e2eSlop,
			"author": map[string]any{"id": e2eAuthor, "username": "ada"}}
	default:
		c.status = http.StatusNotFound
		resp = map[string]any{"message": "404: Not Found", "code": 0}
		f.t.Errorf("unexpected request %s %s", r.Method, path)
	}
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	f.n.poke()
	if resp == nil {
		w.WriteHeader(c.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(c.status)
	json.NewEncoder(w).Encode(resp)
}

// gateway speaks the gateway protocol to one bot session: HELLO (op 10),
// IDENTIFY (op 2) checked, READY and GUILD_CREATE dispatches (op 0), and a
// HEARTBEAT_ACK (op 11) for every HEARTBEAT (op 1).
func (f *fakeDiscordServer) gateway(w http.ResponseWriter, r *http.Request) {
	ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		f.t.Errorf("gateway upgrade: %v", err)
		return
	}
	defer ws.Close()
	if v := r.URL.Query().Get("v"); v != discordgo.APIVersion || r.URL.Query().Get("encoding") != "json" {
		f.t.Errorf("gateway query %q: want v=%s&encoding=json", r.URL.RawQuery, discordgo.APIVersion)
	}
	c := &gatewayConn{ws: ws}
	if err := ws.WriteJSON(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 41250}}); err != nil {
		f.t.Errorf("gateway hello: %v", err)
		return
	}
	var identify struct {
		Op int `json:"op"`
		D  struct {
			Token   string `json:"token"`
			Intents int    `json:"intents"`
			Shard   *[2]int
		} `json:"d"`
	}
	if err := ws.ReadJSON(&identify); err != nil || identify.Op != 2 {
		f.t.Errorf("gateway: want IDENTIFY (op 2), got op %d, %v", identify.Op, err)
		return
	}
	if identify.D.Token != "Bot "+e2eToken {
		f.t.Errorf("IDENTIFY token %q, want the bot token", identify.D.Token)
	}
	if identify.D.Intents&int(discordgo.IntentsGuildMessages) == 0 {
		f.t.Errorf("IDENTIFY intents %d lack guild messages", identify.D.Intents)
	}
	ready := map[string]any{
		"v": 10, "session_id": fmt.Sprintf("session-%p", c), "resume_gateway_url": f.wsURL(),
		"user":        map[string]any{"id": e2eBot, "username": "slopguard", "discriminator": "0", "bot": true},
		"guilds":      []any{map[string]any{"id": e2eGuild, "unavailable": true}},
		"application": map[string]any{"id": e2eBot, "flags": 0},
	}
	if err := c.dispatch("READY", ready); err != nil {
		return
	}
	if err := c.dispatch("GUILD_CREATE", e2eGuildCreate()); err != nil {
		return
	}
	f.mu.Lock()
	f.conns = append(f.conns, c)
	f.mu.Unlock()
	for {
		var p struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := ws.ReadJSON(&p); err != nil {
			return // the bot closed the session
		}
		if p.Op == 1 {
			c.mu.Lock()
			c.heartbeats++
			err := ws.WriteJSON(map[string]any{"op": 11})
			c.mu.Unlock()
			if err != nil {
				return
			}
			f.n.poke()
		}
	}
}

// e2eGuildCreate is the server as GUILD_CREATE describes it: @everyone
// may read and post; moderators have Manage Messages.
func e2eGuildCreate() map[string]any {
	everyone := int64(discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionReadMessageHistory)
	return map[string]any{
		"id": e2eGuild, "name": "test server", "owner_id": e2eOwner, "member_count": 3, "large": false, "unavailable": false,
		"joined_at": "2026-01-01T00:00:00+00:00",
		"roles": []any{
			map[string]any{"id": e2eGuild, "name": "@everyone", "position": 0, "permissions": strconv.FormatInt(everyone, 10)},
			map[string]any{"id": "r-mod", "name": "mods", "position": 2, "permissions": strconv.FormatInt(int64(discordgo.PermissionManageMessages), 10)},
			map[string]any{"id": "r-bot", "name": "slopguard", "position": 3, "managed": true,
				"permissions": strconv.FormatInt(int64(discordgo.PermissionViewChannel|discordgo.PermissionSendMessages|discordgo.PermissionEmbedLinks), 10)},
		},
		"channels": []any{
			map[string]any{"id": e2eGeneral, "type": 0, "name": "general", "guild_id": e2eGuild, "permission_overwrites": []any{}},
			map[string]any{"id": e2eModLog, "type": 0, "name": "mod-log", "guild_id": e2eGuild, "permission_overwrites": []any{}},
		},
		"threads": []any{}, "members": []any{},
	}
}

// broadcast sends a dispatch to every connected session, as Discord does
// to every session of a shard.
func (f *fakeDiscordServer) broadcast(typ string, d any) {
	f.mu.Lock()
	conns := append([]*gatewayConn(nil), f.conns...)
	f.mu.Unlock()
	for _, c := range conns {
		if err := c.dispatch(typ, d); err != nil {
			f.t.Errorf("dispatch %s: %v", typ, err)
		}
	}
}

// snapshot returns the REST calls so far.
func (f *fakeDiscordServer) snapshot() []e2eCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]e2eCall(nil), f.calls...)
}

func (f *fakeDiscordServer) count(method, path string, status int) int {
	n := 0
	for _, c := range f.snapshot() {
		if c.method == method && c.path == path && (status == 0 || c.status == status) {
			n++
		}
	}
	return n
}

// e2eMessage is a MESSAGE_CREATE as Discord sends it to a bot with the
// guild messages and message content intents.
func e2eMessage(id, content string) map[string]any {
	return map[string]any{
		"id": id, "channel_id": e2eGeneral, "guild_id": e2eGuild, "type": 0, "content": content,
		"author":    map[string]any{"id": e2eAuthor, "username": "ada", "discriminator": "0", "global_name": "Ada"},
		"member":    map[string]any{"roles": []any{}, "joined_at": "2026-01-02T00:00:00+00:00", "deaf": false, "mute": false},
		"timestamp": "2026-03-01T12:00:00+00:00", "edited_timestamp": nil, "tts": false, "mention_everyone": false,
		"mentions": []any{}, "mention_roles": []any{}, "attachments": []any{}, "embeds": []any{}, "pinned": false,
	}
}

// e2eInteraction is an INTERACTION_CREATE by the moderator in channel.
func e2eInteraction(id string, typ int, channel string, data, message map[string]any) map[string]any {
	d := map[string]any{
		"id": id, "application_id": e2eBot, "type": typ, "token": "tok-" + id, "version": 1,
		"guild_id": e2eGuild, "channel_id": channel, "data": data, "app_permissions": "8",
		"member": map[string]any{
			"user":  map[string]any{"id": e2eMod, "username": "mo", "discriminator": "0"},
			"roles": []any{"r-mod"}, "permissions": strconv.FormatInt(int64(discordgo.PermissionManageMessages|discordgo.PermissionManageGuild), 10),
			"joined_at": "2026-01-01T00:00:00+00:00",
		},
	}
	if message != nil {
		d["message"] = message
	}
	return d
}

// TestDiscordEndToEnd runs serve against the fake Discord, with one replica
// and with two on one store: /slopguard setup is answered, a flagged message
// reaches the mod-log once, a human one does not, and a button press on the
// post is answered and handled once.
func TestDiscordEndToEnd(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end: starts serve with the embedded model")
	}
	runs := []struct {
		name     string
		replicas int
		postgres bool
	}{{"1 replica", 1, false}, {"2 replicas", 2, false}, {"2 replicas on postgres", 2, true}}
	for _, tc := range runs {
		replicas := tc.replicas
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := &notifier{}
			fake := newFakeDiscordServer(t, n)
			dir := t.TempDir()
			cfgPath := writeFile(t, dir, "slopguard.yml", "log_level: debug\n")
			envVars := map[string]string{
				"SLOPGUARD_DATABASE_URL":    filepath.Join(dir, "slopguard.db"),
				"SLOPGUARD_DISCORD_TOKEN":   e2eToken,
				"SLOPGUARD_DISCORD_API_URL": fake.srv.URL + "/api",
			}
			if tc.postgres {
				envVars["SLOPGUARD_DATABASE_URL"] = postgresSchema(t)
				envVars["SLOPGUARD_DATABASE_DRIVER"] = "postgres"
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var logs []*logWatch
			exits := make(chan int, replicas)
			for i := range replicas {
				logs = append(logs, startServe(ctx, n, cfgPath, envVars, exits))
				// One at a time: each session is READY and heartbeating
				// (answered with op 11) before the next starts.
				waitFor(t, n, fmt.Sprintf("replica %d's gateway session", i+1), func() bool {
					fake.mu.Lock()
					defer fake.mu.Unlock()
					if len(fake.conns) != i+1 {
						return false
					}
					c := fake.conns[i]
					c.mu.Lock()
					defer c.mu.Unlock()
					return c.heartbeats > 0
				})
			}
			stopped := false
			stop := func() {
				if stopped {
					return
				}
				stopped = true
				cancel()
				for range replicas {
					if code := <-exits; code != 0 {
						t.Errorf("serve exited %d", code)
					}
				}
			}
			defer stop()

			// /slopguard setup modlog:#mod-log, by a moderator.
			fake.broadcast("INTERACTION_CREATE", e2eInteraction("1", 2, e2eGeneral, map[string]any{
				"id": "cmd-1", "name": "slopguard", "type": 1,
				"options": []any{map[string]any{"name": "setup", "type": 1, "options": []any{
					map[string]any{"name": "modlog", "type": 7, "value": e2eModLog}}}},
			}, nil))
			answer := "/webhooks/" + e2eBot + "/tok-1/messages/@original"
			waitFor(t, n, "the answer to /slopguard setup", func() bool { return fake.count("PATCH", answer, 0) > 0 })
			for _, c := range fake.snapshot() {
				if content := fmt.Sprint(c.body["content"]); c.path == answer && (!strings.Contains(content, "Saved.") || strings.Contains(content, "missing")) {
					t.Errorf("setup answer: %v, want Saved. and no missing permission", content)
				}
			}

			// A flagged message and a human one, sent to every session.
			fake.broadcast("MESSAGE_CREATE", e2eMessage("1001", e2eSlop))
			fake.broadcast("MESSAGE_CREATE", e2eMessage("1002", e2eHuman))
			for _, id := range []string{"1001", "1002"} {
				// Each replica either acts on the message or leaves it to
				// the one that claimed it.
				var acted int
				waitFor(t, n, "every replica to handle message "+id, func() bool {
					left := 0
					acted = 0
					for _, lw := range logs {
						acted += lw.lines("discord: message handled", "message_id="+id)
						left += lw.lines("another replica handles this message", "message_id="+id)
					}
					return acted+left == replicas
				})
				if acted != 1 {
					t.Errorf("message %s: %d replicas acted on it, want 1", id, acted)
				}
			}
			var post *e2eCall
			for _, c := range fake.snapshot() {
				if c.method == "POST" && c.path == "/channels/"+e2eModLog+"/messages" {
					post = &c
				}
			}
			if post == nil {
				t.Fatalf("no mod-log post; calls %v", fake.snapshot())
			}
			if got := dig(post.body, "embeds", 0, "url"); got != "https://discord.com/channels/"+e2eGuild+"/"+e2eGeneral+"/1001" {
				t.Errorf("mod-log post links %v, want message 1001", got)
			}
			customID, _ := dig(post.body, "components", 0, "components", 0, "custom_id").(string)
			if !strings.HasPrefix(customID, "slopguard:") {
				t.Fatalf("mod-log post buttons: %v", post.body["components"])
			}
			dismiss := "slopguard:dismiss:" + customID[strings.LastIndex(customID, ":")+1:]

			// The moderator presses Dismiss on the post.
			postMsg := map[string]any{"id": "901", "channel_id": e2eModLog, "type": 0, "content": "",
				"author": map[string]any{"id": e2eBot, "username": "slopguard", "bot": true},
				"embeds": post.body["embeds"], "components": post.body["components"], "timestamp": "2026-03-01T12:00:01+00:00"}
			fake.broadcast("INTERACTION_CREATE", e2eInteraction("2", 3, e2eModLog,
				map[string]any{"custom_id": dismiss, "component_type": 2}, postMsg))
			edit := "/channels/" + e2eModLog + "/messages/901"
			waitFor(t, n, "the post marked handled", func() bool { return fake.count("PATCH", edit, 0) > 0 })
			stop()

			for _, c := range []struct {
				method, path string
				status       int
				want         int
			}{
				{"POST", "/channels/" + e2eModLog + "/messages", 0, 1},
				{"POST", "/interactions/1/tok-1/callback", http.StatusNoContent, 1},
				{"POST", "/interactions/2/tok-2/callback", http.StatusNoContent, 1},
				{"PATCH", answer, 0, 1},
				{"PATCH", edit, 0, 1},
				{"POST", "/webhooks/" + e2eBot + "/tok-2", 0, 0}, // no "already handled" follow-up
			} {
				if got := fake.count(c.method, c.path, c.status); got != c.want {
					t.Errorf("%s %s (status %d): %d calls, want %d", c.method, c.path, c.status, got, c.want)
				}
			}
			var handledField string
			for _, c := range fake.snapshot() {
				if c.method == "PATCH" && c.path == edit {
					fields, _ := dig(c.body, "embeds", 0, "fields").([]any)
					if len(fields) > 0 {
						handledField, _ = dig(fields[len(fields)-1], "value").(string)
					}
				}
			}
			if handledField != "Dismissed by <@"+e2eMod+">" {
				t.Errorf("handled field %q, want the moderator's dismissal", handledField)
			}
			if t.Failed() {
				for i, lw := range logs {
					t.Logf("replica %d log:\n%s", i+1, lw)
				}
			}
		})
	}
}

// postgresSchema returns a DSN for a schema of the test's own on the server
// SLOPGUARD_TEST_POSTGRES_DSN names, dropped when the test ends; it skips
// the test without a server (scripts/with-postgres.sh starts one).
func postgresSchema(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("SLOPGUARD_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("PostgreSQL run skipped: SLOPGUARD_TEST_POSTGRES_DSN is not set (run under scripts/with-postgres.sh)")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("slopguard_e2e_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", name)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + name
}

// dig walks a decoded JSON value along keys and indexes.
var dig = jsondig.Dig
