package web

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/store"
	"github.com/slopguard/slopguard/store/sqlstore"
)

// testKey is the link secret of the tests.
var testKey = []byte("0123456789abcdef0123456789abcdef-test")

// testNow is the tests' clock.
var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

var (
	detOnce sync.Once
	det     *detector.Detector
	detErr  error
)

// testDetector is the embedded model, loaded once.
func testDetector(t testing.TB) *detector.Detector {
	t.Helper()
	detOnce.Do(func() { det, detErr = detector.Default() })
	if detErr != nil {
		t.Fatalf("load model: %v", detErr)
	}
	return det
}

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fixture is a store with one repository's worth of decisions and a
// server reading it.
type fixture struct {
	st     *sqlstore.Store
	srv    *Server
	signer *Signer
	// slopID is a flagged pull request with its text kept; mixedID one
	// with reasons both ways; hiddenID one whose text was not kept.
	slopID, mixedID, hiddenID int64
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, sqlstore.SQLite, filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := testDetector(t)
	signer, err := NewSigner(testKey, "https://slopguard.example.org/", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	signer.now = func() time.Time { return testNow }
	f := &fixture{st: st, signer: signer}
	record := func(dec store.Decision) int64 {
		t.Helper()
		id, err := st.RecordDecision(ctx, dec)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	scored := func(item, kind, author, text string, at time.Time, keep bool, actions ...string) int64 {
		res := d.Score(text)
		var reasons []string
		for _, r := range res.Reasons {
			reasons = append(reasons, r.Text)
		}
		dec := store.Decision{Platform: "github", Scope: "octo/repo", ItemID: item, Kind: kind, Author: author, Title: "About " + item,
			ItemURL: "https://github.com/octo/repo/pull/12", Score: res.Score, Verdict: res.Verdict.String(),
			CannotJudge: res.CannotJudge, Reasons: reasons, Model: d.Version(), Actions: actions, CreatedAt: at}
		if keep {
			dec.Text = text
		}
		return record(dec)
	}
	slop, human := readFixture(t, "slop.txt"), readFixture(t, "human.txt")
	// A few weeks of history for the charts.
	for i := range 40 {
		at := testNow.Add(-time.Duration(i*17) * time.Hour)
		text := human
		if i%3 == 0 {
			text = slop
		}
		scored("issue/"+itoa(100+i), "issue", []string{"alice", "bob", "carol"}[i%3], text, at, false, "check_run")
	}
	f.slopID = scored("pr/12", "pr", "mallory", slop, testNow.Add(-2*time.Hour), true, "check_run", "label", "comment")
	f.mixedID = scored("pr/13", "pr", "alice", readFixture(t, "mixed.txt"), testNow.Add(-90*time.Minute), true, "check_run")
	f.hiddenID = scored("pr/14", "pr", "trent", slop, testNow.Add(-80*time.Minute), false, "check_run", "comment")
	// pr/12 was checked again, appealed and confirmed; pr/14 is appealed.
	scored("pr/12", "pr", "mallory", slop, testNow.Add(-time.Hour), true, "check_run")
	record(store.Decision{Platform: "github", Scope: "octo/repo", ItemID: "pr/12", Verdict: "machine", Score: 0.9, Actions: []string{"appeal"}, CreatedAt: testNow.Add(-50 * time.Minute)})
	if _, err := st.AddFeedback(ctx, store.Feedback{Platform: "github", Scope: "octo/repo", ItemID: "pr/12", By: "maintainer", Label: "machine", CreatedAt: testNow.Add(-40 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	for _, item := range []string{"pr/12", "pr/14"} {
		if _, _, err := st.ClaimMessage(ctx, store.OwnedMessage{Platform: "github", Scope: "octo/repo", ItemID: item, Kind: store.KindAppealClaim, MessageID: "1", UpdatedAt: testNow.Add(-55 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.AddFeedback(ctx, store.Feedback{Platform: "github", Scope: "octo/repo", ItemID: "issue/101", By: "maintainer", Label: "human", CreatedAt: testNow.Add(-30 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Store: st, Scorer: d, Signer: signer, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	return f
}

// decisionPath is a valid link to a decision.
func (f *fixture) decisionPath(id int64) string {
	return f.signer.DecisionPath(id, testNow.Add(time.Hour).Unix())
}

// scopePath is a valid link to octo/repo's dashboard.
func (f *fixture) scopePath() string {
	return f.signer.ScopePath("github", "octo/repo", testNow.Add(time.Hour).Unix())
}
