package moderation

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestGuildRulesCheck(t *testing.T) {
	t.Parallel()
	valid := GuildRules{Mode: ModeFlag, Strikes: 3, StrikeWindow: time.Hour, Timeout: time.Hour}
	tests := []struct {
		name   string
		mutate func(*GuildRules)
		want   string // "" for valid, else the whole first error
	}{
		{"valid", func(*GuildRules) {}, ""},
		{"mode", func(g *GuildRules) { g.Mode = ModeEnforce + 1 }, "mode: 4 is not off, observe, flag or enforce"},
		{"threshold NaN", func(g *GuildRules) { g.Threshold = math.NaN() }, "threshold: NaN is not between 0 and 1"},
		{"enforce above 1", func(g *GuildRules) { g.EnforceThreshold = 1.5 }, "enforce_threshold: 1.5 is not between"},
		{"strikes", func(g *GuildRules) { g.Strikes = 0 }, "strikes: 0 is below 1"},
		{"window", func(g *GuildRules) { g.StrikeWindow = 0 }, "strike_window: 0s is not positive"},
		{"timeout at the limit", func(g *GuildRules) { g.Timeout = MaxDiscordTimeout }, ""},
		{"timeout past the limit", func(g *GuildRules) { g.Timeout = MaxDiscordTimeout + time.Second }, "timeout: 672h0m1s is not between 0 and 28 days"},
		{"timeout negative", func(g *GuildRules) { g.Timeout = -time.Second }, "timeout: -1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := valid
			tt.mutate(&g)
			errs := g.Check()
			switch {
			case tt.want == "" && len(errs) != 0:
				t.Errorf("got %v, want none", errs)
			case tt.want != "" && len(errs) != 1:
				t.Errorf("got %v, want one error %q", errs, tt.want)
			case tt.want != "" && !strings.HasPrefix(errs[0].Error(), tt.want):
				t.Errorf("got %q, want it to start with %q", errs[0], tt.want)
			}
		})
	}
}
