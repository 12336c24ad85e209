package sqlstore

import (
	"context"

	"github.com/fhirguard/fhirguard/compartment"
)

// History implements [compartment.Repository]. It returns versions newest
// first, deletions included as versions without JSON. The constraints are
// applied to each version's own content, through the index rows written
// with that version; a deletion meets no constraint. Instance history of a
// resource that never existed is [compartment.ErrNotFound].
func (s *Store) History(ctx context.Context, q compartment.HistoryQuery) (compartment.Page, error) {
	var page compartment.Page
	err := s.atomic(ctx, func(db *txn) error {
		if q.ID != "" {
			last, err := lastVersion(ctx, db, q.Type, q.ID)
			if err != nil {
				return err
			}
			if last == 0 {
				return compartment.ErrNotFound
			}
		}
		stored, err := storedTypes(ctx, db)
		if err != nil {
			return err
		}
		where, err := historyCond(q, stored)
		if err != nil {
			return err
		}
		page, err = s.historyPage(ctx, db, q, where)
		return err
	})
	return page, err
}

// historyCond returns the condition selecting the versions q asks for.
func historyCond(q compartment.HistoryQuery, stored map[string]bool) (cond, error) {
	parts := []cond{typeOf(q.Type)}
	if q.ID != "" {
		parts = append(parts, sqlCond("v.id = ?", q.ID))
	}
	if !q.Since.IsZero() {
		parts = append(parts, sqlCond("v.at >= ?", encodeTime(q.Since)))
	}
	if len(q.Constraints) > 0 {
		c, err := constraintsCond(q.Constraints, func(t string) bool { return stored[t] })
		if err != nil {
			return cond{}, err
		}
		parts = append(parts, sqlCond("v.json IS NOT NULL"), c)
	}
	return and(parts...), nil
}

// historyPage reads one page of versions, newest first.
func (s *Store) historyPage(ctx context.Context, db *txn, q compartment.HistoryQuery,
	where cond) (compartment.Page, error) {
	offset, err := decodeCursor(q.PageToken)
	if err != nil {
		return compartment.Page{}, err
	}
	size := s.pageSize(q.Count)
	stmt := "SELECT v.seq, v.type, v.id, v.vid, v.json FROM version v WHERE " + where.sql +
		" ORDER BY v.seq DESC LIMIT ? OFFSET ?"
	rows, err := queryRows(ctx, db, stmt, append(where.args, size+1, offset)...)
	if err != nil {
		return compartment.Page{}, err
	}
	var page compartment.Page
	if len(rows) > size {
		rows, page.Next = rows[:size], encodeCursor(offset+size)
	}
	for _, r := range rows {
		page.Resources = append(page.Resources, r.res)
	}
	return page, nil
}
