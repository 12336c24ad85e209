package compartment_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

// TestProvenanceThroughTargets reads, as patient a, Provenance resources
// outside its compartment that are visible or not through their targets:
// a visible target that may be the patient's data makes the Provenance
// visible; reference data (a Device of no patient included) does so only
// when it is all the Provenance targets.
func TestProvenanceThroughTargets(t *testing.T) {
	tests := []struct {
		name    string
		targets []string
		visible bool
	}{
		{"own Observation", []string{"Observation/obs-a1"}, true},
		{"own and b's Observations", []string{"Observation/obs-a1", "Observation/obs-b1"}, true},
		{"b's Observation and a Practitioner", []string{"Observation/obs-b1", "Practitioner/pr1"},
			false},
		{"reference data only", []string{"Practitioner/pr1", "Organization/org1"}, true},
		{"reference data and an unknown Medication", []string{"Practitioner/pr1", "Medication/zz"},
			false},
		{"reference data on another server",
			[]string{"Practitioner/pr1", "https://elsewhere.example/Practitioner/pr1"}, false},
		{"another Provenance", []string{"Provenance/prov-a1"}, false},
		{"own Device", []string{"Device/dev-a"}, true},
		{"b's Device and a Location", []string{"Device/dev-b", "Location/loc1"}, false},
		{"a Device of no patient", []string{"Device/dev-free"}, true},
		{"a Device of no patient and a Location", []string{"Device/dev-free", "Location/loc1"},
			true},
		{"b's Observation and a Device of no patient", []string{"Observation/obs-b1",
			"Device/dev-free"}, false},
		{"own Observation and a Device of no patient", []string{"Observation/obs-a1",
			"Device/dev-free"}, true},
		{"a Device with a null patient", []string{"Device/dev-null"}, false},
		{"a Device that does not exist", []string{"Device/no-such-device"}, false},
		{"seventeen Practitioner targets", slices.Repeat([]string{"Practitioner/pr1"}, 17), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			refs := make([]string, len(tc.targets))
			for i, r := range tc.targets {
				refs[i] = `{"reference":"` + r + `"}`
			}
			prov := compartment.Resource{Type: "Provenance", ID: "p", JSON: []byte(
				`{"resourceType":"Provenance","id":"p","target":[` + strings.Join(refs, ",") +
					`],"recorded":"2024-03-01T10:00:00Z","agent":[{"who":{"reference":"Practitioner/pr1"}}]}`)}
			if _, err := store.Update(context.Background(), prov); err != nil {
				t.Fatal(err)
			}
			g, _ := newGuard(t, store, compartment.Config{})
			_, err := g.Read(patientCtx("a", "patient/*.rs"), "Provenance", "p")
			if (err == nil) != tc.visible {
				t.Fatalf("read: %v, want visible %v", err, tc.visible)
			}
		})
	}
}
