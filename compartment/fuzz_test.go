package compartment_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

// spyStore records the queries it receives and returns empty pages.
type spyStore struct {
	compartment.Repository
	mu      sync.Mutex
	queries []compartment.Query
}

func (s *spyStore) Search(_ context.Context, q compartment.Query) (compartment.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries = append(s.queries, q)
	return compartment.Page{}, nil
}

// isMembership reports whether c ties a resource of its type to patient a
// through one of the type's compartment parameters, or its _id for
// Patient; for Device, through its patient, or by having no patient.
func isMembership(c compartment.Condition, def map[string][]string) bool {
	switch c.Type {
	case "Patient":
		return c.Param == "_id" && c.Value == "a" && c.Modifier == ""
	case "Device":
		return c.Param == "patient" && (c.Modifier == "missing" && c.Value == "true" ||
			c.Modifier == "" && (c.Value == "Patient/a" || c.Value == baseURL+"/Patient/a"))
	}
	return slices.Contains(def[c.Type], c.Param) && c.Modifier == "" &&
		(c.Value == "Patient/a" || c.Value == baseURL+"/Patient/a")
}

// checkConstrained fails unless q constrains every compartment type it
// searches to patient a: some group must, for that type, hold only
// membership conditions.
func checkConstrained(t *testing.T, q compartment.Query, def map[string][]string) {
	t.Helper()
	types := q.Types
	if q.Type != "" {
		types = []string{q.Type}
	}
	for _, typ := range types {
		if def[typ] == nil && typ != "Patient" && typ != "Device" {
			continue
		}
		found := slices.ContainsFunc(q.Constraints, func(g []compartment.Condition) bool {
			n := 0
			for _, c := range g {
				if c.Type == typ {
					n++
					if !isMembership(c, def) {
						return false
					}
				}
			}
			return n > 0
		})
		if !found {
			t.Fatalf("query for %s not constrained to the patient: %v", typ, q.Constraints)
		}
	}
}

// FuzzConstraints feeds client queries and granular scopes to the
// constraint builder and checks that every query reaching the store is
// constrained to the patient's compartment, and that refusals are 400 or
// 403.
func FuzzConstraints(f *testing.F) {
	for _, s := range [][3]string{
		{"Observation", "subject=Patient/a", "category=laboratory"},
		{"Observation", "code=x&_include=*", "code=http://loinc.org|8867-4"},
		{"Observation", "subject:Patient.name=x", "category=a,b"},
		{"Patient", "_has:Observation:subject:code=x", "_security:not=R"},
		{"", "_type=Observation,Patient,Practitioner", "date=ge2020"},
		{"Encounter", "_revinclude=Provenance:target", "status=finished"},
		{"Observation", "_summary=count", "value-quantity=gt5"},
		{"Device", "patient:missing=false&_revinclude=Provenance:target", "status=final"},
		{"", "_type=Device,Observation&_id=x", "code=1"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	def := compartmentDefinition(f)
	spy := &spyStore{}
	g, err := compartment.New(spy, compartment.Config{BaseURL: baseURL})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, typ, raw, granular string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := compartment.ParseQuery(typ, v)
		if err != nil {
			return
		}
		spy.mu.Lock()
		spy.queries = nil
		spy.mu.Unlock()
		scopes := "patient/Patient.rs patient/Practitioner.rs patient/Observation.rs?" + granular +
			" patient/Encounter.rs patient/Provenance.rs patient/Device.rs"
		_, err = g.Search(patientCtx("a", scopes), q)
		refused := errors.Is(err, compartment.ErrInvalid) || errors.Is(err, compartment.ErrForbidden)
		if err != nil && !refused {
			t.Fatalf("unexpected error %v", err)
		}
		for _, sq := range spy.queries {
			checkConstrained(t, sq, def)
		}
	})
}

// fixedStore serves one resource, set by the test, for every read.
type fixedStore struct {
	compartment.Repository
	data atomic.Pointer[[]byte]
}

func (s *fixedStore) Read(context.Context, string, string) (compartment.Resource, error) {
	return compartment.Resource{Type: "Observation", ID: "x", Version: "1", JSON: *s.data.Load()}, nil
}

