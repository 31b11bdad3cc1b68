package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"testing"

	"go.yaml.in/yaml/v3"
)

// actionFile is the parts of action.yml and workflow files these tests read.
type actionFile struct {
	Inputs  map[string]any `yaml:"inputs"`
	Outputs map[string]any `yaml:"outputs"`
	Runs    struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID  string `yaml:"id"`
			Run string `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// readYAML decodes the YAML file at path into v.
func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// exampleWorkflows returns the paths of the example workflows in the docs.
func exampleWorkflows(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../docs/examples/github-workflows/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("got no example workflows, want some")
	}
	return files
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestActionYAML(t *testing.T) {
	t.Parallel()
	var a actionFile
	readYAML(t, "../../action.yml", &a)
	if a.Runs.Using != "composite" {
		t.Errorf("got runs.using %q, want composite", a.Runs.Using)
	}
	for _, in := range []string{"mode", "threshold", "fail-on", "paths", "format", "config", "version"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("got inputs %q, want %q among them", keys(a.Inputs), in)
		}
	}
	if got, want := keys(a.Outputs), []string{"flagged", "score", "verdict"}; !slices.Equal(got, want) {
		t.Errorf("got outputs %q, want %q", got, want)
	}
	// Every flag the action passes must be one `check` accepts.
	var script string
	for _, s := range a.Runs.Steps {
		if s.ID == "check" {
			script = s.Run
		}
	}
	flags := regexp.MustCompile(`\(--([a-z][a-z-]*) `).FindAllStringSubmatch(script, -1)
	if len(flags) < 6 {
		t.Fatalf("got %d flags in the check step, want at least 6", len(flags))
	}
	for _, m := range flags {
		args := []string{"--" + m[1], "0.5"}
		if m[1] == "format" {
			args[1] = "json"
		}
		if m[1] == "mode" {
			args[1] = "observe"
		}
		if _, err := parseCheckArgs(args, os.Stderr); err != nil {
			t.Errorf("the action passes --%s, which check rejects: %v", m[1], err)
		}
	}
}

func TestExampleWorkflows(t *testing.T) {
	t.Parallel()
	var a actionFile
	readYAML(t, "../../action.yml", &a)
	for _, f := range exampleWorkflows(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			var wf struct {
				On   map[string]any `yaml:"on"`
				Jobs map[string]struct {
					Steps []struct {
						Uses string         `yaml:"uses"`
						With map[string]any `yaml:"with"`
					} `yaml:"steps"`
				} `yaml:"jobs"`
			}
			readYAML(t, f, &wf)
			used := 0
			for _, job := range wf.Jobs {
				for _, s := range job.Steps {
					if len(s.Uses) < len("slopguard/slopguard@") || s.Uses[:len("slopguard/slopguard@")] != "slopguard/slopguard@" {
						continue
					}
					used++
					for k := range s.With {
						if _, ok := a.Inputs[k]; !ok {
							t.Errorf("uses input %q, which action.yml does not declare", k)
						}
					}
				}
			}
			if used == 0 {
				t.Error("got no step using the slopguard action")
			}
		})
	}
}
