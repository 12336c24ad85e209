package memstore

import (
	"context"

	"github.com/fhirguard/fhirguard/compartment"
)

// History implements [compartment.Repository]. It returns versions newest
// first, deletions included as versions without JSON, with the
// constraints applied to each version's own content; a deletion meets no
// constraint.
func (s *Store) History(_ context.Context, q compartment.HistoryQuery) (compartment.Page, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if q.ID != "" && s.byKey[q.Type+"/"+q.ID] == nil {
		return compartment.Page{}, compartment.ErrNotFound
	}
	tests := make([]test, 0, len(q.Constraints))
	for _, g := range q.Constraints {
		t, err := groupTest(g)
		if err != nil {
			return compartment.Page{}, err
		}
		tests = append(tests, t)
	}

	var versions []compartment.Resource
	for i := len(s.log) - 1; i >= 0; i-- {
		v := s.byKey[s.log[i].key].versions[s.log[i].n]
		if inHistory(q, v, tests) {
			versions = append(versions, v.res)
		}
	}
	return s.historyPage(q, versions)
}

// inHistory reports whether version v belongs in the history q asks for.
func inHistory(q compartment.HistoryQuery, v version, tests []test) bool {
	r := v.res
	switch {
	case q.Type != "" && r.Type != q.Type, q.ID != "" && r.ID != q.ID:
		return false
	case !q.Since.IsZero() && v.at.Before(q.Since):
		return false
	case r.JSON == nil:
		return len(tests) == 0
	}
	return all(tests, r)
}

// historyPage cuts one page out of the selected versions.
func (s *Store) historyPage(q compartment.HistoryQuery, versions []compartment.Resource) (
	compartment.Page, error) {
	start, err := decodeCursor(q.PageToken)
	if err != nil {
		return compartment.Page{}, err
	}
	end := min(start+s.pageSize(q.Count), len(versions))
	start = min(start, end)
	page := compartment.Page{Resources: versions[start:end]}
	if end < len(versions) {
		page.Next = encodeCursor(end)
	}
	return page, nil
}
