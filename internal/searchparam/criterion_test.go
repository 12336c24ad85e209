package searchparam_test

import (
	"errors"
	"testing"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

const (
	catSystem = "http://terminology.hl7.org/CodeSystem/observation-category"
	obsFile   = "observation.json"
	obs       = "Observation"
	patFile   = "patient.json"
	pat       = "Patient"
)

var (
	errUnsupported = searchparam.ErrUnsupported
	errInvalid     = searchparam.ErrInvalidValue
)

// criterionCase is one condition and whether a golden resource meets it.
type criterionCase struct {
	name, file, typ, key, value string
	want                        bool
}

func TestCriterionMatchResource(t *testing.T) {
	var cases []criterionCase
	for _, group := range [][]criterionCase{tokenCases, referenceCases, stringCases, dateCases,
		numberCases, uriCases, missingCases} {
		cases = append(cases, group...)
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			c, err := searchparam.ParseCriterion(tt.typ, tt.key, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.MatchResource(readFile(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s %s=%s on %s: got %v, want %v",
					tt.typ, tt.key, tt.value, tt.file, got, tt.want)
			}
		})
	}
}

var tokenCases = []criterionCase{
	{"system|code", obsFile, obs, "category", catSystem + "|laboratory", true},
	{"second coding", obsFile, obs, "category", catSystem + "|vital-signs", true},
	{"other code", obsFile, obs, "category", catSystem + "|imaging", false},
	{"other system", obsFile, obs, "category", "http://other|laboratory", false},
	{"code only", obsFile, obs, "category", "laboratory", true},
	{"display is no code", obsFile, obs, "category", "Laboratory", false},
	{"system only", obsFile, obs, "category", catSystem + "|", true},
	{"no system", obsFile, obs, "category", "|laboratory", false},
	{"no system, primitive", obsFile, obs, "status", "|final", true},
	{"or list", obsFile, obs, "category", "imaging," + catSystem + "|laboratory", true},
	{"not matching", obsFile, obs, "category:not", catSystem + "|laboratory", false},
	{"not other", obsFile, obs, "category:not", "imaging", true},
	{"not on missing element", patFile, pat, "language:not", "en", true},
	{"text prefix, any case", obsFile, obs, "code:text", "gLUC", true},
	{"text of display", obsFile, obs, "category:text", "vital", true},
	{"text no match", obsFile, obs, "code:text", "insulin", false},
	{"identifier", patFile, pat, "identifier", "http://hospital.example.org/mrn|12345", true},
	{"identifier other system", patFile, pat, "identifier", "http://x|12345", false},
	{"of-type", patFile, pat, "identifier:of-type",
		"http://terminology.hl7.org/CodeSystem/v2-0203|MR|12345", true},
	{"of-type other value", patFile, pat, "identifier:of-type",
		"http://terminology.hl7.org/CodeSystem/v2-0203|MR|999", false},
	{"boolean", patFile, pat, "active", "true", true},
	{"boolean false", patFile, pat, "active", "false", false},
	{"phone is filtered", patFile, pat, "phone", "ann@example.org", false},
	{"phone", patFile, pat, "phone", "+1 555 0100", true},
	{"email", patFile, pat, "email", "ann@example.org", true},
	{"_id", patFile, pat, "_id", "A", true},
	{"_id other", patFile, pat, "_id", "B", false},
	{"_security", obsFile, obs, "_security",
		"http://terminology.hl7.org/CodeSystem/v3-ActReason|HTEST", true},
	{"_tag", patFile, pat, "_tag", "http://example.org/tags|vip", true},
}

var referenceCases = []criterionCase{
	{"relative", obsFile, obs, "subject", "Patient/A", true},
	{"other patient", obsFile, obs, "subject", "Patient/B", false},
	{"prefix of the id", obsFile, obs, "subject", "Patient/AB", false},
	{"bare id, one target", obsFile, obs, "patient", "A", true},
	{"type modifier", obsFile, obs, "subject:Patient", "A", true},
	{"type modifier other type", obsFile, obs, "performer:Patient", "P1", false},
	{"performer", obsFile, obs, "performer", "Organization/O1", true},
	{"absolute", "communication.json", "Communication", "recipient",
		"https://other.example.org/fhir/RelatedPerson/R2", true},
	{"absolute is not relative", "communication.json", "Communication", "recipient",
		"RelatedPerson/R2", false},
	{"relative is not absolute", obsFile, obs, "subject",
		"https://other.example.org/fhir/Patient/A", false},
	{"versioned resource reference", "provenance.json", "Provenance", "patient", "Patient/A", true},
	{"contained is no patient", "careteam.json", "CareTeam", "participant",
		"Patient/contained-1", false},
	{"resolve() is Patient", "encounter.json", "Encounter", "patient", "Patient/A", true},
	{"group member", "group.json", "Group", "member", "Patient/B", true},
	{"link", patFile, pat, "link", "Patient/A-old", true},
}

