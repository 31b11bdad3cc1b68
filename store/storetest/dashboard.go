package storetest

import (
	"testing"
	"time"

	"github.com/slopguard/slopguard/store"
)

func testScopeStats(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	day0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	rows := []store.Decision{
		{Verdict: "machine", Score: 0.97, CreatedAt: day0.Add(1 * time.Hour)},
		{Verdict: "human", Score: 0.02, CreatedAt: day0.Add(23*time.Hour + 59*time.Minute)},
		{Verdict: "unsure", Score: 0.5, CannotJudge: true, CreatedAt: day0.Add(25 * time.Hour)},
		{Verdict: "machine", Score: 1, CreatedAt: day0.Add(26 * time.Hour)},
		// An appeal's record is not a decision.
		{Verdict: "machine", Score: 0.97, Actions: []string{"appeal"}, CreatedAt: day0.Add(27 * time.Hour)},
		// Before since, another scope, another platform.
		{Verdict: "machine", Score: 0.9, CreatedAt: day0.Add(-time.Hour)},
		{Verdict: "machine", Score: 0.9, Scope: "other/repo", CreatedAt: day0.Add(time.Hour)},
		{Verdict: "machine", Score: 0.9, Platform: "discord", CreatedAt: day0.Add(time.Hour)},
	}
	for i, d := range rows {
		if d.Platform == "" {
			d.Platform = "github"
		}
		if d.Scope == "" {
			d.Scope = "octo/repo"
		}
		d.ItemID = "pr/" + string(rune('a'+i))
		if _, err := s.RecordDecision(ctx, d); err != nil {
			t.Fatalf("RecordDecision %d: %v", i, err)
		}
	}
	st, err := s.ScopeStats(ctx, "github", "octo/repo", day0)
	if err != nil {
		t.Fatalf("ScopeStats: %v", err)
	}
	want := []store.DayCount{
		{Day: day0, Human: 1, Machine: 1},
		{Day: day0.Add(24 * time.Hour), Unsure: 1, Machine: 1},
	}
	if len(st.Days) != len(want) {
		t.Fatalf("ScopeStats days = %+v, want %+v", st.Days, want)
	}
	for i := range want {
		if !st.Days[i].Day.Equal(want[i].Day) || st.Days[i].Human != want[i].Human || st.Days[i].Unsure != want[i].Unsure || st.Days[i].Machine != want[i].Machine {
			t.Errorf("ScopeStats day %d = %+v, want %+v", i, st.Days[i], want[i])
		}
	}
	if st.Total != 4 || st.CannotJudge != 1 {
		t.Errorf("ScopeStats total, cannot judge = %d, %d, want 4, 1", st.Total, st.CannotJudge)
	}
	var wantScores [store.ScoreBins]int
	wantScores[0] = 1  // 0.02
	wantScores[19] = 2 // 0.97 and 1
	if st.Scores != wantScores {
		t.Errorf("ScopeStats scores = %v, want %v", st.Scores, wantScores)
	}
	empty, err := s.ScopeStats(ctx, "github", "nobody/here", time.Time{})
	if err != nil || empty.Total != 0 || len(empty.Days) != 0 {
		t.Errorf("ScopeStats of an empty scope = %+v, %v, want nothing", empty, err)
	}
}

