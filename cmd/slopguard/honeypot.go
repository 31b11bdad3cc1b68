package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/slopguard/slopguard/moderation"
)

// honeypotTimeout bounds the contents API call of `config validate`.
const honeypotTimeout = 30 * time.Second

// checkHoneypot reads the honeypot's file from the default branch of repo
// ("owner/name") through GitHub's contents API and reports an error unless
// it holds the phrase. apiURL is the REST API root ("" for api.github.com);
// token, when set, authenticates (a private repository needs it).
func checkHoneypot(ctx context.Context, apiURL, token, repo string, hp moderation.Honeypot) error {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return fmt.Errorf("--repo %q is not owner/name", repo)
	}
	gh := github.NewClient(&http.Client{Timeout: honeypotTimeout})
	if token != "" {
		gh = gh.WithAuthToken(token)
	}
	if apiURL != "" {
		var err error
		if gh, err = gh.WithEnterpriseURLs(apiURL, apiURL); err != nil {
			return fmt.Errorf("api url %q: %w", apiURL, err)
		}
	}
	path := strings.TrimPrefix(hp.File, "/")
	// No ref: the contents API reads the default branch.
	fc, _, resp, err := gh.Repositories.GetContents(ctx, owner, name, path, nil)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("honeypot.file: %s is not on the default branch of %s", hp.File, repo)
	}
	if err != nil {
		return fmt.Errorf("honeypot: read %s from %s: %w", hp.File, repo, err)
	}
	if fc == nil {
		return fmt.Errorf("honeypot.file: %s in %s is a directory, not a file", hp.File, repo)
	}
	text, err := fc.GetContent()
	if err != nil {
		return fmt.Errorf("honeypot: decode %s from %s: %w", hp.File, repo, err)
	}
	if !hp.Found(text) {
		return errors.New("honeypot.phrase: " + fmt.Sprintf("%q is not in %s on the default branch of %s (agents that read the file cannot follow an instruction that is not there)", hp.Phrase, hp.File, repo))
	}
	return nil
}
