package discord

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// recordTransport answers 204 to everything and keeps the URLs asked.
type recordTransport struct{ urls []string }

func (r *recordTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.urls = append(r.urls, req.URL.String()+" host="+req.Host)
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: req}, nil
}

func TestEndpointTransportSendsDiscordRequestsToTheAPIURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		api, in, want string
	}{
		{"http://127.0.0.1:3001/api", discordgo.EndpointGateway, "http://127.0.0.1:3001/api/v" + discordgo.APIVersion + "/gateway host="},
		{"http://127.0.0.1:3001/api", discordgo.EndpointChannelMessages("1") + "?limit=2", "http://127.0.0.1:3001/api/v" + discordgo.APIVersion + "/channels/1/messages?limit=2 host="},
		{"https://chat.example.org/spacebar/api/", discordgo.EndpointGatewayBot, "https://chat.example.org/spacebar/api/v" + discordgo.APIVersion + "/gateway/bot host="},
		// Not the API (an attachment on the CDN): left alone.
		{"https://chat.example.org/api", "https://cdn.discordapp.com/attachments/1/2/a.png", "https://cdn.discordapp.com/attachments/1/2/a.png host=cdn.discordapp.com"},
	}
	for _, tt := range tests {
		api, err := url.Parse(tt.api)
		if err != nil {
			t.Fatal(err)
		}
		rec := &recordTransport{}
		rt := &EndpointTransport{Base: rec, API: api}
		req, _ := http.NewRequest("GET", tt.in, nil)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		resp.Body.Close()
		if len(rec.urls) != 1 || rec.urls[0] != tt.want {
			t.Errorf("%s with api %s: sent %v, want %s", tt.in, tt.api, rec.urls, tt.want)
		}
		if req.URL.String() != tt.in {
			t.Errorf("the caller's request was changed: %s", req.URL)
		}
	}
}

// gatewayTransport answers every request with the gateway address url.
type gatewayTransport struct{ url string }

func (g gatewayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"url": "` + g.url + `", "shards": 1}`)), Request: req}, nil
}

// TestEndpointTransportRefusesAGatewayInClear: discord.api_url must be
// https (the token goes with every request), and the gateway address the
// API names is where the token goes next, in IDENTIFY: it must be wss
// too, ws only on a loopback host, as for the API.
func TestEndpointTransportRefusesAGatewayInClear(t *testing.T) {
	t.Parallel()
	api, _ := url.Parse("https://chat.example.org/api")
	tests := []struct {
		gateway string
		ok      bool
	}{
		{"wss://gateway.chat.example.org", true},
		{"ws://127.0.0.1:3002", true},
		{"ws://localhost:3002/", true},
		{"ws://gateway.chat.example.org", false},
		{"http://gateway.chat.example.org", false},
		{"", false},
	}
	for _, tt := range tests {
		for _, endpoint := range []string{discordgo.EndpointGateway, discordgo.EndpointGatewayBot} {
			rt := &EndpointTransport{Base: gatewayTransport{tt.gateway}, API: api}
			req, _ := http.NewRequest("GET", endpoint, nil)
			resp, err := rt.RoundTrip(req)
			if tt.ok {
				if err != nil {
					t.Errorf("%s naming %q: %v, want it passed on", endpoint, tt.gateway, err)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !strings.Contains(string(b), tt.gateway) {
					t.Errorf("%s naming %q: body %q, want it unchanged", endpoint, tt.gateway, b)
				}
				continue
			}
			if err == nil {
				resp.Body.Close()
				t.Errorf("%s naming %q: passed on, want an error", endpoint, tt.gateway)
			}
		}
	}
}
