// Package githubapp is slopguard's GitHub App: an http.Handler for GitHub's
// webhooks that scores new and edited pull requests, issues and comments and
// reports what it found where maintainers look.
//
// The flow of one delivery:
//
//	POST /webhook → verify X-Hub-Signature-256 (before parsing) → dedupe on
//	X-GitHub-Delivery → parse → job in the store, 202 → worker: event →
//	target (moderation.Item) → policy (.github/slopguard.yml) → screen →
//	Checker → Verdict → outcome → Plan (actions the mode allows) → execute.
//
// The decision is moderation's, shared with the Discord bot and the CI
// check: moderation.Policy.Screen says whether an item is checked at all
// (mode off, surface off, exemptions), moderation.Policy.Outcome which rule
// flags it and whether enforce mode acts, moderation.Mode.Tells whether
// anything is written to GitHub (observe mode writes nothing), and
// moderation.FlaggedScore whether a stored decision counted as flagged (an
// appeal, the enforce sweep). What the App adds: a maintainer's stored
// decision (override) beats the exemptions and the score; an author's
// teams are asked of GitHub only when the policy names exempt teams; and
// require_disclosure does not fire when the commits could not be read.
// Item IDs are built and read with moderation.ItemID and ParseItemID, and
// every decision and piece of feedback records the item's Kind.
//
// A Plan is data: what slopguard would do for one item. `slopguard simulate`
// prints it (Simulate reads through a PlanReader, the few store reads plan
// makes, and writes nothing); the worker executes it. Every failure is logged with
// delivery_id, repo and number.
//
// Files by role:
//
//   - webhook.go, queue.go, events.go: receiving deliveries, the durable job
//     queue, and the one table of handled events (events.go): each event is
//     declared once with its go-github payload type and its handler, which
//     lives in a file named for the event (pull_request.go, issues.go,
//     issue_comment.go, pull_request_review.go,
//     pull_request_review_comment.go, check_run.go, push.go,
//     installation.go).
//   - items.go: go-github types into targets; the only place that does.
//   - moderate.go: plan and execute for one item; the action names.
//     policy.go, provenance.go and author_context.go feed the plan.
//   - render.go: the text people read (check runs, the App's comment, which
//     always starts with stickyHeader); it calls neither GitHub nor the store.
//   - writes.go: the writes to GitHub (check runs, labels, the comment,
//     GraphQL minimize); a retried job finds what an earlier try created
//     rather than writing it twice.
//   - commands.go: `/slopguard` commands (parse, find the item, who may run
//     what, appeals); judge.go: a maintainer's judgement (not-slop, confirm).
//   - state.go: every store setting key, message-claim kind, platform name
//     and lease the package uses, and the override reader.
//   - sweep.go, redeliver.go: the periodic sweeps (enforce close, missed
//     deliveries), each run by one replica under a lease.
//   - clients.go, retry.go, metrics.go, pages.go, simulate.go: API clients
//     and their retries, /metrics, links to the web pages, and the
//     read-only plan for `slopguard simulate`.
//
// Pull requests and issues still flagged in enforce mode after the policy's
// close_after_hours are closed by a periodic sweep over stored decisions
// (App.RunSweeper), not on the next event, so quiet items are closed too.
package githubapp
