// Package storetest is the behavioural suite every store.Store
// implementation passes. A backend's test calls Run with a function that
// opens a fresh, empty, migrated store for each subtest.
package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slopguard/slopguard/detector/dataset"
	"github.com/slopguard/slopguard/store"
)

// Writers is how many goroutines the concurrency tests run at once.
const Writers = 8

// base is a fixed moment in the past with sub-second precision, so tests
// check that times round-trip at microsecond precision in UTC.
var base = time.Date(2025, 3, 1, 12, 0, 0, 123456000, time.UTC)

// Run runs the whole suite. open must return a new empty store each call and
// arrange for it to be closed when the test ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, func(*testing.T) store.Store)
	}{
		{"Ping", testPing},
		{"DeliveryDedupe", testDeliveryDedupe},
		{"DeliveryDedupeConcurrent", testDeliveryDedupeConcurrent},
		{"DecisionRoundTrip", testDecisionRoundTrip},
		{"DecisionFilters", testDecisionFilters},
		{"DecisionInvalid", testDecisionInvalid},
		{"Feedback", testFeedback},
		{"Settings", testSettings},
		{"ClaimMessage", testClaimMessage},
		{"ClaimMessageConcurrent", testClaimMessageConcurrent},
		{"DecisionUpdate", testDecisionUpdate},
		{"Strikes", testStrikes},
		{"StrikesConcurrent", testStrikesConcurrent},
		{"RemoveStrike", testRemoveStrike},
		{"StrikeOncePerItem", testStrikeOncePerItem},
		{"Lease", testLease},
		{"LeaseConcurrent", testLeaseConcurrent},
		{"Prune", testPrune},
		{"ExportRoundTrip", testExportRoundTrip},
		{"ScopeStats", testScopeStats},
		{"PendingAppeals", testPendingAppeals},
		{"DecisionKindAuthorFilter", testDecisionKindAuthorFilter},
		{"FeedbackByItem", testFeedbackByItem},
		{"MoveScope", testMoveScope},
		{"Queue", runQueue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open)
		})
	}
}

// parallel runs fn(i) for i in [0, Writers) on separate goroutines released
// together, and returns what each returned.
func parallel[T any](fn func(i int) T) []T {
	out := make([]T, Writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range Writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

func testPing(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: got %v, want nil", err)
	}
}

func testDeliveryDedupe(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	later := time.Now().Add(time.Hour)
	steps := []struct {
		name      string
		platform  string
		id        string
		expires   time.Time
		wantFirst bool
	}{
		{"first sight", "github", "d-1", later, true},
		{"redelivery", "github", "d-1", later, false},
		{"same id on another platform", "discord", "d-1", later, true},
		{"another id", "github", "d-2", time.Now().Add(-time.Minute), true},
		{"redelivery after expiry counts as new", "github", "d-2", later, true},
		{"then it is a redelivery again", "github", "d-2", later, false},
	}
	for _, st := range steps {
		got, err := s.MarkDelivery(ctx, st.platform, st.id, st.expires)
		if err != nil {
			t.Fatalf("%s: MarkDelivery: %v", st.name, err)
		}
		if got != st.wantFirst {
			t.Errorf("%s: MarkDelivery(%s, %s) first = %v, want %v", st.name, st.platform, st.id, got, st.wantFirst)
		}
	}
	if _, err := s.MarkDelivery(ctx, "github", "", later); err == nil {
		t.Errorf("MarkDelivery with empty id: got nil error, want one")
	}
	// A forgotten delivery is new again; forgetting an unknown one is fine,
	// and leaves other platforms' marks alone.
	if err := s.ForgetDelivery(ctx, "github", "d-1"); err != nil {
		t.Fatalf("ForgetDelivery: %v", err)
	}
	if err := s.ForgetDelivery(ctx, "github", "never-seen"); err != nil {
		t.Errorf("ForgetDelivery of an unknown id: %v", err)
	}
	if first, err := s.MarkDelivery(ctx, "github", "d-1", later); err != nil || !first {
		t.Errorf("MarkDelivery after ForgetDelivery: first = %v, err %v; want true", first, err)
	}
	if first, err := s.MarkDelivery(ctx, "discord", "d-1", later); err != nil || first {
		t.Errorf("the discord mark of d-1 was forgotten too: first = %v, err %v", first, err)
	}
}

func testDeliveryDedupeConcurrent(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	expires := time.Now().Add(time.Hour)
	for round := range 10 {
		id := fmt.Sprintf("delivery-%d", round)
		type result struct {
			first bool
			err   error
		}
		results := parallel(func(int) result {
			first, err := s.MarkDelivery(ctx, "github", id, expires)
			return result{first, err}
		})
		winners := 0
		for _, r := range results {
			if r.err != nil {
				t.Fatalf("%s: MarkDelivery: %v", id, r.err)
			}
			if r.first {
				winners++
			}
		}
		if winners != 1 {
			t.Errorf("%s: %d concurrent writers got %d winners, want exactly 1", id, Writers, winners)
		}
	}
}

func sampleDecision() store.Decision {
	return store.Decision{
		Platform:  "github",
		Scope:     "octo/repo",
		ItemID:    "pr/12",
		Kind:      "pr",
		Title:     "Fix the parser: \"edge\" cases <b>&</b> ünïcode 🚀",
		ItemURL:   "https://github.com/octo/repo/pull/12",
		ChannelID: "1234567890",
		Author:    "someone",
		Score:     0.8125,
		Verdict:   "machine",
		Reasons:   []string{"stock phrases: \"I hope this helps\"", "uniform sentence lengths — 0.9"},
		Model:     "lr-2025.03",
		Actions:   []string{"check_run", "label"},
		Text:      "Fix the parser.\n\nThis PR comprehensively delves into “edge cases” <b>&</b> ünïcode 🚀",
		CreatedAt: base,
	}
}

func testDecisionRoundTrip(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	tests := []struct {
		name string
		in   store.Decision
		want func(store.Decision) store.Decision
	}{
		{"every field", sampleDecision(), func(d store.Decision) store.Decision { return d }},
		{"nil lists come back empty", func() store.Decision {
			d := sampleDecision()
			d.ItemID, d.Reasons, d.Actions, d.Text, d.Kind, d.Title, d.ChannelID = "pr/13", nil, nil, "", "", "", ""
			return d
		}(), func(d store.Decision) store.Decision {
			d.Reasons, d.Actions = []string{}, []string{}
			return d
		}},
		{"a text the model could not judge", func() store.Decision {
			d := sampleDecision()
			d.ItemID, d.Verdict, d.CannotJudge, d.Score = "pr/15", "unsure", true, 0.97
			return d
		}(), func(d store.Decision) store.Decision { return d }},
		{"non-UTC time is stored in UTC", func() store.Decision {
			d := sampleDecision()
			d.ItemID = "pr/14"
			d.CreatedAt = base.In(time.FixedZone("UTC+5", 5*3600))
			return d
		}(), func(d store.Decision) store.Decision {
			d.CreatedAt = base
			return d
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := s.RecordDecision(ctx, tt.in)
			if err != nil {
				t.Fatalf("RecordDecision: %v", err)
			}
			if id <= 0 {
				t.Fatalf("RecordDecision id = %d, want > 0", id)
			}
			got, err := s.Decision(ctx, id)
			if err != nil {
				t.Fatalf("Decision(%d): %v", id, err)
			}
			want := tt.want(tt.in)
			want.ID = id
			if got.CreatedAt.Location() != time.UTC {
				t.Errorf("CreatedAt location = %v, want UTC", got.CreatedAt.Location())
			}
			if !got.CreatedAt.Equal(want.CreatedAt) {
				t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, want.CreatedAt)
			}
			got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Decision(%d):\n got %+v\nwant %+v", id, got, want)
			}
		})
	}

	if _, err := s.Decision(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Decision(missing): got %v, want ErrNotFound", err)
	}
	d := sampleDecision()
	d.CreatedAt = time.Time{}
	before := time.Now().Add(-time.Second)
	id, err := s.RecordDecision(ctx, d)
	if err != nil {
		t.Fatalf("RecordDecision without time: %v", err)
	}
	got, err := s.Decision(ctx, id)
	if err != nil {
		t.Fatalf("Decision(%d): %v", id, err)
	}
	if got.CreatedAt.Before(before) || got.CreatedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("zero CreatedAt stored as %v, want about now", got.CreatedAt)
	}
}

