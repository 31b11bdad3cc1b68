package ci

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/moderation"
)

func TestWriteActionsFiles(t *testing.T) {
	t.Parallel()
	r := runFake(t, textInputs(machineText), Options{Policy: moderation.DefaultPolicy(), ModelThreshold: 0.9})
	tests := []struct {
		name                string
		format              Format
		setOutput, setSum   bool
		wantOutput, wantSum bool
	}{
		{"github format writes both", FormatGitHub, true, true, true, true},
		{"other formats write only the outputs", FormatSARIF, true, true, true, false},
		{"outside Actions nothing", FormatGitHub, false, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			outPath, sumPath := filepath.Join(dir, "output"), filepath.Join(dir, "summary.md")
			vars := map[string]string{}
			if tt.setOutput {
				vars["GITHUB_OUTPUT"] = outPath
			}
			if tt.setSum {
				vars["GITHUB_STEP_SUMMARY"] = sumPath
			}
			if err := WriteActionsFiles(func(k string) string { return vars[k] }, tt.format, r); err != nil {
				t.Fatal(err)
			}
			out, outErr := os.ReadFile(outPath)
			if got := outErr == nil; got != tt.wantOutput {
				t.Errorf("got outputs file %v, want %v", got, tt.wantOutput)
			}
			if tt.wantOutput && parseOutputs(t, string(out))["verdict"] != "machine" {
				t.Errorf("got outputs %q, want verdict machine", out)
			}
			sum, sumErr := os.ReadFile(sumPath)
			if got := sumErr == nil; got != tt.wantSum {
				t.Errorf("got step summary file %v, want %v", got, tt.wantSum)
			}
			if tt.wantSum && !strings.HasPrefix(string(sum), "## slopguard\n") {
				t.Errorf("got step summary %q, want the Markdown report", sum)
			}
		})
	}
	bad := func(k string) string { return map[string]string{"GITHUB_OUTPUT": t.TempDir()}[k] } // a directory
	if err := WriteActionsFiles(bad, FormatText, r); err == nil {
		t.Error("got no error writing outputs to a directory, want one")
	}
}
