package memstore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// Search implements [compartment.Repository]. It applies the query's
// parameters (with modifiers, chains and _has), its compartment and every
// constraint, sorts, pages with an opaque offset cursor, counts when
// asked, and adds _include and _revinclude resources (with :iterate up to
// four levels).
func (s *Store) Search(_ context.Context, q compartment.Query) (compartment.Page, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	matches, err := s.matches(q)
	if err != nil {
		return compartment.Page{}, err
	}
	if err := s.sort(matches, q.Sort); err != nil {
		return compartment.Page{}, err
	}

	var page compartment.Page
	if q.Total == compartment.TotalAccurate || q.Total == compartment.TotalEstimate ||
		q.Summary == compartment.SummaryCount {
		page.Total, page.TotalKnown = len(matches), true
	}
	if q.Summary == compartment.SummaryCount {
		return page, nil
	}
	start, err := decodeCursor(q.PageToken)
	if err != nil {
		return compartment.Page{}, err
	}
	end := min(start+s.pageSize(q.Count), len(matches))
	start = min(start, end)
	page.Resources = matches[start:end]
	if end < len(matches) {
		page.Next = encodeCursor(end)
	}
	page.Included, err = s.includes(q, page.Resources)
	return page, err
}

// matches returns the current resources that meet q, in creation order.
// The caller holds the read lock.
func (s *Store) matches(q compartment.Query) ([]compartment.Resource, error) {
	types := q.Types
	if q.Type != "" {
		types = []string{q.Type}
	}
	tests := make(map[string][]test)
	var out []compartment.Resource
	for _, key := range s.order {
		r, ok := s.current(key)
		if !ok || len(types) > 0 && !slices.Contains(types, r.Type) {
			continue
		}
		ts, ok := tests[r.Type]
		if !ok {
			var err error
			if ts, err = s.queryTests(r.Type, q); err != nil {
				return nil, err
			}
			tests[r.Type] = ts
		}
		if all(ts, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// queryTests compiles the tests of q for resources of type typ: each
// constraint group first, so that nothing about a resource outside the
// constraints (an evaluation error, the cost of a chain) can show in the
// answer, then the compartment and each parameter.
func (s *Store) queryTests(typ string, q compartment.Query) ([]test, error) {
	var ts []test
	for _, g := range q.Constraints {
		t, err := groupTest(g)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	if !q.Compartment.IsZero() {
		t, err := compartmentTest(typ, q.Compartment)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	for _, p := range q.Params {
		t, err := s.paramTest(typ, p)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// all reports whether r passes every test, in order. A resource whose
// JSON a test cannot evaluate (a duplicated key on the parameter's path)
// fails it: it matches nothing, and does not fail the search, which
// would tell the client that such a resource exists and would let one
// bad resource block every search of its type.
func all(ts []test, r compartment.Resource) bool {
	for _, t := range ts {
		if ok, err := t(r); err != nil || !ok {
			return false
		}
	}
	return true
}

// pageSize returns the page size for a _count of n.
func (s *Store) pageSize(n int) int {
	if n <= 0 {
		return s.cfg.PageSize
	}
	return min(n, s.cfg.MaxPageSize)
}

// encodeCursor and decodeCursor write and read the offset of a page. The
// cursor is only a position: it carries no query and no authority.
func encodeCursor(offset int) string { return "o" + strconv.Itoa(offset) }

func decodeCursor(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(c, "o"))
	if err != nil || n < 0 || !strings.HasPrefix(c, "o") {
		return 0, fmt.Errorf("memstore: bad page cursor: %w", compartment.ErrInvalid)
	}
	return n, nil
}

// invalid wraps a search parameter error as compartment.ErrInvalid.
func invalid(err error) error {
	return fmt.Errorf("memstore: %w: %w", compartment.ErrInvalid, err)
}

// compartmentTest tests membership in a Patient compartment, through the
// compartment parameters of the type (the Patient itself by its ID or
// link).
func compartmentTest(typ string, c compartment.CompartmentRef) (test, error) {
	if c.Type != "Patient" {
		return nil, fmt.Errorf("memstore: only Patient compartments are supported: %w",
			compartment.ErrInvalid)
	}
	names := searchparam.CompartmentParams(typ)
	var crits []*searchparam.Criterion
	for _, n := range names {
		cr, err := searchparam.ParseCriterion(typ, n, "Patient/"+c.ID)
		if err != nil {
			return nil, invalid(err)
		}
		crits = append(crits, cr)
	}
	return func(r compartment.Resource) (bool, error) {
		if typ == "Patient" && r.ID == c.ID {
			return true, nil
		}
		return anyCriterion(crits, r.JSON)
	}, nil
}

// anyCriterion reports whether data meets one of crits.
func anyCriterion(crits []*searchparam.Criterion, data []byte) (bool, error) {
	for _, c := range crits {
		ok, err := c.MatchResource(data)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}
