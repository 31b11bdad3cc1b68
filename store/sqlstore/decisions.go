package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slopguard/slopguard/store"
)

// MarkDelivery records a delivery ID; the one caller that inserts it (or
// finds only an expired record) gets true. It is one INSERT … ON CONFLICT
// statement, so concurrent callers in any number of processes see exactly
// one winner.
func (s *Store) MarkDelivery(ctx context.Context, platform, deliveryID string, expires time.Time) (bool, error) {
	if deliveryID == "" {
		return false, errors.New("mark delivery: empty delivery id")
	}
	t := now()
	var got string
	err := s.db.QueryRowContext(ctx, s.d.q(`
		INSERT INTO deliveries (platform, delivery_id, seen_at, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (platform, delivery_id) DO UPDATE
			SET seen_at = excluded.seen_at, expires_at = excluded.expires_at
			WHERE deliveries.expires_at <= ?
		RETURNING delivery_id`),
		platform, deliveryID, s.d.t(t), s.d.t(expires), s.d.t(t)).Scan(&got)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("mark delivery %s/%s: %w", platform, deliveryID, err)
	}
	return true, nil
}

// ForgetDelivery deletes a delivery's mark; an unknown ID is not an error.
func (s *Store) ForgetDelivery(ctx context.Context, platform, deliveryID string) error {
	if _, err := s.db.ExecContext(ctx, s.d.q(`DELETE FROM deliveries WHERE platform = ? AND delivery_id = ?`), platform, deliveryID); err != nil {
		return fmt.Errorf("forget delivery %s/%s: %w", platform, deliveryID, err)
	}
	return nil
}

// validVerdict reports whether v is a verdict the schema accepts.
func validVerdict(v string) bool { return v == "human" || v == "unsure" || v == "machine" }

// RecordDecision stores a decision and returns its ID. A zero CreatedAt
// means now.
func (s *Store) RecordDecision(ctx context.Context, d store.Decision) (int64, error) {
	if d.Platform == "" || d.Scope == "" || d.ItemID == "" {
		return 0, fmt.Errorf("record decision: platform, scope and item id are required (got %q, %q, %q)", d.Platform, d.Scope, d.ItemID)
	}
	if !validVerdict(d.Verdict) {
		return 0, fmt.Errorf("record decision: verdict %q is not human, unsure or machine", d.Verdict)
	}
	reasons, err := jsonList(d.Reasons)
	if err != nil {
		return 0, fmt.Errorf("record decision: reasons: %w", err)
	}
	actions, err := jsonList(d.Actions)
	if err != nil {
		return 0, fmt.Errorf("record decision: actions: %w", err)
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now()
	}
	var id int64
	err = s.db.QueryRowContext(ctx, s.d.q(`
		INSERT INTO decisions (platform, scope, item_id, kind, title, item_url, channel_id, author, score, verdict, cannot_judge, reasons, model, actions, text, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`),
		d.Platform, d.Scope, d.ItemID, d.Kind, d.Title, d.ItemURL, d.ChannelID, d.Author, d.Score, d.Verdict, boolInt(d.CannotJudge), reasons, d.Model, actions, d.Text, s.d.t(d.CreatedAt),
	).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record decision %s %s %s: %w", d.Platform, d.Scope, d.ItemID, err)
	}
	return id, nil
}

const decisionColumns = `id, platform, scope, item_id, kind, title, item_url, channel_id, author, score, verdict, cannot_judge, reasons, model, actions, text, created_at`

// boolInt is a flag column's value.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Decision returns one decision by ID, or store.ErrNotFound.
func (s *Store) Decision(ctx context.Context, id int64) (store.Decision, error) {
	d, err := scanDecision(s.db.QueryRowContext(ctx, s.d.q(`SELECT `+decisionColumns+` FROM decisions WHERE id = ?`), id))
	if err != nil {
		return store.Decision{}, fmt.Errorf("decision %d: %w", id, notFound(err))
	}
	return d, nil
}

// LatestDecision returns the newest decision for an item, or store.ErrNotFound.
func (s *Store) LatestDecision(ctx context.Context, platform, scope, itemID string) (store.Decision, error) {
	d, err := scanDecision(s.db.QueryRowContext(ctx, s.d.q(`SELECT `+decisionColumns+` FROM decisions
		WHERE platform = ? AND scope = ? AND item_id = ?
		ORDER BY created_at DESC, id DESC LIMIT 1`), platform, scope, itemID))
	if err != nil {
		return store.Decision{}, fmt.Errorf("latest decision %s %s %s: %w", platform, scope, itemID, notFound(err))
	}
	return d, nil
}

// Decisions lists decisions newest first. Since is inclusive, Until exclusive.
func (s *Store) Decisions(ctx context.Context, f store.DecisionFilter) ([]store.Decision, error) {
	var w where
	w.item(f.Platform, f.Scope, f.ItemID)
	w.eq("verdict", f.Verdict)
	w.eq("kind", f.Kind)
	w.eq("author", f.Author)
	if !f.Since.IsZero() {
		w.add("created_at >= ?", s.d.t(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("created_at < ?", s.d.t(f.Until))
	}
	query := `SELECT ` + decisionColumns + ` FROM decisions` + w.clause()
	args := w.args
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, limit)

	rows, err := s.db.QueryContext(ctx, s.d.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list decisions: %w", err)
	}
	defer rows.Close()
	var out []store.Decision
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, fmt.Errorf("list decisions: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list decisions: %w", err)
	}
	return out, nil
}

