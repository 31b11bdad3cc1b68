package store

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// TrainingRecord is one line of the labelled JSONL slopguard trains on, the
// format of the shared data set: text, label, kind, source, id and split,
// plus the feedback's note.
type TrainingRecord struct {
	Text  string `json:"text"`
	Label string `json:"label"`
	Kind  string `json:"kind"`
	// Source is "feedback:<platform>:<scope>".
	Source string `json:"source"`
	ID     string `json:"id"`
	// Split is always "train": a project's corrections are for fitting.
	Split string `json:"split"`
	Note  string `json:"note,omitempty"`
}

// FeedbackRecord converts feedback into a training record. The kind is the
// feedback's Kind, which the Discord bot records; feedback without one
// (stored before kinds were recorded, or from a writer that does not set it
// yet) falls back to the item ID's prefix before "/" ("pr/12" → "pr"), else
// "message" for Discord and "comment" elsewhere.
func FeedbackRecord(f Feedback) TrainingRecord {
	return TrainingRecord{
		Text:   f.Text,
		Label:  f.Label,
		Kind:   feedbackKind(f),
		Source: "feedback:" + f.Platform + ":" + f.Scope,
		ID:     fmt.Sprintf("feedback:%s:%s:%s:%d", f.Platform, f.Scope, f.ItemID, f.ID),
		Split:  "train",
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

// ExportFeedback writes the feedback f selects as training JSONL, one record
// per line, oldest first. Feedback without text cannot train anything and is
// skipped; it returns how many records it wrote and skipped.
func ExportFeedback(ctx context.Context, s Store, w io.Writer, f FeedbackFilter) (written, skipped int, err error) {
	list, err := s.Feedback(ctx, f)
	if err != nil {
		return 0, 0, fmt.Errorf("export feedback: %w", err)
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
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

// ReadTrainingRecords reads training JSONL, skipping blank lines. Errors name
// the line.
func ReadTrainingRecords(r io.Reader) ([]TrainingRecord, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	var out []TrainingRecord
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var rec TrainingRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return out, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read training records: %w", err)
	}
	return out, nil
}
