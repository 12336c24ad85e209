package smart_test

import (
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
)

// twentyScopes is a realistic scope string of a US Core patient app: launch
// and identity scopes, v2 resource scopes and two granular scopes.
var twentyScopes = strings.Join([]string{
	"launch/patient", "openid", "fhirUser", "offline_access",
	"patient/Patient.rs", "patient/AllergyIntolerance.rs", "patient/CarePlan.rs",
	"patient/CareTeam.rs", "patient/Condition.rs", "patient/Device.rs",
	"patient/DiagnosticReport.rs", "patient/DocumentReference.rs", "patient/Encounter.rs",
	"patient/Goal.rs", "patient/Immunization.rs", "patient/MedicationRequest.rs",
	"patient/Procedure.rs", "patient/Practitioner.rs",
	"patient/Observation.rs?category=" + labCategory,
	"patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs",
}, " ")

func BenchmarkParseScopes20(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s := smart.ParseScopes(twentyScopes)
		if len(s.Resource) != 16 {
			b.Fatalf("parsed %d resource scopes", len(s.Resource))
		}
	}
}

// BenchmarkSplitScopesBaseline is the floor any parser pays: splitting the
// same string into fields.
func BenchmarkSplitScopesBaseline(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if len(strings.Fields(twentyScopes)) != 20 {
			b.Fatal("wrong field count")
		}
	}
}
