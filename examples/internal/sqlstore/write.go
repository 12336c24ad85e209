package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/fhirguard/fhirguard/compartment"
)

// Create implements [compartment.Repository]. It assigns a random ID when
// r.ID is empty and refuses, with an error matching
// [compartment.ErrInvalid], an ID that is or was in use.
func (s *Store) Create(ctx context.Context, r compartment.Resource) (compartment.Resource, error) {
	if r.ID == "" {
		r.ID = newID()
	}
	var out compartment.Resource
	err := s.atomic(ctx, func(q *txn) error {
		last, err := lastVersion(ctx, q, r.Type, r.ID)
		if err != nil {
			return err
		}
		if last > 0 {
			return fmt.Errorf("sqlstore: the resource ID is taken: %w", compartment.ErrInvalid)
		}
		out, err = s.put(ctx, q, r, 1)
		return err
	})
	return out, err
}

// Update implements [compartment.Repository]. Updating a resource that
// does not exist, or was deleted, creates it (update as create).
func (s *Store) Update(ctx context.Context, r compartment.Resource) (compartment.Resource, error) {
	if r.ID == "" {
		return compartment.Resource{}, fmt.Errorf("sqlstore: update without an ID: %w",
			compartment.ErrInvalid)
	}
	var out compartment.Resource
	err := s.atomic(ctx, func(q *txn) error {
		last, err := lastVersion(ctx, q, r.Type, r.ID)
		if err == nil {
			out, err = s.put(ctx, q, r, last+1)
		}
		return err
	})
	return out, err
}

// Delete implements [compartment.Repository]. It writes a deletion as a
// new version without JSON, so that history keeps it.
func (s *Store) Delete(ctx context.Context, typ, id string) error {
	return s.atomic(ctx, func(q *txn) error {
		var vid int64
		var data []byte
		err := q.QueryRowContext(ctx, `SELECT vid, json FROM version
			WHERE type = ? AND id = ? AND current = 1`, typ, id).Scan(&vid, &data)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && data == nil:
			return compartment.ErrNotFound
		case err != nil:
			return fmt.Errorf("sqlstore: reading before delete: %w", err)
		}
		_, err = insertVersion(ctx, q, compartment.Resource{Type: typ, ID: id}, vid+1,
			s.cfg.Now())
		return err
	})
}

// put stamps r as version vid, indexes it and stores it as the current
// version.
func (s *Store) put(ctx context.Context, q *txn, r compartment.Resource, vid int64) (
	compartment.Resource, error) {
	if !isID(r.ID) {
		return compartment.Resource{}, fmt.Errorf("sqlstore: bad resource ID: %w",
			compartment.ErrInvalid)
	}
	r.Version = strconv.FormatInt(vid, 10)
	at := s.cfg.Now()
	data, err := stamp(r.JSON, r.Type, r.ID, r.Version, at)
	if err != nil {
		return compartment.Resource{}, err
	}
	rows, err := rowsOf(r.Type, data)
	if err != nil {
		return compartment.Resource{}, err
	}
	r.JSON = data
	seq, err := insertVersion(ctx, q, r, vid, at)
	if err != nil {
		return compartment.Resource{}, err
	}
	return r, q.insertRows(ctx, seq, rows)
}

// insertVersion writes r as version vid, written at at, and makes it the
// current one. A resource without JSON is a deletion.
func insertVersion(ctx context.Context, q *txn, r compartment.Resource, vid int64,
	at time.Time) (int64, error) {
	if _, err := q.ExecContext(ctx, `UPDATE version SET current = 0
		WHERE type = ? AND id = ? AND current = 1`, r.Type, r.ID); err != nil {
		return 0, fmt.Errorf("sqlstore: writing a version: %w", err)
	}
	res, err := q.ExecContext(ctx, `INSERT INTO version (type, id, vid, at, current, json)
		VALUES (?, ?, ?, ?, 1, ?)`, r.Type, r.ID, vid, encodeTime(at), nullable(r.JSON))
	if err != nil {
		return 0, fmt.Errorf("sqlstore: writing a version: %w", err)
	}
	return res.LastInsertId()
}

// lastVersion returns the last version number of typ/id, deletions
// included, or 0 when the resource never existed.
func lastVersion(ctx context.Context, q *txn, typ, id string) (int64, error) {
	var last sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT max(vid) FROM version WHERE type = ? AND id = ?`,
		typ, id).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: reading versions: %w", err)
	}
	return last.Int64, nil
}

// nullable returns data, or SQL NULL for nil data.
func nullable(data []byte) any {
	if data == nil {
		return nil
	}
	return data
}

// newID returns a random resource ID of 32 hexadecimal digits.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
