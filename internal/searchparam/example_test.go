package searchparam_test

import (
	"fmt"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

const exampleObservation = `{
  "resourceType": "Observation",
  "status": "final",
  "category": [{"coding": [{
    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
    "code": "laboratory"}]}],
  "subject": {"reference": "Patient/A"},
  "performer": [{"reference": "Practitioner/P1"}]
}`

// The compartment check of a patient token: is the Observation in Patient
// A's compartment through any of the compartment parameters?
func ExampleExtractor() {
	var defs []*searchparam.Def
	for _, name := range searchparam.CompartmentParams("Observation") {
		d, _ := searchparam.Lookup("Observation", name)
		defs = append(defs, d)
	}
	ex, err := searchparam.NewExtractor(defs...)
	if err != nil {
		panic(err)
	}

	inCompartment := false
	err = ex.Extract([]byte(exampleObservation), func(def int, v searchparam.Value) {
		typ, id, ok := searchparam.ParseReference(v.Ref)
		fmt.Println(defs[def].Name, v.Ref)
		inCompartment = inCompartment || ok && typ == "Patient" && id == "A"
	})
	fmt.Println(inCompartment && err == nil)
	// Output:
	// subject Patient/A
	// performer Practitioner/P1
	// true
}

// Does a Device name a patient at all? A patient element that yields no
// reference value (here one with only an identifier) is still there.
func ExampleExtractor_ExtractPresence() {
	patient, _ := searchparam.Lookup("Device", "patient")
	ex, err := searchparam.NewExtractor(patient)
	if err != nil {
		panic(err)
	}
	for _, doc := range []string{
		`{"resourceType":"Device","status":"active"}`,
		`{"resourceType":"Device","patient":{"identifier":{"value":"12345"}}}`,
	} {
		values, present := 0, false
		err := ex.ExtractPresence([]byte(doc), func(int, searchparam.Value) { values++ },
			func(int) { present = true })
		fmt.Println(values, present, err)
	}
	// Output:
	// 0 false <nil>
	// 0 true <nil>
}

// A granular scope's condition, checked on a resource.
func ExampleParseCriterion() {
	c, err := searchparam.ParseCriterion("Observation", "category",
		"http://terminology.hl7.org/CodeSystem/observation-category|laboratory")
	if err != nil {
		panic(err)
	}
	ok, err := c.MatchResource([]byte(exampleObservation))
	fmt.Println(ok, err)

	_, err = searchparam.ParseCriterion("Observation", "code:in", "http://example.org/vs")
	fmt.Println(err)
	// Output:
	// true <nil>
	// searchparam: not supported: modifier :in on token parameter code
}

func ExampleParseReferenceURL() {
	refs := []string{"Patient/123", "https://fhir.example.org/r4/Patient/123/_history/2",
		"#contained", "urn:uuid:3f0c"}
	for _, ref := range refs {
		base, typ, id, ok := searchparam.ParseReferenceURL(ref)
		fmt.Printf("%q %q %q %v\n", base, typ, id, ok)
	}
	// Output:
	// "" "Patient" "123" true
	// "https://fhir.example.org/r4" "Patient" "123" true
	// "" "" "" false
	// "" "" "" false
}

func ExampleCompartmentParams() {
	fmt.Println(searchparam.CompartmentParams("Observation"))
	fmt.Println(searchparam.CompartmentParams("Encounter"))
	fmt.Println(searchparam.CompartmentParams("Patient"))
	fmt.Println(searchparam.CompartmentParams("Practitioner") == nil)
	// Output:
	// [subject performer]
	// [patient]
	// [link]
	// true
}

func ExampleLookup() {
	d, _ := searchparam.Lookup("Observation", "value-quantity")
	fmt.Println(d.Type, d.Expression, d.Supported())
	d, _ = searchparam.Lookup("Observation", "code-value-quantity")
	fmt.Println(d.Type, d.Supported())
	// Output:
	// quantity (Observation.value.ofType(Quantity)) | (Observation.value.ofType(SampledData)) true
	// composite false
}
