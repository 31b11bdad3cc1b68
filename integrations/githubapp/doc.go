// Package githubapp is slopguard's GitHub App: an http.Handler for GitHub's
// webhooks that scores new and edited pull requests, issues and comments and
// reports what it found where maintainers look.
//
// The flow of one delivery:
//
//	POST /webhook → verify X-Hub-Signature-256 (before parsing) → dedupe on
//	X-GitHub-Delivery → parse → 202 and enqueue on a bounded queue (503 when full)
//	→ worker: event → moderation.Item → policy (.github/slopguard.yml) → exempt?
//	→ Checker → Verdict → plan (actions the mode allows) → report, best effort.
//
// A Plan is data: what slopguard would do for one item. `slopguard simulate`
// prints it; the worker executes it. In observe mode the plan has no GitHub
// writes at all. Every failure is logged with delivery_id, repo and number.
//
// Pull requests and issues still flagged in enforce mode after the policy's
// close_after_hours are closed by a periodic sweep over stored decisions
// (App.RunSweeper), not on the next event, so quiet items are closed too.
package githubapp
