package githubapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/store"
)

// GitHub does not redeliver a failed webhook delivery by itself: a
// delivery that got no 2xx (serve was down, overloaded, or could not
// record it) is lost unless someone asks for another attempt. The
// redelivery sweep does, as GitHub's documentation recommends: it lists
// the App's recent deliveries and asks once for each failed one.

// redeliverLookback is how far back the sweep looks; GitHub keeps
// deliveries for 3 days and allows redelivering them as long.
const redeliverLookback = 24 * time.Hour

// RunRedeliverySweep calls Redeliver every interval until ctx is done; an
// interval of zero or less disables it. app is a client authenticated as
// the App itself (JWT): GET /app/hook/deliveries takes no installation token.
func (a *App) RunRedeliverySweep(ctx context.Context, app *github.Client, interval time.Duration) {
	a.every(ctx, interval, true, "redelivery sweep", func(ctx context.Context) error {
		_, err := a.Redeliver(ctx, app, interval)
		return err
	})
}

// Redeliver asks GitHub for another attempt of each delivery of the last
// day that failed and never succeeded, unless the store already holds its
// job or it was asked for before (at most once per delivery). It runs only
// while this App holds the sweep's lease (taken for interval), so one
// replica at a time sweeps; it returns how many it asked for.
func (a *App) Redeliver(ctx context.Context, app *github.Client, interval time.Duration) (int, error) {
	now := a.now()
	held, err := a.queue.TakeLease(ctx, redeliverLease, a.id, now, interval)
	if err != nil {
		return 0, fmt.Errorf("take the redelivery lease: %w", err)
	}
	if !held {
		return 0, nil
	}
	// Newest first: the first attempt seen of a GUID is its latest.
	type state struct {
		id int64
		ok bool
	}
	byGUID := map[string]*state{}
	var order []string
	opt := &github.ListCursorOptions{PerPage: 100}
	for page := 0; page < 50; page++ {
		ds, resp, err := app.Apps.ListHookDeliveries(ctx, opt)
		if err != nil {
			return 0, fmt.Errorf("list hook deliveries: %w", err)
		}
		old := false
		for _, d := range ds {
			if d.GetDeliveredAt().Before(now.Add(-redeliverLookback)) {
				old = true
				continue
			}
			s := byGUID[d.GetGUID()]
			if s == nil {
				s = &state{id: d.GetID()}
				byGUID[d.GetGUID()] = s
				order = append(order, d.GetGUID())
			}
			if code := d.GetStatusCode(); code >= 200 && code < 300 {
				s.ok = true
			}
		}
		if old || resp == nil || resp.Cursor == "" {
			break
		}
		opt.Cursor = resp.Cursor
	}
	asked := 0
	var errs []error
	for _, guid := range order {
		s := byGUID[guid]
		if s.ok || guid == "" {
			continue
		}
		if _, err := a.queue.Job(ctx, jobPlatform, guid); err == nil {
			continue // recorded here: it was accepted, only the answer was lost
		} else if !errors.Is(err, store.ErrNotFound) {
			errs = append(errs, err)
			continue
		}
		first, err := a.opt.Store.MarkDelivery(ctx, redeliverPlatform, guid, now.Add(7*24*time.Hour))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !first {
			continue // asked for once already
		}
		if _, _, err := app.Apps.RedeliverHookDelivery(ctx, s.id); err != nil {
			var accepted *github.AcceptedError
			if !errors.As(err, &accepted) {
				errs = append(errs, fmt.Errorf("redeliver %s: %w", guid, err))
				a.metrics.redeliveries.WithLabelValues("failed").Inc()
				continue
			}
		}
		a.metrics.redeliveries.WithLabelValues("asked").Inc()
		a.log.Info("asked GitHub to redeliver a failed delivery", "delivery_id", guid, "hook_delivery", s.id)
		asked++
	}
	return asked, errors.Join(errs...)
}
