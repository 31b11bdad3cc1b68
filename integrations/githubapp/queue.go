package githubapp

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/store"
)

// Accepted deliveries are jobs in the store (store.Queue), not in memory:
// ServeHTTP records the job before answering 2xx, and workers in any
// replica claim jobs under a lease, run them, and mark them done only
// afterwards. A job whose claimer died is claimed again when its lease
// expires; jobs about one item (a pull request or issue with its comments)
// run one at a time, in every replica.

// job is one claimed delivery being processed.
type job struct {
	event    string
	delivery string
	payload  any
	received time.Time
	stored   store.Job
}

// itemKey names the thread a delivery is about: "owner/repo#number" for a
// pull request or issue and everything said in it, so that two events
// about one thread never run at once. Events about no thread return "".
func itemKey(payload any) string {
	var repo *github.Repository
	number := 0
	switch ev := payload.(type) {
	case *github.PullRequestEvent:
		repo, number = ev.GetRepo(), ev.GetPullRequest().GetNumber()
	case *github.IssuesEvent:
		repo, number = ev.GetRepo(), ev.GetIssue().GetNumber()
	case *github.IssueCommentEvent:
		repo, number = ev.GetRepo(), ev.GetIssue().GetNumber()
	case *github.PullRequestReviewEvent:
		repo, number = ev.GetRepo(), ev.GetPullRequest().GetNumber()
	case *github.PullRequestReviewCommentEvent:
		repo, number = ev.GetRepo(), ev.GetPullRequest().GetNumber()
	case *github.CheckRunEvent:
		repo = ev.GetRepo()
		number, _ = checkRunPullRequest(ev.GetCheckRun())
	}
	if repo.GetFullName() == "" || number == 0 {
		return ""
	}
	return fmt.Sprintf("%s#%d", strings.ToLower(repo.GetFullName()), number)
}

// wakeWorkers tells idle workers there is a new job, without blocking.
func (a *App) wakeWorkers() {
	for range a.opt.Workers {
		select {
		case a.wake <- struct{}{}:
		default:
			return
		}
	}
}

// work claims and runs jobs one at a time. It waits for a wake-up or the
// poll interval when there is nothing to claim, and returns when the App is
// shutting down and nothing is left to claim, or at once when it is killed.
func (a *App) work() {
	defer a.wg.Done()
	for {
		if a.baseCtx.Err() != nil {
			return
		}
		// Only a claim that began after Shutdown and found nothing means
		// nothing is left: one begun before may have missed a new job.
		draining := false
		select {
		case <-a.stopping:
			draining = true
		default:
		}
		j, ok := a.claim()
		if ok {
			a.runJob(j)
			continue
		}
		if draining {
			return
		}
		timer := time.NewTimer(a.opt.PollInterval)
		select {
		case <-a.wake:
		case <-timer.C:
		case <-a.stopping:
		case <-a.baseCtx.Done():
		}
		timer.Stop()
	}
}

// claim leases one runnable job from the store.
func (a *App) claim() (job, bool) {
	ctx, cancel := context.WithTimeout(a.baseCtx, 10*time.Second)
	defer cancel()
	jobs, err := a.queue.ClaimJobs(ctx, jobPlatform, 1, a.now(), a.lease())
	if err != nil {
		if a.baseCtx.Err() == nil {
			a.log.Error("claim job", "err", err)
		}
		return job{}, false
	}
	if len(jobs) == 0 {
		return job{}, false
	}
	sj := jobs[0]
	j := job{event: sj.Kind, delivery: sj.DeliveryID, received: sj.CreatedAt, stored: sj}
	payload, err := parsePayload(sj.Kind, sj.Payload)
	if err != nil { // it parsed when it was accepted: only a newer schema could do this
		a.log.Error("stored job does not parse", "delivery_id", sj.DeliveryID, "event", sj.Kind, "err", err)
		a.finish(j, "failed", fmt.Errorf("parse stored payload: %w", err))
		return job{}, false
	}
	j.payload = payload
	return j, true
}