var stringCases = []criterionCase{
	{"prefix", patFile, pat, "family", "zol", true},
	{"accent-insensitive", patFile, pat, "family", "ZOLLNER", true},
	{"not a prefix", patFile, pat, "family", "llner", false},
	{"contains", patFile, pat, "family:contains", "LLN", true},
	{"exact", patFile, pat, "family:exact", "Zöllner", true},
	{"exact is exact", patFile, pat, "family:exact", "zöllner", false},
	{"name part", patFile, pat, "name", "mar", true},
	{"address line", patFile, pat, "address", "apt", true},
	{"escaped comma", patFile, pat, "given", `An\,n`, false},
}

var dateCases = []criterionCase{
	{"day contains second", obsFile, obs, "date", "2024-03-05", true},
	{"year", obsFile, obs, "date", "2024", true},
	{"other day", obsFile, obs, "date", "2024-03-06", false},
	{"ne", obsFile, obs, "date", "ne2024-03-06", true},
	{"gt", obsFile, obs, "date", "gt2024-03-04", true},
	{"gt same day", obsFile, obs, "date", "gt2024-03-05", false},
	{"lt", obsFile, obs, "date", "lt2024-03-06", true},
	{"ge same day", obsFile, obs, "date", "ge2024-03-05", true},
	{"le", obsFile, obs, "date", "le2024-03-04", false},
	{"sa", obsFile, obs, "date", "sa2024-03-04", true},
	{"eb", obsFile, obs, "date", "eb2024-03-06", true},
	{"eb same day", obsFile, obs, "date", "eb2024-03-05", false},
	{"ap", obsFile, obs, "date", "ap2024-03-05T09:30:00Z", true},
	{"time zone", obsFile, obs, "date", "2024-03-05T10:30:00+01:00", true},
	{"period contained", "encounter.json", "Encounter", "date", "2024-03-05", true},
	{"period crosses the search", "careteam.json", "CareTeam", "date", "2024-03", false},
	{"period overlaps ge", "careteam.json", "CareTeam", "date", "ge2024-03", true},
	{"period le", "careteam.json", "CareTeam", "date", "le2024-01", false},
	{"birthdate", patFile, pat, "birthdate", "1980-07-14", true},
}

var numberCases = []criterionCase{
	{"quantity eq precision", obsFile, obs, "value-quantity", "6.3", true},
	{"quantity other", obsFile, obs, "value-quantity", "6.4", false},
	{"quantity coarse", obsFile, obs, "value-quantity", "6", true},
	{"quantity gt", obsFile, obs, "value-quantity", "gt6", true},
	{"quantity lt", obsFile, obs, "value-quantity", "lt6", false},
	{"quantity unit", obsFile, obs, "value-quantity",
		"6.3|http://unitsofmeasure.org|mmol/L", true},
	{"quantity other unit", obsFile, obs, "value-quantity",
		"6.3|http://unitsofmeasure.org|mg/dL", false},
	{"quantity code only", obsFile, obs, "value-quantity", "6.3||mmol/l", true},
	{"length", "encounter.json", "Encounter", "length", "ge45|http://unitsofmeasure.org|min", true},
	{"ap", "encounter.json", "Encounter", "length", "ap48", true},
}

var uriCases = []criterionCase{
	{"profile", obsFile, obs, "_profile",
		"http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab", true},
	{"profile below", obsFile, obs, "_profile:below",
		"http://hl7.org/fhir/us/core/", true},
	{"profile above", obsFile, obs, "_profile:above",
		"http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab/x", true},
	{"profile other", obsFile, obs, "_profile", "http://hl7.org/fhir/us/core/", false},
}

var missingCases = []criterionCase{
	{"missing false", obsFile, obs, "subject:missing", "false", true},
	{"missing true", obsFile, obs, "subject:missing", "true", false},
	{"missing true absent", obsFile, obs, "device:missing", "true", true},
}

