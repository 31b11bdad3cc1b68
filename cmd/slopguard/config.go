package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/moderation"
)

// serverConfigKeys are the top-level keys that mark a file as a server config
// rather than a repository policy.
var serverConfigKeys = map[string]bool{
	"listen": true, "log_level": true, "log_format": true,
	"store": true, "detector": true, "github": true, "discord": true,
}

// runConfig implements `slopguard config validate FILE`. A server config is
// validated as `serve` would load it: with the secrets and overrides of the
// current environment, so a config with github.app_id passes only where the
// App's secrets are set. An invalid file exits 2, its problems on one line;
// a valid one's warnings (such as deprecated keys) go to stderr.
func runConfig(ctx context.Context, e *env, args []string) error {
	const usage = "usage: slopguard config validate FILE [--repo OWNER/NAME] [--api-url URL] (a server config or a .github/slopguard.yml policy)"
	if slices.Contains(args, "-h") || slices.Contains(args, "--help") || slices.Contains(args, "-help") {
		fmt.Fprintln(e.stdout, usage)
		fmt.Fprintln(e.stdout, "A policy with a honeypot is checked against the repository (--repo, or GITHUB_REPOSITORY): the")
		fmt.Fprintln(e.stdout, "phrase must be in honeypot.file on its default branch, read through the contents API")
		fmt.Fprintln(e.stdout, "(--api-url, or GITHUB_API_URL; token from GITHUB_TOKEN when set).")
		return nil
	}
	if len(args) < 2 || args[0] != "validate" {
		return usageErrorf("%s", usage)
	}
	flags := newFlagSet(e, "config validate")
	repo := flags.String("repo", e.getenv("GITHUB_REPOSITORY"), "repository `owner/name` whose default branch must hold the honeypot phrase")
	apiURL := flags.String("api-url", e.getenv("GITHUB_API_URL"), "GitHub REST API `url` (default https://api.github.com)")
	files, err := parseFlags(flags, args[1:])
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageErrorf("%s", usage)
	}
	path := files[0]
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // its message repeats the path
		}
		return usageErrorf("read %q: %v", path, err)
	}
	kind := detectConfigKind(data)
	var pol moderation.Policy
	var warnings []string
	switch kind {
	case "server config":
		var cfg config.Config
		if cfg, err = config.Load(path, e.getenv); err == nil {
			warnings = cfg.Warnings()
		}
	default:
		pol, err = moderation.ParsePolicy(data)
	}
	if err != nil {
		return usageErrorf("%q (%s): %s", path, kind, oneLineErr(err))
	}
	// A warning does not make the file invalid, as serve still loads it.
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "%s: warning: %s\n", path, w)
	}
	if hp := pol.Honeypot; hp.Phrase != "" {
		if *repo == "" {
			fmt.Fprintf(e.stdout, "%s: honeypot not checked against a repository (give --repo OWNER/NAME)\n", path)
		} else if err := checkHoneypot(ctx, *apiURL, e.getenv("GITHUB_TOKEN"), *repo, hp); err != nil {
			return usageErrorf("%q (%s): %s", path, kind, oneLineErr(err))
		} else {
			fmt.Fprintf(e.stdout, "%s: honeypot phrase found in %s on the default branch of %s\n", path, hp.File, *repo)
		}
	}
	fmt.Fprintf(e.stdout, "%s: valid %s\n", path, kind)
	return nil
}

// detectConfigKind tells a server config from a repository policy by its top-level keys.
func detectConfigKind(data []byte) string {
	var top map[string]yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&top); err == nil {
		for k := range top {
			if serverConfigKeys[k] {
				return "server config"
			}
		}
	}
	return "repository policy"
}
