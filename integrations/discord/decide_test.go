package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// TestPatternsFoundShowOnlyMachineLeaningReasons: the mod-log post lists,
// as GitHub does, only reasons pointing towards machine writing under
// "Patterns found"; a reason pointing towards human is not a pattern found.
func TestPatternsFoundShowOnlyMachineLeaningReasons(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.bot.process(context.Background(), job{msg: msg("1001", "MIXED: "+slopText)})
	calls := h.api.Calls()
	wantPaths(t, calls, "POST /channels/"+modlogID+"/messages")
	fields, _ := dig(calls[0].Body, "embeds", 0, "fields").([]any)
	var patterns string
	for _, f := range fields {
		if dig(f, "name") == "Patterns found" {
			patterns, _ = dig(f, "value").(string)
		}
	}
	if !strings.Contains(patterns, "stock phrases") || strings.Contains(patterns, "typos") {
		t.Errorf("Patterns found = %q: want the stock phrases and not the towards-human typos", patterns)
	}
}

func TestReasonListLeavesOutReasonsTowardsHuman(t *testing.T) {
	t.Parallel()
	res := detector.Result{Reasons: []detector.Reason{
		{Signal: "typos", Text: "typos", Weight: -1},
		{Signal: "phrase", Text: "stock phrase", Weight: 1},
	}}
	if got, want := reasonList(res, 5), "• stock phrase"; got != want {
		t.Errorf("reasonList = %q, want %q", got, want)
	}
	res.Reasons = res.Reasons[:1]
	if got, want := reasonList(res, 5), "no single pattern stands out"; got != want {
		t.Errorf("reasonList of a towards-human reason only = %q, want %q", got, want)
	}
}

// TestPlanFor: the plan is data decided from the outcome alone; only
// countStrike writes to the store.
func TestPlanFor(t *testing.T) {
	t.Parallel()
	set := defaults()
	set.ModLogChannel = modlogID
	set.Mode, set.Threshold, set.EnforceThreshold = moderation.ModeEnforce, 0.9, 0.97
	noLog := set
	noLog.ModLogChannel = ""
	flagMode := set
	flagMode.Mode = moderation.ModeFlag
	tests := []struct {
		name               string
		set                Settings
		score              float64
		edited             bool
		wantLog, wantStrik bool
	}{
		{"below the flag threshold", set, 0.5, false, false, false},
		{"flagged, below enforce", set, 0.92, false, true, false},
		{"over enforce: a strike", set, 0.99, false, true, true},
		{"an edit never earns a strike", set, 0.99, true, true, false},
		{"flag mode: no strike", flagMode, 0.99, false, true, false},
		{"no mod-log channel", noLog, 0.99, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := moderation.Verdict{Result: detector.Result{Score: tt.score}}
			p := planFor(tt.set, moderation.ScoreOutcome(tt.set.Mode, v, tt.set.Thresholds(0.8)), tt.edited)
			if p.modlog != tt.wantLog || p.strike != tt.wantStrik || p.strikesNeeded != tt.set.Strikes {
				t.Errorf("planFor = %+v; want modlog %v strike %v strikesNeeded %d", p, tt.wantLog, tt.wantStrik, tt.set.Strikes)
			}
			if p.strikes != 0 || p.delete || p.timeout != 0 {
				t.Errorf("planFor = %+v; want no strikes counted and no action before countStrike", p)
			}
		})
	}
}

// TestDecisionAndFeedbackRecordKind: the store gets the item's kind, so the
// training export need not guess it from the item ID.
func TestDecisionAndFeedbackRecordKind(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	on := flagged(t, h)
	ds := h.decisions(t)
	if len(ds) != 1 || ds[0].Kind != string(moderation.KindMessage) {
		t.Fatalf("decisions = %+v, want one of kind message", ds)
	}
	h.bot.InteractionCreate(nil, press("slopguard:notslop:1", discordgo.PermissionManageMessages, on))
	fb, err := h.store.Feedback(context.Background(), store.FeedbackFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fb) != 1 || fb[0].Kind != string(moderation.KindMessage) {
		t.Errorf("feedback = %+v, want one of kind message", fb)
	}
}
