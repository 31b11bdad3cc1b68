package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestVersionPrintsBinaryAndModel(t *testing.T) {
	var out, errOut bytes.Buffer
	e := testEnv(strings.NewReader(""), &out, &errOut, nil)
	if code := run(context.Background(), e, []string{"version"}); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	got := out.String()
	if !strings.HasPrefix(got, "slopguard ") || !strings.Contains(got, "\nmodel slopguard-default") {
		t.Errorf("got %q, want the binary version then the model line", got)
	}
	if code := run(context.Background(), e, []string{"version", "extra"}); code != 2 {
		t.Errorf("version with an argument: exit %d, want 2", code)
	}
}
