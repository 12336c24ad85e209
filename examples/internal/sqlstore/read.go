package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/fhirguard/fhirguard/compartment"
)

// Read implements [compartment.Repository]. A deleted resource is not
// found, exactly like one that never existed.
func (s *Store) Read(ctx context.Context, typ, id string) (compartment.Resource, error) {
	return s.readOne(ctx, `SELECT vid, json FROM version
		WHERE type = ? AND id = ? AND current = 1`, typ, id)
}

// VRead implements [compartment.Repository]. A deletion version is not
// found.
func (s *Store) VRead(ctx context.Context, typ, id, version string) (compartment.Resource, error) {
	vid, err := strconv.ParseInt(version, 10, 64)
	if err != nil || strconv.FormatInt(vid, 10) != version {
		return compartment.Resource{}, compartment.ErrNotFound
	}
	return s.readOne(ctx, `SELECT vid, json FROM version
		WHERE type = ? AND id = ? AND vid = ?`, typ, id, vid)
}

// readOne runs a query for one version of typ/id.
func (s *Store) readOne(ctx context.Context, query, typ, id string, args ...any) (
	compartment.Resource, error) {
	r := compartment.Resource{Type: typ, ID: id}
	err := s.atomic(ctx, func(q *txn) error {
		var vid int64
		err := q.QueryRowContext(ctx, query, append([]any{typ, id}, args...)...).
			Scan(&vid, &r.JSON)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && r.JSON == nil:
			return compartment.ErrNotFound
		case err != nil:
			return fmt.Errorf("sqlstore: reading %s: %w", typ, err)
		}
		r.Version = strconv.FormatInt(vid, 10)
		return nil
	})
	if err != nil {
		return compartment.Resource{}, err
	}
	return r, nil
}
