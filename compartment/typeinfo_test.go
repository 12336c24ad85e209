package compartment

import (
	"slices"
	"testing"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// TestCompartmentParamsSupported checks that the membership of every type
// of the Patient compartment can be evaluated; a type whose membership
// cannot be would be refused to patient tokens.
func TestCompartmentParamsSupported(t *testing.T) {
	for _, typ := range searchparam.CompartmentTypes() {
		ti := lookupType(typ)
		if ti == nil || ti.unsupported != "" {
			t.Errorf("%s: %v", typ, ti)
		}
	}
}

func TestTypeModes(t *testing.T) {
	tests := []struct {
		typ     string
		mode    mode
		members []string
	}{
		{"Observation", modeCompartment, []string{"subject", "performer"}},
		{"Encounter", modeCompartment, []string{"patient"}},
		{"Patient", modeSelf, []string{"_id"}},
		{"Provenance", modeCompartment, []string{"patient"}},
		{"Device", modeLinked, []string{"patient"}},
		{"Task", modeLinked, []string{"patient"}},
		{"Linkage", modeLinked, []string{"item", "source"}},
		{"Practitioner", modeOpen, nil},
		{"Organization", modeOpen, nil},
		{"Location", modeOpen, nil},
		{"Medication", modeOpen, nil},
		{"Library", modeOpen, nil},
		{"Binary", modeBinary, nil},
		{"Bundle", modeClosed, nil},
		{"Subscription", modeClosed, nil},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			ti := lookupType(tc.typ)
			var names []string
			for _, d := range ti.members {
				names = append(names, d.Name)
			}
			if ti.mode != tc.mode || !slices.Equal(names, tc.members) {
				t.Errorf("mode %d members %v, want %d %v", ti.mode, names, tc.mode, tc.members)
			}
		})
	}
}

// TestOwnerlessTypes checks that Device alone is ownerless, and that its
// single membership parameter is a plain path, whose element presence
// searchparam reports (a where() or resolve() would hide it).
func TestOwnerlessTypes(t *testing.T) {
	for _, typ := range searchparam.ResourceTypes() {
		ti := lookupType(typ)
		if want := typ == "Device"; ti.ownerless != want {
			t.Errorf("%s: ownerless %v, want %v", typ, ti.ownerless, want)
		}
	}
	ti := lookupType("Device")
	if len(ti.members) != 1 || ti.members[0].Expression != "Device.patient" {
		t.Fatalf("Device membership %v, want the plain path Device.patient", ti.members)
	}
}

func TestOrConstraints(t *testing.T) {
	c := func(p, v string) Condition { return Condition{Type: "Observation", Param: p, Value: v} }
	member := []Condition{c("subject", "Patient/a"), c("performer", "Patient/a")}
	lab, vital := []Condition{c("category", "lab")}, []Condition{c("category", "vital")}
	tests := []struct {
		name  string
		in    []Constraints
		want  Constraints
		exact bool
	}{
		{"no path", nil, Constraints{{}}, true},
		{"one path", []Constraints{{member, lab}}, Constraints{member, lab}, true},
		{"open path wins", []Constraints{{member}, nil}, nil, true},
		{"same membership", []Constraints{{member, lab}, {member, vital}},
			Constraints{member, append(slices.Clone(member), vital...),
				append(slices.Clone(lab), member...), append(slices.Clone(lab), vital...)}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, exact := orConstraints(tc.in)
			if exact != tc.exact || got.String() != tc.want.String() {
				t.Errorf("got %v (%v), want %v", got, exact, tc.want)
			}
		})
	}
}

// TestOrConstraintsTooLarge checks the fallback past maxGroups: the
// groups every path shares, marked inexact.
func TestOrConstraintsTooLarge(t *testing.T) {
	shared := []Condition{{Type: "Observation", Param: "subject", Value: "Patient/a"}}
	var paths []Constraints
	for i := range 3 {
		cs := Constraints{shared}
		for j := range 5 {
			code := string(rune('a' + i*5 + j))
			cs = append(cs, []Condition{{Type: "Observation", Param: "code", Value: code}})
		}
		paths = append(paths, cs)
	}
	got, exact := orConstraints(paths)
	if exact || got.String() != (Constraints{shared}).String() {
		t.Errorf("got %v exact %v, want only the shared group", got, exact)
	}
}

func TestMergeTypes(t *testing.T) {
	obs, pat := lookupType("Observation"), lookupType("Patient")
	policies := []*policy{{ti: obs}, {ti: pat}}
	per := []Constraints{
		{{{Type: "Observation", Param: "subject", Value: "Patient/a"}},
			{{Type: "Observation", Param: "category", Value: "lab"}}},
		{{{Type: "Patient", Param: "_id", Value: "a"}}},
	}
	want := "(Observation:subject=Patient/a OR Patient:_id=a) AND " +
		"(Observation:category=lab OR Patient:*)"
	if got := mergeTypes(policies, per).String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
