package sqlstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// row is a version read from the database, with its sequence number.
type row struct {
	seq int64
	res compartment.Resource
}

// Search implements [compartment.Repository]. The query's parameters, its
// compartment and every constraint become the WHERE clause of one SQL
// statement; the page is cut with LIMIT and OFFSET from an offset cursor
// that carries no query; _total and _summary=count count with the same
// clause; _include and _revinclude (with :iterate, up to four levels) are
// read afterwards, from the page's matches.
func (s *Store) Search(ctx context.Context, q compartment.Query) (compartment.Page, error) {
	var page compartment.Page
	err := s.atomic(ctx, func(db *txn) error {
		var err error
		page, err = s.search(ctx, db, q)
		return err
	})
	return page, err
}

// search runs Search in a transaction.
func (s *Store) search(ctx context.Context, db *txn, q compartment.Query) (
	compartment.Page, error) {
	var page compartment.Page
	types, err := searchTypes(ctx, db, q)
	if err != nil {
		return page, err
	}
	where, err := queryCond(types, q)
	if err != nil {
		return page, err
	}
	if wantsTotal(q) {
		if page.Total, err = count(ctx, db, where); err != nil {
			return page, err
		}
		page.TotalKnown = true
	}
	if q.Summary == compartment.SummaryCount {
		return page, nil
	}

	matches, next, err := s.pageOf(ctx, db, q, types, where)
	if err != nil {
		return page, err
	}
	page.Next = next
	for _, m := range matches {
		page.Resources = append(page.Resources, m.res)
	}
	page.Included, err = includes(ctx, db, q, matches)
	return page, err
}

// pageOf reads the page the cursor points to, and the next cursor.
func (s *Store) pageOf(ctx context.Context, db *txn, q compartment.Query, types []string,
	where cond) ([]row, string, error) {
	offset, err := decodeCursor(q.PageToken)
	if err != nil {
		return nil, "", err
	}
	order, err := orderBy(types, q.Sort)
	if err != nil {
		return nil, "", err
	}
	size := s.pageSize(q.Count)
	stmt := "SELECT v.seq, v.type, v.id, v.vid, v.json FROM version v WHERE " + where.sql +
		" ORDER BY " + order.sql + " LIMIT ? OFFSET ?"
	args := append(append(append([]any{}, where.args...), order.args...), size+1, offset)
	rows, err := queryRows(ctx, db, stmt, args...)
	if err != nil || len(rows) <= size {
		return rows, "", err
	}
	return rows[:size], encodeCursor(offset + size), nil
}

// wantsTotal reports whether q asks for the number of matches.
func wantsTotal(q compartment.Query) bool {
	return q.Total == compartment.TotalAccurate || q.Total == compartment.TotalEstimate ||
		q.Summary == compartment.SummaryCount
}

// searchTypes returns the types q searches (its type, its _type list,
// or every type) that the database holds at all: no resource of another
// type can match, and leaving them out keeps the statement short when the
// decorator lists every type a grant may search.
func searchTypes(ctx context.Context, db *txn, q compartment.Query) ([]string, error) {
	stored, err := storedTypes(ctx, db)
	if err != nil {
		return nil, err
	}
	types := q.Types
	if q.Type != "" {
		types = []string{q.Type}
	}
	if len(types) == 0 {
		return slices.Sorted(maps.Keys(stored)), nil
	}
	var out []string
	for _, t := range types {
		if searchparam.Defs(t) == nil {
			return nil, fmt.Errorf("sqlstore: unknown resource type: %w", compartment.ErrInvalid)
		}
		if stored[t] {
			out = append(out, t)
		}
	}
	return out, nil
}

// storedTypes returns the types of which the database holds a version.
func storedTypes(ctx context.Context, db *txn) (map[string]bool, error) {
	rs, err := db.QueryContext(ctx, "SELECT DISTINCT type FROM version")
	if err != nil {
		return nil, fmt.Errorf("sqlstore: listing types: %w", err)
	}
	defer func() { _ = rs.Close() }()
	types := make(map[string]bool)
	for rs.Next() {
		var t string
		if err := rs.Scan(&t); err != nil {
			return nil, fmt.Errorf("sqlstore: listing types: %w", err)
		}
		types[t] = true
	}
	return types, rs.Err()
}

// count returns the number of versions that meet where.
func count(ctx context.Context, db *txn, where cond) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT count(*) FROM version v WHERE "+where.sql,
		where.args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: counting: %w", err)
	}
	return n, nil
}

// queryRows runs a statement that selects seq, type, id, vid and json,
// and reads every row.
func queryRows(ctx context.Context, db *txn, stmt string, args ...any) ([]row, error) {
	rs, err := db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: searching: %w", err)
	}
	defer func() { _ = rs.Close() }()
	var out []row
	for rs.Next() {
		var r row
		var vid int64
		if err := rs.Scan(&r.seq, &r.res.Type, &r.res.ID, &vid, &r.res.JSON); err != nil {
			return nil, fmt.Errorf("sqlstore: reading a row: %w", err)
		}
		r.res.Version = strconv.FormatInt(vid, 10)
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: searching: %w", err)
	}
	return out, nil
}

// encodeCursor and decodeCursor write and read the offset of a page. The
// cursor is a position only: no query and no authority.
func encodeCursor(offset int) string { return "o" + strconv.Itoa(offset) }

func decodeCursor(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(c, "o"))
	if err != nil || n < 0 || !strings.HasPrefix(c, "o") {
		return 0, fmt.Errorf("sqlstore: bad page cursor: %w", compartment.ErrInvalid)
	}
	return n, nil
}