func testPendingAppeals(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	claim := func(item string, at time.Time) {
		t.Helper()
		if _, won, err := s.ClaimMessage(ctx, store.OwnedMessage{Platform: "github", Scope: "octo/repo", ItemID: item,
			Kind: store.KindAppealClaim, MessageID: "c-" + item, UpdatedAt: at}); err != nil || !won {
			t.Fatalf("ClaimMessage %s: won %v, err %v", item, won, err)
		}
	}
	claim("pr/1", base)
	claim("pr/2", base.Add(time.Hour))
	claim("pr/3", base.Add(2*time.Hour))
	// Not appeals, or not this scope.
	if _, _, err := s.ClaimMessage(ctx, store.OwnedMessage{Platform: "github", Scope: "octo/repo", ItemID: "pr/4", Kind: "comment", MessageID: "9", UpdatedAt: base}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ClaimMessage(ctx, store.OwnedMessage{Platform: "github", Scope: "other/repo", ItemID: "pr/1", Kind: store.KindAppealClaim, MessageID: "9", UpdatedAt: base}); err != nil {
		t.Fatal(err)
	}
	// pr/2 answered after its appeal; pr/3 only had feedback from before it.
	for _, fb := range []store.Feedback{
		{Platform: "github", Scope: "octo/repo", ItemID: "pr/2", Label: "human", CreatedAt: base.Add(90 * time.Minute)},
		{Platform: "github", Scope: "octo/repo", ItemID: "pr/3", Label: "machine", CreatedAt: base.Add(time.Hour)},
	} {
		if _, err := s.AddFeedback(ctx, fb); err != nil {
			t.Fatalf("AddFeedback: %v", err)
		}
	}
	got, err := s.PendingAppeals(ctx, "github", "octo/repo")
	if err != nil {
		t.Fatalf("PendingAppeals: %v", err)
	}
	var items []string
	for _, m := range got {
		items = append(items, m.ItemID)
	}
	if len(items) != 2 || items[0] != "pr/1" || items[1] != "pr/3" {
		t.Fatalf("PendingAppeals = %v, want [pr/1 pr/3]", items)
	}
	if !got[0].UpdatedAt.Equal(base) {
		t.Errorf("PendingAppeals[0] at %v, want %v", got[0].UpdatedAt, base)
	}

	// The Discord bot posts an appeal to the mod-log (its claim's
	// MessageID is "channel/post"); a moderator's Dismiss on that post,
	// kept as the post's handled claim, answers it without feedback.
	for _, m := range []store.OwnedMessage{
		{Platform: "discord", Scope: "g1", ItemID: "m1", Kind: store.KindAppealClaim, MessageID: "201/901", UpdatedAt: base},
		{Platform: "discord", Scope: "g1", ItemID: "m2", Kind: store.KindAppealClaim, MessageID: "201/902", UpdatedAt: base},
		{Platform: "discord", Scope: "g1", ItemID: "201/901", Kind: store.KindHandledClaim, MessageID: "mod-1", UpdatedAt: base.Add(time.Hour)},
		// A press on the flag's own post (not the appeal's) answers nothing.
		{Platform: "discord", Scope: "g1", ItemID: "201/800", Kind: store.KindHandledClaim, MessageID: "mod-1", UpdatedAt: base.Add(time.Hour)},
	} {
		if _, won, err := s.ClaimMessage(ctx, m); err != nil || !won {
			t.Fatalf("ClaimMessage %+v: won %v, err %v", m, won, err)
		}
	}
	got, err = s.PendingAppeals(ctx, "discord", "g1")
	if err != nil {
		t.Fatalf("PendingAppeals: %v", err)
	}
	if len(got) != 1 || got[0].ItemID != "m2" {
		t.Errorf("PendingAppeals after a Dismiss on m1's appeal post = %+v, want m2's only", got)
	}
}

func testDecisionKindAuthorFilter(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	for i, d := range []store.Decision{
		{ItemID: "pr/1", Kind: "pr", Author: "alice"},
		{ItemID: "issue/2", Kind: "issue", Author: "alice"},
		{ItemID: "pr/3", Kind: "pr", Author: "bob"},
	} {
		d.Platform, d.Scope, d.Verdict, d.CreatedAt = "github", "octo/repo", "human", base.Add(time.Duration(i)*time.Minute)
		if _, err := s.RecordDecision(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		f    store.DecisionFilter
		want []string
	}{
		{store.DecisionFilter{Kind: "pr"}, []string{"pr/3", "pr/1"}},
		{store.DecisionFilter{Author: "alice"}, []string{"issue/2", "pr/1"}},
		{store.DecisionFilter{Kind: "pr", Author: "alice"}, []string{"pr/1"}},
		{store.DecisionFilter{Kind: "message"}, nil},
	}
	for _, tt := range tests {
		got := mustDecisions(t, s, tt.f)
		var ids []string
		for _, d := range got {
			ids = append(ids, d.ItemID)
		}
		if len(ids) != len(tt.want) || (len(ids) > 0 && (ids[0] != tt.want[0] || ids[len(ids)-1] != tt.want[len(tt.want)-1])) {
			t.Errorf("Decisions(%+v) = %v, want %v", tt.f, ids, tt.want)
		}
	}
}

func testFeedbackByItem(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	for _, item := range []string{"pr/1", "pr/2", "pr/1"} {
		if _, err := s.AddFeedback(ctx, store.Feedback{Platform: "github", Scope: "octo/repo", ItemID: item, Label: "human"}); err != nil {
			t.Fatal(err)
		}
	}
	got := mustFeedback(t, s, store.FeedbackFilter{Platform: "github", Scope: "octo/repo", ItemID: "pr/1"})
	if len(got) != 2 {
		t.Errorf("Feedback for pr/1: %d rows, want 2", len(got))
	}
}
