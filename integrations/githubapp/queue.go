package githubapp

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// job is one accepted delivery waiting for a worker.
type job struct {
	event    string
	delivery string
	payload  any
	received time.Time
}

// acquire takes a queue slot without blocking; false means the queue is full.
func (a *App) acquire() bool {
	select {
	case a.slots <- struct{}{}:
		a.metrics.queueDepth.Inc()
		return true
	default:
		return false
	}
}

// release gives a slot back.
func (a *App) release() {
	<-a.slots
	a.metrics.queueDepth.Dec()
}

// enqueue hands a job to the workers; the caller holds a slot, so the send
// never blocks. It returns false (and releases the slot) after Shutdown.
func (a *App) enqueue(j job) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		a.release()
		return false
	}
	a.jobs <- j
	return true
}

// work runs jobs until the queue is closed and drained.
func (a *App) work() {
	defer a.wg.Done()
	for j := range a.jobs {
		a.release()
		a.runJob(j)
	}
}

// runJob processes one delivery, recovering a panic so one bad event never
// stops the others.
func (a *App) runJob(j job) {
	log := a.log.With("delivery_id", j.delivery, "event", j.event)
	ctx, cancel := context.WithTimeout(a.baseCtx, a.opt.JobTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			a.metrics.jobs.WithLabelValues(j.event, "panic").Inc()
			log.Error("webhook handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			a.forgetDelivery(j.delivery)
		}
	}()
	if err := a.dispatch(ctx, log, j); err != nil {
		a.metrics.jobs.WithLabelValues(j.event, "error").Inc()
		log.Error("webhook handler failed; the delivery can be redelivered", "err", err)
		a.forgetDelivery(j.delivery)
		return
	}
	a.metrics.jobs.WithLabelValues(j.event, "ok").Inc()
}

// forgetDelivery removes the mark of a delivery that was not processed, so
// that GitHub's "Redeliver" (which reuses the delivery ID) is not dropped
// as a duplicate. It runs on its own short deadline: the job's may be spent.
func (a *App) forgetDelivery(delivery string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.opt.Store.ForgetDelivery(ctx, "github", delivery); err != nil {
		a.log.Error("forget delivery", "delivery_id", delivery, "err", err)
	}
}

// dispatch calls the handler for the job's event; each lives in its own file.
func (a *App) dispatch(ctx context.Context, log *slog.Logger, j job) error {
	switch j.event {
	case "pull_request":
		return a.onPullRequest(ctx, log, j.payload)
	case "issues":
		return a.onIssues(ctx, log, j.payload)
	case "issue_comment":
		return a.onIssueComment(ctx, log, j.payload)
	case "pull_request_review":
		return a.onReview(ctx, log, j.payload)
	case "pull_request_review_comment":
		return a.onReviewComment(ctx, log, j.payload)
	case "check_run":
		return a.onCheckRun(ctx, log, j.payload)
	case "installation", "installation_repositories":
		return a.onInstallation(ctx, log, j.payload)
	case "push":
		return a.onPush(ctx, log, j.payload)
	}
	return nil
}