// oracleAdmits decides, by decoding with encoding/json, whether an
// Observation belongs to patient a (subject or performer) and has the
// laboratory category.
func oracleAdmits(data []byte) bool {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil || m["resourceType"] != "Observation" {
		return false
	}
	member := false
	for _, ref := range walk(m, []string{"subject", "reference"}) {
		member = member || ref == "Patient/a" || ref == baseURL+"/Patient/a"
	}
	for _, ref := range walk(m, []string{"performer", "reference"}) {
		member = member || ref == "Patient/a" || ref == baseURL+"/Patient/a"
	}
	lab := false
	for _, c := range walk(m, []string{"category", "coding"}) {
		cm, _ := c.(map[string]any)
		lab = lab || cm["code"] == "laboratory" &&
			cm["system"] == "http://terminology.hl7.org/CodeSystem/observation-category"
	}
	return member && lab
}

// FuzzCheck feeds resource bytes to the per-resource check (a read under
// a granular category scope) and checks that whatever the Guard releases
// is, by an independent decoding, patient a's laboratory Observation.
func FuzzCheck(f *testing.F) {
	for _, r := range fixture(f) {
		if r.Type == "Observation" {
			f.Add(r.JSON)
		}
	}
	bench, err := os.ReadFile("testdata/observation-2k.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(bench)
	f.Add([]byte(`{"resourceType":"Observation","subject":{"reference":"Patient/b"},` +
		`"subject":{"reference":"Patient/a"},"category":[{"coding":[{"system":` +
		`"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}]}`))
	f.Add([]byte(`{"resourceType":"Observation","sub\u006aect":{"reference":"Patient/a"}}`))
	const scope = "patient/Observation.rs?category=" +
		"http://terminology.hl7.org/CodeSystem/observation-category|laboratory"
	store := &fixedStore{}
	g, err := compartment.New(store, compartment.Config{BaseURL: baseURL})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		store.data.Store(&data)
		r, err := g.Read(patientCtx("a", scope), "Observation", "x")
		if err != nil {
			if !errors.Is(err, compartment.ErrNotFound) {
				t.Fatalf("error %v, want ErrNotFound", err)
			}
			return
		}
		if !oracleAdmits(r.JSON) {
			t.Fatalf("released a resource the oracle excludes: %s", strings.ToValidUTF8(string(r.JSON), "?"))
		}
	})
}

// binaryStore serves the Binary set by the test as Binary/x, patient a's
// DocumentReference doc-a1, and empty searches.
type binaryStore struct {
	fixedStore
}

func (s *binaryStore) Read(_ context.Context, typ, id string) (compartment.Resource, error) {
	if typ == "DocumentReference" && id == "doc-a1" {
		return compartment.Resource{Type: typ, ID: id, JSON: []byte(`{"resourceType":` +
			`"DocumentReference","id":"doc-a1","status":"current","subject":{"reference":"Patient/a"}}`)}, nil
	}
	if typ != "Binary" || id != "x" {
		return compartment.Resource{}, compartment.ErrNotFound
	}
	return compartment.Resource{Type: typ, ID: id, JSON: *s.data.Load()}, nil
}

func (s *binaryStore) Search(context.Context, compartment.Query) (compartment.Page, error) {
	return compartment.Page{}, nil
}

// FuzzBinaryCheck feeds Binary bytes to the per-resource check of a read
// by patient a, whose only visible document is doc-a1, and checks that
// whatever the Guard releases has, by an independent decoding, a
// securityContext naming doc-a1.
func FuzzBinaryCheck(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Binary","securityContext":{"reference":"DocumentReference/doc-a1"}}`,
		`{"resourceType":"Binary","securityContext":{"reference":"DocumentReference/doc-b1"},` +
			`"securityContext":{"reference":"DocumentReference/doc-a1"}}`,
		`{"resourceType":"Binary","securityContext":{"reference":"` + baseURL +
			`/DocumentReference/doc-a1"}}`,
		`{"resourceType":"Binary","securityContext":"DocumentReference/doc-a1"}`,
		`{"resourceType":"Binary","\u0073ecurityContext":{"reference":"DocumentReference/doc-a1"}}`,
	} {
		f.Add([]byte(s))
	}
	store := &binaryStore{}
	g, err := compartment.New(store, compartment.Config{BaseURL: baseURL})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		store.data.Store(&data)
		r, err := g.Read(patientCtx("a", "patient/*.rs"), "Binary", "x")
		if err != nil {
			if !errors.Is(err, compartment.ErrNotFound) {
				t.Fatalf("error %v, want ErrNotFound", err)
			}
			return
		}
		var m struct {
			SecurityContext struct{ Reference string } `json:"securityContext"`
		}
		ref := ""
		if json.Unmarshal(r.JSON, &m) == nil {
			ref = strings.TrimPrefix(m.SecurityContext.Reference, baseURL+"/")
		}
		if ref != "DocumentReference/doc-a1" {
			t.Fatalf("released a Binary the oracle excludes: %q", r.JSON)
		}
	})
}
