package sqlstore_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/examples/internal/sqlstore"
)

// historyStore returns a store in which Observation o1 moved from p1 to
// p2 and was deleted, and o2 was written once, each write an hour after
// the previous one.
func historyStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	now := fixedNow
	s, err := sqlstore.Open(context.Background(), sqlstore.Config{
		Now: func() time.Time { now = now.Add(time.Hour); return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	obs := func(id, patient string) compartment.Resource {
		return compartment.Resource{Type: "Observation", ID: id, JSON: []byte(
			`{"resourceType":"Observation","status":"final","code":{"text":"x"},` +
				`"subject":{"reference":"Patient/` + patient + `"}}`)}
	}
	for _, r := range []compartment.Resource{obs("o1", "p1"), obs("o1", "p2"), obs("o2", "p1")} {
		if _, err := s.Update(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(ctx, "Observation", "o1"); err != nil {
		t.Fatal(err)
	}
	return s
}

// versions formats a page as Type/id/version, "-" marking deletions.
func versions(p compartment.Page) []string {
	var out []string
	for _, r := range p.Resources {
		v := r.Reference() + "/" + r.Version
		if r.JSON == nil {
			v += "-"
		}
		out = append(out, v)
	}
	return out
}

func TestHistory(t *testing.T) {
	s := historyStore(t)
	p1 := compartment.Constraints{{{Type: "Observation", Param: "subject", Value: "Patient/p1"}}}
	for name, tc := range map[string]struct {
		q    compartment.HistoryQuery
		want []string
	}{
		"instance": {compartment.HistoryQuery{Type: "Observation", ID: "o1"},
			[]string{"Observation/o1/3-", "Observation/o1/2", "Observation/o1/1"}},
		"type": {compartment.HistoryQuery{Type: "Observation"},
			[]string{"Observation/o1/3-", "Observation/o2/1", "Observation/o1/2", "Observation/o1/1"}},
		"system": {compartment.HistoryQuery{},
			[]string{"Observation/o1/3-", "Observation/o2/1", "Observation/o1/2", "Observation/o1/1"}},
		"since": {compartment.HistoryQuery{Since: fixedNow.Add(3 * time.Hour)},
			[]string{"Observation/o1/3-", "Observation/o2/1"}},
		"constrained to each version's content": {
			compartment.HistoryQuery{Type: "Observation", Constraints: p1},
			[]string{"Observation/o2/1", "Observation/o1/1"}},
		"page": {compartment.HistoryQuery{Type: "Observation", Count: 2},
			[]string{"Observation/o1/3-", "Observation/o2/1"}},
		"other type": {compartment.HistoryQuery{Type: "Patient"}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			page, err := s.History(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := versions(page); !slices.Equal(got, tc.want) {
				t.Errorf("history %v, want %v", got, tc.want)
			}
			if tc.q.Count == 2 && page.Next == "" {
				t.Error("no next page")
			}
		})
	}
}

func TestHistoryPagesThrough(t *testing.T) {
	s := historyStore(t)
	q := compartment.HistoryQuery{Count: 1}
	var all []string
	for range 10 {
		page, err := s.History(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, versions(page)...)
		if page.Next == "" {
			break
		}
		q.PageToken = page.Next
	}
	if len(all) != 4 {
		t.Errorf("paged history %v, want 4 versions", all)
	}
}

func TestHistoryOfUnknownResource(t *testing.T) {
	s := historyStore(t)
	_, err := s.History(context.Background(), compartment.HistoryQuery{Type: "Observation", ID: "none"})
	if !errors.Is(err, compartment.ErrNotFound) {
		t.Errorf("History of an unknown resource: %v, want ErrNotFound", err)
	}
	_, err = s.History(context.Background(), compartment.HistoryQuery{PageToken: "bad"})
	if !errors.Is(err, compartment.ErrInvalid) {
		t.Errorf("History with a bad cursor: %v, want ErrInvalid", err)
	}
}
