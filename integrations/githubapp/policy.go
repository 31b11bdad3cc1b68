package githubapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// cachedPolicy is a fetched policy file as kept in the store.
type cachedPolicy struct {
	// Source is where the file came from: "owner/repo:path", "owner/.github:path" or "server default".
	Source string `json:"source"`
	// YAML is the file's text; empty for the server default.
	YAML      string `json:"yaml,omitempty"`
	FetchedAt int64  `json:"fetched_at"` // Unix seconds; 0 means stale
}

func unix(sec int64) time.Time { return time.Unix(sec, 0) }

// policyError is an invalid policy file: reported to maintainers, nothing else done.
type policyError struct {
	source string
	err    error
}

func (e *policyError) Error() string { return fmt.Sprintf("policy %s: %v", e.source, e.err) }
func (e *policyError) Unwrap() error { return e.err }

// policyFor returns the repository's policy and where it came from: the
// repository's default branch, else the owner's .github repository, else the
// server default. Fetched files are cached in the store for PolicyTTL and
// invalidated by a push to the file.
func (a *App) policyFor(ctx context.Context, gh *github.Client, owner, repo string) (moderation.Policy, string, error) {
	scope := owner + "/" + repo
	var cached cachedPolicy
	raw, err := a.reads.Setting(ctx, scope, policySetting)
	switch {
	case err == nil:
		if jerr := json.Unmarshal(raw, &cached); jerr != nil {
			cached = cachedPolicy{}
		}
	case errors.Is(err, store.ErrNotFound):
	default:
		a.log.Warn("read cached policy", "repo", scope, "err", err)
	}
	fresh := cached.FetchedAt != 0 && a.now().Sub(unix(cached.FetchedAt)) < a.opt.PolicyTTL
	if !fresh {
		fetched, ferr := a.fetchPolicy(ctx, gh, owner, repo)
		switch {
		case ferr == nil:
			cached = fetched
			if a.readOnly {
				break // Simulate: nothing is cached
			}
			if b, err := json.Marshal(cached); err == nil {
				if err := a.opt.Store.PutSetting(ctx, scope, policySetting, b); err != nil {
					a.log.Warn("cache policy", "repo", scope, "err", err)
				}
			}
		case cached.Source != "":
			a.log.Warn("fetch policy failed; using the cached one", "repo", scope, "err", ferr)
		default:
			return moderation.Policy{}, "", fmt.Errorf("fetch policy: %w", ferr)
		}
	}
	return a.parseCached(cached)
}

func (a *App) parseCached(c cachedPolicy) (moderation.Policy, string, error) {
	if c.YAML == "" && (c.Source == "" || c.Source == "server default") {
		return a.opt.DefaultPolicy, "server default", nil
	}
	p, err := moderation.ParsePolicy([]byte(c.YAML))
	if err != nil {
		return moderation.Policy{}, c.Source, &policyError{source: c.Source, err: err}
	}
	return p, c.Source, nil
}

// fetchPolicy reads the policy file from the repository's default branch,
// then from the owner's .github repository.
func (a *App) fetchPolicy(ctx context.Context, gh *github.Client, owner, repo string) (cachedPolicy, error) {
	repos := []string{repo}
	if repo != ".github" {
		repos = append(repos, ".github")
	}
	for _, r := range repos {
		fc, _, resp, err := gh.Repositories.GetContents(ctx, owner, r, a.opt.PolicyPath, nil)
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			continue
		}
		if err != nil {
			return cachedPolicy{}, fmt.Errorf("get %s/%s %s: %w", owner, r, a.opt.PolicyPath, err)
		}
		source := owner + "/" + r + ":" + a.opt.PolicyPath
		if fc == nil {
			continue // a directory, not a policy file
		}
		text, err := fc.GetContent()
		if err != nil {
			return cachedPolicy{}, fmt.Errorf("decode %s: %w", source, err)
		}
		if text == "" {
			text = "# empty file\n"
		}
		return cachedPolicy{Source: source, YAML: text, FetchedAt: a.now().Unix()}, nil
	}
	return cachedPolicy{Source: "server default", FetchedAt: a.now().Unix()}, nil
}

// invalidatePolicy marks a repository's cached policy stale, so the next
// event fetches it again.
func (a *App) invalidatePolicy(ctx context.Context, scope string) error {
	b, _ := json.Marshal(cachedPolicy{})
	if err := a.opt.Store.PutSetting(ctx, scope, policySetting, b); err != nil {
		return fmt.Errorf("invalidate policy of %s: %w", scope, err)
	}
	return nil
}