func TestParseCriterionErrors(t *testing.T) {
	tests := []struct {
		name, typ, key, value string
		want                  error
	}{
		{"unknown parameter", "Observation", "nonsense", "x", searchparam.ErrUnknownParameter},
		{"unknown type", "Nonsense", "subject", "x", searchparam.ErrUnknownParameter},
		{"chained", "Observation", "subject.name", "x", errUnsupported},
		{"has", "Patient", "_has:Observation:patient:code", "x", errUnsupported},
		{"composite", "Observation", "code-value-quantity", "x", errUnsupported},
		{"no expression", "Observation", "_text", "x", errUnsupported},
		{"in", "Observation", "code:in", "http://vs", errUnsupported},
		{"not-in", "Observation", "code:not-in", "http://vs", errUnsupported},
		{"below on token", "Observation", "code:below", "x", errUnsupported},
		{"identifier modifier", "Observation", "subject:identifier", "x|y", errUnsupported},
		{"of-type not identifier", "Observation", "code:of-type", "a|b|c", errUnsupported},
		{"exact on token", "Observation", "code:exact", "x", errUnsupported},
		{"unknown prefix", "Observation", "date", "xx2024", errUnsupported},
		{"versioned reference", "Observation", "subject", "Patient/A/_history/1", errUnsupported},
		{"bad date", "Observation", "date", "2024-13", errInvalid},
		{"bad number", "Observation", "value-quantity", "6.", errInvalid},
		{"quantity with two parts", "Observation", "value-quantity", "6|x", errInvalid},
		{"empty", "Observation", "code", "", errInvalid},
		{"empty alternative", "Observation", "code", "a,,b", errInvalid},
		{"bad escape", "Observation", "code", `a\b`, errInvalid},
		{"trailing backslash", "Observation", "code", `a\`, errInvalid},
		{"two bars", "Observation", "code", "a|b|c", errInvalid},
		{"lone bar", "Observation", "code", "|", errInvalid},
		{"missing not boolean", "Observation", "code:missing", "yes", errInvalid},
		{"ambiguous bare id", "Observation", "subject", "A", errInvalid},
		{"type modifier not a target", "Observation", "subject:Practitioner", "A", errInvalid},
		{"type modifier conflicts", "Observation", "subject:Patient", "Group/A", errInvalid},
		{"of-type needs three parts", "Patient", "identifier:of-type", "a|b", errInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := searchparam.ParseCriterion(tt.typ, tt.key, tt.value)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, %v; want %v", c, err, tt.want)
			}
		})
	}
}

func TestCriterionEscaping(t *testing.T) {
	c, err := searchparam.ParseCriterion("Observation", "code", `http://x\|y|a\,b,c\\d,e\$f`)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Values()
	want := []string{`http://x|y|a,b`, `c\d`, `e$f`}
	if len(got) != len(want) {
		t.Fatalf("values %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("value %d = %q, want %q", i, got[i], want[i])
		}
	}
	tests := []struct {
		v    searchparam.Value
		want bool
	}{
		{searchparam.Value{Kind: searchparam.KindCode, System: "http://x|y", Code: "a,b"}, true},
		{searchparam.Value{Kind: searchparam.KindCode, System: "http://x", Code: "y|a,b"}, false},
		{searchparam.Value{Kind: searchparam.KindCode, Code: `c\d`}, true},
		{searchparam.Value{Kind: searchparam.KindCode, Code: "e$f"}, true},
		{searchparam.Value{Kind: searchparam.KindText, Text: "e$f"}, false},
	}
	for _, tt := range tests {
		if got := c.Match(tt.v); got != tt.want {
			t.Errorf("Match(%v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func TestMatchResourceRejectsUntrustedJSON(t *testing.T) {
	c, err := searchparam.ParseCriterion("Observation", "subject", "Patient/A")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{
		`{"resourceType":"Observation","subject":{"reference":"Patient/A"},` +
			`"subject":{"reference":"Patient/B"}}`,
		`{"resourceType":"Observation","subject":{"reference":"Patient/A"}`,
		`{"resourceType":"Patient","subject":{"reference":"Patient/A"}}`,
	} {
		if ok, err := c.MatchResource([]byte(doc)); ok || err == nil {
			t.Errorf("%s: got %v, %v; want false and an error", doc, ok, err)
		}
	}
}
