package smarttest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/golang-jwt/jwt/v5"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// A unit test mints a token directly, with the claims it needs.
func ExampleServer_Mint() {
	auth, err := smarttest.Start(smarttest.Config{
		FHIRBaseURL: "http://127.0.0.1:8080/fhir",
		Patients:    []smarttest.Patient{{ID: "amy", Name: "Amy Shaw"}},
	})
	if err != nil {
		panic(err)
	}
	defer auth.Close()

	token, err := auth.Mint(smarttest.MintRequest{
		Patient: "amy",
		Scopes:  []string{"patient/Observation.rs", "patient/Patient.r"},
	})
	if err != nil {
		panic(err)
	}

	// Send the token as "Authorization: Bearer " + token. Here, look inside.
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		panic(err)
	}
	fmt.Println(claims["aud"], claims["patient"], claims["fhirUser"])
	fmt.Println(claims["scope"])
	// Output:
	// http://127.0.0.1:8080/fhir amy Patient/amy
	// patient/Observation.rs patient/Patient.r
}

// A negative test mints a token that a correct validator must refuse, and
// checks that it is refused.
func ExampleServer_MintInvalid() {
	auth, err := smarttest.Start(smarttest.Config{
		FHIRBaseURL: "http://127.0.0.1:8080/fhir",
		Patients:    []smarttest.Patient{{ID: "amy"}},
	})
	if err != nil {
		panic(err)
	}
	defer auth.Close()
	validator, err := smart.NewJWTAuthenticator(smart.JWTConfig{
		Issuer:   auth.Issuer(),
		Audience: "http://127.0.0.1:8080/fhir",
		JWKSURL:  auth.Configuration().JWKSURI,
	})
	if err != nil {
		panic(err)
	}
	defer validator.Close()

	for _, flaw := range []smarttest.Flaw{smarttest.FlawExpired, smarttest.FlawAlgNone} {
		token, err := auth.MintInvalid(flaw, smarttest.MintRequest{Patient: "amy"})
		if err != nil {
			panic(err)
		}
		_, err = validator.Authenticate(context.Background(), token)
		fmt.Println(flaw, "refused:", errors.Is(err, smart.ErrInvalidToken))
	}
	// Output:
	// Expired refused: true
	// AlgNone refused: true
}

// An end-to-end test of a patient app: the app builds the authorization
// request, Authorize plays the patient in the browser (who unticks a
// scope), and the app redeems the code with its PKCE verifier.
func ExampleAuthorize() {
	auth, err := smarttest.Start(smarttest.Config{
		FHIRBaseURL: "http://127.0.0.1:8080/fhir",
		Patients:    []smarttest.Patient{{ID: "amy", Name: "Amy Shaw"}, {ID: "bob", Name: "Bob Lee"}},
	})
	if err != nil {
		panic(err)
	}
	defer auth.Close()
	endpoints := auth.Configuration()

	// The app under test builds this request.
	verifier := smarttest.NewVerifier()
	request := url.Values{
		"response_type":         {"code"},
		"client_id":             {"my-app"},
		"redirect_uri":          {"http://127.0.0.1:3000/callback"},
		"scope":                 {"launch/patient patient/Observation.rs patient/Condition.rs"},
		"state":                 {"xyz"},
		"aud":                   {"http://127.0.0.1:8080/fhir"},
		"code_challenge":        {smarttest.S256(verifier)},
		"code_challenge_method": {"S256"},
	}
	redirect, err := smarttest.Authorize(context.Background(), nil,
		endpoints.AuthorizationEndpoint+"?"+request.Encode(),
		smarttest.Consent{Patient: "bob", Untick: []string{"patient/Condition.rs"}})
	if err != nil {
		panic(err)
	}

	// The app receives the redirect and redeems the code.
	resp, err := http.PostForm(endpoints.TokenEndpoint, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {redirect.Query().Get("code")},
		"redirect_uri":  {"http://127.0.0.1:3000/callback"},
		"client_id":     {"my-app"},
		"code_verifier": {verifier},
	})
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var tok struct{ Patient, Scope string }
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		panic(err)
	}
	fmt.Println(redirect.Query().Get("state"), tok.Patient)
	fmt.Println(tok.Scope)
	// Output:
	// xyz bob
	// launch/patient patient/Observation.rs
}
