package smart_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/fhirguard/fhirguard/smart"
)

// tokenTable is an Authenticator for the examples: a fixed map from token
// to grant. A real server uses smart.NewJWTAuthenticator or
// smart.NewIntrospector.
type tokenTable map[string]*smart.Grant

func (t tokenTable) Authenticate(_ context.Context, token string) (*smart.Grant, error) {
	if g, ok := t[token]; ok {
		return g, nil
	}
	return nil, smart.ErrInvalidToken
}

// The Guard in front of a FHIR handler: a request without a token gets 401,
// one whose scopes do not cover it 403, and an authorized one reaches the
// handler with its Grant and Interaction.
func ExampleGuard() {
	guard, err := smart.NewGuard(smart.GuardConfig{
		Authenticator: tokenTable{"patient-token": {
			ClientID: "growth-chart", Patient: "123",
			Scopes: smart.ParseScopes("launch/patient patient/Observation.rs"),
		}},
		BasePath: "/fhir",
		Realm:    "fhir",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fhir := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		grant, _ := smart.FromContext(r.Context())
		in, _ := smart.InteractionFromContext(r.Context())
		fmt.Fprintf(w, "%s of %s for patient %s", in.Kind, in.Type, grant.Patient)
	})
	mux := http.NewServeMux()
	mux.Handle("/fhir/", guard.Handler(fhir))

	for _, c := range []struct{ target, token string }{
		{"/fhir/Observation?code=8302-2", ""},
		{"/fhir/Condition?code=44054006", "patient-token"},
		{"/fhir/Observation?code=8302-2", "patient-token"},
	} {
		r := httptest.NewRequest("GET", c.target, nil)
		if c.token != "" {
			r.Header.Set("Authorization", "Bearer "+c.token)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code == http.StatusOK {
			fmt.Println(w.Code, w.Body)
		} else {
			fmt.Println(w.Code, w.Header().Get("WWW-Authenticate"))
		}
	}
	// Output:
	// 401 Bearer realm="fhir"
	// 403 Bearer realm="fhir", error="insufficient_scope", scope="patient/Condition.s"
	// 200 search-type of Observation for patient 123
}

// A batch or transaction handler authorizes each entry as the request it
// stands for: here the token may read and search observations and create
// them, but not delete them.
func ExampleAuthorize_bundleEntries() {
	grant := &smart.Grant{Patient: "123",
		Scopes: smart.ParseScopes("patient/Observation.rs patient/Observation.c")}
	entries := []struct{ method, url string }{
		{"GET", "Observation?patient=Patient/123"},
		{"POST", "Observation"},
		{"DELETE", "Observation/9"},
		{"GET", "Observation/..%2FPatient/9"},
	}
	for _, e := range entries {
		in, err := smart.ParseEntry(e.method, e.url, "")
		if err == nil {
			err = smart.Authorize(grant, in)
		}
		switch {
		case errors.Is(err, smart.ErrBadRequest):
			fmt.Printf("%s %s: 400\n", e.method, e.url)
		case errors.Is(err, smart.ErrInsufficientScope):
			fmt.Printf("%s %s: 403, %v\n", e.method, e.url, err)
		default:
			fmt.Printf("%s %s: allowed\n", e.method, e.url)
		}
	}
	// Output:
	// GET Observation?patient=Patient/123: allowed
	// POST Observation: allowed
	// DELETE Observation/9: 403, smart: insufficient scope: delete needs "d" on Observation
	// GET Observation/..%2FPatient/9: 400
}

// A server that offers an operation the library does not know registers
// it with what it needs; without the registration the Guard refuses it.
func ExampleOperation() {
	guard, err := smart.NewGuard(smart.GuardConfig{
		Authenticator: tokenTable{},
		BasePath:      "/fhir",
		Operations: []smart.Operation{{
			Name: "care-gaps", Kind: smart.KindOperationType, Type: "Measure",
			Permissions: smart.PermRead,
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	in, _ := guard.ParseEntry("GET", "Measure/$care-gaps?subject=Patient/123", "")
	fmt.Println("registered:", in.Required().Needs)
	in, _ = smart.ParseEntry("GET", "Measure/$care-gaps?subject=Patient/123", "")
	fmt.Println("unregistered, refused:", in.Required().Refused)
	// Output:
	// registered: ["r" on Measure]
	// unregistered, refused: true
}

// ParseInteraction reads what a request asks for; Required says what a
// token needs for it.
func ExampleParseInteraction() {
	in, err := smart.ParseInteraction("PUT", "Observation", "identifier=http://lab|42", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	need := in.Required().Needs[0]
	fmt.Println(in.Kind, in.Type, in.Conditional, in.Criteria, need)

	_, err = smart.ParseInteraction("GET", "Patient/%2e%2e/Observation", "", nil)
	fmt.Println(err)
	// Output:
	// update Observation true identifier=http://lab|42 "us" on Observation
	// smart: bad FHIR request: path segment 2 is a dot segment
}