// lease is how long a claimed job is held: longer than it may run.
func (a *App) lease() time.Duration { return a.opt.JobTimeout + 30*time.Second }

// runJob processes one delivery, recovering a panic so one bad event never
// stops the others, and records the outcome in the store.
func (a *App) runJob(j job) {
	log := a.log.With("delivery_id", j.delivery, "event", j.event, "attempt", j.stored.Attempts)
	a.metrics.queueDepth.Inc()
	defer a.metrics.queueDepth.Dec()
	ctx, cancel := context.WithTimeout(a.baseCtx, a.opt.JobTimeout)
	defer cancel()
	ctx = withAttempt(ctx, j.stored.Attempts)
	defer func() {
		if p := recover(); p != nil {
			log.Error("webhook handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			a.finish(j, "panic", fmt.Errorf("panic: %v", p))
		}
	}()
	err := a.dispatch(ctx, log, j)
	if a.killed.Load() {
		return // a dead process writes nothing: its lease expires
	}
	var failed *actionsFailedError
	if errors.As(err, &failed) && !failed.transient {
		// GitHub refused a write (a missing permission): trying again will
		// not help. The check run, the audit log and /metrics show it.
		log.Warn("webhook job done, but GitHub refused some writes", "err", err)
		a.finish(j, "action_failed", nil)
		return
	}
	if err != nil {
		log.Error("webhook handler failed", "err", err)
		a.finish(j, "error", err)
		return
	}
	a.finish(j, "ok", nil)
}

// finish records a job's outcome: done; or, after an error, queued again
// with backoff until MaxAttempts, then failed. A panic is not retried.
func (a *App) finish(j job, result string, jobErr error) {
	if a.killed.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	now := a.now()
	var err error
	switch {
	case jobErr == nil:
		err = a.queue.CompleteJob(ctx, j.stored, now)
		if result == "error" {
			result = "ok"
		}
	case a.baseCtx.Err() != nil:
		// Shutdown cut it short: hand it back now, for this or another replica.
		result = "interrupted"
		err = a.queue.RetryJob(ctx, j.stored, now, jobErr.Error(), now)
	case result == "error" && j.stored.Attempts < a.opt.MaxAttempts:
		result = "retry"
		err = a.queue.RetryJob(ctx, j.stored, now.Add(a.backoff(j.stored.Attempts, jobErr)), jobErr.Error(), now)
	default:
		result = "failed"
		err = a.queue.FailJob(ctx, j.stored, jobErr.Error(), now)
		a.log.Error("webhook job failed for good; redeliver it to try again", "delivery_id", j.delivery, "event", j.event,
			"attempts", j.stored.Attempts, "err", jobErr)
	}
	a.metrics.jobs.WithLabelValues(eventLabel(j.event), result).Inc()
	if err != nil {
		a.log.Error("record job outcome", "delivery_id", j.delivery, "result", result, "err", err)
	}
}

// backoff is the wait before attempt+1: at least what a rate limit asked,
// otherwise RetryDelay doubling per attempt, at most an hour.
func (a *App) backoff(attempt int, err error) time.Duration {
	d := a.opt.RetryDelay << min(attempt-1, 10)
	var rl *rateLimitedError
	var primary *github.RateLimitError
	var secondary *github.AbuseRateLimitError
	switch {
	case errors.As(err, &rl):
		d = max(d, rl.wait)
	case errors.As(err, &primary):
		d = max(d, time.Until(primary.Rate.Reset.Time))
	case errors.As(err, &secondary) && secondary.RetryAfter != nil:
		d = max(d, *secondary.RetryAfter)
	}
	return min(d, time.Hour)
}

// attemptKey carries a job's attempt number in its context.
type attemptKey struct{}

func withAttempt(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, attemptKey{}, n)
}

// retrying reports whether ctx belongs to a job's second or later attempt:
// an earlier one may have created something before failing.
func retrying(ctx context.Context) bool {
	n, _ := ctx.Value(attemptKey{}).(int)
	return n > 1
}
