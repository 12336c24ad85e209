package compartment_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

// This file computes, independently of the code under test, which
// fixture resources a patient token may see: the Patient compartment from
// the official CompartmentDefinition (testdata), evaluated with element
// paths written here by hand from the R4 SearchParameter expressions, and
// the documented rules of DESIGN section 4 for the types outside it.

// memberPaths are the element paths of the compartment parameters of the
// fixture's types, from the R4 SearchParameter expressions. A path
// crosses arrays at every step; ":Patient" keeps only references to a
// Patient (where(resolve() is Patient)).
var memberPaths = map[string]map[string]string{
	"Observation":        {"subject": "subject", "performer": "performer"},
	"AllergyIntolerance": {"patient": "patient", "recorder": "recorder", "asserter": "asserter"},
	"DocumentReference":  {"subject": "subject", "author": "author"},
	"Communication":      {"subject": "subject", "sender": "sender", "recipient": "recipient"},
	"Provenance":         {"patient": "target:Patient"},
	"Group":              {"member": "member.entity"},
	"Encounter":          {"patient": "subject:Patient"},
	"CareTeam":           {"patient": "subject:Patient", "participant": "participant.member"},
	"MedicationRequest":  {"subject": "subject"},
	"Patient":            {"link": "link.other"},
}

// compartmentDefinition returns, per resource type, the compartment
// parameters of the official definition.
func compartmentDefinition(t testing.TB) map[string][]string {
	t.Helper()
	data, err := os.ReadFile("testdata/compartmentdefinition-patient.json")
	if err != nil {
		t.Fatal(err)
	}
	var def struct {
		Resource []struct {
			Code  string   `json:"code"`
			Param []string `json:"param"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(data, &def); err != nil {
		t.Fatal(err)
	}
	out := make(map[string][]string)
	for _, r := range def.Resource {
		if len(r.Param) > 0 {
			out[r.Code] = r.Param
		}
	}
	return out
}

// oracle knows which fixture resources a patient token sees.
type oracle struct {
	byRef map[string]map[string]any
	def   map[string][]string
	ids   []string
}

// newOracle decodes the fixture for a patient whose compartment holds the
// patients ids.
func newOracle(t testing.TB, ids ...string) *oracle {
	t.Helper()
	o := &oracle{byRef: make(map[string]map[string]any), def: compartmentDefinition(t), ids: ids}
	for _, r := range fixture(t) {
		var m map[string]any
		if err := json.Unmarshal(r.JSON, &m); err != nil {
			t.Fatal(err)
		}
		o.byRef[r.Reference()] = m
		if params, ok := o.def[r.Type]; ok {
			for _, p := range params {
				if memberPaths[r.Type][p] == "" {
					t.Fatalf("no test path for compartment parameter %s of %s", p, r.Type)
				}
			}
		}
	}
	return o
}

// inCompartment reports whether the resource ref is in the compartment
// by the official definition. Patient resources belong by their own ID;
// the definition's Patient.link membership coincides with it for the
// fixture, whose linked patients link both ways.
func (o *oracle) inCompartment(ref string) bool {
	typ, id, _ := strings.Cut(ref, "/")
	if typ == "Patient" && slices.Contains(o.ids, id) {
		return true
	}
	if typ == "Patient" {
		return false // by DESIGN section 4: Patient by _id, links through the resolver
	}
	for _, p := range o.def[typ] {
		if o.pointsTo(o.byRef[ref], memberPaths[typ][p], "Patient", o.ids) {
			return true
		}
	}
	return false
}

// referenceData are the fixture's types outside the compartment that hold
// no reference to a patient: a patient token whose scopes name them sees
// them whole.
var referenceData = map[string]bool{
	"Practitioner": true, "Organization": true, "Location": true, "Medication": true,
}

// isReferenceData reports whether ref is in every patient's view: a
// resource of a reference data type, or a stored Device without any
// "patient" member (DESIGN section 4 lists Device with reference data; a
// Device that names a patient, in whatever form, is that patient's).
func (o *oracle) isReferenceData(ref string) bool {
	typ, _, _ := strings.Cut(ref, "/")
	if referenceData[typ] {
		return true
	}
	m, stored := o.byRef[ref]
	_, named := m["patient"]
	return typ == "Device" && stored && !named
}

// visible reports whether a patient token with patient/*.rs may see ref.
func (o *oracle) visible(ref string) bool {
	typ, _, _ := strings.Cut(ref, "/")
	switch {
	case o.inCompartment(ref):
		return true
	case o.isReferenceData(ref):
		return true
	case typ == "Provenance":
		return o.anyTargetVisible(ref)
	case typ == "Device" || typ == "Task":
		return o.pointsTo(o.byRef[ref], map[string]string{"Device": "patient", "Task": "for"}[typ],
			"Patient", o.ids)
	case typ == "Binary":
		return o.binaryVisible(ref)
	}
	return false
}

// anyTargetVisible reports whether a Provenance has a visible target that
// may be the patient's data, or targets only reference data, all of it
// visible. Shared reference data (a Practitioner, a Medication, a Device
// of no patient) that is in every patient's view does not make visible a
// Provenance that also targets another patient's data.
func (o *oracle) anyTargetVisible(ref string) bool {
	targets := o.refsAt(o.byRef[ref], "target")
	allReference := len(targets) > 0
	for _, target := range targets {
		typ, _, _ := strings.Cut(target, "/")
		shared := o.isReferenceData(target)
		allReference = allReference && shared
		if !shared && typ != "Provenance" && o.visible(target) {
			return true
		}
	}
	return allReference && !slices.ContainsFunc(targets, func(t string) bool { return !o.visible(t) })
}

// binaryVisible reports whether a Binary's securityContext names a
// visible resource or, for a Binary without one, whether DocumentReferences
// point to it and all of them are visible.
func (o *oracle) binaryVisible(ref string) bool {
	if m := o.byRef[ref]; m["securityContext"] != nil {
		return slices.ContainsFunc(o.refsAt(m, "securityContext"), o.visible)
	}
	pointing := 0
	for other, m := range o.byRef {
		if !strings.HasPrefix(other, "DocumentReference/") ||
			!slices.Contains(o.stringsAt(m, "content.attachment.url"), ref) {
			continue
		}
		if !o.visible(other) {
			return false
		}
		pointing++
	}
	return pointing > 0
}

// pointsTo reports whether a reference at path points to typ/id for one
// of ids.
func (o *oracle) pointsTo(m map[string]any, path, typ string, ids []string) bool {
	path, only, _ := strings.Cut(path, ":")
	for _, ref := range o.refsAt(m, path) {
		t, id, _ := strings.Cut(ref, "/")
		if t == typ && (only == "" || only == t) && slices.Contains(ids, id) {
			return true
		}
	}
	return false
}

// refsAt returns the references at path, made relative when they carry
// the fixture's base URL.
func (o *oracle) refsAt(m map[string]any, path string) []string {
	var out []string
	for _, v := range walk(m, strings.Split(path+".reference", ".")) {
		if s, ok := v.(string); ok {
			out = append(out, strings.TrimPrefix(s, baseURL+"/"))
		}
	}
	return out
}

// stringsAt returns the strings at path.
func (o *oracle) stringsAt(m map[string]any, path string) []string {
	var out []string
	for _, v := range walk(m, strings.Split(path, ".")) {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// walk returns the values at a path of keys, crossing arrays.
func walk(v any, keys []string) []any {
	if a, ok := v.([]any); ok {
		var out []any
		for _, e := range a {
			out = append(out, walk(e, keys)...)
		}
		return out
	}
	if len(keys) == 0 {
		return []any{v}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	return walk(m[keys[0]], keys[1:])
}

// all returns every fixture reference that passes keep, sorted.
func (o *oracle) all(keep func(string) bool) []string {
	var out []string
	for ref := range o.byRef {
		if keep(ref) {
			out = append(out, ref)
		}
	}
	slices.Sort(out)
	return out
}

// ofType returns the references of resources of typ that pass keep.
func (o *oracle) ofType(typ string, keep func(string) bool) []string {
	return o.all(func(ref string) bool { return strings.HasPrefix(ref, typ+"/") && keep(ref) })
}

// checkOnlyVisible fails the test for every resource the oracle says the
// token may not see.
func (o *oracle) checkOnlyVisible(t *testing.T, rs []compartment.Resource) {
	t.Helper()
	for _, r := range rs {
		if _, known := o.byRef[r.Reference()]; !known {
			o.checkNew(t, r)
			continue
		}
		if !o.visible(r.Reference()) {
			t.Errorf("leak: %s returned", r.Reference())
		}
	}
}

// checkNew checks a resource created during the test: it must lie in the
// compartment through one of its type's compartment parameters, or be a
// Device that names the patient or no one.
func (o *oracle) checkNew(t *testing.T, r compartment.Resource) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.JSON, &m); err != nil {
		t.Fatal(err)
	}
	if _, named := m["patient"]; r.Type == "Device" &&
		(!named || o.pointsTo(m, "patient", "Patient", o.ids)) {
		return
	}
	for _, p := range o.def[r.Type] {
		if o.pointsTo(m, memberPaths[r.Type][p], "Patient", o.ids) {
			return
		}
	}
	t.Errorf("leak: created %s outside the compartment returned", r.Reference())
}

// TestOracle checks the oracle itself on a few resources, so that a
// mistake in it cannot make the other tests vacuous.
func TestOracle(t *testing.T) {
	o := newOracle(t, "a")
	for ref, want := range map[string]bool{
		"Observation/obs-a1": true, "Observation/obs-ab": true, "Observation/obs-b1": false,
		"Observation/obs-a-abs": true, "Observation/obs-a2x": false,
		"AllergyIntolerance/al-ba-rec": true, "AllergyIntolerance/al-ca-ass": true,
		"AllergyIntolerance/al-b1": false, "DocumentReference/doc-ca-auth": true,
		"Communication/com-a-send": true, "Communication/com-a-recv": true,
		"Communication/com-b1": false, "Provenance/prov-a-pat": true,
		"Provenance/prov-a1": true, "Provenance/prov-b1": false, "Group/grp-a": true,
		"Provenance/prov-b-pr": false, "Provenance/prov-pr1": true, "Binary/bin-sec-b": false,
		"Group/grp-bc": false, "Encounter/enc-a1": true, "CareTeam/ct-ba": true,
		"CareTeam/ct-b": false, "Patient/a": true, "Patient/b": false, "Patient/a2": false,
		"Binary/bin-a1": true, "Binary/bin-sec-a": true, "Binary/bin-b1": false,
		"Device/dev-a": true, "Device/dev-free": true, "Device/dev-monitor": true,
		"Device/dev-a-abs": true, "Device/dev-a2": false, "Device/dev-b": false,
		"Device/dev-b-abs": false, "Device/dev-b-ver": false, "Device/dev-contained": false,
		"Device/dev-ident": false, "Device/dev-display": false, "Device/dev-null": false,
		"Device/dev-empty": false, "Device/dev-org": false, "Device/dev-elsewhere": false,
		"Device/no-such-device": false, "Provenance/prov-dev": true,
		"Provenance/prov-b-dev": false, "Provenance/prov-a-dev": true,
		"Task/task-b": false, "Practitioner/pr1": true,
	} {
		if got := o.visible(ref); got != want {
			t.Errorf("oracle: visible(%s) = %v, want %v", ref, got, want)
		}
	}
}
