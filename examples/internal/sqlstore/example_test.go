package sqlstore_test

import (
	"context"
	"fmt"
	"net/url"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/examples/internal/sqlstore"
	"github.com/fhirguard/fhirguard/smart"
)

// Example puts the compartment decorator in front of the store: a
// patient token's search becomes SQL with the patient's compartment in
// its WHERE clause.
func Example() {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, sqlstore.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	for _, r := range []compartment.Resource{
		{Type: "Observation", ID: "o1", JSON: []byte(`{"resourceType":"Observation",` +
			`"status":"final","code":{"text":"pulse"},"subject":{"reference":"Patient/amy"}}`)},
		{Type: "Observation", ID: "o2", JSON: []byte(`{"resourceType":"Observation",` +
			`"status":"final","code":{"text":"pulse"},"subject":{"reference":"Patient/ben"}}`)},
	} {
		if _, err := store.Update(ctx, r); err != nil {
			fmt.Println(err)
			return
		}
	}

	guard, err := compartment.New(store, compartment.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	amy := smart.NewContext(ctx, &smart.Grant{Patient: "amy",
		Scopes: smart.ParseScopes("patient/Observation.rs")})
	q, err := compartment.ParseQuery("Observation", url.Values{"status": {"final"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	page, err := guard.Search(amy, q)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range page.Resources {
		fmt.Println(r.Reference(), "version", r.Version)
	}
	// Output:
	// Observation/o1 version 1
}
