package discord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// discordAPI is where discordgo sends every REST request: its endpoint
// variables are fixed at start-up from discordgo.EndpointDiscord.
var discordAPI = mustParse(discordgo.EndpointDiscord + "api/")

func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// EndpointTransport is an http.RoundTripper that sends the requests
// discordgo makes to Discord's REST API (https://discord.com/api/…) to API
// instead, keeping the rest of the path: https://discord.com/api/v9/gateway
// becomes API + "/v9/gateway". The gateway's websocket address comes from
// that answer, so a Discord-compatible server (Spacebar) or a test's fake
// serves both. Other URLs pass unchanged.
type EndpointTransport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// API is the replacement for https://discord.com/api.
	API *url.URL
}

// RoundTrip rewrites the request's URL and sends it.
func (t *EndpointTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	in := req.URL
	if t.API == nil || in.Scheme != discordAPI.Scheme || in.Host != discordAPI.Host || !strings.HasPrefix(in.Path, discordAPI.Path) {
		return base.RoundTrip(req)
	}
	prefix := strings.TrimSuffix(t.API.Path, "/") + "/"
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host = t.API.Scheme, t.API.Host
	r.URL.Path = prefix + strings.TrimPrefix(in.Path, discordAPI.Path)
	if in.RawPath != "" {
		r.URL.RawPath = prefix + strings.TrimPrefix(in.RawPath, discordAPI.Path)
	}
	r.Host = ""
	resp, err := base.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusOK || !isGatewayPath(r.URL.Path) {
		return resp, err
	}
	return checkGateway(resp)
}

// isGatewayPath reports whether an API path asks for the gateway's address.
func isGatewayPath(p string) bool {
	return strings.HasSuffix(p, "/gateway") || strings.HasSuffix(p, "/gateway/bot")
}

// checkGateway passes on an answer naming the gateway only when that
// address is wss, or ws on a loopback host: the bot sends its token there
// in IDENTIFY, so it gets the protection discord.api_url must have.
func checkGateway(resp *http.Response) (*http.Response, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("discord: read the gateway address: %w", err)
	}
	var g struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(body, &g); err != nil {
		return nil, fmt.Errorf("discord: the gateway address: %w", err)
	}
	u, err := url.Parse(g.URL)
	if err != nil {
		return nil, errors.New("discord: the API named a gateway address that does not parse")
	}
	loopback := u.Hostname() == "localhost"
	if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsLoopback() {
		loopback = true
	}
	if u.Scheme != "wss" && (u.Scheme != "ws" || !loopback) || u.Host == "" {
		return nil, fmt.Errorf("discord: the API named the gateway %s://%s: the token would go there in clear (want wss, ws only on a loopback host)", u.Scheme, u.Host)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}
