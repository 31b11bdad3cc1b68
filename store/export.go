package store

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/slopguard/slopguard/detector/dataset"
)

// FeedbackRecord converts feedback into a line of the labelled training
// data: its text, label, kind and note, source "feedback:<platform>:<scope>",
// an ID naming the platform, scope, item and feedback ID (also the record's
// group), and split "train", since a project's corrections are for fitting.
//
// The kind is the feedback's Kind, which the Discord bot records; feedback
// without one (stored before kinds were recorded, or from a writer that
// does not set it yet) falls back to the item ID's prefix before "/"
// ("pr/12" → "pr"), else "message" for Discord and "comment" elsewhere.
func FeedbackRecord(f Feedback) dataset.Record {
	id := fmt.Sprintf("feedback:%s:%s:%s:%d", f.Platform, f.Scope, f.ItemID, f.ID)
	return dataset.Record{
		Text:   f.Text,
		Label:  f.Label,
		Kind:   feedbackKind(f),
		Source: "feedback:" + f.Platform + ":" + f.Scope,
		ID:     id,
		Split:  "train",
		Group:  id,
		Note:   f.Note,
	}
}

func feedbackKind(f Feedback) string {
	if f.Kind != "" {
		return f.Kind
	}
	if prefix, _, ok := strings.Cut(f.ItemID, "/"); ok && prefix != "" {
		return prefix
	}
	if f.Platform == "discord" {
		return "message"
	}
	return "comment"
}

// ExportFeedback writes the feedback f selects as training JSONL (see
// dataset.Encoder), one record per line, oldest first. Feedback without
// text cannot train anything and is skipped; it returns how many records it
// wrote and skipped.
func ExportFeedback(ctx context.Context, s Store, w io.Writer, f FeedbackFilter) (written, skipped int, err error) {
	list, err := s.Feedback(ctx, f)
	if err != nil {
		return 0, 0, fmt.Errorf("export feedback: %w", err)
	}
	bw := bufio.NewWriter(w)
	enc := dataset.NewEncoder(bw)
	for _, fb := range list {
		if strings.TrimSpace(fb.Text) == "" {
			skipped++
			continue
		}
		if err := enc.Encode(FeedbackRecord(fb)); err != nil {
			return written, skipped, fmt.Errorf("export feedback %d: %w", fb.ID, err)
		}
		written++
	}
	if err := bw.Flush(); err != nil {
		return written, skipped, fmt.Errorf("export feedback: %w", err)
	}
	return written, skipped, nil
}
