package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/slopguard/slopguard/store"
)

// appealOnly is the actions column of the record an appeal leaves: it is
// not a decision and is left out of ScopeStats.
const appealOnly = `["appeal"]`

// ScopeStats sums up a scope's decisions since a time (zero: all). The
// rows are read (three small columns each) and summed here, which keeps the
// one query the same in both dialects: grouping by day is not.
func (s *Store) ScopeStats(ctx context.Context, platform, scope string, since time.Time) (store.ScopeStats, error) {
	rows, err := s.db.QueryContext(ctx, s.d.q(`SELECT created_at, verdict, score, cannot_judge FROM decisions
		WHERE platform = ? AND scope = ? AND created_at >= ? AND actions <> ?
		ORDER BY created_at`), platform, scope, s.d.t(since), appealOnly)
	if err != nil {
		return store.ScopeStats{}, fmt.Errorf("scope stats %s %s: %w", platform, scope, err)
	}
	defer rows.Close()
	var st store.ScopeStats
	for rows.Next() {
		var (
			at          dbTime
			verdict     string
			score       float64
			cannotJudge int
		)
		if err := rows.Scan(&at, &verdict, &score, &cannotJudge); err != nil {
			return store.ScopeStats{}, fmt.Errorf("scope stats %s %s: %w", platform, scope, err)
		}
		day := at.Time.UTC().Truncate(24 * time.Hour)
		if n := len(st.Days); n == 0 || !st.Days[n-1].Day.Equal(day) {
			st.Days = append(st.Days, store.DayCount{Day: day})
		}
		dc := &st.Days[len(st.Days)-1]
		switch verdict {
		case "human":
			dc.Human++
		case "machine":
			dc.Machine++
		default:
			dc.Unsure++
		}
		st.Total++
		if cannotJudge != 0 {
			st.CannotJudge++
			continue
		}
		st.Scores[scoreBin(score)]++
	}
	if err := rows.Err(); err != nil {
		return store.ScopeStats{}, fmt.Errorf("scope stats %s %s: %w", platform, scope, err)
	}
	return st, nil
}

// scoreBin is the histogram bin of a score; 1 falls in the last bin.
func scoreBin(score float64) int {
	b := int(score * store.ScoreBins)
	return min(max(b, 0), store.ScoreBins-1)
}

// PendingAppeals lists a scope's appeal claims that no feedback on their
// item has answered since, and whose post no moderator has handled (a
// handled claim on the appeal's MessageID, as a Dismiss leaves), oldest
// first.
func (s *Store) PendingAppeals(ctx context.Context, platform, scope string) ([]store.OwnedMessage, error) {
	rows, err := s.db.QueryContext(ctx, s.d.q(`SELECT o.platform, o.scope, o.item_id, o.kind, o.message_id, o.updated_at
		FROM owned_messages o
		WHERE o.platform = ? AND o.scope = ? AND o.kind = ?
		AND NOT EXISTS (SELECT 1 FROM feedback f
			WHERE f.platform = o.platform AND f.scope = o.scope AND f.item_id = o.item_id AND f.created_at >= o.updated_at)
		AND NOT EXISTS (SELECT 1 FROM owned_messages h
			WHERE h.platform = o.platform AND h.scope = o.scope AND h.kind = ? AND h.item_id = o.message_id)
		ORDER BY o.updated_at, o.item_id`), platform, scope, store.KindAppealClaim, store.KindHandledClaim)
	if err != nil {
		return nil, fmt.Errorf("pending appeals %s %s: %w", platform, scope, err)
	}
	defer rows.Close()
	var out []store.OwnedMessage
	for rows.Next() {
		var (
			m  store.OwnedMessage
			at dbTime
		)
		if err := rows.Scan(&m.Platform, &m.Scope, &m.ItemID, &m.Kind, &m.MessageID, &at); err != nil {
			return nil, fmt.Errorf("pending appeals %s %s: %w", platform, scope, err)
		}
		m.UpdatedAt = at.Time
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending appeals %s %s: %w", platform, scope, err)
	}
	return out, nil
}
