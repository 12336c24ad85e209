package sqlstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
)

// These tests put the compartment decorator in front of this store, as
// the demo server does, and check that the store applies every
// constraint itself: the decorator, which re-checks each resource, finds
// nothing to drop and reports no storage defect, and the results equal
// those of the decorator in front of the reference store.

// defects counts the storage defects the decorator reports.
type defects struct {
	mu sync.Mutex
	n  int
}

func (d *defects) hook(_ context.Context, r audit.Record) {
	if r.Kind == audit.KindStorageDefect {
		d.mu.Lock()
		d.n++
		d.mu.Unlock()
	}
}

// patientContext returns a context carrying a patient token's grant.
func patientContext(patient, scopes string) context.Context {
	return smart.NewContext(context.Background(), &smart.Grant{Patient: patient,
		Scopes: smart.ParseScopes(scopes)})
}

func TestGuardedSearchesMatchReferenceStore(t *testing.T) {
	rs := fixture(t)
	var d defects
	sqlGuard, err := compartment.New(fixtureStore(t), compartment.Config{Audit: d.hook})
	if err != nil {
		t.Fatal(err)
	}
	memGuard, err := compartment.New(reference(t, rs), compartment.Config{})
	if err != nil {
		t.Fatal(err)
	}
	scopes := "patient/*.rs"
	granular := "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/" +
		"observation-category|laboratory patient/Patient.rs patient/Practitioner.rs"
	cases, nonEmpty := 0, 0
	for _, tc := range []struct{ scopes, typ, query string }{
		{scopes, "Observation", ""},
		{scopes, "Observation", "category=vital-signs&date=ge2025"},
		{scopes, "Observation", "_revinclude=Provenance:target"},
		{scopes, "Observation", "_include=Observation:performer"},
		{scopes, "MedicationRequest", "_include=MedicationRequest:medication"},
		{scopes, "Patient", "_revinclude=Provenance:target"},
		{scopes, "Provenance", ""},
		{scopes, "Practitioner", "name=park"},
		{scopes, "Observation", "subject:Patient.name=shaw"},
		{scopes, "Patient", "_has:Observation:performer:code=55758-7"},
		{scopes, "Encounter", "_revinclude=Observation:encounter&_count=2"},
		{granular, "Observation", ""},
		{granular, "Observation", "_include=Observation:performer"},
	} {
		for _, patient := range []string{"p1", "p2", "p5"} {
			cases++
			name := patient + " " + tc.typ + "?" + tc.query
			ctx := patientContext(patient, tc.scopes)
			q := parse(t, tc.typ, tc.query)
			got, gotErr := searchAll(ctx, sqlGuard, q)
			want, wantErr := searchAll(ctx, memGuard, q)
			if gotErr != nil || wantErr != nil {
				t.Errorf("%s: errors %v and %v", name, gotErr, wantErr)
				continue
			}
			if !slices.Equal(got.matches, want.matches) || !slices.Equal(got.included, want.included) {
				t.Errorf("%s:\n got %v + %v\nwant %v + %v", name, got.matches, got.included,
					want.matches, want.included)
			}
			if len(got.matches) > 0 {
				nonEmpty++
			}
			for _, m := range got.matches {
				if strings.HasPrefix(tc.typ, "Obs") && !strings.HasPrefix(m, "Observation/"+patient) &&
					!strings.HasSuffix(m, "-survey-1") {
					t.Errorf("%s: %s is not the patient's", name, m)
				}
			}
		}
	}
	if nonEmpty < cases*3/4 {
		t.Errorf("only %d of %d searches found anything", nonEmpty, cases)
	}
	if d.n != 0 {
		t.Errorf("the decorator reported %d storage defects: the store missed constraints", d.n)
	}
}

func TestGuardedReadsHideOtherPatients(t *testing.T) {
	guard, err := compartment.New(fixtureStore(t), compartment.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := patientContext("p1", "patient/*.rs")
	for _, ref := range []string{"Observation/p1-vs-1", "Observation/p5-survey-1",
		"Practitioner/pr-park", "Medication/med-metformin", "Patient/p1"} {
		typ, id, _ := strings.Cut(ref, "/")
		if _, err := guard.Read(ctx, typ, id); err != nil {
			t.Errorf("read %s: %v, want it", ref, err)
		}
	}
	for _, ref := range []string{"Observation/p2-vs-1", "Patient/p2", "Condition/p3-prob-1"} {
		typ, id, _ := strings.Cut(ref, "/")
		if _, err := guard.Read(ctx, typ, id); !errors.Is(err, compartment.ErrNotFound) {
			t.Errorf("read %s: %v, want ErrNotFound", ref, err)
		}
	}
}