func testDecisionFilters(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	type row struct {
		platform, scope, item, verdict string
		at                             time.Duration // after base
	}
	rows := []row{
		{"github", "a/x", "pr/1", "machine", 0},
		{"github", "a/x", "pr/1", "human", time.Hour},
		{"github", "a/x", "pr/2", "unsure", 2 * time.Hour},
		{"github", "b/y", "issue/3", "machine", 3 * time.Hour},
		{"discord", "guild-1", "m-1", "machine", 4 * time.Hour},
		{"discord", "guild-1", "m-2", "human", 5 * time.Hour},
	}
	ids := map[string]int64{}
	for i, r := range rows {
		id, err := s.RecordDecision(ctx, store.Decision{
			Platform: r.platform, Scope: r.scope, ItemID: r.item, Verdict: r.verdict,
			Score: float64(i) / 10, CreatedAt: base.Add(r.at),
		})
		if err != nil {
			t.Fatalf("RecordDecision %d: %v", i, err)
		}
		ids[fmt.Sprintf("%d", i)] = id
	}
	// want lists row indexes, newest first.
	tests := []struct {
		name string
		f    store.DecisionFilter
		want []int
	}{
		{"all newest first", store.DecisionFilter{}, []int{5, 4, 3, 2, 1, 0}},
		{"platform", store.DecisionFilter{Platform: "discord"}, []int{5, 4}},
		{"scope", store.DecisionFilter{Scope: "a/x"}, []int{2, 1, 0}},
		{"item", store.DecisionFilter{Platform: "github", Scope: "a/x", ItemID: "pr/1"}, []int{1, 0}},
		{"verdict", store.DecisionFilter{Verdict: "machine"}, []int{4, 3, 0}},
		{"since is inclusive", store.DecisionFilter{Since: base.Add(3 * time.Hour)}, []int{5, 4, 3}},
		{"until is exclusive", store.DecisionFilter{Until: base.Add(2 * time.Hour)}, []int{1, 0}},
		{"since and until", store.DecisionFilter{Since: base.Add(time.Hour), Until: base.Add(3 * time.Hour)}, []int{2, 1}},
		{"limit", store.DecisionFilter{Limit: 2}, []int{5, 4}},
		{"scope and verdict", store.DecisionFilter{Scope: "guild-1", Verdict: "human"}, []int{5}},
		{"nothing matches", store.DecisionFilter{Scope: "nope"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustDecisions(t, s, tt.f)
			var gotIDs, wantIDs []int64
			for _, d := range got {
				gotIDs = append(gotIDs, d.ID)
			}
			for _, i := range tt.want {
				wantIDs = append(wantIDs, ids[fmt.Sprintf("%d", i)])
			}
			if !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("Decisions(%+v) ids = %v, want %v", tt.f, gotIDs, wantIDs)
			}
		})
	}

	t.Run("latest", func(t *testing.T) {
		got, err := s.LatestDecision(ctx, "github", "a/x", "pr/1")
		if err != nil {
			t.Fatalf("LatestDecision: %v", err)
		}
		if got.ID != ids["1"] || got.Verdict != "human" {
			t.Errorf("LatestDecision = id %d verdict %s, want id %d verdict human", got.ID, got.Verdict, ids["1"])
		}
		if _, err := s.LatestDecision(ctx, "github", "a/x", "pr/404"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LatestDecision(missing): got %v, want ErrNotFound", err)
		}
	})

	t.Run("default limit is 100", func(t *testing.T) {
		for i := range 105 {
			if _, err := s.RecordDecision(ctx, store.Decision{Platform: "ci", Scope: "many", ItemID: fmt.Sprint(i), Verdict: "human", CreatedAt: base}); err != nil {
				t.Fatalf("RecordDecision: %v", err)
			}
		}
		got := mustDecisions(t, s, store.DecisionFilter{Scope: "many"})
		if len(got) != 100 {
			t.Errorf("Decisions with Limit 0 returned %d, want 100", len(got))
		}
	})
}

