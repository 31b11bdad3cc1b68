package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/store"
)

// feedbackSeed stores feedback of every shape export handles.
func feedbackSeed(t *testing.T) string {
	t.Helper()
	return auditDB(t, func(s store.Store) {
		for _, f := range []store.Feedback{
			{Platform: "github", Scope: "octo/repo", ItemID: "pr/12", By: "maint", Label: "human", Note: "their <style> & \"tone\"", Text: "Fixes #3 & <b>4</b>.\n\nTested locally — ✓."},
			{Platform: "discord", Scope: "4242", ItemID: "m-1", By: "mod", Label: "machine", Text: "Certainly! Here's a summary"},
			{Platform: "github", Scope: "octo/repo", ItemID: "issue/7", By: "maint", Label: "machine", Text: ""},
		} {
			if _, err := s.AddFeedback(t.Context(), f); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestFeedbackExport(t *testing.T) {
	t.Parallel()
	db := feedbackSeed(t)
	want := []dataset.Record{
		{Text: "Fixes #3 & <b>4</b>.\n\nTested locally — ✓.", Label: "human", Kind: "pr", Source: "feedback:github:octo/repo",
			ID: "feedback:github:octo/repo:pr/12:1", Split: "train", Group: "feedback:github:octo/repo:pr/12:1", Note: "their <style> & \"tone\"", Line: 1},
		{Text: "Certainly! Here's a summary", Label: "machine", Kind: "message", Source: "feedback:discord:4242",
			ID: "feedback:discord:4242:m-1:2", Split: "train", Group: "feedback:discord:4242:m-1:2", Line: 2},
	}

	t.Run("stdout", func(t *testing.T) {
		t.Parallel()
		code, out, errOut := auditRun(t, nil, "feedback", "export", "--db", db)
		if code != 0 {
			t.Fatalf("exit code = %d, want 0; stderr: %s", code, errOut)
		}
		got, err := dataset.ReadJSONL(strings.NewReader(out), "stdout")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("records:\n got %+v\nwant %+v", got, want)
		}
		// The bytes are pinned: field order, no HTML escaping, one record a line.
		golden, err := os.ReadFile(filepath.Join("testdata", "feedback", "export.golden.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		if out != string(golden) {
			t.Errorf("stdout differs from testdata/feedback/export.golden.jsonl:\n got %s\nwant %s", out, golden)
		}
		if !strings.Contains(errOut, "exported 2 feedback records (skipped 1 without text)") {
			t.Errorf("stderr = %q, want the count", errOut)
		}
		// Every line has the fields the training data has.
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			for _, field := range []string{`"text":`, `"label":`, `"kind":`, `"source":`, `"id":`, `"split":"train"`} {
				if !strings.Contains(line, field) {
					t.Errorf("line %s lacks %s", line, field)
				}
			}
		}
	})
	t.Run("file and filter", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "feedback.jsonl")
		code, out, errOut := auditRun(t, nil, "feedback", "export", "--db", db, "--platform", "discord", "--out", path)
		if code != 0 {
			t.Fatalf("exit code = %d, want 0; stderr: %s", code, errOut)
		}
		if out != "" {
			t.Errorf("stdout = %q, want nothing with --out", out)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		got, err := dataset.ReadJSONL(f, path)
		if err != nil {
			t.Fatal(err)
		}
		only := want[1]
		only.Line = 1
		if !reflect.DeepEqual(got, []dataset.Record{only}) {
			t.Errorf("records:\n got %+v\nwant %+v", got, []dataset.Record{only})
		}
		entries, _ := os.ReadDir(filepath.Dir(path))
		if len(entries) != 1 {
			t.Errorf("output dir holds %d files, want only the export (no temp file left)", len(entries))
		}
	})
}
