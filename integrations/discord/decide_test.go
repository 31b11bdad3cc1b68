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

// TestThresholdsAgreeWithTheShippedModel runs the threshold rules against
// the embedded model's own flag threshold (whatever it is after
// retraining), not a stand-in: a server left at the defaults (both
// thresholds 0) has two tiers, enforce strictly above flag;
// `/slopguard threshold flag:0` (back to the model's own) is accepted, also
// for a server whose stored enforce threshold is below the model's (the
// old fixed 0.97 default); an explicit enforce threshold below the model's
// is refused, by the command and at start.
func TestThresholdsAgreeWithTheShippedModel(t *testing.T) {
	t.Parallel()
	det, err := detector.Default()
	if err != nil {
		t.Fatalf("load the embedded model: %v", err)
	}
	model := det.Threshold()
	if !(model > 0.01 && model < 1) {
		t.Fatalf("the embedded model's threshold %v leaves no room for the checks below", model)
	}
	below := model - 0.01 // an enforce threshold under the model's flag threshold

	def := defaults()
	def.Threshold, def.EnforceThreshold = 0, 0
	th := def.Thresholds(model)
	if th.Flag != model || !(th.Enforce > th.Flag) || th.Enforce > 1 {
		t.Errorf("model %.4f, defaults: flag %.4f, enforce %.4f; want flag = model < enforce <= 1", model, th.Flag, th.Enforce)
	}
	if err := def.ValidateFor(model); err != nil {
		t.Errorf("defaults with the model's threshold: %v", err)
	}
	// A score between the two tiers is flagged, not enforced.
	mid := moderation.ScoreOutcome(moderation.ModeEnforce, moderation.Verdict{Result: detector.Result{Score: (th.Flag + th.Enforce) / 2, Verdict: detector.Machine}}, th)
	if !mid.Flagged || mid.Enforce {
		t.Errorf("score between flag %.4f and enforce %.4f: outcome %+v, want flagged and not enforced", th.Flag, th.Enforce, mid)
	}

	// Starting with an explicit enforce threshold below the model's is refused.
	bad := def
	bad.EnforceThreshold = below
	if err := bad.ValidateFor(model); err == nil || !strings.Contains(err.Error(), "below the model's flag threshold") {
		t.Errorf("enforce %.4f under the model's %.4f: got %v, want an error", below, model, err)
	}
	if _, err := New(Options{API: newFakeDiscord(t).session(), Checker: &fakeChecker{}, Store: openStore(t, ""), Defaults: bad, ModelThreshold: model}); err == nil {
		t.Errorf("New with enforce %.4f under the model's %.4f: no error", below, model)
	}

	h := newHarness(t, func(o *Options) { o.ModelThreshold, o.Defaults = model, def })
	num := func(name string, v float64) *discordgo.ApplicationCommandInteractionDataOption {
		return opt(name, discordgo.ApplicationCommandOptionNumber, v)
	}
	stored := func() Settings {
		t.Helper()
		h.bot.settings.forget(guildID)
		s, err := h.bot.settings.get(context.Background(), guildID)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// A server that stored the old fixed default, 0.97 or anything under the model's.
	if _, err := h.bot.settings.modify(context.Background(), guildID, func(s *Settings) error {
		s.Threshold, s.EnforceThreshold = 0.5, below
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := replyText(t, h, slash("threshold", num("flag", 0))); !strings.Contains(got, "Saved.") || !strings.Contains(got, "(the model's)") {
		t.Fatalf("/slopguard threshold flag:0: got %q, want it saved at the model's threshold", got)
	}
	if s := stored(); s.Threshold != 0 || !(s.ActThreshold(model) > model) {
		t.Errorf("after flag:0: threshold %v, enforce at %.4f; want 0 and enforce above the model's %.4f", s.Threshold, s.ActThreshold(model), model)
	}
	// An explicit enforce threshold under the model's is refused and changes nothing.
	if got := replyText(t, h, slash("threshold", num("flag", 0), num("enforce", below))); !strings.Contains(got, "Not done") || !strings.Contains(got, "below the flag threshold") {
		t.Errorf("flag:0 enforce:%.4f: got %q, want a refusal", below, got)
	}
	if s := stored(); s.EnforceThreshold != 0 {
		t.Errorf("a refused command stored enforce threshold %v", s.EnforceThreshold)
	}
	// Raising only the flag threshold keeps enforce above it.
	stricter := (model + 1) / 2
	if got := replyText(t, h, slash("threshold", num("flag", stricter))); !strings.Contains(got, "Saved.") {
		t.Fatalf("flag:%.4f: got %q, want it saved", stricter, got)
	}
	if s := stored(); !(s.ActThreshold(model) > s.FlagThreshold(model)) {
		t.Errorf("flag %.4f: enforce at %.4f, want above it", stricter, s.ActThreshold(model))
	}
}
