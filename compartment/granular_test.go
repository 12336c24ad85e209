package compartment_test

import (
	"context"
	"slices"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

// TestGranularParameterTypes checks a granular scope of each search
// parameter type, on a correct and a lax store: exactly the resources
// that meet the condition come back.
func TestGranularParameterTypes(t *testing.T) {
	extra := []string{
		`{"resourceType":"Observation","id":"q1","meta":{"profile":["http://example.org/p"]},` +
			`"status":"final","code":{"text":"weight"},"subject":{"reference":"Patient/a"},` +
			`"effectiveDateTime":"2023-01-01",` +
			`"valueQuantity":{"value":10,"system":"http://unitsofmeasure.org","code":"mg"}}`,
		`{"resourceType":"Observation","id":"q2","status":"final","code":{"text":"weight"},` +
			`"subject":{"reference":"Patient/a"},"effectiveDateTime":"2025-06-01",` +
			`"valueQuantity":{"value":3,"system":"http://unitsofmeasure.org","code":"mg"}}`,
		// A device element without a reference value: not missing.
		`{"resourceType":"Observation","id":"q3","status":"final","code":{"text":"weight"},` +
			`"subject":{"reference":"Patient/a"},"device":{"display":"home scale"}}`,
	}
	all := "obs-a-abs obs-a1 obs-a2 obs-a4 obs-ab"
	tests := []struct {
		name, scope, typ string
		want             []string
	}{
		{"quantity", "patient/Observation.rs?value-quantity=gt5", "Observation", obsList(all + " q1")},
		{"date", "patient/Observation.rs?date=lt2024", "Observation", obsList("q1")},
		{"uri", "patient/Observation.rs?_profile=http://example.org/p", "Observation", obsList("q1")},
		{"reference", "patient/Observation.rs?performer=Practitioner/pr1", "Observation",
			obsList("obs-a1")},
		{"token :not", "patient/Observation.rs?code:not=http://loinc.org|2345-7", "Observation",
			obsList("obs-a-abs obs-a2 obs-a4 obs-ab q1 q2 q3")},
		{"missing", "patient/Observation.rs?device:missing=true", "Observation",
			obsList("obs-a-abs obs-ab q1 q2")},
		{"not missing", "patient/Observation.rs?device:missing=false", "Observation",
			obsList("obs-a1 obs-a2 obs-a4 q3")},
		{"two conditions", "patient/Observation.rs?code:text=weight&date=gt2024", "Observation",
			obsList("q2")},
		{"string", "patient/Patient.rs?name=alp", "Patient", []string{"Patient/a"}},
		{"string that misses", "patient/Patient.rs?name=zzz", "Patient", nil},
	}
	for _, kind := range []string{"store", "lax store"} {
		for _, tc := range tests {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				repo := stores(t)[kind]
				for _, r := range extra {
					var head struct{ ID string }
					_ = jsonUnmarshal(r, &head)
					res := compartment.Resource{Type: "Observation", ID: head.ID, JSON: []byte(r)}
					if _, err := repo.Update(context.Background(), res); err != nil {
						t.Fatal(err)
					}
				}
				g, _ := newGuard(t, repo, compartment.Config{})
				p, err := search(patientCtx("a", tc.scope), g, tc.typ, "_count=100")
				if err != nil {
					t.Fatal(err)
				}
				if got := sortedRefs(p.Resources); !slices.Equal(got, tc.want) {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			})
		}
	}
}
