package sqlstore

import (
	"context"
	"fmt"
)

// MoveScope moves what is kept about scope from to scope to, in one
// transaction; see store.Store. Tables keyed by scope keep to's rows where
// both scopes have one.
func (s *Store) MoveScope(ctx context.Context, platform, from, to string) error {
	if from == "" || to == "" {
		return fmt.Errorf("move scope: both scopes are required (got %q, %q)", from, to)
	}
	if from == to {
		return nil
	}
	steps := []struct {
		what, query string
		args        []any
	}{
		{"decisions", `UPDATE decisions SET scope = ? WHERE platform = ? AND scope = ?`, []any{to, platform, from}},
		{"feedback", `UPDATE feedback SET scope = ? WHERE platform = ? AND scope = ?`, []any{to, platform, from}},
		{"owned messages", `UPDATE owned_messages SET scope = ? WHERE platform = ? AND scope = ?
			AND NOT EXISTS (SELECT 1 FROM owned_messages n WHERE n.platform = owned_messages.platform AND n.scope = ?
				AND n.item_id = owned_messages.item_id AND n.kind = owned_messages.kind)`, []any{to, platform, from, to}},
		{"owned messages left over", `DELETE FROM owned_messages WHERE platform = ? AND scope = ?`, []any{platform, from}},
		{"settings", `UPDATE settings SET scope = ? WHERE scope = ?
			AND NOT EXISTS (SELECT 1 FROM settings n WHERE n.scope = ? AND n.key = settings.key)`, []any{to, from, to}},
		{"settings left over", `DELETE FROM settings WHERE scope = ?`, []any{from}},
		{"strike users", `UPDATE strike_users SET scope = ? WHERE scope = ?
			AND NOT EXISTS (SELECT 1 FROM strike_users n WHERE n.scope = ? AND n.user_id = strike_users.user_id)`, []any{to, from, to}},
		{"strike users left over", `DELETE FROM strike_users WHERE scope = ?`, []any{from}},
		{"strikes", `UPDATE strikes SET scope = ? WHERE scope = ? AND (item_id = ''
			OR NOT EXISTS (SELECT 1 FROM strikes n WHERE n.scope = ? AND n.user_id = strikes.user_id AND n.item_id = strikes.item_id))`, []any{to, from, to}},
		{"strikes left over", `DELETE FROM strikes WHERE scope = ?`, []any{from}},
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("move scope %s to %s: begin: %w", from, to, err)
	}
	defer tx.Rollback()
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, s.d.q(st.query), st.args...); err != nil {
			return fmt.Errorf("move scope %s to %s: %s: %w", from, to, st.what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("move scope %s to %s: commit: %w", from, to, err)
	}
	return nil
}
