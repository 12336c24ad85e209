package compartment_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/compartment/memstore"
	"github.com/fhirguard/fhirguard/smart"
)

// category is the start of an observation-category coding.
const category = `"category":[{"coding":[{"system":` +
	`"http://terminology.hl7.org/CodeSystem/observation-category",`

// exampleStore returns a store with two patients' Observations and
// Devices, and a Device of no patient.
func exampleStore() *memstore.Store {
	store, _ := memstore.New(memstore.Config{})
	for _, r := range []string{
		`{"resourceType":"Patient","id":"alice"}`,
		`{"resourceType":"Patient","id":"bob"}`,
		`{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"glucose"},` +
			category + `"code":"laboratory"}]}],"subject":{"reference":"Patient/alice"}}`,
		`{"resourceType":"Observation","id":"o2","status":"final","code":{"text":"heart rate"},` +
			category + `"code":"vital-signs"}]}],"subject":{"reference":"Patient/alice"},` +
			`"meta":{"security":[{"system":` +
			`"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]}}`,
		`{"resourceType":"Observation","id":"o3","status":"final","code":{"text":"glucose"},` +
			`"subject":{"reference":"Patient/bob"}}`,
		`{"resourceType":"Device","id":"analyser","status":"active"}`,
		`{"resourceType":"Device","id":"pump-alice","patient":{"reference":"Patient/alice"}}`,
		`{"resourceType":"Device","id":"pump-bob","patient":{"reference":"Patient/bob"}}`,
	} {
		var head struct{ ResourceType, ID string }
		_ = jsonUnmarshal(r, &head)
		_, _ = store.Update(context.Background(),
			compartment.Resource{Type: head.ResourceType, ID: head.ID, JSON: []byte(r)})
	}
	return store
}

// launch returns a context with the grant a SMART launch for alice gives.
func launch(scopes string) context.Context {
	return smart.NewContext(context.Background(),
		&smart.Grant{ClientID: "app", Patient: "alice", Scopes: smart.ParseScopes(scopes)})
}

// A patient app searches Observations: the Guard constrains the query to
// the patient's compartment and checks every result.
func ExampleGuard_Search() {
	guard, err := compartment.New(exampleStore(), compartment.Config{})
	if err != nil {
		panic(err)
	}
	q, err := compartment.ParseQuery("Observation", url.Values{"code:text": {"glucose"}})
	if err != nil {
		panic(err)
	}
	page, err := guard.Search(launch("patient/*.rs"), q)
	if err != nil {
		panic(err)
	}
	for _, r := range page.Resources {
		fmt.Println(r.Reference())
	}
	// Output:
	// Observation/o1
}

// A Device that names no patient, such as a lab analyser, is reference
// data that every patient sees; a Device that names a patient is that
// patient's alone.
func ExampleGuard_Search_devices() {
	guard, _ := compartment.New(exampleStore(), compartment.Config{})
	page, _ := guard.Search(launch("patient/Device.rs"), compartment.Query{Type: "Device"})
	for _, r := range page.Resources {
		fmt.Println(r.Reference())
	}
	// Output:
	// Device/analyser
	// Device/pump-alice
}

// A granular scope releases only the resources that meet its conditions.
func ExampleGuard_Search_granular() {
	guard, _ := compartment.New(exampleStore(), compartment.Config{})
	page, _ := guard.Search(launch("patient/Observation.rs?category=vital-signs"),
		compartment.Query{Type: "Observation"})
	for _, r := range page.Resources {
		fmt.Println(r.Reference())
	}
	// Output:
	// Observation/o2
}

// Reading another patient's resource answers not found, exactly as for a
// resource that does not exist.
func ExampleGuard_Read() {
	guard, _ := compartment.New(exampleStore(), compartment.Config{})
	ctx := launch("patient/*.rs")
	_, err := guard.Read(ctx, "Observation", "o3")
	fmt.Println(errors.Is(err, compartment.ErrNotFound))
	_, err = guard.Read(ctx, "Observation", "does-not-exist")
	fmt.Println(errors.Is(err, compartment.ErrNotFound))
	r, _ := guard.Read(ctx, "Observation", "o1")
	fmt.Println(r.Reference())
	// Output:
	// true
	// true
	// Observation/o1
}

// A search naming another patient is refused from the request alone, and
// WriteError answers it with a fixed OperationOutcome.
func ExampleWriteError() {
	guard, _ := compartment.New(exampleStore(), compartment.Config{})
	q, _ := compartment.ParseQuery("Observation", url.Values{"subject": {"Patient/bob"}})
	_, err := guard.Search(launch("patient/*.rs"), q)

	w := httptest.NewRecorder()
	compartment.WriteError(w, err)
	fmt.Println(w.Code)
	fmt.Println(w.Body.String())
	// Output:
	// 403
	// {"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"the access token does not allow this request"}]}
}

// A custom rule hides resources labelled restricted unless the token
// holds the "restricted" scope.
func ExampleRule() {
	rule := compartment.Rule{
		Name: "restricted-label",
		Expression: `!has_security_label(resource,
			"http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R")
			|| "restricted" in grant.scopes`,
	}
	guard, err := compartment.New(exampleStore(), compartment.Config{Rules: []compartment.Rule{rule}})
	if err != nil {
		panic(err)
	}
	for _, scopes := range []string{"patient/*.rs", "patient/*.rs restricted"} {
		page, _ := guard.Search(launch(scopes), compartment.Query{Type: "Observation"})
		fmt.Println(scopes+":", len(page.Resources), "Observations")
	}
	// Output:
	// patient/*.rs: 1 Observations
	// patient/*.rs restricted: 2 Observations
}

// ParseQuery turns a client's query into a Query, refusing what it does
// not understand.
func ExampleParseQuery() {
	v, _ := url.ParseQuery("subject:Patient.name=alice&_include=Observation:subject&_count=20")
	q, err := compartment.ParseQuery("Observation", v)
	p := q.Params[0]
	fmt.Println(p.Name, p.Chain[0].Type, p.Chain[0].Name, p.Values)
	fmt.Println(q.Include[0].Param, q.Count, err)

	_, err = compartment.ParseQuery("Observation", url.Values{"colour": {"red"}})
	fmt.Println(err)
	// Output:
	// subject Patient name [alice]
	// subject 20 <nil>
	// compartment: unknown search parameter: "colour" (unknown_parameter)
}

// jsonUnmarshal decodes JSON for the examples' store loading.
func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
