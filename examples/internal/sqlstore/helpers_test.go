package sqlstore_test

import (
	"context"
	"net/url"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/compartment/memstore"
	"github.com/fhirguard/fhirguard/examples/internal/sqlstore"
	"github.com/fhirguard/fhirguard/examples/internal/synth"
)

// fixedNow is the instant every test writes at.
var fixedNow = time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC)

// fixture returns the synthetic data of five patients.
func fixture(t testing.TB) []compartment.Resource {
	t.Helper()
	rs, err := synth.Generate(synth.Config{Patients: 5})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// sharedStore holds the fixture for the tests that only read, loaded
// once: loading is the slow part of these tests under the race detector.
var sharedStore struct {
	once  sync.Once
	store *sqlstore.Store
}

// fixtureStore returns the shared store holding the fixture. Tests must
// not write to it.
func fixtureStore(t testing.TB) *sqlstore.Store {
	t.Helper()
	sharedStore.once.Do(func() {
		s, err := sqlstore.Open(context.Background(), sqlstore.Config{
			Now: func() time.Time { return fixedNow }})
		if err != nil {
			t.Fatal(err)
		}
		load(t, s, fixture(t))
		sharedStore.store = s
	})
	if sharedStore.store == nil {
		t.Fatal("the shared fixture store could not be loaded")
	}
	return sharedStore.store
}

// openStore returns an empty in-memory store that writes at fixedNow.
func openStore(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), sqlstore.Config{
		Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// loaded returns a store holding rs.
func loaded(t testing.TB, rs []compartment.Resource) *sqlstore.Store {
	t.Helper()
	s := openStore(t)
	load(t, s, rs)
	return s
}

// load writes rs to s in one transaction.
func load(t testing.TB, s *sqlstore.Store, rs []compartment.Resource) {
	t.Helper()
	err := s.Transaction(context.Background(), func(ctx context.Context) error {
		for _, r := range rs {
			if _, err := s.Update(ctx, r); err != nil {
				t.Fatalf("loading %s: %v", r.Reference(), err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// reference returns the in-memory reference store holding rs.
func reference(t testing.TB, rs []compartment.Resource) *memstore.Store {
	t.Helper()
	m, err := memstore.New(memstore.Config{Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if _, err := m.Update(context.Background(), r); err != nil {
			t.Fatalf("loading %s: %v", r.Reference(), err)
		}
	}
	return m
}

// parse parses a FHIR search of typ.
func parse(t testing.TB, typ, query string) compartment.Query {
	t.Helper()
	vals, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	q, err := compartment.ParseQuery(typ, vals)
	if err != nil {
		t.Fatalf("%s?%s: %v", typ, query, err)
	}
	return q
}

// result is a whole search: matches and included resources, as sorted
// references, across every page.
type result struct {
	matches, included []string
}

// searchAll runs q on repo page by page.
func searchAll(ctx context.Context, repo compartment.Repository, q compartment.Query) (
	result, error) {
	var res result
	for pages := 0; pages < 100; pages++ {
		page, err := repo.Search(ctx, q)
		if err != nil {
			return result{}, err
		}
		res.matches = append(res.matches, refs(page.Resources)...)
		res.included = append(res.included, refs(page.Included)...)
		if page.Next == "" {
			break
		}
		q.PageToken = page.Next
	}
	sort.Strings(res.matches)
	sort.Strings(res.included)
	res.included = slices.Compact(res.included)
	return res, nil
}

// refs returns the references of rs, in order.
func refs(rs []compartment.Resource) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Reference())
	}
	return out
}
