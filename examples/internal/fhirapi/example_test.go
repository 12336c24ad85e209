package fhirapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/compartment/memstore"
	"github.com/fhirguard/fhirguard/examples/internal/fhirapi"
	"github.com/fhirguard/fhirguard/smart"
)

// Example serves the FHIR API over the compartment decorator: a patient
// token reads its own Observation and gets 404 for another patient's.
func Example() {
	store, _ := memstore.New(memstore.Config{})
	for id, patient := range map[string]string{"o1": "amy", "o2": "ben"} {
		doc := `{"resourceType":"Observation","status":"final","code":{"text":"x"},` +
			`"subject":{"reference":"Patient/` + patient + `"}}`
		_, _ = store.Update(context.Background(), compartment.Resource{Type: "Observation",
			ID: id, JSON: []byte(doc)})
	}
	guard, _ := compartment.New(store, compartment.Config{})
	api, err := fhirapi.New(fhirapi.Config{Repository: guard, BaseURL: "http://fhir.test/fhir"})
	if err != nil {
		fmt.Println(err)
		return
	}
	amy := &smart.Grant{Patient: "amy", Scopes: smart.ParseScopes("patient/Observation.rs")}
	for _, id := range []string{"o1", "o2"} {
		req := httptest.NewRequest("GET", "http://fhir.test/fhir/Observation/"+id, nil)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req.WithContext(smart.NewContext(req.Context(), amy)))
		fmt.Println(id, rec.Code)
	}
	// Output:
	// o1 200
	// o2 404
}
