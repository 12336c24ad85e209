package compartment

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
)

// The benchmarks of the per-resource check and of constraint building,
// each with its baseline in this file, so that results are compared as
// ratios measured in the same run:
//
//	go test -run XXX -bench . -benchmem ./compartment/

// benchScope is a granular category scope: the check evaluates the
// compartment membership and one granular CEL predicate.
const benchScope = "patient/Observation.rs?category=" +
	"http://terminology.hl7.org/CodeSystem/observation-category|laboratory"

// benchObservation reads the 2 KB Observation of testdata.
func benchObservation(b *testing.B) []byte {
	data, err := os.ReadFile("testdata/observation-2k.json")
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// pageStore returns the same page for every search.
type pageStore struct {
	Repository
	page Page
}

func (s pageStore) Search(context.Context, Query) (Page, error) { return s.page, nil }

// benchRequest returns a request for patient a with benchScope, and the
// Observation policy for search.
func benchRequest(b *testing.B, repo Repository) (*Guard, *request, *policy) {
	g, err := New(repo, Config{BaseURL: "http://fhir.example.org/r4"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := smart.NewContext(context.Background(),
		&smart.Grant{Patient: "a", Scopes: smart.ParseScopes(benchScope)})
	rq, err := g.begin(ctx, "search")
	if err != nil {
		b.Fatal(err)
	}
	p := rq.policy(lookupType("Observation"), smart.PermSearch)
	if p.predicate == nil || rq.prepare(p) != nil {
		b.Fatal("the benchmark policy has no granular predicate")
	}
	return g, rq, p
}

func BenchmarkJSONValidBaseline(b *testing.B) {
	data := benchObservation(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if !json.Valid(data) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkUnmarshalMapBaseline(b *testing.B) {
	data := benchObservation(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck checks one resource: one extraction pass over subject,
// performer and category, the membership test and the CEL predicate.
func BenchmarkCheck(b *testing.B) {
	data := benchObservation(b)
	_, rq, p := benchRequest(b, pageStore{})
	r := Resource{Type: "Observation", ID: "bench-1", JSON: data}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if v := rq.check(p, r, nil, false); !v.ok {
			b.Fatal(v.reason)
		}
	}
}

// benchPage returns a page of n copies of the Observation, with their IDs.
func benchPage(b *testing.B, n int) (Page, int) {
	data := benchObservation(b)
	page := Page{Resources: make([]Resource, n)}
	size := 0
	for i := range page.Resources {
		page.Resources[i] = Resource{Type: "Observation", ID: fmt.Sprint(i), JSON: data}
		size += len(data)
	}
	return page, size
}

func BenchmarkFilterPageJSONValidBaseline(b *testing.B) {
	page, size := benchPage(b, 1000)
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, r := range page.Resources {
			if !json.Valid(r.JSON) {
				b.Fatal("invalid")
			}
		}
	}
}

// BenchmarkFilterPage runs a whole search through the Guard whose store
// returns a page of 1,000 Observations (about 2 MB): plan, constraints
// and the check of every resource.
func BenchmarkFilterPage(b *testing.B) {
	page, size := benchPage(b, 1000)
	g, _, _ := benchRequest(b, pageStore{page: page})
	ctx := smart.NewContext(context.Background(),
		&smart.Grant{Patient: "a", Scopes: smart.ParseScopes(benchScope)})
	b.SetBytes(int64(size))
	for b.Loop() {
		out, err := g.Search(ctx, Query{Type: "Observation"})
		if err != nil || len(out.Resources) != 1000 {
			b.Fatalf("%d resources, %v", len(out.Resources), err)
		}
	}
}

// BenchmarkConstraints builds the constraints of a search: the policy
// from the cache, the client parameter checks and the constraint groups.
func BenchmarkConstraints(b *testing.B) {
	g, _, _ := benchRequest(b, pageStore{})
	ctx := smart.NewContext(context.Background(),
		&smart.Grant{Patient: "a", Scopes: smart.ParseScopes(benchScope)})
	code := Param{Name: "code", Values: []string{"http://loinc.org|15074-8"}}
	q := Query{Type: "Observation", Params: []Param{code}}
	for b.Loop() {
		rq, err := g.begin(ctx, "search")
		if err != nil {
			b.Fatal(err)
		}
		plan, err := rq.plan(q, smart.PermSearch)
		if err != nil || len(plan.query.Constraints) != 2 {
			b.Fatalf("%v, %v", plan, err)
		}
	}
}

// BenchmarkConstraintsNewPatient is BenchmarkConstraints with a different
// patient on every iteration, so that the constraints are built rather
// than taken from the policy's cache.
func BenchmarkConstraintsNewPatient(b *testing.B) {
	g, _, _ := benchRequest(b, pageStore{})
	ctxs := make([]context.Context, 1000)
	for i := range ctxs {
		ctxs[i] = smart.NewContext(context.Background(),
			&smart.Grant{Patient: fmt.Sprint("p", i), Scopes: smart.ParseScopes(benchScope)})
	}
	q := Query{Type: "Observation"}
	i := 0
	for b.Loop() {
		rq, err := g.begin(ctxs[i%len(ctxs)], "search")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rq.plan(q, smart.PermSearch); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// benchDevice is a shared Device (no patient element) of about 600
// bytes, with the elements a lab analyser's record has.
var benchDevice = []byte(`{"resourceType":"Device","id":"analyser-1",` +
	`"identifier":[{"system":"urn:example:asset","value":"LAB-0042"}],` +
	`"udiCarrier":[{"deviceIdentifier":"00643169007222","carrierHRF":"(01)00643169007222"}],` +
	`"status":"active","manufacturer":"Example Diagnostics","lotNumber":"43453424",` +
	`"serialNumber":"AX-99-1234","deviceName":[{"name":"Chemistry analyser",` +
	`"type":"user-friendly-name"}],"modelNumber":"CX-9","type":{"coding":[{"system":` +
	`"http://snomed.info/sct","code":"706172005","display":"Chemistry analyser"}]},` +
	`"owner":{"reference":"Organization/org1"},"location":{"reference":"Location/loc1"},` +
	`"note":[{"text":"Calibrated weekly."}]}`)

func BenchmarkCheckDeviceJSONValidBaseline(b *testing.B) {
	b.SetBytes(int64(len(benchDevice)))
	for b.Loop() {
		if !json.Valid(benchDevice) {
			b.Fatal("invalid")
		}
	}
}

// BenchmarkCheckSharedDevice checks a Device of no patient for a patient
// token: one extraction pass over Device.patient that also reports
// whether the element is there.
func BenchmarkCheckSharedDevice(b *testing.B) {
	g, err := New(pageStore{}, Config{BaseURL: "http://fhir.example.org/r4"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := smart.NewContext(context.Background(),
		&smart.Grant{Patient: "a", Scopes: smart.ParseScopes("patient/Device.rs")})
	rq, err := g.begin(ctx, "read")
	if err != nil {
		b.Fatal(err)
	}
	p := rq.policy(lookupType("Device"), smart.PermRead)
	if rq.prepare(p) != nil {
		b.Fatal("prepare")
	}
	r := Resource{Type: "Device", ID: "analyser-1", JSON: benchDevice}
	b.SetBytes(int64(len(benchDevice)))
	for b.Loop() {
		if v := rq.check(p, r, nil, false); !v.ok || !v.shared {
			b.Fatal(v.reason)
		}
	}
}