// UpdateDecision replaces a decision's actions and, when text is not empty,
// its text; an unknown ID is store.ErrNotFound.
func (s *Store) UpdateDecision(ctx context.Context, id int64, actions []string, text string) error {
	list, err := jsonList(actions)
	if err != nil {
		return fmt.Errorf("update decision %d: actions: %w", id, err)
	}
	query, args := `UPDATE decisions SET actions = ? WHERE id = ?`, []any{list, id}
	if text != "" {
		query, args = `UPDATE decisions SET actions = ?, text = ? WHERE id = ?`, []any{list, text, id}
	}
	res, err := s.db.ExecContext(ctx, s.d.q(query), args...)
	if err != nil {
		return fmt.Errorf("update decision %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update decision %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("update decision %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanDecision(row scanner) (store.Decision, error) {
	var (
		d                store.Decision
		reasons, actions string
		created          dbTime
		cannotJudge      int
	)
	err := row.Scan(&d.ID, &d.Platform, &d.Scope, &d.ItemID, &d.Kind, &d.Title, &d.ItemURL, &d.ChannelID, &d.Author, &d.Score, &d.Verdict, &cannotJudge,
		&reasons, &d.Model, &actions, &d.Text, &created)
	if err != nil {
		return store.Decision{}, err
	}
	if err := json.Unmarshal([]byte(reasons), &d.Reasons); err != nil {
		return store.Decision{}, fmt.Errorf("decision %d: reasons: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(actions), &d.Actions); err != nil {
		return store.Decision{}, fmt.Errorf("decision %d: actions: %w", d.ID, err)
	}
	d.CreatedAt = created.Time
	d.CannotJudge = cannotJudge != 0
	return d, nil
}

// jsonList encodes a list as a JSON array, nil as [].
func jsonList(v []string) (string, error) {
	if v == nil {
		v = []string{}
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// AddFeedback stores feedback and returns its ID. DecisionID 0 means none;
// a zero CreatedAt means now.
func (s *Store) AddFeedback(ctx context.Context, f store.Feedback) (int64, error) {
	if f.Label != "human" && f.Label != "machine" {
		return 0, fmt.Errorf("add feedback: label %q is not human or machine", f.Label)
	}
	var decision sql.NullInt64
	if f.DecisionID != 0 {
		decision = sql.NullInt64{Int64: f.DecisionID, Valid: true}
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = now()
	}
	var id int64
	err := s.db.QueryRowContext(ctx, s.d.q(`
		INSERT INTO feedback (decision_id, platform, scope, item_id, kind, by_user, label, note, text, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`),
		decision, f.Platform, f.Scope, f.ItemID, f.Kind, f.By, f.Label, f.Note, f.Text, s.d.t(f.CreatedAt),
	).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add feedback on %s %s %s: %w", f.Platform, f.Scope, f.ItemID, err)
	}
	return id, nil
}

// Feedback lists feedback oldest first.
func (s *Store) Feedback(ctx context.Context, f store.FeedbackFilter) ([]store.Feedback, error) {
	var w where
	w.item(f.Platform, f.Scope, f.ItemID)
	if !f.Since.IsZero() {
		w.add("created_at >= ?", s.d.t(f.Since))
	}
	query := `SELECT id, decision_id, platform, scope, item_id, kind, by_user, label, note, text, created_at FROM feedback` + w.clause()
	args := w.args
	query += ` ORDER BY created_at, id`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.d.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	defer rows.Close()
	var out []store.Feedback
	for rows.Next() {
		var (
			fb       store.Feedback
			decision sql.NullInt64
			created  dbTime
		)
		if err := rows.Scan(&fb.ID, &decision, &fb.Platform, &fb.Scope, &fb.ItemID, &fb.Kind, &fb.By, &fb.Label, &fb.Note, &fb.Text, &created); err != nil {
			return nil, fmt.Errorf("list feedback: %w", err)
		}
		fb.DecisionID = decision.Int64
		fb.CreatedAt = created.Time
		out = append(out, fb)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	return out, nil
}

// where collects the conditions of a list query and their arguments.
type where struct {
	conds []string
	args  []any
}

// add adds the condition cond, whose placeholder takes arg.
func (w *where) add(cond string, arg any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, arg)
}

// eq adds "column = ?" when v is set; an empty v matches everything.
func (w *where) eq(column, v string) {
	if v != "" {
		w.add(column+" = ?", v)
	}
}

// item adds the conditions naming a platform, a scope and an item, as
// decision and feedback filters do; an empty one matches everything.
func (w *where) item(platform, scope, itemID string) {
	w.eq("platform", platform)
	w.eq("scope", scope)
	w.eq("item_id", itemID)
}

// clause is " WHERE" and the conditions joined by AND, or "" without any.
func (w *where) clause() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
