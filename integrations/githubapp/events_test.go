package githubapp

import (
	"fmt"
	"testing"

	"github.com/google/go-github/v60/github"
)

// TestEventsDecodeAsGoGitHub: every event of the table decodes into the
// type go-github's own parser gives it, so handlers and the fuzz test see
// the same payloads; a malformed payload is refused.
func TestEventsDecodeAsGoGitHub(t *testing.T) {
	t.Parallel()
	if len(events) != len(handledEvents) {
		t.Fatalf("handledEvents has %d events, the table %d", len(handledEvents), len(events))
	}
	for name := range events {
		got, err := parsePayload(name, []byte(`{"action": "opened"}`))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want, err := github.ParseWebHook(name, []byte(`{"action": "opened"}`))
		if err != nil {
			t.Fatalf("go-github does not parse %s: %v", name, err)
		}
		if fmt.Sprintf("%T", got) != fmt.Sprintf("%T", want) {
			t.Errorf("%s decodes into %T, go-github into %T", name, got, want)
		}
		if _, err := parsePayload(name, []byte(`{"action": 12}`)); err == nil {
			t.Errorf("%s: a malformed payload decoded", name)
		}
	}
	if _, err := parsePayload("star", []byte(`{}`)); err == nil {
		t.Error("an event outside the table decoded")
	}
}