// mustDecisions lists the decisions matching f, failing the test on an error.
func mustDecisions(t *testing.T, s store.Store, f store.DecisionFilter) []store.Decision {
	t.Helper()
	got, err := s.Decisions(t.Context(), f)
	if err != nil {
		t.Fatalf("Decisions: %v", err)
	}
	return got
}

// mustFeedback lists the feedback matching f, failing the test on an error.
func mustFeedback(t *testing.T, s store.Store, f store.FeedbackFilter) []store.Feedback {
	t.Helper()
	got, err := s.Feedback(t.Context(), f)
	if err != nil {
		t.Fatalf("Feedback: %v", err)
	}
	return got
}

func testDecisionInvalid(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	tests := []struct {
		name   string
		mutate func(*store.Decision)
	}{
		{"unknown verdict", func(d *store.Decision) { d.Verdict = "slop" }},
		{"no platform", func(d *store.Decision) { d.Platform = "" }},
		{"no scope", func(d *store.Decision) { d.Scope = "" }},
		{"no item", func(d *store.Decision) { d.ItemID = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sampleDecision()
			tt.mutate(&d)
			if _, err := s.RecordDecision(t.Context(), d); err == nil {
				t.Errorf("RecordDecision: got nil error, want one")
			}
		})
	}
	got := mustDecisions(t, s, store.DecisionFilter{})
	if len(got) != 0 {
		t.Errorf("invalid decisions stored %d rows, want 0", len(got))
	}
}

