package compartment_test

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/compartment/memstore"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
)

// baseURL is the server base the fixture's absolute references use.
const baseURL = "http://fhir.example.org/r4"

// fixedNow is the instant every test runs at.
var fixedNow = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// fixture returns the resources of testdata/fixture.json.
func fixture(t testing.TB) []compartment.Resource {
	t.Helper()
	data, err := os.ReadFile("testdata/fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(data, &bundle); err != nil {
		t.Fatal(err)
	}
	out := make([]compartment.Resource, 0, len(bundle.Entry))
	for _, e := range bundle.Entry {
		var head struct{ ResourceType, ID string }
		if err := json.Unmarshal(e.Resource, &head); err != nil {
			t.Fatal(err)
		}
		out = append(out, compartment.Resource{Type: head.ResourceType, ID: head.ID,
			JSON: []byte(e.Resource)})
	}
	return out
}

// newStore returns a store loaded with the fixture.
func newStore(t testing.TB) *memstore.Store {
	t.Helper()
	s, err := memstore.New(memstore.Config{Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range fixture(t) {
		if _, err := s.Update(context.Background(), r); err != nil {
			t.Fatalf("loading %s: %v", r.Reference(), err)
		}
	}
	return s
}

// recorder collects audit records.
type recorder struct {
	mu      sync.Mutex
	records []audit.Record
}

func (r *recorder) hook(_ context.Context, rec audit.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
}

// kinds returns the records of one kind.
func (r *recorder) kinds(k audit.Kind) []audit.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []audit.Record
	for _, rec := range r.records {
		if rec.Kind == k {
			out = append(out, rec)
		}
	}
	return out
}

// newGuard returns a Guard over repo with cfg, recording audit records.
func newGuard(t testing.TB, repo compartment.Repository, cfg compartment.Config) (
	*compartment.Guard, *recorder) {
	t.Helper()
	rec := &recorder{}
	cfg.Audit = rec.hook
	cfg.Now = func() time.Time { return fixedNow }
	if cfg.BaseURL == "" {
		cfg.BaseURL = baseURL
	}
	g, err := compartment.New(repo, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g, rec
}

// patientCtx returns a context carrying a grant for patient with scopes.
func patientCtx(patient, scopes string) context.Context {
	return smart.NewContext(context.Background(), &smart.Grant{
		ClientID: "app", Patient: patient, Scopes: smart.ParseScopes(scopes),
		Expiry: fixedNow.Add(time.Hour), TokenID: "tok-" + patient,
	})
}

// userCtx returns a context carrying a grant without a patient.
func userCtx(scopes string) context.Context {
	return smart.NewContext(context.Background(), &smart.Grant{
		ClientID: "portal", FHIRUser: "Practitioner/pr1", Scopes: smart.ParseScopes(scopes),
		Expiry: fixedNow.Add(time.Hour), TokenID: "tok-user",
	})
}

// linkedA is a LinkedPatients resolver that links a and a2.
func linkedA(_ context.Context, id string) ([]string, error) {
	switch id {
	case "a":
		return []string{"a2"}, nil
	case "a2":
		return []string{"a"}, nil
	}
	return nil, nil
}

// refs returns the "Type/id" of each resource.
func refs(rs []compartment.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Reference()
	}
	return out
}

// laxStore is a defective store that ignores the Guard's constraints and
// type restrictions, so that tests reach the Guard's own re-check.
type laxStore struct{ compartment.Repository }

// Search drops the constraints and the type list.
func (l laxStore) Search(ctx context.Context, q compartment.Query) (compartment.Page, error) {
	q.Constraints, q.Types = nil, nil
	return l.Repository.Search(ctx, q)
}

// History drops the constraints.
func (l laxStore) History(ctx context.Context, q compartment.HistoryQuery) (
	compartment.Page, error) {
	q.Constraints = nil
	return l.Repository.History(ctx, q)
}

// stores returns a correct store and a lax one, both loaded with the
// fixture, by name.
func stores(t testing.TB) map[string]compartment.Repository {
	return map[string]compartment.Repository{"store": newStore(t), "lax store": laxStore{newStore(t)}}
}
