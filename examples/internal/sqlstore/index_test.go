package sqlstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

// devices are Devices whose patient element takes every form that
// :missing must tell apart: absent (a shared Device) or there, with or
// without a reference value.
func devices() []compartment.Resource {
	doc := func(id, patient string) compartment.Resource {
		return compartment.Resource{Type: "Device", ID: id, JSON: []byte(
			`{"resourceType":"Device","id":"` + id + `"` + patient + `,"status":"active"}`)}
	}
	return []compartment.Resource{
		doc("shared", ""),
		doc("mine", `,"patient":{"reference":"Patient/a"}`),
		doc("other", `,"patient":{"reference":"Patient/b"}`),
		doc("contained", `,"contained":[{"resourceType":"Patient","id":"p"}],`+
			`"patient":{"reference":"#p"}`),
		doc("identifier", `,"patient":{"identifier":{"value":"b-123"}}`),
		doc("display", `,"patient":{"display":"Bravo"}`),
		doc("null", `,"patient":null`),
		doc("empty", `,"patient":{}`),
	}
}

// TestElementRowsDecideMissing checks that :missing, in a parameter and
// in a constraint, holds only for a Device without any patient element,
// as in the reference store, and that _sort puts elements without a
// value with the resources that have none.
func TestElementRowsDecideMissing(t *testing.T) {
	ctx := context.Background()
	sql, mem := loaded(t, devices()), reference(t, devices())
	patientA := compartment.Condition{Type: "Device", Param: "patient", Value: "Patient/a"}
	missing := compartment.Condition{Type: "Device", Param: "patient", Modifier: "missing",
		Value: "true"}
	tests := []struct {
		name string
		q    compartment.Query
		want []string
	}{
		{"missing=true", parse(t, "Device", "patient:missing=true"), []string{"Device/shared"}},
		{"missing=false", parse(t, "Device", "patient:missing=false"), []string{
			"Device/contained", "Device/display", "Device/empty", "Device/identifier",
			"Device/mine", "Device/null", "Device/other"}},
		{"the Guard's group for a", compartment.Query{Type: "Device",
			Constraints: compartment.Constraints{{patientA, missing}}},
			[]string{"Device/mine", "Device/shared"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := searchAll(ctx, sql, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			want, err := searchAll(ctx, mem, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.matches, tc.want) || !slices.Equal(want.matches, tc.want) {
				t.Errorf("this store %v, reference store %v, want %v", got.matches,
					want.matches, tc.want)
			}
		})
	}

	page, err := sql.Search(ctx, parse(t, "Device", "_sort=patient&_count=3"))
	if err != nil {
		t.Fatal(err)
	}
	if got := refs(page.Resources); !slices.Equal(got, []string{"Device/contained",
		"Device/mine", "Device/other"}) {
		t.Errorf("_sort=patient: %v, want the reference values first", got)
	}
}

// TestGuardedDevices checks the decorator in front of this store: patient
// a's token finds its own Device and the shared one, and the store
// applies the constraint exactly, so no storage defect is reported.
func TestGuardedDevices(t *testing.T) {
	var d defects
	guard, err := compartment.New(loaded(t, devices()), compartment.Config{Audit: d.hook})
	if err != nil {
		t.Fatal(err)
	}
	page, err := guard.Search(patientContext("a", "patient/Device.rs"),
		compartment.Query{Type: "Device", Total: compartment.TotalAccurate})
	if err != nil {
		t.Fatal(err)
	}
	got := refs(page.Resources)
	slices.Sort(got)
	if !slices.Equal(got, []string{"Device/mine", "Device/shared"}) || page.Total != 2 {
		t.Errorf("got %v (total %d), want mine and shared", got, page.Total)
	}
	if d.n != 0 {
		t.Errorf("%d storage defects: the store's :missing disagrees with the decorator", d.n)
	}
}
