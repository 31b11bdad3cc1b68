package githubapp

import (
	"context"
	"fmt"
	"time"

	"github.com/slopguard/slopguard/store"
)

// Simulate fetches one pull request or issue and returns the Plan the App
// would carry out for it, writing nothing to GitHub or to the store.
// opt.Clients must answer Installation(ctx, 0) with a client for the
// repository; opt.Store is not used: the plan reads from reads, which may be
// nil (nothing remembered: no cached policy, no earlier comment).
func Simulate(ctx context.Context, opt Options, reads PlanReader, owner, repo string, number int) (Plan, error) {
	if reads == nil {
		reads = noReads{}
	}
	opt.Store = nil
	opt.Queue = emptyQueue{}
	opt.WebhookSecret = []byte("simulate")
	opt.Workers = 1
	app, err := newApp(opt, reads)
	if err != nil {
		return Plan{}, err
	}
	defer app.Shutdown(context.WithoutCancel(ctx))
	gh, err := opt.Clients.Installation(ctx, 0)
	if err != nil {
		return Plan{}, err
	}
	is, _, err := gh.Issues.Get(ctx, owner, repo, number)
	if err != nil {
		return Plan{}, fmt.Errorf("get %s/%s#%d: %w", owner, repo, number, err)
	}
	r, _, err := gh.Repositories.Get(ctx, owner, repo)
	if err != nil {
		return Plan{}, fmt.Errorf("get %s/%s: %w", owner, repo, err)
	}
	t := issueTarget(0, r, is)
	if is.IsPullRequest() {
		pr, _, err := gh.PullRequests.Get(ctx, owner, repo, number)
		if err != nil {
			return Plan{}, fmt.Errorf("get pull request %s/%s#%d: %w", owner, repo, number, err)
		}
		t = prTarget(0, r, pr)
	}
	return app.plan(ctx, gh, t)
}

// noReads is the PlanReader of a simulation without a store: nothing is
// remembered.
type noReads struct{}

func (noReads) Setting(context.Context, string, string) ([]byte, error) {
	return nil, store.ErrNotFound
}

func (noReads) ClaimMessage(context.Context, store.OwnedMessage) (string, bool, error) {
	return "", false, nil
}

// emptyQueue is the job queue of a simulation: nothing is ever queued.
type emptyQueue struct{}

func (emptyQueue) EnqueueJob(context.Context, store.Job, time.Time, time.Time) (bool, error) {
	return false, nil
}

func (emptyQueue) ClaimJobs(context.Context, string, int, time.Time, time.Duration) ([]store.Job, error) {
	return nil, nil
}

func (emptyQueue) CompleteJob(context.Context, store.Job, time.Time) error { return nil }

func (emptyQueue) RetryJob(context.Context, store.Job, time.Time, string, time.Time) error {
	return nil
}

func (emptyQueue) FailJob(context.Context, store.Job, string, time.Time) error { return nil }

func (emptyQueue) Job(context.Context, string, string) (store.Job, error) {
	return store.Job{}, store.ErrNotFound
}

func (emptyQueue) JobCounts(context.Context, string) (map[string]int, error) {
	return map[string]int{}, nil
}

func (emptyQueue) TakeLease(context.Context, string, string, time.Time, time.Duration) (bool, error) {
	return false, nil
}

func (emptyQueue) ReleaseLease(context.Context, string, string) error { return nil }
