package sqlstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

// p1 is the first synthetic patient's compartment condition on
// Observation: subject or performer equal to Patient/p1.
var p1Observations = compartment.Constraints{{
	{Type: "Observation", Param: "subject", Value: "Patient/p1"},
	{Type: "Observation", Param: "performer", Value: "Patient/p1"},
}}

func TestSearchAppliesConstraints(t *testing.T) {
	s := fixtureStore(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		q     compartment.Query
		count int
		must  []string
		never string
	}{
		"compartment group": {
			q:     compartment.Query{Type: "Observation", Constraints: p1Observations},
			count: 39, must: []string{"Observation/p1-vs-1", "Observation/p5-survey-1"},
			never: "Observation/p2-",
		},
		"compartment and category": {
			q: compartment.Query{Type: "Observation", Constraints: append(p1Observations,
				[]compartment.Condition{{Type: "Observation", Param: "category",
					Value: `http://terminology.hl7.org/CodeSystem/observation-category|laboratory`}})},
			count: 9, must: []string{"Observation/p1-lab-1"}, never: "Observation/p1-vs",
		},
		"empty group": {
			q:     compartment.Query{Type: "Observation", Constraints: compartment.Constraints{{}}},
			count: 0,
		},
		"condition on another type": {
			q: compartment.Query{Type: "Observation", Constraints: compartment.Constraints{{
				{Type: "Condition", Param: "subject", Value: "Patient/p1"}}}},
			count: 0,
		},
		"type alone": {
			q: compartment.Query{Types: []string{"Observation", "Medication"},
				Constraints: compartment.Constraints{{{Type: "Medication"},
					{Type: "Observation", Param: "_id", Value: "p1-vs-1"}}}},
			count: 5, must: []string{"Medication/med-metformin", "Observation/p1-vs-1"},
		},
		"Patient compartment search": {
			q: compartment.Query{Type: "Observation",
				Compartment: compartment.CompartmentRef{Type: "Patient", ID: "p2"}},
			count: 38, must: []string{"Observation/p1-survey-1"}, never: "Observation/p1-vs",
		},
		"compartment of every type": {
			q: compartment.Query{Types: []string{"Patient", "Provenance", "Practitioner"},
				Compartment: compartment.CompartmentRef{Type: "Patient", ID: "p3"}},
			count: 2, must: []string{"Patient/p3", "Provenance/p3-prov-4"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			tc.q.Count = 1000
			got, err := searchAll(ctx, s, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.matches) != tc.count {
				t.Errorf("%d matches, want %d: %v", len(got.matches), tc.count, got.matches)
			}
			for _, m := range tc.must {
				if !slices.Contains(got.matches, m) {
					t.Errorf("%s missing", m)
				}
			}
			for _, m := range got.matches {
				if tc.never != "" && strings.HasPrefix(m, tc.never) {
					t.Errorf("%s matched", m)
				}
			}
		})
	}
}

func TestSearchPagesAndCounts(t *testing.T) {
	s := fixtureStore(t)
	ctx := context.Background()
	q := parse(t, "Observation", "patient=p1&category=vital-signs&_count=10&_total=accurate")
	var all []string
	pages := 0
	for {
		page, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if !page.TotalKnown || page.Total != 24 {
			t.Fatalf("page %d: total %d (known %v), want 24", pages, page.Total, page.TotalKnown)
		}
		all = append(all, refs(page.Resources)...)
		if page.Next == "" {
			break
		}
		if strings.Contains(page.Next, "p1") || strings.Contains(page.Next, "vital") {
			t.Errorf("cursor %q carries the query", page.Next)
		}
		q.PageToken = page.Next
	}
	if pages != 3 || len(all) != 24 || len(slices.Compact(slices.Sorted(slices.Values(all)))) != 24 {
		t.Errorf("%d pages, %d resources (%d distinct)", pages, len(all), len(slices.Compact(all)))
	}

	q = parse(t, "Observation", "patient=p1&_summary=count")
	page, err := s.Search(ctx, q)
	if err != nil || page.Total != 38 || !page.TotalKnown || len(page.Resources) != 0 {
		t.Errorf("_summary=count: total %d known %v, %d resources, %v", page.Total,
			page.TotalKnown, len(page.Resources), err)
	}
}

