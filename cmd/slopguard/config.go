package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"gopkg.in/yaml.v3"

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
// App's secrets are set. An invalid file exits 2, its problems on one line.
func runConfig(ctx context.Context, e *env, args []string) error {
	if slices.Contains(args, "-h") || slices.Contains(args, "--help") || slices.Contains(args, "-help") {
		fmt.Fprintln(e.stdout, "usage: slopguard config validate FILE (a server config or a .github/slopguard.yml policy)")
		return nil
	}
	if len(args) != 2 || args[0] != "validate" {
		return usageErrorf("usage: slopguard config validate FILE (a server config or a .github/slopguard.yml policy)")
	}
	path := args[1]
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // its message repeats the path
		}
		return usageErrorf("read %q: %v", path, err)
	}
	kind := detectConfigKind(data)
	switch kind {
	case "server config":
		_, err = config.Load(path, e.getenv)
	default:
		_, err = moderation.ParsePolicy(data)
	}
	if err != nil {
		return usageErrorf("%q (%s): %s", path, kind, oneLineErr(err))
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
