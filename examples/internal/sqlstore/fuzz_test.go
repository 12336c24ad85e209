package sqlstore_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/compartment/memstore"
	"github.com/fhirguard/fhirguard/examples/internal/sqlstore"
	"github.com/fhirguard/fhirguard/examples/internal/synth"
	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// fuzzStores holds one patient's data in both stores, loaded once per
// fuzzing process.
var fuzzStores = sync.OnceValues(func() ([2]compartment.Repository, error) {
	rs, err := synth.Generate(synth.Config{Patients: 1})
	if err != nil {
		return [2]compartment.Repository{}, err
	}
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, sqlstore.Config{})
	if err != nil {
		return [2]compartment.Repository{}, err
	}
	m, err := memstore.New(memstore.Config{})
	if err != nil {
		return [2]compartment.Repository{}, err
	}
	for _, r := range rs {
		if _, err := s.Update(ctx, r); err != nil {
			return [2]compartment.Repository{}, err
		}
		if _, err := m.Update(ctx, r); err != nil {
			return [2]compartment.Repository{}, err
		}
	}
	return [2]compartment.Repository{s, m}, nil
})

// FuzzSearch runs a search parameter from the fuzzer on this store and on
// the reference store, and asks for the same answer: the same error or
// no error, and the same matches.
func FuzzSearch(f *testing.F) {
	for _, seed := range [][3]string{
		{"Observation", "code", "http://loinc.org|8867-4"},
		{"Observation", "date", "ge2025-01-01"},
		{"Observation", "value-quantity", "ap70|http://unitsofmeasure.org|/min"},
		{"Observation", "subject", "Patient/p1"},
		{"Observation", "subject:Patient", "p1"},
		{"Observation", "code:text", "heart"},
		{"Observation", "code:not", "8867-4,2339-0"},
		{"Observation", "subject:Patient.name", "shaw"},
		{"Patient", "name:contains", "ha"},
		{"Patient", "name:exact", "Shaw"},
		{"Patient", "birthdate", "sa1980"},
		{"Patient", "identifier:of-type", "http://terminology.hl7.org/CodeSystem/v2-0203|MR|MRN-p1"},
		{"Patient", "_has:Observation:subject:code", "8867-4"},
		{"Questionnaire", "url:below", "http://riverside"},
		{"Encounter", "class", `http\|x|AMB`},
		{"Condition", "abatement-date:missing", "true"},
		{"Observation", "value-quantity", "1e400"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, typ, key, value string) {
		stores, err := fuzzStores()
		if err != nil {
			t.Fatal(err)
		}
		q, err := compartment.ParseQuery(typ, url.Values{key: {value}})
		if err != nil || len(q.Include)+len(q.RevInclude) > 0 {
			return
		}
		q.Count = 1000
		ctx := context.Background()
		got, gotErr := searchAll(ctx, stores[0], q)
		want, wantErr := searchAll(ctx, stores[1], q)
		if (gotErr != nil) != (wantErr != nil) {
			t.Fatalf("%s?%s=%s: error %v, reference store %v", typ, key, value, gotErr, wantErr)
		}
		if !slices.Equal(got.matches, want.matches) {
			t.Fatalf("%s?%s=%s:\n got %v\nwant %v", typ, key, value, got.matches, want.matches)
		}
	})
}

// FuzzStamp writes resource JSON from the fuzzer and checks that whatever
// the store accepts it serves back as valid JSON of the right type and
// ID with the version it assigned.
func FuzzStamp(f *testing.F) {
	for _, seed := range []string{
		`{"resourceType":"Patient"}`,
		`{"resourceType":"Patient","id":"f1","meta":{"versionId":"7","tag":[]},"name":[{"family":"x"}]}`,
		`{"meta":{},"resourceType":"Patient","active":true}`,
		`{"resourceType":"Patient","resourceType":"Patient"}`,
		`{"resourceType":"Patient","text":{"div":"\u003cdiv\u003e"}}`,
		`[]`,
		`{"resourceType":"Patient"`,
	} {
		f.Add([]byte(seed))
	}
	s, err := sqlstore.Open(context.Background(), sqlstore.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		out, err := s.Update(ctx, compartment.Resource{Type: "Patient", ID: "f1", JSON: data})
		if err != nil {
			return
		}
		// Members are compared exactly: encoding/json matches struct
		// fields without regard to case, and "metA" is not "meta".
		var top map[string]json.RawMessage
		if err := json.Unmarshal(out.JSON, &top); err != nil {
			t.Fatalf("stored JSON is invalid: %v\n%s", err, out.JSON)
		}
		var meta map[string]json.RawMessage
		if err := json.Unmarshal(top["meta"], &meta); err != nil ||
			string(top["resourceType"]) != `"Patient"` || string(top["id"]) != `"f1"` ||
			string(meta["versionId"]) != `"`+out.Version+`"` {
			t.Fatalf("stored %s", out.JSON)
		}
		read, err := s.Read(ctx, "Patient", "f1")
		if err != nil || string(read.JSON) != string(out.JSON) {
			t.Fatalf("read back %s, %v", read.JSON, err)
		}
		if !strings.HasPrefix(string(out.JSON), `{"resourceType":"Patient","id":"f1","meta":`) {
			t.Fatalf("stored %s", out.JSON)
		}
	})
}

// FuzzMissing writes Device JSON from the fuzzer to this store and to the
// reference store and asks, for every Device parameter, the same answer to
// :missing=true and :missing=false: this store's element rows must
// agree with the reference store's reading of the JSON.
func FuzzMissing(f *testing.F) {
	for _, seed := range []string{
		`{"resourceType":"Device"}`,
		`{"resourceType":"Device","patient":{"reference":"Patient/a"}}`,
		`{"resourceType":"Device","patient":{"identifier":{"value":"1"}},"owner":null}`,
		`{"resourceType":"Device","patient":{},"location":[],"type":{"text":""}}`,
		`{"resourceType":"Device","deviceName":[{"name":null}],"udiCarrier":[{}]}`,
	} {
		f.Add([]byte(seed))
	}
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, sqlstore.Config{})
	if err != nil {
		f.Fatal(err)
	}
	m, err := memstore.New(memstore.Config{})
	if err != nil {
		f.Fatal(err)
	}
	var names []string
	for _, d := range searchparam.Defs("Device") {
		if d.Supported() && d.Name != "_lastUpdated" {
			names = append(names, d.Name)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		stored, err := s.Update(ctx, compartment.Resource{Type: "Device", ID: "f1", JSON: data})
		if err != nil {
			return
		}
		if _, err := m.Update(ctx, stored); err != nil {
			t.Fatalf("the reference store refused what this store stored: %v", err)
		}
		for _, name := range names {
			for _, v := range []string{"true", "false"} {
				q := compartment.Query{Type: "Device", Params: []compartment.Param{
					{Name: "_id", Values: []string{"f1"}},
					{Name: name, Modifier: "missing", Values: []string{v}}}}
				got, gotErr := searchAll(ctx, s, q)
				want, wantErr := searchAll(ctx, m, q)
				if gotErr != nil || wantErr != nil || !slices.Equal(got.matches, want.matches) {
					t.Fatalf("%s:missing=%s: %v (%v), reference store %v (%v)", name, v,
						got.matches, gotErr, want.matches, wantErr)
				}
			}
		}
	})
}
