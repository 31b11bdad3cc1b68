package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

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

func runConfig(ctx context.Context, e *env, args []string) error {
	if len(args) != 2 || args[0] != "validate" {
		return usageErrorf("usage: slopguard config validate FILE (a server config or a .github/slopguard.yml policy)")
	}
	path := args[1]
	data, err := os.ReadFile(path)
	if err != nil {
		return usageErrorf("read %s: %v", path, err)
	}
	kind := detectConfigKind(data)
	switch kind {
	case "server config":
		// Only the file is checked: secrets and overrides from the environment are not applied.
		_, err = config.Load(path, func(string) string { return "" })
	default:
		_, err = moderation.ParsePolicy(data)
	}
	if err != nil {
		return fmt.Errorf("%s (%s): %w", path, kind, err)
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
