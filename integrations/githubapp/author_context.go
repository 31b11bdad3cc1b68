package githubapp

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/moderation"
)

// Author lookups cost two API calls (the user, a search for their recent
// pull requests). They are cached per login and bounded per installation,
// so a burst of new authors cannot spend an installation's rate limit: the
// search API allows 30 requests a minute.
const (
	// authorLookupsPerHour bounds the lookups per installation per hour.
	authorLookupsPerHour = 30
	// authorCacheTTL is how long a looked-up author is reused.
	authorCacheTTL = time.Hour
	// authorCacheSize bounds the cached authors.
	authorCacheSize = 10000
)

// authorLookups caches author contexts and counts lookups per installation.
// Its zero value is ready to use.
type authorLookups struct {
	mu     sync.Mutex
	cache  map[string]cachedAuthor // lower-case login
	window map[int64]*lookupWindow // installation → this hour's lookups
	// limit overrides authorLookupsPerHour when set (tests).
	limit int
}

type cachedAuthor struct {
	ctx moderation.AuthorContext
	at  time.Time
}

type lookupWindow struct {
	start time.Time
	used  int
}

// cached returns a fresh cached context for login.
func (l *authorLookups) cached(login string, now time.Time) (moderation.AuthorContext, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.cache[strings.ToLower(login)]
	if !ok || now.Sub(c.at) >= authorCacheTTL {
		return moderation.AuthorContext{}, false
	}
	return c.ctx, true
}

// take spends one lookup of the installation's hourly budget, if any is left.
func (l *authorLookups) take(installation int64, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	limit := l.limit
	if limit <= 0 {
		limit = authorLookupsPerHour
	}
	if l.window == nil {
		l.window = map[int64]*lookupWindow{}
	}
	w := l.window[installation]
	if w == nil || now.Sub(w.start) >= time.Hour {
		w = &lookupWindow{start: now}
		l.window[installation] = w
	}
	if w.used >= limit {
		return false
	}
	w.used++
	return true
}

func (l *authorLookups) store(login string, c moderation.AuthorContext, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cache == nil {
		l.cache = map[string]cachedAuthor{}
	}
	if len(l.cache) >= authorCacheSize {
		for k, v := range l.cache {
			if now.Sub(v.at) >= authorCacheTTL {
				delete(l.cache, k)
			}
		}
		for k := range l.cache { // still full: drop any one
			if len(l.cache) < authorCacheSize {
				break
			}
			delete(l.cache, k)
		}
	}
	l.cache[strings.ToLower(login)] = cachedAuthor{ctx: c, at: now}
}

// authorContext returns what is known about t's author: the first
// contribution from the webhook, and, within the installation's budget,
// the account's age and the pull requests it opened across GitHub in the
// last day. A failed or refused lookup leaves LookedUp false.
func (a *App) authorContext(ctx context.Context, log *slog.Logger, gh *github.Client, t target) moderation.AuthorContext {
	login := t.item.Author
	first := moderation.IsFirstContribution(t.item.AuthorAssociation)
	unknown := moderation.AuthorContext{FirstContribution: first, PRsLastDay: -1}
	if login == "" {
		return unknown
	}
	now := a.now()
	if c, ok := a.authors.cached(login, now); ok {
		c.FirstContribution = first // per repository, from this event
		return c
	}
	if !a.authors.take(t.installation, now) {
		log.Info("author lookup budget spent for this hour", "author", login)
		return unknown
	}
	u, _, err := gh.Users.Get(ctx, login)
	if err != nil {
		log.Warn("look up author", "author", login, "err", err)
		return unknown
	}
	q := fmt.Sprintf("author:%s type:pr created:>=%s", login, now.Add(-24*time.Hour).UTC().Format("2006-01-02T15:04:05Z"))
	res, _, err := gh.Search.Issues(ctx, q, &github.SearchOptions{ListOptions: github.ListOptions{PerPage: 1}})
	if err != nil {
		log.Warn("count author's recent pull requests", "author", login, "err", err)
		return unknown
	}
	c := moderation.AuthorContext{FirstContribution: first, AccountCreated: u.GetCreatedAt().Time, PRsLastDay: res.GetTotal(), LookedUp: true}
	a.authors.store(login, c, now)
	return c
}

// writeAuthorContext adds the author context to a flag's text, as context
// that played no part in the flag.
func writeAuthorContext(b *strings.Builder, p Plan) {
	if len(p.AuthorNotes) > 0 && p.Flagged {
		fmt.Fprintf(b, "- Author context (not a reason for the flag): %s\n", strings.Join(p.AuthorNotes, "; "))
	}
}
