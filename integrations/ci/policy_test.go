package ci

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/moderation"
)

func TestLoadPolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	observe := writeFile(t, dir, "observe.yml", "mode: observe\nthreshold: 0.8\n")
	enforce := writeFile(t, dir, "enforce.yml", "mode: enforce\nthreshold: 0.8\nenforce:\n  threshold: 0.85\n")
	comments := writeFile(t, dir, "comments.yml", "# slopguard: defaults for now\n")
	bad := writeFile(t, dir, "bad.yml", "mode: loud\n")
	missing := filepath.Join(dir, "missing.yml")
	def := moderation.DefaultPolicy()

	tests := []struct {
		name            string
		path            string
		explicit        bool
		o               PolicyOverrides
		wantPath        string
		wantMode        moderation.Mode
		wantThreshold   float64
		wantEnforce     float64
		wantErrContains string
	}{
		{"file as written", observe, true, PolicyOverrides{}, observe, moderation.ModeObserve, 0.8, 0, ""},
		{"comment-only file is the defaults", comments, true, PolicyOverrides{}, comments, def.Mode, def.FlagThreshold, def.Enforce.Threshold, ""},
		{"missing default file is the defaults", missing, false, PolicyOverrides{}, "", def.Mode, def.FlagThreshold, def.Enforce.Threshold, ""},
		{"missing named file is an error", missing, true, PolicyOverrides{}, "", 0, 0, 0, "policy: "},
		{"bad file names itself", bad, true, PolicyOverrides{}, "", 0, 0, 0, `policy "` + bad + `"`},
		{"mode override", observe, true, PolicyOverrides{Mode: "off"}, observe, moderation.ModeOff, 0.8, 0, ""},
		{"bad mode override", observe, true, PolicyOverrides{Mode: "loud"}, "", 0, 0, 0, "mode: "},
		{"threshold override raises enforce threshold", enforce, true, PolicyOverrides{Threshold: 0.9}, enforce, moderation.ModeEnforce, 0.9, 0.9, ""},
		{"threshold override below enforce threshold keeps it", enforce, true, PolicyOverrides{Threshold: 0.7}, enforce, moderation.ModeEnforce, 0.7, 0.85, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pol, path, err := LoadPolicy(tt.path, tt.explicit, tt.o)
			if tt.wantErrContains != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrContains) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErrContains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if path != tt.wantPath || pol.Mode != tt.wantMode || pol.FlagThreshold != tt.wantThreshold || pol.Enforce.Threshold != tt.wantEnforce {
				t.Errorf("got path %q mode %v threshold %v enforce %v, want %q %v %v %v",
					path, pol.Mode, pol.FlagThreshold, pol.Enforce.Threshold, tt.wantPath, tt.wantMode, tt.wantThreshold, tt.wantEnforce)
			}
		})
	}
}

func TestExitMessage(t *testing.T) {
	t.Parallel()
	failOn := func(s float64) Options {
		return Options{Policy: moderation.DefaultPolicy(), ModelThreshold: 0.9, FailOn: s, FailOnSet: true}
	}
	tests := []struct {
		name string
		ins  []Input
		opts Options
		want string
	}{
		{"nothing reached", textInputs(humanText), failOn(0.9), ""},
		{"one reaches", textInputs(machineText, humanText), failOn(0.9), "1 input reaches --fail-on 0.90 (highest score 0.97)"},
		{"two reach", textInputs(machineText, leverText), failOn(0.5), "2 inputs reach --fail-on 0.50 (highest score 0.97)"},
		{"an unreadable input wins", append(textInputs(machineText), Input{Name: "gone", Err: "no such file"}), failOn(0.5),
			"1 input could not be read or checked (see the report)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runFake(t, tt.ins, tt.opts)
			if got := r.ExitMessage(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
