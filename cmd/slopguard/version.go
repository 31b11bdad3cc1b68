package main

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/detector/model"
)

// version is the release version, set at build time with
// -ldflags "-X main.version=v1.2.3"; otherwise the module version Go recorded.
var version = ""

func runVersion(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageErrorf("version takes no arguments, got %q", args[0])
	}
	v := version
	if v == "" {
		v = "(devel)"
		if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
			v = info.Main.Version
		}
	}
	fmt.Fprintf(e.stdout, "slopguard %s\n", v)
	d, err := detector.Default()
	if err != nil {
		return fmt.Errorf("embedded model: %w", err)
	}
	h := d.Header()
	kinds := ""
	for _, g := range model.KindGroups {
		if t := d.ThresholdFor(g); t != d.Threshold() {
			kinds += fmt.Sprintf(", %s %.4f", g, t)
		}
	}
	fmt.Fprintf(e.stdout, "model %s (machine threshold %.4f%s, %d features)\n", d.Version(), d.Threshold(), kinds, h.Dim)
	return nil
}
