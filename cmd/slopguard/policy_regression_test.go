package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The CI path (slopguard check) rejects a comment-only policy file with exit 2.
func TestPolicyFileCheckCommentOnlyPolicy(t *testing.T) {
	p := filepath.Join(t.TempDir(), "slopguard.yml")
	os.WriteFile(p, []byte("# slopguard: defaults for now\n"), 0o644)
	if _, _, err := loadCheckPolicy(checkOptions{config: p, configSet: true}); err != nil {
		t.Errorf("loadCheckPolicy on a comment-only policy: %v", err)
	}
}
