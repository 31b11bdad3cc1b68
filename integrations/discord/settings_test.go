package discord

import (
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/moderation"
)

func TestSettingsJSONRoundTrip(t *testing.T) {
	t.Parallel()
	in := Settings{Mode: moderation.ModeEnforce, ModLogChannel: "1", Threshold: 0.8, EnforceThreshold: 0.95, Strikes: 2,
		StrikeWindow: 36 * time.Hour, Timeout: 90 * time.Minute, Delete: true,
		ExemptRoles: []string{"r"}, ExemptChannels: []string{"c"}, ExemptCategories: []string{"k"}, ExemptThreads: true}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"mode":"enforce"`; !strings.Contains(string(b), want) {
		t.Errorf("stored form %s: want it to contain %s", b, want)
	}
	if want := `"timeout":"1h30m0s"`; !strings.Contains(string(b), want) {
		t.Errorf("stored form %s: want it to contain %s", b, want)
	}
	var out Settings
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if g, w := mustJSON(t, out), mustJSON(t, in); g != w {
		t.Errorf("round trip:\n got %s\nwant %s", g, w)
	}

	// Keys missing from a stored value keep the defaults they are read onto.
	partial := defaults()
	if err := json.Unmarshal([]byte(`{"mode":"observe"}`), &partial); err != nil {
		t.Fatal(err)
	}
	if partial.Mode != moderation.ModeObserve || partial.Strikes != defaults().Strikes || partial.StrikeWindow != defaults().StrikeWindow {
		t.Errorf("partial: got %+v, want observe over the defaults", partial)
	}
	bad := defaults()
	if err := json.Unmarshal([]byte(`{"mode":"loud"}`), &bad); err == nil {
		t.Errorf("unknown mode: got nil error")
	}
}

func TestSettingsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*Settings)
		want   string
	}{
		{"defaults", func(*Settings) {}, ""},
		{"threshold", func(s *Settings) { s.Threshold = 2 }, "threshold: 2"},
		{"enforce threshold 0 (derived)", func(s *Settings) { s.EnforceThreshold = 0 }, ""},
		{"enforce threshold negative", func(s *Settings) { s.EnforceThreshold = -0.1 }, "enforce threshold: -0.1"},
		{"enforce threshold NaN", func(s *Settings) { s.EnforceThreshold = math.NaN() }, "enforce threshold: NaN"},
		{"threshold NaN", func(s *Settings) { s.Threshold = math.NaN() }, "threshold: NaN"},
		{"strikes", func(s *Settings) { s.Strikes = 0 }, "strikes: 0"},
		{"window", func(s *Settings) { s.StrikeWindow = -time.Hour }, "strike window"},
		{"timeout at the limit", func(s *Settings) { s.Timeout = MaxTimeout }, ""},
		{"timeout past the limit", func(s *Settings) { s.Timeout = MaxTimeout + time.Second }, "28 days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := defaults()
			tt.mutate(&s)
			err := s.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	s := defaults()
	if got := s.FlagThreshold(0.9); got != 0.9 {
		t.Errorf("FlagThreshold with 0: got %v, want the model's 0.9", got)
	}
	s.Threshold, s.EnforceThreshold = 0.97, 0.95
	if got := s.ActThreshold(0.9); got != 0.97 {
		t.Errorf("ActThreshold below the flag threshold: got %v, want 0.97", got)
	}
}

// TestCommandsFitDiscordLimits checks the command tree against Discord's
// documented limits, which the API would otherwise reject at start.
func TestCommandsFitDiscordLimits(t *testing.T) {
	t.Parallel()
	name := regexp.MustCompile(`^[-_\p{Ll}\p{N}]{1,32}$`)
	var walk func(path string, opts []*discordgo.ApplicationCommandOption)
	walk = func(path string, opts []*discordgo.ApplicationCommandOption) {
		if len(opts) > 25 {
			t.Errorf("%s: %d options, want at most 25", path, len(opts))
		}
		requiredDone := false
		for _, o := range opts {
			p := path + " " + o.Name
			if !name.MatchString(o.Name) {
				t.Errorf("%s: option name is not 1-32 lowercase characters", p)
			}
			if n := utf8.RuneCountInString(o.Description); n < 1 || n > 100 {
				t.Errorf("%s: description has %d characters, want 1-100", p, n)
			}
			if o.Required && requiredDone {
				t.Errorf("%s: a required option after an optional one", p)
			}
			if !o.Required {
				requiredDone = true
			}
			for _, c := range o.Choices {
				if n := utf8.RuneCountInString(c.Name); n > 100 {
					t.Errorf("%s: choice %q longer than 100", p, c.Name)
				}
			}
			walk(p, o.Options)
		}
	}
	for _, c := range Commands() {
		switch c.Type {
		case discordgo.ChatApplicationCommand:
			if !name.MatchString(c.Name) || c.Description == "" || len(c.Description) > 100 {
				t.Errorf("/%s: bad name or description", c.Name)
			}
			walk("/"+c.Name, c.Options)
		case discordgo.MessageApplicationCommand:
			if c.Description != "" || len(c.Options) != 0 || len(c.Name) > 32 {
				t.Errorf("%q: context-menu commands have no description or options", c.Name)
			}
		}
		if c.DefaultMemberPermissions == nil {
			t.Errorf("%q: no default member permissions", c.Name)
		}
	}
}

func TestTextHelpers(t *testing.T) {
	t.Parallel()
	if got := excerpt("héllo wörld", 7); got != "héllo w…" {
		t.Errorf("excerpt: got %q", got)
	}
	if got := excerpt("  short  ", 7); got != "short" {
		t.Errorf("excerpt: got %q", got)
	}
	if got := quote("a\nb"); got != "> a\n> b" {
		t.Errorf("quote: got %q", got)
	}
	for d, want := range map[time.Duration]string{time.Hour: "1h", 30 * time.Minute: "30m", 48 * time.Hour: "2d", 90 * time.Second: "1m30s"} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%s): got %q, want %q", d, got, want)
		}
	}
	for _, id := range []string{"slopguard:dismiss:0", "slopguard:frob:1", "other:dismiss:1", "slopguard:dismiss", "slopguard:dismiss:x"} {
		if _, _, err := parseCustomID(id); err == nil {
			t.Errorf("parseCustomID(%q): got nil error", id)
		}
	}
	if a, id, err := parseCustomID(customID(actionTimeout, 42)); a != actionTimeout || id != 42 || err != nil {
		t.Errorf("custom ID round trip: got %s %d %v", a, id, err)
	}
}