func TestSearchCursorCarriesNoAuthority(t *testing.T) {
	s := fixtureStore(t)
	ctx := context.Background()
	q := compartment.Query{Type: "Observation", Constraints: p1Observations, Count: 5}
	page, err := s.Search(ctx, q)
	if err != nil || page.Next == "" {
		t.Fatalf("first page: next %q, %v", page.Next, err)
	}
	other := compartment.Query{Type: "Observation", Count: 5, PageToken: page.Next,
		Constraints: compartment.Constraints{{
			{Type: "Observation", Param: "subject", Value: "Patient/p2"}}}}
	next, err := s.Search(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range next.Resources {
		if !strings.HasPrefix(r.ID, "p2-") {
			t.Errorf("a cursor from p1's search brought %s into p2's", r.Reference())
		}
	}
}

func TestSearchSorts(t *testing.T) {
	s := fixtureStore(t)
	ctx := context.Background()
	page, err := s.Search(ctx, parse(t, "Patient", "_sort=-birthdate"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Patient/p5", "Patient/p3", "Patient/p1", "Patient/p4", "Patient/p2"}
	if got := refs(page.Resources); !slices.Equal(got, want) {
		t.Errorf("_sort=-birthdate: %v, want %v", got, want)
	}
	page, err = s.Search(ctx, parse(t, "Patient", "_sort=family,_id"))
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"Patient/p3", "Patient/p5", "Patient/p2", "Patient/p1", "Patient/p4"}
	if got := refs(page.Resources); !slices.Equal(got, want) {
		t.Errorf("_sort=family: %v, want %v (Díaz first: accents fold)", got, want)
	}
}

func TestSearchRefusesWhatItCannotEvaluate(t *testing.T) {
	s := fixtureStore(t)
	for name, q := range map[string]compartment.Query{
		"unknown parameter": {Type: "Observation", Params: []compartment.Param{
			{Name: "nothing", Values: []string{"x"}}}},
		"unsupported modifier": {Type: "Observation", Params: []compartment.Param{
			{Name: "code", Modifier: "below", Values: []string{"x"}}}},
		"bad date": {Type: "Observation", Params: []compartment.Param{
			{Name: "date", Values: []string{"2024-13"}}}},
		"bad cursor":      {Type: "Observation", PageToken: "x12"},
		"negative cursor": {Type: "Observation", PageToken: "o-3"},
		"unknown type":    {Type: "Nothing"},
		"bad sort":        {Type: "Observation", Sort: []compartment.SortKey{{Param: "nothing"}}},
		"other compartment": {Type: "Observation",
			Compartment: compartment.CompartmentRef{Type: "Encounter", ID: "e1"}},
		"bad compartment id": {Type: "Observation",
			Compartment: compartment.CompartmentRef{Type: "Patient", ID: "p1,p2"}},
		"bad constraint": {Type: "Observation", Constraints: compartment.Constraints{{
			{Type: "Observation", Param: "nothing", Value: "1"}}}},
		"chain on a token": {Type: "Observation", Params: []compartment.Param{
			{Name: "code", Chain: []compartment.ChainLink{{Name: "name"}}, Values: []string{"x"}}}},
		"_has on a token": {Type: "Patient", Params: []compartment.Param{{Name: "_has",
			Has: &compartment.Has{Type: "Observation", Ref: "code",
				Param: compartment.Param{Name: "status", Values: []string{"final"}}}}}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.Search(context.Background(), q)
			if !errors.Is(err, compartment.ErrInvalid) {
				t.Errorf("Search: %v, want ErrInvalid", err)
			}
		})
	}
}
