package memstore_test

import (
	"slices"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/compartment/memstore"
)

// devices are Devices whose patient element takes every form a
// :missing=true condition must tell apart: absent (shared, unowned) or
// there, with or without a reference value.
var devices = []compartment.Resource{
	res("Device", "shared", `,"status":"active"`),
	res("Device", "mine", `,"patient":{"reference":"Patient/a"}`),
	res("Device", "other", `,"patient":{"reference":"Patient/b"}`),
	res("Device", "contained", `,"contained":[{"resourceType":"Patient","id":"p"}],`+
		`"patient":{"reference":"#p"}`),
	res("Device", "identifier", `,"patient":{"identifier":{"value":"b-123"}}`),
	res("Device", "display", `,"patient":{"display":"Bravo"}`),
	res("Device", "null", `,"patient":null`),
	res("Device", "empty", `,"patient":{}`),
}

// deviceStore returns a store holding devices.
func deviceStore(t *testing.T) *memstore.Store {
	t.Helper()
	s, err := memstore.New(memstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range devices {
		if _, err := s.Update(bg, r); err != nil {
			t.Fatalf("%s: %v", r.Reference(), err)
		}
	}
	return s
}

// TestMissingConstraint checks the constraint the Guard sends for a
// Device search by patient a's token: patient=Patient/a OR
// patient:missing=true selects a's Device and the Device with no patient
// element, and nothing whose patient element is there without naming a.
func TestMissingConstraint(t *testing.T) {
	cond := func(mod, value string) compartment.Condition {
		return compartment.Condition{Type: "Device", Param: "patient", Modifier: mod, Value: value}
	}
	tests := []struct {
		name  string
		group []compartment.Condition
		want  []string
	}{
		{"missing=true", []compartment.Condition{cond("missing", "true")}, []string{"shared"}},
		{"missing=false", []compartment.Condition{cond("missing", "false")},
			[]string{"contained", "display", "empty", "identifier", "mine", "null", "other"}},
		{"the Guard's group", []compartment.Condition{cond("", "Patient/a"),
			cond("missing", "true")}, []string{"mine", "shared"}},
	}
	s := deviceStore(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.Search(bg, compartment.Query{Type: "Device",
				Constraints: compartment.Constraints{tc.group}})
			if err != nil {
				t.Fatal(err)
			}
			got := ids(p.Resources)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestMissingParameter checks the client's patient:missing parameter,
// which has the same meaning as the constraint.
func TestMissingParameter(t *testing.T) {
	p, err := deviceStore(t).Search(bg, compartment.Query{Type: "Device",
		Params: []compartment.Param{{Name: "patient", Modifier: "missing", Values: []string{"true"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(p.Resources); !slices.Equal(got, []string{"shared"}) {
		t.Errorf("got %v, want [shared]", got)
	}
}
