package searchparam

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCompileExpr(t *testing.T) {
	elems := loadRegistry().elems
	tests := []struct {
		name, typ string
		pt        Type
		expr      string
		want      []string // path.String() of each path; nil: unsupported
	}{
		{"simple", "Observation", Reference, "Observation.subject",
			[]string{"subject:Reference"}},
		{"backbone", "CareTeam", Reference, "CareTeam.participant.member",
			[]string{"participant.member:Reference"}},
		{"data type child", "Group", Reference, "Group.member.entity",
			[]string{"member.entity:Reference"}},
		{"union", "Communication", Reference, "Communication.sender | Communication.recipient",
			[]string{"sender:Reference", "recipient:Reference"}},
		{"resolve", "Observation", Reference, "Observation.subject.where(resolve() is Patient)",
			[]string{"subject:Reference where resolve() is Patient"}},
		{"as operator", "Observation", Quantity, "(Observation.value as Quantity)",
			[]string{"valueQuantity:Quantity"}},
		{"as function", "Observation", Quantity, "Observation.value.as(Quantity)",
			[]string{"valueQuantity:Quantity"}},
		{"ofType", "Observation", Token, "(Observation.value.ofType(CodeableConcept))",
			[]string{"valueCodeableConcept:CodeableConcept"}},
		{"ofType primitive", "Condition", Date, "Condition.onset.ofType(dateTime)",
			[]string{"onsetDateTime:dateTime"}},
		{"continuation", "Observation", String, "(Observation.value.ofType(CodeableConcept)).text",
			[]string{"valueCodeableConcept.text:string"}},
		{"bare choice keeps usable types", "Observation", Date, "Observation.effective",
			[]string{"effectiveDateTime:dateTime", "effectivePeriod:Period",
				"effectiveTiming:Timing", "effectiveInstant:instant"}},
		{"content reference", "Questionnaire", Token, "Questionnaire.item.item.code",
			[]string{"item.item.code:Coding"}},
		{"field filter", "Patient", Token, "Patient.telecom.where(system='phone')",
			[]string{"telecom:ContactPoint where system='phone'"}},
		{"meta", "Observation", Token, "Observation.meta.security",
			[]string{"meta.security:Coding"}},
		{"where in the middle", "Library", Reference,
			"Library.relatedArtifact.where(type='composed-of').resource",
			[]string{"relatedArtifact[type='composed-of'].resource:canonical"}},
		{"where after a middle where", "Library", Reference,
			"Library.relatedArtifact.where(type='composed-of').document.where(url='y').url", nil},
		{"two middle wheres", "Library", Reference,
			"Library.relatedArtifact.where(type='a').where(type='b').resource", nil},
		{"middle where on the last element", "Patient", String,
			"Patient.name.where(use='official').ofType(HumanName)", nil},
		{"middle where on a primitive", "Library", Reference,
			"Library.url.where(value='a').resource", nil},
		{"index", "Bundle", Reference, "Bundle.entry[0].resource", nil},
		{"operators", "Patient", Token,
			"Patient.deceased.exists() and Patient.deceased != false", nil},
		{"extension function", "Patient", Token, "Patient.extension('http://x').value", nil},
		{"unknown element", "Observation", Token, "Observation.nonsense", nil},
		{"other type", "Observation", Token, "Patient.gender", nil},
		{"wrong choice type", "Observation", Quantity, "Observation.value.ofType(Money)", nil},
		{"incompatible type", "Observation", Date, "Observation.subject", nil},
		{"Range is no quantity", "Condition", Quantity, "Condition.onset.ofType(Range)", nil},
		{"resolve on non-reference", "Observation", Reference,
			"Observation.status.where(resolve() is Patient)", nil},
		{"unbalanced", "Observation", Token, "(Observation.code", nil},
		{"empty term", "Observation", Token, "Observation.code | ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paths, err := compileExpr(tt.expr, tt.typ, tt.pt, elems)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("compiled to %v, want unsupported", paths)
				}
				if !errors.Is(err, errFHIRPath) {
					t.Errorf("error %v does not wrap errFHIRPath", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range paths {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSupportedDefinitions reports how many of the 1,378 R4 definitions
// this package evaluates, and requires the common US Core ones and every
// compartment parameter.
func TestSupportedDefinitions(t *testing.T) {
	reg := loadRegistry()
	total, supported := 0, 0
	for _, typ := range reg.types {
		for _, d := range reg.byType[typ] {
			total++
			if d.Supported() {
				supported++
			}
		}
	}
	t.Logf("%d of %d (resource type, parameter) definitions supported", supported, total)

	bySP, unsupported := countSearchParameters(t)
	t.Logf("%d of %d R4 SearchParameter resources fully supported", bySP-unsupported, bySP)
	if bySP != 1378 || bySP-unsupported < 1306 {
		t.Errorf("%d of %d SearchParameters supported; expected at least 1306 of 1378",
			bySP-unsupported, bySP)
	}

	for _, typ := range CompartmentTypes() {
		for _, name := range CompartmentParams(typ) {
			requireSupported(t, typ, name)
		}
	}
	for _, c := range usCore {
		requireSupported(t, c[0], c[1])
	}
}

// countSearchParameters counts the SearchParameter resources and those with
// a base type whose definition is unsupported.
func countSearchParameters(t *testing.T) (total, unsupported int) {
	var bundle struct {
		Entry []struct {
			Resource struct {
				Code string
				Base []string
			}
		}
	}
	readJSON(t, "data/search-parameters.json", &bundle)
	for _, e := range bundle.Entry {
		total++
		for _, base := range e.Resource.Base {
			typ := base
			if base == "Resource" || base == "DomainResource" {
				typ = "Observation"
			}
			if d, ok := Lookup(typ, e.Resource.Code); !ok || !d.Supported() {
				unsupported++
				break
			}
		}
	}
	return total, unsupported
}

func requireSupported(t *testing.T, typ, name string) {
	t.Helper()
	d, ok := Lookup(typ, name)
	switch {
	case !ok:
		t.Errorf("%s.%s: not defined", typ, name)
	case !d.Supported():
		t.Errorf("%s.%s (%s): unsupported: %s", typ, name, d.Expression, d.Unsupported())
	}
}

// usCore lists the parameters US Core servers and apps rely on.
var usCore = [][2]string{
	{"Observation", "patient"}, {"Observation", "subject"}, {"Observation", "category"},
	{"Observation", "code"}, {"Observation", "date"}, {"Observation", "status"},
	{"Observation", "value-quantity"}, {"Observation", "performer"},
	{"Observation", "encounter"}, {"Observation", "_lastUpdated"},
	{"Condition", "clinical-status"}, {"Condition", "category"}, {"Condition", "code"},
	{"Condition", "patient"}, {"Condition", "onset-date"}, {"Condition", "encounter"},
	{"AllergyIntolerance", "clinical-status"}, {"AllergyIntolerance", "patient"},
	{"Patient", "identifier"}, {"Patient", "_id"}, {"Patient", "name"},
	{"Patient", "birthdate"}, {"Patient", "gender"}, {"Patient", "family"},
	{"Patient", "given"}, {"Patient", "phone"}, {"Patient", "email"},
	{"Encounter", "patient"}, {"Encounter", "type"}, {"Encounter", "date"},
	{"Encounter", "identifier"}, {"Encounter", "status"},
	{"DocumentReference", "type"}, {"DocumentReference", "category"},
	{"DocumentReference", "date"}, {"DocumentReference", "period"},
	{"DocumentReference", "author"}, {"DiagnosticReport", "category"},
	{"DiagnosticReport", "date"}, {"DiagnosticReport", "code"},
	{"MedicationRequest", "intent"}, {"MedicationRequest", "authoredon"},
	{"MedicationRequest", "encounter"}, {"Procedure", "date"}, {"Procedure", "code"},
	{"Immunization", "date"}, {"CarePlan", "category"}, {"CareTeam", "status"},
	{"Goal", "lifecycle-status"}, {"Goal", "target-date"}, {"Device", "type"},
	{"ServiceRequest", "authored"}, {"Coverage", "patient"}, {"Specimen", "patient"},
	{"Organization", "name"}, {"Organization", "address"}, {"Practitioner", "name"},
	{"Practitioner", "identifier"}, {"Location", "address"}, {"Provenance", "target"},
	{"QuestionnaireResponse", "authored"}, {"RelatedPerson", "patient"},
}

var commonParameters = []string{"_id", "_lastUpdated", "_tag", "_profile", "_security", "_source"}

func TestCommonParametersOnEveryType(t *testing.T) {
	for _, typ := range ResourceTypes() {
		for _, name := range commonParameters {
			d, ok := Lookup(typ, name)
			if !ok || !d.Supported() {
				t.Fatalf("%s.%s missing or unsupported", typ, name)
			}
			if !strings.HasPrefix(d.Expression, typ+".") || d.Resource != typ {
				t.Errorf("%s.%s: expression %q, resource %s", typ, name, d.Expression, d.Resource)
			}
		}
	}
}
