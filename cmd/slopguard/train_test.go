package main

import (
	"strings"
	"testing"
)

func TestTrainUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no data", []string{"train"}, "--data is required"},
		{"one-label factor zero", []string{"train", "--data", "x", "--one-label-factor", "0"}, "--one-label-factor must be above 0"},
		{"weight cap zero", []string{"train", "--data", "x", "--max-weight", "0"}, "--max-weight must be above 0"},
		{"negative l2", []string{"train", "--data", "x", "--l2", "-1"}, "--l2 must not be negative"},
		{"unknown flag", []string{"train", "--data", "x", "--bogus"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, errOut := auditRun(t, nil, tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tt.want)
			}
		})
	}
}
