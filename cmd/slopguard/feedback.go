package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/slopguard/slopguard/store"
)

const feedbackUsage = `Usage:
  slopguard feedback export [--db DSN] [--driver sqlite|postgres] [--platform P] [--scope S]
                            [--since 30d|RFC3339] [--out FILE]

Writes maintainers' and moderators' feedback ("this is not slop" / "this is slop") as
training JSONL, one record per line, oldest first, in the format of the labelled data:
  {"text": …, "label": "human"|"machine", "kind": …, "source": "feedback:<platform>:<scope>",
   "id": …, "split": "train", "note": …}
Feedback without text is skipped. Without --out the records go to stdout.
`

// runFeedback implements `slopguard feedback export`.
func runFeedback(ctx context.Context, e *env, args []string) error {
	return runSubcommand(ctx, e, args, feedbackUsage, subcommand{"export", feedbackExport})
}

func feedbackExport(ctx context.Context, e *env, args []string) error {
	fs, sf := newStoreFlagSet("feedback export", feedbackUsage, e)
	var f store.FeedbackFilter
	registerScope(fs, &f.Platform, &f.Scope)
	since := fs.String("since", "", "only feedback since a duration ago (36h, 30d) or an RFC 3339 time")
	out := fs.String("out", "", "write to this `file` instead of stdout (replaced only when the export succeeds)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	s, err := sf.openSince(ctx, e, *since, &f.Since)
	if err != nil {
		return err
	}
	defer s.Close()

	if *out == "" {
		written, skipped, err := store.ExportFeedback(ctx, s, e.stdout, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "exported %d feedback records (skipped %d without text)\n", written, skipped)
		return nil
	}
	written, skipped, err := exportToFile(ctx, s, *out, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %d feedback records to %s (skipped %d without text)\n", written, *out, skipped)
	return nil
}

// exportToFile writes the export to a temporary file beside path and renames
// it into place, so a failed export never leaves a truncated file.
func exportToFile(ctx context.Context, s store.Store, path string, f store.FeedbackFilter) (written, skipped int, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, 0, fmt.Errorf("export feedback: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	written, skipped, err = store.ExportFeedback(ctx, s, io.Writer(tmp), f)
	if err != nil {
		return written, skipped, err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return written, skipped, fmt.Errorf("export feedback: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return written, skipped, fmt.Errorf("export feedback: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return written, skipped, fmt.Errorf("export feedback: %w", err)
	}
	return written, skipped, nil
}
