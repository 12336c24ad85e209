package memstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/compartment/memstore"
)

var bg = context.Background()

// res builds a Resource from its JSON, which must start with
// {"resourceType":"T","id":"i".
func res(typ, id, body string) compartment.Resource {
	return compartment.Resource{Type: typ, ID: id,
		JSON: []byte(`{"resourceType":"` + typ + `","id":"` + id + `"` + body + `}`)}
}

// seed returns a store holding a small data set.
func seed(t *testing.T) *memstore.Store {
	t.Helper()
	clock := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := memstore.New(memstore.Config{PageSize: 2, Now: func() time.Time {
		clock = clock.Add(time.Hour)
		return clock
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []compartment.Resource{
		res("Patient", "p1", `,"name":[{"family":"Alpha"}],`+
			`"managingOrganization":{"reference":"Organization/o1"}`),
		res("Patient", "p2", `,"name":[{"family":"Bravo"}]`),
		res("Organization", "o1", `,"name":"Clinic"`),
		res("Observation", "x1", `,"status":"final",`+loinc("1")+`,`+
			`"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2024-03-01"`),
		res("Observation", "x2", `,"status":"final",`+loinc("2")+`,`+
			`"subject":{"reference":"Patient/p2"},"performer":[{"reference":"Patient/p1"}],`+
			`"effectiveDateTime":"2024-01-01"`),
		res("Observation", "x3", `,"status":"amended",`+loinc("1")+`,`+
			`"subject":{"reference":"Patient/p2"},"effectiveDateTime":"2024-02-01"`),
		res("Provenance", "v1", `,"target":[{"reference":"Observation/x1"}],`+
			`"recorded":"2024-03-01T00:00:00Z"`),
	} {
		if _, err := s.Update(bg, r); err != nil {
			t.Fatalf("%s: %v", r.Reference(), err)
		}
	}
	return s
}

// loinc returns a code element with a LOINC coding.
func loinc(code string) string {
	return `"code":{"coding":[{"system":"http://loinc.org","code":"` + code + `"}]}`
}

// ids returns the IDs of rs.
func ids(rs []compartment.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func TestCreateReadUpdateDelete(t *testing.T) {
	s := seed(t)
	created, err := s.Create(bg, compartment.Resource{Type: "Observation",
		JSON: []byte(` {"resourceType":"Observation","status":"final"}`)})
	if err != nil || created.ID == "" || created.Version != "1" {
		t.Fatalf("create: %+v %v", created, err)
	}
	if !strings.Contains(string(created.JSON), `"id":"`+created.ID+`",`) {
		t.Errorf("created JSON has no id: %s", created.JSON)
	}
	updated, err := s.Update(bg, res("Observation", created.ID, `,"status":"amended"`))
	if err != nil || updated.Version != "2" {
		t.Fatalf("update: %+v %v", updated, err)
	}
	if v1, err := s.VRead(bg, "Observation", created.ID, "1"); err != nil || v1.Version != "1" {
		t.Errorf("vread 1: %+v %v", v1, err)
	}
	if err := s.Delete(bg, "Observation", created.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(bg, "Observation", created.ID); !errors.Is(err, compartment.ErrNotFound) {
		t.Errorf("read after delete: %v", err)
	}
	if err := s.Delete(bg, "Observation", created.ID); !errors.Is(err, compartment.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	h, err := s.History(bg, compartment.HistoryQuery{Type: "Observation", ID: created.ID, Count: 10})
	if err != nil || len(h.Resources) != 3 || h.Resources[0].JSON != nil {
		t.Errorf("history: %d versions, newest %+v, %v", len(h.Resources), h.Resources, err)
	}
}

func TestWritesRejectBadResources(t *testing.T) {
	s := seed(t)
	for name, r := range map[string]compartment.Resource{
		"invalid JSON":    {Type: "Patient", ID: "z", JSON: []byte(`{"resourceType":"Patient",}`)},
		"wrong type":      {Type: "Patient", ID: "z", JSON: []byte(`{"resourceType":"Observation"}`)},
		"different id":    {Type: "Patient", ID: "z", JSON: res("Patient", "y", "").JSON},
		"bad id":          {Type: "Patient", ID: "a/b", JSON: []byte(`{"resourceType":"Patient"}`)},
		"duplicated keys": res("Patient", "z", `,"id":"y"`),
	} {
		if _, err := s.Update(bg, r); !errors.Is(err, compartment.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := s.Create(bg, res("Patient", "p1", "")); !errors.Is(err, compartment.ErrInvalid) {
		t.Errorf("create of an existing ID: %v", err)
	}
}

func TestSearch(t *testing.T) {
	P := func(name, mod string, vals ...string) compartment.Param {
		return compartment.Param{Name: name, Modifier: mod, Values: vals}
	}
	cond := func(typ, param, val string) compartment.Condition {
		return compartment.Condition{Type: typ, Param: param, Value: val}
	}
	tests := []struct {
		name string
		q    compartment.Query
		want []string
	}{
		{"type", compartment.Query{Type: "Observation", Count: 10}, []string{"x1", "x2", "x3"}},
		{"token", compartment.Query{Type: "Observation", Params: []compartment.Param{
			P("code", "", "http://loinc.org|1")}}, []string{"x1", "x3"}},
		{"two parameters", compartment.Query{Type: "Observation", Params: []compartment.Param{
			P("code", "", "1"), P("status", "not", "final")}}, []string{"x3"}},
		{"chain", compartment.Query{Type: "Observation", Params: []compartment.Param{{Name: "subject",
			Chain: []compartment.ChainLink{{Type: "Patient", Name: "name"}}, Values: []string{"alp"}}}},
			[]string{"x1"}},
		{"_has", compartment.Query{Type: "Patient", Params: []compartment.Param{{Name: "_has",
			Has: &compartment.Has{Type: "Observation", Ref: "subject", Param: P("status", "", "amended")}}}},
			[]string{"p2"}},
		{"compartment", compartment.Query{Type: "Observation", Compartment: compartment.CompartmentRef{
			Type: "Patient", ID: "p1"}}, []string{"x1", "x2"}},
		{"constraint group", compartment.Query{Type: "Observation", Count: 5,
			Constraints: compartment.Constraints{{cond("Observation", "subject", "Patient/p1"),
				cond("Observation", "performer", "Patient/p1")}}},
			[]string{"x1", "x2"}},
		{"typed constraints across types", compartment.Query{
			Types: []string{"Observation", "Organization"}, Count: 5,
			Constraints: compartment.Constraints{{cond("Observation", "subject", "Patient/p2"),
				{Type: "Organization"}}}}, []string{"o1", "x2", "x3"}},
		{"empty group", compartment.Query{Type: "Observation",
			Constraints: compartment.Constraints{{}}}, nil},
		{"sort descending", compartment.Query{Type: "Observation", Count: 5,
			Sort: []compartment.SortKey{{Param: "date", Descending: true}}}, []string{"x1", "x3", "x2"}},
	}
	s := seed(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.Search(bg, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(p.Resources)
			if !strings.HasPrefix(tc.name, "sort") {
				slices.Sort(got)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSearchPagingAndCounts(t *testing.T) {
	s := seed(t)
	q := compartment.Query{Type: "Observation", Total: compartment.TotalAccurate}
	var all []string
	for {
		p, err := s.Search(bg, q)
		if err != nil {
			t.Fatal(err)
		}
		if !p.TotalKnown || p.Total != 3 {
			t.Fatalf("total %d known %v", p.Total, p.TotalKnown)
		}
		all = append(all, ids(p.Resources)...)
		if p.Next == "" {
			break
		}
		q.PageToken = p.Next
	}
	if !slices.Equal(all, []string{"x1", "x2", "x3"}) {
		t.Errorf("pages gave %v", all)
	}
	p, err := s.Search(bg, compartment.Query{Type: "Observation", Summary: compartment.SummaryCount})
	if err != nil || len(p.Resources) != 0 || p.Total != 3 {
		t.Errorf("count: %+v %v", p, err)
	}
	_, err = s.Search(bg, compartment.Query{Type: "Observation", PageToken: "bogus"})
	if !errors.Is(err, compartment.ErrInvalid) {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestSearchIncludes(t *testing.T) {
	tests := []struct {
		name string
		q    compartment.Query
		want []string
	}{
		{"include", compartment.Query{Type: "Observation", Params: []compartment.Param{
			{Name: "_id", Values: []string{"x1"}}},
			Include: []compartment.Include{{SourceType: "Observation", Param: "subject"}}}, []string{"p1"}},
		{"include iterate", compartment.Query{Type: "Observation", Params: []compartment.Param{
			{Name: "_id", Values: []string{"x1"}}},
			Include: []compartment.Include{{SourceType: "Observation", Param: "subject"},
				{SourceType: "Patient", Param: "organization", Iterate: true}}}, []string{"o1", "p1"}},
		{"revinclude", compartment.Query{Type: "Observation", Params: []compartment.Param{
			{Name: "_id", Values: []string{"x1"}}},
			RevInclude: []compartment.Include{{SourceType: "Provenance", Param: "target"}}}, []string{"v1"}},
		{"wildcard", compartment.Query{Type: "Observation", Params: []compartment.Param{
			{Name: "_id", Values: []string{"x2"}}},
			Include: []compartment.Include{{SourceType: "Observation", Wildcard: true}}},
			[]string{"p1", "p2"}},
	}
	s := seed(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.Search(bg, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(p.Included)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("included %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHistory(t *testing.T) {
	s := seed(t)
	moved := res("Observation", "x1", `,"status":"amended","subject":{"reference":"Patient/p2"}`)
	if _, err := s.Update(bg, moved); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(bg, compartment.HistoryQuery{Type: "Observation", ID: "x1",
		Constraints: compartment.Constraints{{
			{Type: "Observation", Param: "subject", Value: "Patient/p1"}}}})
	if err != nil || len(h.Resources) != 1 || h.Resources[0].Version != "1" {
		t.Fatalf("constrained history: %+v %v", h.Resources, err)
	}
	since := time.Date(2024, 1, 1, 7, 30, 0, 0, time.UTC)
	h, err = s.History(bg, compartment.HistoryQuery{Since: since, Count: 10})
	if err != nil || len(h.Resources) != 1 || h.Resources[0].ID != "x1" {
		t.Fatalf("history since: %+v %v", h.Resources, err)
	}
	_, err = s.History(bg, compartment.HistoryQuery{Type: "Observation", ID: "nope"})
	if !errors.Is(err, compartment.ErrNotFound) {
		t.Errorf("history of a missing resource: %v", err)
	}
}

func TestSearchErrors(t *testing.T) {
	s := seed(t)
	param := func(name, value string) []compartment.Param {
		return []compartment.Param{{Name: name, Values: []string{value}}}
	}
	for name, q := range map[string]compartment.Query{
		"unknown parameter": {Type: "Observation", Params: param("nope", "x")},
		"bad date":          {Type: "Observation", Params: param("date", "yesterday")},
		"other compartment": {Type: "Observation",
			Compartment: compartment.CompartmentRef{Type: "Encounter", ID: "e"}},
		"bad constraint": {Type: "Observation", Constraints: compartment.Constraints{
			{{Type: "Observation", Param: "nope", Value: "x"}}}},
	} {
		if _, err := s.Search(bg, q); !errors.Is(err, compartment.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

// TestConstraintsBeforeParameters checks that the store applies the
// Guard's constraints before the client's parameters: a resource outside
// the constraints whose JSON cannot be evaluated for a client parameter
// must not fail the search, which would tell the client it exists.
func TestConstraintsBeforeParameters(t *testing.T) {
	s := seed(t)
	bad := res("Observation", "bad", `,"status":"final",`+loinc("1")+`,`+loinc("2")+`,`+
		`"subject":{"reference":"Patient/p2"}`)
	if _, err := s.Update(bg, bad); err != nil {
		t.Fatal(err)
	}
	q := compartment.Query{Type: "Observation",
		Params: []compartment.Param{{Name: "code", Values: []string{"http://loinc.org|1"}}},
		Constraints: compartment.Constraints{{
			{Type: "Observation", Param: "subject", Value: "Patient/p1"}}}}
	p, err := s.Search(bg, q)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	if got := ids(p.Resources); !slices.Equal(got, []string{"x1"}) {
		t.Errorf("got %v, want [x1]", got)
	}
}