func testFeedback(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	did, err := s.RecordDecision(ctx, sampleDecision())
	if err != nil {
		t.Fatalf("RecordDecision: %v", err)
	}
	in := []store.Feedback{
		{DecisionID: did, Platform: "github", Scope: "octo/repo", ItemID: "pr/12", Kind: "pr", By: "maintainer",
			Label: "human", Note: "they always write like this", Text: "Fix the parser.\n\nDetails…", CreatedAt: base.Add(time.Hour)},
		{Platform: "discord", Scope: "guild-1", ItemID: "m-9", By: "mod#1", Label: "machine", Text: "As an AI language model", CreatedAt: base},
		{Platform: "github", Scope: "octo/repo", ItemID: "issue/4", By: "maintainer", Label: "machine", Text: "x", CreatedAt: base.Add(2 * time.Hour)},
	}
	for i := range in {
		id, err := s.AddFeedback(ctx, in[i])
		if err != nil {
			t.Fatalf("AddFeedback %d: %v", i, err)
		}
		in[i].ID = id
	}
	tests := []struct {
		name string
		f    store.FeedbackFilter
		want []int // indexes into in, oldest first
	}{
		{"all oldest first", store.FeedbackFilter{}, []int{1, 0, 2}},
		{"platform", store.FeedbackFilter{Platform: "github"}, []int{0, 2}},
		{"scope", store.FeedbackFilter{Scope: "guild-1"}, []int{1}},
		{"since", store.FeedbackFilter{Since: base.Add(time.Hour)}, []int{0, 2}},
		{"limit", store.FeedbackFilter{Limit: 2}, []int{1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustFeedback(t, s, tt.f)
			var want []store.Feedback
			for _, i := range tt.want {
				want = append(want, in[i])
			}
			if len(got) != len(want) {
				t.Fatalf("Feedback(%+v) returned %d records, want %d", tt.f, len(got), len(want))
			}
			for i := range got {
				if !got[i].CreatedAt.Equal(want[i].CreatedAt) {
					t.Errorf("record %d CreatedAt = %v, want %v", i, got[i].CreatedAt, want[i].CreatedAt)
				}
				g, w := got[i], want[i]
				g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("record %d:\n got %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
	bad := []struct {
		name string
		f    store.Feedback
	}{
		{"unknown label", store.Feedback{Platform: "github", Label: "unsure", Text: "x"}},
		{"missing decision", store.Feedback{DecisionID: 987654, Platform: "github", Label: "human", Text: "x"}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.AddFeedback(ctx, tt.f); err == nil {
				t.Errorf("AddFeedback: got nil error, want one")
			}
		})
	}
}

func testSettings(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	if _, err := s.Setting(ctx, "guild-1", "mode"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Setting(missing): got %v, want ErrNotFound", err)
	}
	steps := []struct {
		scope, key string
		value      []byte
	}{
		{"guild-1", "mode", []byte("observe")},
		{"guild-2", "mode", []byte("enforce")},
		{"guild-1", "config", []byte(`{"threshold":0.7,"store_text":false}`)},
		{"guild-1", "mode", []byte("flag")}, // upsert replaces
		{"guild-2", "empty", nil},
	}
	for _, st := range steps {
		if err := s.PutSetting(ctx, st.scope, st.key, st.value); err != nil {
			t.Fatalf("PutSetting(%s, %s): %v", st.scope, st.key, err)
		}
	}
	want := []struct {
		scope, key string
		value      []byte
	}{
		{"guild-1", "mode", []byte("flag")},
		{"guild-2", "mode", []byte("enforce")},
		{"guild-1", "config", []byte(`{"threshold":0.7,"store_text":false}`)},
		{"guild-2", "empty", []byte{}},
	}
	for _, w := range want {
		got, err := s.Setting(ctx, w.scope, w.key)
		if err != nil {
			t.Fatalf("Setting(%s, %s): %v", w.scope, w.key, err)
		}
		if !bytes.Equal(got, w.value) || got == nil {
			t.Errorf("Setting(%s, %s) = %q, want %q", w.scope, w.key, got, w.value)
		}
	}
}

func owned(id string) store.OwnedMessage {
	return store.OwnedMessage{Platform: "github", Scope: "octo/repo", ItemID: "pr/12", Kind: "comment", MessageID: id}
}

func testClaimMessage(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	steps := []struct {
		name    string
		do      func() (string, bool, error)
		wantCur string
		wantWon bool
	}{
		{"look up nothing", func() (string, bool, error) { return s.ClaimMessage(ctx, owned("")) }, "", false},
		{"first claim wins", func() (string, bool, error) { return s.ClaimMessage(ctx, owned("c-1")) }, "c-1", true},
		{"second claim loses", func() (string, bool, error) { return s.ClaimMessage(ctx, owned("c-2")) }, "c-1", false},
		{"claiming the owned id again does not win twice", func() (string, bool, error) { return s.ClaimMessage(ctx, owned("c-1")) }, "c-1", false},
		{"look up", func() (string, bool, error) { return s.ClaimMessage(ctx, owned("")) }, "c-1", false},
		{"replace", func() (string, bool, error) {
			err := s.ReplaceMessage(ctx, owned("c-3"))
			return "", false, err
		}, "", false},
		{"after replace", func() (string, bool, error) { return s.ClaimMessage(ctx, owned("")) }, "c-3", false},
		{"another kind is separate", func() (string, bool, error) {
			m := owned("run-1")
			m.Kind = "check_run"
			return s.ClaimMessage(ctx, m)
		}, "run-1", true},
		{"release", func() (string, bool, error) {
			err := s.ReleaseMessage(ctx, "github", "octo/repo", "pr/12", "comment")
			return "", false, err
		}, "", false},
		{"after release nothing", func() (string, bool, error) { return s.ClaimMessage(ctx, owned("")) }, "", false},
		{"after release a new claim wins", func() (string, bool, error) { return s.ClaimMessage(ctx, owned("c-4")) }, "c-4", true},
		{"release of nothing is fine", func() (string, bool, error) {
			err := s.ReleaseMessage(ctx, "github", "octo/repo", "pr/404", "comment")
			return "", false, err
		}, "", false},
	}
	for _, st := range steps {
		cur, won, err := st.do()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if cur != st.wantCur || won != st.wantWon {
			t.Errorf("%s: got (%q, %v), want (%q, %v)", st.name, cur, won, st.wantCur, st.wantWon)
		}
	}
}

func testClaimMessageConcurrent(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	type result struct {
		cur string
		won bool
		err error
	}
	for round := range 5 {
		m := owned("")
		m.ItemID = fmt.Sprintf("pr/%d", round)
		results := parallel(func(i int) result {
			mm := m
			mm.MessageID = fmt.Sprintf("comment-%d", i)
			cur, won, err := s.ClaimMessage(ctx, mm)
			return result{cur, won, err}
		})
		winners, winner := 0, ""
		for i, r := range results {
			if r.err != nil {
				t.Fatalf("round %d writer %d: %v", round, i, r.err)
			}
			if r.won {
				winners++
				winner = fmt.Sprintf("comment-%d", i)
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d concurrent claims got %d winners, want exactly 1", round, Writers, winners)
		}
		for i, r := range results {
			if r.cur != winner {
				t.Errorf("round %d writer %d: current = %q, want the winner %q", round, i, r.cur, winner)
			}
		}
	}
}

func testStrikes(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	window := 90 * time.Minute
	adds := []struct {
		user string
		at   time.Duration
		want int
	}{
		{"u1", 0, 1},
		{"u1", time.Hour, 2},
		{"u1", 2 * time.Hour, 2}, // the first decayed
		{"u1", 3 * time.Hour, 2},
		{"u2", 3 * time.Hour, 1},
	}
	for _, a := range adds {
		got, err := s.AddStrike(ctx, "guild-1", a.user, "m-"+a.user+a.at.String(), base.Add(a.at), window)
		if err != nil {
			t.Fatalf("AddStrike(%s, +%v): %v", a.user, a.at, err)
		}
		if got != a.want {
			t.Errorf("AddStrike(%s, +%v) = %d, want %d", a.user, a.at, got, a.want)
		}
	}
	counts := []struct {
		name   string
		scope  string
		user   string
		at     time.Duration
		window time.Duration
		want   int
	}{
		{"window ending at last strike", "guild-1", "u1", 3 * time.Hour, window, 2},
		{"window boundary is exclusive", "guild-1", "u1", 3*time.Hour + 30*time.Minute, window, 1},
		{"all decayed", "guild-1", "u1", 10 * time.Hour, window, 0},
		{"before any strike", "guild-1", "u1", -time.Minute, window, 0},
		{"wide window", "guild-1", "u1", 3 * time.Hour, 24 * time.Hour, 4},
		{"no window counts all", "guild-1", "u1", 100 * time.Hour, 0, 4},
		{"other user", "guild-1", "u2", 3 * time.Hour, window, 1},
		{"other scope", "guild-2", "u1", 3 * time.Hour, window, 0},
	}
	for _, c := range counts {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.Strikes(ctx, c.scope, c.user, base.Add(c.at), c.window)
			if err != nil {
				t.Fatalf("Strikes: %v", err)
			}
			if got != c.want {
				t.Errorf("Strikes(%s, %s, +%v, %v) = %d, want %d", c.scope, c.user, c.at, c.window, got, c.want)
			}
		})
	}
}

func testStrikesConcurrent(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	type result struct {
		n   int
		err error
	}
	results := parallel(func(int) result {
		n, err := s.AddStrike(ctx, "guild-1", "spammer", "", base, time.Hour)
		return result{n, err}
	})
	var got []int
	for _, r := range results {
		if r.err != nil {
			t.Fatalf("AddStrike: %v", r.err)
		}
		got = append(got, r.n)
	}
	slices.Sort(got)
	var want []int
	for i := range Writers {
		want = append(want, i+1)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%d concurrent AddStrike counts = %v, want each of %v once", Writers, got, want)
	}
}

// testRemoveStrike removes the strike one item earned and no other.
func testRemoveStrike(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	for i, st := range []struct{ scope, user, item string }{
		{"guild-1", "u1", "m1"},
		{"guild-1", "u1", "m2"},
		{"guild-1", "u1", ""}, // recorded before strikes named their item
		{"guild-1", "u2", "m1"},
		{"guild-2", "u1", "m1"},
	} {
		if _, err := s.AddStrike(ctx, st.scope, st.user, st.item, base.Add(time.Duration(i)*time.Minute), 0); err != nil {
			t.Fatalf("AddStrike(%v): %v", st, err)
		}
	}
	steps := []struct {
		name              string
		scope, user, item string
		wantRemoved       bool
		wantLeft          int // guild-1 u1's strikes afterwards
	}{
		{"the item's strike", "guild-1", "u1", "m1", true, 2},
		{"again: none left", "guild-1", "u1", "m1", false, 2},
		{"unknown item", "guild-1", "u1", "m9", false, 2},
		{"another user's item", "guild-1", "u3", "m2", false, 2},
		{"the second item", "guild-1", "u1", "m2", true, 1},
	}
	for _, st := range steps {
		removed, err := s.RemoveStrike(ctx, st.scope, st.user, st.item)
		if err != nil {
			t.Fatalf("%s: RemoveStrike: %v", st.name, err)
		}
		if removed != st.wantRemoved {
			t.Errorf("%s: RemoveStrike = %v, want %v", st.name, removed, st.wantRemoved)
		}
		if n, err := s.Strikes(ctx, "guild-1", "u1", base.Add(time.Hour), 0); err != nil || n != st.wantLeft {
			t.Errorf("%s: strikes left = %d, %v; want %d", st.name, n, err, st.wantLeft)
		}
	}
	// The same item in another scope or of another user is untouched.
	for _, o := range []struct{ scope, user string }{{"guild-1", "u2"}, {"guild-2", "u1"}} {
		if n, err := s.Strikes(ctx, o.scope, o.user, base.Add(time.Hour), 0); err != nil || n != 1 {
			t.Errorf("strikes of %s in %s = %d, %v; want 1", o.user, o.scope, n, err)
		}
	}
	if _, err := s.RemoveStrike(ctx, "guild-1", "u1", ""); err == nil {
		t.Errorf("RemoveStrike with an empty item: got no error, want one (it would remove old strikes)")
	}
}

// testStrikeOncePerItem counts a strike once per item, however often and
// however concurrently it is added (two replicas handling one message), while
// strikes without an item (recorded before items were kept) still add up.
func testStrikeOncePerItem(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	steps := []struct {
		item string
		want int
	}{
		{"m1", 1},
		{"m1", 1}, // the same message again: no second strike
		{"m2", 2},
		{"m1", 2},
		{"", 3},
		{"", 4},
	}
	for i, st := range steps {
		got, err := s.AddStrike(ctx, "guild-1", "u1", st.item, base.Add(time.Duration(i)*time.Minute), 0)
		if err != nil {
			t.Fatalf("step %d: AddStrike(%q): %v", i, st.item, err)
		}
		if got != st.want {
			t.Errorf("step %d: AddStrike(%q) = %d, want %d", i, st.item, got, st.want)
		}
	}
	results := parallel(func(int) error {
		_, err := s.AddStrike(ctx, "guild-1", "u2", "m3", base, 0)
		return err
	})
	for _, err := range results {
		if err != nil {
			t.Fatalf("concurrent AddStrike: %v", err)
		}
	}
	if n, err := s.Strikes(ctx, "guild-1", "u2", base, 0); err != nil || n != 1 {
		t.Errorf("after %d concurrent strikes for one item: %d strikes, %v; want 1", Writers, n, err)
	}
}

// testLease hands a named lease to one holder at a time: renewed by its
// holder, refused to others until it expires or is released.
func testLease(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	steps := []struct {
		name, lease, holder string
		ttl                 time.Duration
		release             bool
		want                bool
	}{
		{"first holder", "sweep", "a", time.Hour, false, true},
		{"renewed by its holder", "sweep", "a", time.Hour, false, true},
		{"refused to another", "sweep", "b", time.Hour, false, false},
		{"another lease is free", "prune", "b", time.Hour, false, true},
		{"released by another: no effect", "sweep", "b", 0, true, false},
		{"still refused", "sweep", "b", time.Hour, false, false},
		{"released by its holder", "sweep", "a", 0, true, false},
		{"free after release", "sweep", "b", -time.Second, false, true}, // expires at once
		{"expired: taken over", "sweep", "a", time.Hour, false, true},
		{"the old holder is refused", "sweep", "b", time.Hour, false, false},
	}
	for _, st := range steps {
		if st.release {
			if err := s.ReleaseLease(ctx, st.lease, st.holder); err != nil {
				t.Fatalf("%s: ReleaseLease: %v", st.name, err)
			}
			continue
		}
		got, err := s.TakeLease(ctx, st.lease, st.holder, time.Now(), st.ttl)
		if err != nil {
			t.Fatalf("%s: TakeLease: %v", st.name, err)
		}
		if got != st.want {
			t.Errorf("%s: TakeLease(%s, %s) = %v, want %v", st.name, st.lease, st.holder, got, st.want)
		}
	}
	if _, err := s.TakeLease(ctx, "", "a", time.Now(), time.Hour); err == nil {
		t.Errorf("TakeLease with an empty name: got no error, want one")
	}
	if _, err := s.TakeLease(ctx, "x", "", time.Now(), time.Hour); err == nil {
		t.Errorf("TakeLease with an empty holder: got no error, want one")
	}
}

// testLeaseConcurrent gives a free lease to exactly one of many holders
// asking at once.
func testLeaseConcurrent(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	type result struct {
		won bool
		err error
	}
	results := parallel(func(i int) result {
		won, err := s.TakeLease(ctx, "sweep", fmt.Sprintf("replica-%d", i), time.Now(), time.Hour)
		return result{won, err}
	})
	winners := 0
	for _, r := range results {
		if r.err != nil {
			t.Fatalf("TakeLease: %v", r.err)
		}
		if r.won {
			winners++
		}
	}
	if winners != 1 {
		t.Errorf("%d holders asking at once: %d got the lease, want 1", Writers, winners)
	}
}

// testDecisionUpdate replaces a decision's actions, and its text only when
// one is given.
func testDecisionUpdate(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	d := sampleDecision()
	d.Actions, d.Text = nil, ""
	id, err := s.RecordDecision(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name        string
		actions     []string
		text        string
		wantActions []string
		wantText    string
	}{
		{"actions and text", []string{"delete", "modlog"}, "the deleted text", []string{"delete", "modlog"}, "the deleted text"},
		{"empty text keeps the text", []string{"modlog"}, "", []string{"modlog"}, "the deleted text"},
		{"nil actions", nil, "", []string{}, "the deleted text"},
	}
	for _, st := range steps {
		if err := s.UpdateDecision(ctx, id, st.actions, st.text); err != nil {
			t.Fatalf("%s: UpdateDecision: %v", st.name, err)
		}
		got, err := s.Decision(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Actions, st.wantActions) || got.Text != st.wantText {
			t.Errorf("%s: decision actions %v, text %q; want %v, %q", st.name, got.Actions, got.Text, st.wantActions, st.wantText)
		}
		if got.Score != d.Score || got.Author != d.Author || !slices.Equal(got.Reasons, d.Reasons) {
			t.Errorf("%s: UpdateDecision changed other fields: %+v", st.name, got)
		}
	}
	if err := s.UpdateDecision(ctx, 999999, []string{"x"}, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateDecision(missing): got %v, want ErrNotFound", err)
	}
}

func testPrune(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	cut := base.Add(24 * time.Hour)
	oldID, err := s.RecordDecision(ctx, store.Decision{Platform: "github", Scope: "a/x", ItemID: "pr/1", Verdict: "machine", CreatedAt: cut.Add(-time.Microsecond)})
	if err != nil {
		t.Fatal(err)
	}
	newID, err := s.RecordDecision(ctx, store.Decision{Platform: "github", Scope: "a/x", ItemID: "pr/2", Verdict: "machine", CreatedAt: cut})
	if err != nil {
		t.Fatal(err)
	}
	fbID, err := s.AddFeedback(ctx, store.Feedback{DecisionID: oldID, Platform: "github", Scope: "a/x", ItemID: "pr/1", Label: "human", Text: "kept", CreatedAt: base})
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{base, cut.Add(-time.Hour), cut.Add(time.Hour)} {
		if _, err := s.AddStrike(ctx, "g", "u", "", at, 0); err != nil {
			t.Fatal(err)
		}
	}
	// Deliveries are seen now: one already expired, one not.
	if _, err := s.MarkDelivery(ctx, "github", "expired", time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkDelivery(ctx, "github", "live", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	// Claims guard actions on decisions and go with them; the messages
	// slopguard may still edit stay, however old.
	owned := []struct {
		kind string
		at   time.Time
		kept bool
	}{
		{store.KindHandledClaim, cut.Add(-time.Hour), false},
		{store.KindAppealClaim, cut.Add(-time.Hour), false},
		{store.KindHandledClaim, cut, true},
		{"modlog", base, true},
		{"comment", base, true},
	}
	for i, o := range owned {
		m := store.OwnedMessage{Platform: "discord", Scope: "g", ItemID: fmt.Sprint("post-", i), Kind: o.kind, MessageID: "x", UpdatedAt: o.at}
		if _, _, err := s.ClaimMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}

	n, err := s.Prune(ctx, cut)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	// One decision, two strikes, one expired delivery, two claims.
	if n != 6 {
		t.Errorf("Prune removed %d rows, want 6", n)
	}
	for i, o := range owned {
		m := store.OwnedMessage{Platform: "discord", Scope: "g", ItemID: fmt.Sprint("post-", i), Kind: o.kind, MessageID: "y", UpdatedAt: cut}
		current, won, err := s.ClaimMessage(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if kept := !won && current == "x"; kept != o.kept {
			t.Errorf("owned message %s at %v: kept %v after prune, want %v", o.kind, o.at, kept, o.kept)
		}
	}
	if _, err := s.Decision(ctx, oldID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old decision after prune: got %v, want ErrNotFound", err)
	}
	if _, err := s.Decision(ctx, newID); err != nil {
		t.Errorf("new decision after prune: %v", err)
	}
	fbs := mustFeedback(t, s, store.FeedbackFilter{})
	if len(fbs) != 1 || fbs[0].ID != fbID || fbs[0].Text != "kept" {
		t.Fatalf("feedback after prune = %+v, want the one record kept", fbs)
	}
	if fbs[0].DecisionID != 0 {
		t.Errorf("feedback DecisionID after its decision was pruned = %d, want 0", fbs[0].DecisionID)
	}
	if got, err := s.Strikes(ctx, "g", "u", cut.Add(2*time.Hour), 0); err != nil || got != 1 {
		t.Errorf("strikes after prune = %d, %v; want 1, nil", got, err)
	}
	if first, err := s.MarkDelivery(ctx, "github", "live", time.Now().Add(time.Hour)); err != nil || first {
		t.Errorf("live delivery after prune: first = %v, %v; want false, nil", first, err)
	}
	if n, err := s.Prune(ctx, cut); err != nil || n != 0 {
		t.Errorf("second Prune = %d, %v; want 0, nil", n, err)
	}
	// A strike after pruning still counts from one.
	if got, err := s.AddStrike(ctx, "g", "fresh", "m1", cut, time.Hour); err != nil || got != 1 {
		t.Errorf("AddStrike after prune = %d, %v; want 1, nil", got, err)
	}
}

func testExportRoundTrip(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	in := []store.Feedback{
		{Platform: "github", Scope: "octo/repo", ItemID: "pr/12", By: "m", Label: "human",
			Note: "a person", Text: "Line one\nline \"two\" <tag> & ünïcode 🚀\n", CreatedAt: base},
		{Platform: "discord", Scope: "123456", ItemID: "987", By: "mod", Label: "machine", Text: "Certainly! Here is", CreatedAt: base.Add(time.Minute)},
		{Platform: "github", Scope: "octo/repo", ItemID: "comment/5", Kind: "review", By: "m", Label: "machine", Text: "LGTM, delve", CreatedAt: base.Add(2 * time.Minute)},
		{Platform: "github", Scope: "octo/repo", ItemID: "pr/13", By: "m", Label: "human", Text: "  ", CreatedAt: base.Add(3 * time.Minute)},
	}
	var ids []int64
	for _, f := range in {
		id, err := s.AddFeedback(ctx, f)
		if err != nil {
			t.Fatalf("AddFeedback: %v", err)
		}
		ids = append(ids, id)
	}
	var buf bytes.Buffer
	written, skipped, err := store.ExportFeedback(ctx, s, &buf, store.FeedbackFilter{})
	if err != nil {
		t.Fatalf("ExportFeedback: %v", err)
	}
	if written != 3 || skipped != 1 {
		t.Errorf("ExportFeedback wrote %d and skipped %d, want 3 and 1", written, skipped)
	}
	got, err := dataset.ReadJSONL(&buf, "export")
	if err != nil {
		t.Fatalf("read exported records: %v", err)
	}
	id0 := fmt.Sprintf("feedback:github:octo/repo:pr/12:%d", ids[0])
	id1 := fmt.Sprintf("feedback:discord:123456:987:%d", ids[1])
	id2 := fmt.Sprintf("feedback:github:octo/repo:comment/5:%d", ids[2])
	want := []dataset.Record{
		{Text: in[0].Text, Label: "human", Kind: "pr", Source: "feedback:github:octo/repo",
			ID: id0, Split: "train", Group: id0, Note: "a person", Line: 1},
		{Text: in[1].Text, Label: "machine", Kind: "message", Source: "feedback:discord:123456",
			ID: id1, Split: "train", Group: id1, Line: 2},
		{Text: in[2].Text, Label: "machine", Kind: "review", Source: "feedback:github:octo/repo",
			ID: id2, Split: "train", Group: id2, Line: 3},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("export round trip:\n got %+v\nwant %+v", got, want)
	}
}

// testMoveScope: a renamed repository's decisions, feedback, owned
// messages, settings and strikes follow it to the new name; where the new
// name already has a row of the same key, that row wins; another platform's
// rows of the same scope name and other scopes stay.
func testMoveScope(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	const from, to = "octo/old", "octo/new"
	d := sampleDecision()
	d.Scope = from
	if _, err := s.RecordDecision(ctx, d); err != nil {
		t.Fatal(err)
	}
	other := sampleDecision()
	other.Platform, other.Scope = "discord", from
	if _, err := s.RecordDecision(ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddFeedback(ctx, store.Feedback{Platform: "github", Scope: from, ItemID: "pr/12", By: "m", Label: "human", CreatedAt: base}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []store.OwnedMessage{
		{Platform: "github", Scope: from, ItemID: "pr/12", Kind: "comment", MessageID: "500"},
		{Platform: "github", Scope: from, ItemID: "pr/13", Kind: "comment", MessageID: "501"},
		{Platform: "github", Scope: to, ItemID: "pr/13", Kind: "comment", MessageID: "601"}, // already under the new name
	} {
		if _, _, err := s.ClaimMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range []struct{ scope, key, value string }{
		{from, "github.installation", "4242"},
		{from, "github.policy", "old"},
		{to, "github.policy", "new"},
	} {
		if err := s.PutSetting(ctx, st.scope, st.key, []byte(st.value)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddStrike(ctx, from, "someone", "pr/12", base, time.Hour); err != nil {
		t.Fatal(err)
	}

	if err := s.MoveScope(ctx, "github", from, to); err != nil {
		t.Fatalf("MoveScope: %v", err)
	}
	if err := s.MoveScope(ctx, "github", to, to); err != nil {
		t.Fatalf("MoveScope to itself: %v", err)
	}

	if _, err := s.LatestDecision(ctx, "github", to, "pr/12"); err != nil {
		t.Errorf("decision under the new name: %v", err)
	}
	if _, err := s.LatestDecision(ctx, "github", from, "pr/12"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("decision under the old name: got %v, want ErrNotFound", err)
	}
	if _, err := s.LatestDecision(ctx, "discord", from, "pr/12"); err != nil {
		t.Errorf("another platform's decision of the same scope name moved: %v", err)
	}
	if fb, err := s.Feedback(ctx, store.FeedbackFilter{Platform: "github", Scope: to}); err != nil || len(fb) != 1 {
		t.Errorf("feedback under the new name: %d, %v; want 1", len(fb), err)
	}
	for _, c := range []struct{ scope, item, want string }{
		{to, "pr/12", "500"},
		{to, "pr/13", "601"},
		{from, "pr/12", ""},
		{from, "pr/13", ""},
	} {
		got, _, err := s.ClaimMessage(ctx, store.OwnedMessage{Platform: "github", Scope: c.scope, ItemID: c.item, Kind: "comment"})
		if err != nil || got != c.want {
			t.Errorf("owned message %s %s = %q, %v; want %q", c.scope, c.item, got, err, c.want)
		}
	}
	for _, c := range []struct{ scope, key, want string }{
		{to, "github.installation", "4242"},
		{to, "github.policy", "new"},
	} {
		if got, err := s.Setting(ctx, c.scope, c.key); err != nil || string(got) != c.want {
			t.Errorf("setting %s %s = %q, %v; want %q", c.scope, c.key, got, err, c.want)
		}
	}
	if _, err := s.Setting(ctx, from, "github.policy"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("setting under the old name: got %v, want ErrNotFound", err)
	}
	if n, err := s.Strikes(ctx, to, "someone", base, time.Hour); err != nil || n != 1 {
		t.Errorf("strikes under the new name = %d, %v; want 1", n, err)
	}
	if n, err := s.Strikes(ctx, from, "someone", base, time.Hour); err != nil || n != 0 {
		t.Errorf("strikes under the old name = %d, %v; want 0", n, err)
	}
	if err := s.MoveScope(ctx, "github", "", to); err == nil {
		t.Error("MoveScope from an empty scope: no error")
	}
}
