package discord

import (
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
	return base.RoundTrip(r)
}
