package githubapp

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// mapReader is a PlanReader over fixed settings and owned messages; it
// records every key it is asked for.
type mapReader struct {
	settings map[string]string // scope + " " + key → value
	owned    map[string]string // kind → message ID

	mu    sync.Mutex
	asked []string
}

func (r *mapReader) Setting(_ context.Context, scope, key string) ([]byte, error) {
	r.mu.Lock()
	r.asked = append(r.asked, "setting "+key)
	r.mu.Unlock()
	if v, ok := r.settings[scope+" "+key]; ok {
		return []byte(v), nil
	}
	return nil, store.ErrNotFound
}

func (r *mapReader) ClaimMessage(_ context.Context, m store.OwnedMessage) (string, bool, error) {
	if m.MessageID != "" {
		return "", false, errors.New("ClaimMessage with a message ID: a write")
	}
	r.mu.Lock()
	r.asked = append(r.asked, "message "+m.Kind)
	r.mu.Unlock()
	return r.owned[m.Kind], false, nil
}

// TestSimulateReadsThroughPlanReader: Simulate plans from what its reader
// holds (a maintainer's decision, the App's earlier comment), needs no
// store, and writes nothing to GitHub.
func TestSimulateReadsThroughPlanReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		reader      func() *mapReader // nil: no reader
		wantSkipped string
		wantComment string // the comment action's detail, "" for none
	}{
		{"no reader", nil, "", "create"},
		{"an earlier comment", func() *mapReader {
			return &mapReader{owned: map[string]string{claimComment: "500"}}
		}, "", "update"},
		{"a maintainer said human", func() *mapReader {
			return &mapReader{settings: map[string]string{"acme/widgets " + overrideSetting + "issue/9": overrideHuman}}
		}, "a maintainer marked it not slop", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			gh := newFakeGitHub(t)
			gh.handle("GET /repos/acme/widgets/issues/9", 200, `{"number": 9, "title": "Crash on start", "body": "It crashes when I start it with an empty config file.", "state": "open",
				"html_url": "https://github.example/acme/widgets/issues/9", "user": {"login": "newcomer", "type": "User"}, "author_association": "NONE"}`)
			gh.handle("GET /repos/acme/widgets", 200, `{"name": "widgets", "full_name": "acme/widgets", "default_branch": "main", "owner": {"login": "acme", "type": "Organization"}}`)
			client, err := NewRESTClient(nil, gh.srv.URL+"/")
			if err != nil {
				t.Fatal(err)
			}
			var reads PlanReader
			var r *mapReader
			if tt.reader != nil {
				r = tt.reader()
				reads = r
			}
			p, err := Simulate(t.Context(), Options{
				Clients: StaticClients{Client: client}, GraphQLURL: gh.srv.URL + "/graphql",
				Checker: slop, DefaultPolicy: moderation.DefaultPolicy(),
			}, reads, "acme", "widgets", 9)
			if err != nil {
				t.Fatalf("Simulate: %v", err)
			}
			if p.Skipped != tt.wantSkipped {
				t.Errorf("Skipped = %q, want %q", p.Skipped, tt.wantSkipped)
			}
			comment := ""
			for _, a := range p.Actions {
				if a.Kind == actionComment {
					comment = a.Detail
				}
			}
			if comment != tt.wantComment {
				t.Errorf("comment action = %q, want %q (actions %+v)", comment, tt.wantComment, p.Actions)
			}
			if w := gh.writes(); len(w) != 0 {
				t.Errorf("Simulate wrote to GitHub: %s", callList(w))
			}
			if r != nil && len(r.asked) == 0 {
				t.Error("the reader was never asked")
			}
		})
	}
}
