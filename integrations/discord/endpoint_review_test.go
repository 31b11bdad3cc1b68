package discord

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

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
