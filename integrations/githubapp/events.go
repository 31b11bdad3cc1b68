package githubapp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
)

// events is the one table of the webhook events the App handles: each is
// declared here once, with the type its payload decodes into and its
// handler. ServeHTTP answers 202 to any other event and drops it; accepted
// payloads are decoded by the table (when accepted, and again when a worker
// claims the job) and dispatched by it.
var events = map[string]event{
	"pull_request":                on((*App).onPullRequest),
	"issues":                      on((*App).onIssues),
	"issue_comment":               on((*App).onIssueComment),
	"pull_request_review":         on((*App).onReview),
	"pull_request_review_comment": on((*App).onReviewComment),
	"check_run":                   on((*App).onCheckRun),
	"installation":                on((*App).onInstallation),
	"installation_repositories":   on((*App).onInstallationRepositories),
	"push":                        on((*App).onPush),
	"repository":                  on((*App).onRepository),
}

// handledEvents reports which events the table holds, for ServeHTTP and the
// deliveries metric's bounded label set.
var handledEvents = func() map[string]bool {
	m := make(map[string]bool, len(events))
	for name := range events {
		m[name] = true
	}
	return m
}()

// event is one row of the table: how its payload is decoded and handled.
type event struct {
	// parse decodes a payload into the event's go-github type (a pointer).
	parse func(body []byte) (any, error)
	// handle runs the handler on a payload parse returned.
	handle func(a *App, ctx context.Context, log *slog.Logger, payload any) error
}

// on makes the table row of a handler of go-github event type E.
func on[E any](h func(a *App, ctx context.Context, log *slog.Logger, ev *E) error) event {
	return event{
		parse: func(body []byte) (any, error) {
			ev := new(E)
			if err := json.Unmarshal(body, ev); err != nil {
				return nil, err
			}
			return ev, nil
		},
		handle: func(a *App, ctx context.Context, log *slog.Logger, payload any) error {
			ev, ok := payload.(*E)
			if !ok {
				return fmt.Errorf("unexpected payload %T, want %T", payload, ev)
			}
			return h(a, ctx, log, ev)
		},
	}
}

// parsePayload decodes a payload of a handled event.
func parsePayload(name string, body []byte) (any, error) {
	e, ok := events[name]
	if !ok {
		return nil, fmt.Errorf("event %q is not handled", name)
	}
	payload, err := e.parse(body)
	if err != nil {
		return nil, fmt.Errorf("%s payload: %w", name, err)
	}
	return payload, nil
}

// dispatch runs the handler of a job's event; an event the table does not
// hold is nothing to do.
func (a *App) dispatch(ctx context.Context, log *slog.Logger, j job) error {
	e, ok := events[j.event]
	if !ok {
		return nil
	}
	return e.handle(a, ctx, log, j.payload)
}
