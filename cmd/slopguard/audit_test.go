package main

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slopguard/slopguard/store"
)

// auditSeed stores three decisions and feedback on the first.
func auditSeed(t *testing.T) (path string, ids []int64) {
	t.Helper()
	now := time.Now().UTC()
	path = auditDB(t, func(s store.Store) {
		ctx := t.Context()
		for _, d := range []store.Decision{
			{Platform: "github", Scope: "octo/repo", ItemID: "pr/12", Kind: "pr", Title: "Fix the\nparser \x1b[31mnow\u202e", Author: "alice", Score: 0.91, Verdict: "machine",
				Reasons: []string{"stock phrases", "uniform sentences"}, Model: "m-1", Actions: []string{"check_run", "label"},
				Text: "Line one\nline two", CreatedAt: now.Add(-72 * time.Hour)},
			{Platform: "github", Scope: "octo/repo", ItemID: "issue/3", Author: "bob", Score: 0.12, Verdict: "human", CreatedAt: now.Add(-2 * time.Hour)},
			{Platform: "discord", Scope: "123", ItemID: "m-9", Author: "carol", Score: 0.55, Verdict: "unsure", CannotJudge: true, CreatedAt: now.Add(-time.Hour)},
		} {
			id, err := s.RecordDecision(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if _, err := s.AddFeedback(ctx, store.Feedback{DecisionID: ids[0], Platform: "github", Scope: "octo/repo", ItemID: "pr/12",
			By: "maint", Label: "human", Note: "writes like this", Text: "Line one\nline two"}); err != nil {
			t.Fatal(err)
		}
	})
	return path, ids
}

func TestAuditListJSON(t *testing.T) {
	t.Parallel()
	db, ids := auditSeed(t)
	tests := []struct {
		name string
		args []string
		want []int64
	}{
		{"all newest first", nil, []int64{ids[2], ids[1], ids[0]}},
		{"scope", []string{"--scope", "octo/repo"}, []int64{ids[1], ids[0]}},
		{"verdict", []string{"--verdict", "machine"}, []int64{ids[0]}},
		{"platform", []string{"--platform", "discord"}, []int64{ids[2]}},
		{"since duration", []string{"--since", "3h"}, []int64{ids[2], ids[1]}},
		{"since days", []string{"--since", "4d"}, []int64{ids[2], ids[1], ids[0]}},
		{"since RFC 3339", []string{"--since", time.Now().Add(-90 * time.Minute).UTC().Format(time.RFC3339)}, []int64{ids[2]}},
		{"limit", []string{"--limit", "1"}, []int64{ids[2]}},
		{"nothing", []string{"--scope", "none"}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"audit", "list", "--db", db, "--format", "json"}, tt.args...)
			code, out, errOut := auditRun(t, nil, args...)
			if code != 0 {
				t.Fatalf("exit code = %d, want 0; stderr: %s", code, errOut)
			}
			var got []decisionJSON
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not a JSON array: %v\n%s", err, out)
			}
			gotIDs := []int64{}
			for _, d := range got {
				gotIDs = append(gotIDs, d.ID)
			}
			if !slices.Equal(gotIDs, tt.want) {
				t.Errorf("ids = %v, want %v", gotIDs, tt.want)
			}
		})
	}
}

func TestAuditListTable(t *testing.T) {
	t.Parallel()
	db, _ := auditSeed(t)
	// The database comes from the environment here.
	code, out, errOut := auditRun(t, map[string]string{"SLOPGUARD_DATABASE_URL": db}, "audit", "list", "--scope", "octo/repo")
	if code != 0 {
		t.Fatalf("exit code = %d, want 0; stderr: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want a header and 2 rows:\n%s", len(lines), out)
	}
	for i, want := range [][]string{
		{"ID", "PLATFORM", "SCOPE", "ITEM", "VERDICT", "SCORE", "ACTIONS"},
		{"github", "octo/repo", "issue/3", "bob", "human", "0.12"},
		{"github", "octo/repo", "pr/12", "alice", "machine", "0.91", "check_run,label"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d = %q, want it to contain %q", i, lines[i], w)
			}
		}
	}
}

func TestAuditShow(t *testing.T) {
	t.Parallel()
	db, ids := auditSeed(t)
	id := func(i int) string { return strconv.FormatInt(ids[i], 10) }

	t.Run("table", func(t *testing.T) {
		t.Parallel()
		code, out, errOut := auditRun(t, nil, "audit", "show", "--db", db, id(0))
		if code != 0 {
			t.Fatalf("exit code = %d, want 0; stderr: %s", code, errOut)
		}
		flat := strings.Join(strings.Fields(out), " ") // alignment does not matter
		for _, want := range []string{"verdict: machine", "score: 0.910", "1. stock phrases", "2. uniform sentences",
			"| Line one | line two", "maint says human: writes like this", "actions: check_run, label", "kind: pr", "url: -",
			"title: Fix the parser \ufffd[31mnow\ufffd"} {
			if !strings.Contains(flat, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("text not stored", func(t *testing.T) {
		t.Parallel()
		code, out, _ := auditRun(t, nil, "audit", "show", id(1), "--db", db) // flags after the ID work too
		if code != 0 || !strings.Contains(out, "text: (not stored; set store_text: true to keep it)") || !strings.Contains(strings.Join(strings.Fields(out), " "), "title: -") {
			t.Errorf("exit %d, output:\n%s\nwant the not-stored note", code, out)
		}
	})
	t.Run("could not judge", func(t *testing.T) {
		t.Parallel()
		code, out, _ := auditRun(t, nil, "audit", "show", "--db", db, id(2))
		flat := strings.Join(strings.Fields(out), " ")
		if code != 0 || !strings.Contains(flat, "verdict: unsure (the model could not judge this text)") {
			t.Errorf("exit %d, output:\n%s\nwant the verdict to say the model could not judge", code, out)
		}
		code, out, _ = auditRun(t, nil, "audit", "show", "--db", db, "--format", "json", id(2))
		if code != 0 || !strings.Contains(out, `"cannot_judge": true`) {
			t.Errorf("exit %d, JSON:\n%s\nwant cannot_judge true", code, out)
		}
	})
	t.Run("json", func(t *testing.T) {
		t.Parallel()
		code, out, errOut := auditRun(t, nil, "audit", "show", "--db", db, "--format", "json", id(0))
		if code != 0 {
			t.Fatalf("exit code = %d, want 0; stderr: %s", code, errOut)
		}
		var got struct {
			decisionJSON
			Feedback []feedbackJSON `json:"feedback"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("bad JSON: %v\n%s", err, out)
		}
		if got.ID != ids[0] || got.Verdict != "machine" || len(got.Reasons) != 2 || len(got.Feedback) != 1 || got.Feedback[0].Label != "human" ||
			got.Title != "Fix the\nparser \x1b[31mnow\u202e" {
			t.Errorf("got %+v, want decision %d with 2 reasons and 1 human feedback", got, ids[0])
		}
	})
}

func TestParseSince(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"", time.Time{}, false},
		{"36h", now.Add(-36 * time.Hour), false},
		{"7d", now.AddDate(0, 0, -7), false},
		{"2025-06-01T08:00:00+02:00", time.Date(2025, 6, 1, 6, 0, 0, 0, time.UTC), false},
		{"2025-06-01", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), false},
		{"-5h", time.Time{}, true},
		{"soon", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := parseSince(tt.in, now)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseSince(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("parseSince(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
