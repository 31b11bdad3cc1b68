package server

import (
	"testing"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/detector"
)

// TestDiscordDefaultsAgreeWithTheShippedModel: the Discord defaults of a
// config with no discord section, as serve hands them to the bot, give
// the embedded model's own flag threshold and an enforce threshold
// strictly above it, so not every flag is also an enforcement — whatever
// the model's threshold after retraining.
func TestDiscordDefaultsAgreeWithTheShippedModel(t *testing.T) {
	t.Parallel()
	det, err := detector.Default()
	if err != nil {
		t.Fatalf("load the embedded model: %v", err)
	}
	model := det.Threshold()
	set := discordDefaults(config.Default().Discord.Defaults)
	if err := set.ValidateFor(model); err != nil {
		t.Fatalf("default Discord settings with the model's threshold %.4f: %v", model, err)
	}
	th := set.Thresholds(model)
	if th.Flag != model || !(th.Enforce > th.Flag) || th.Enforce > 1 {
		t.Errorf("model %.4f: default Discord flag %.4f, enforce %.4f; want flag = model < enforce <= 1", model, th.Flag, th.Enforce)
	}
}
