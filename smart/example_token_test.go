package smart_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/golang-jwt/jwt/v5"
)

// The authorization server signs access tokens with its RSA key; the FHIR
// server trusts the public half and turns each token into a Grant.
func ExampleJWTAuthenticator() {
	key := exampleSigningKey() // the authorization server's key, from testdata
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

	auth, err := smart.NewJWTAuthenticator(smart.JWTConfig{
		Issuer:   "https://auth.example.org",
		Audience: "https://fhir.example.org/r4",
		Keys:     []smart.VerificationKey{{ID: "2026-01", Public: &key.PublicKey}},
		Leeway:   30 * time.Second,
		Now:      func() time.Time { return now }, // leave nil in production
	})
	if err != nil {
		log.Fatal(err)
	}
	defer auth.Close()

	mint := func(exp time.Time) string {
		t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
			"iss": "https://auth.example.org", "aud": "https://fhir.example.org/r4",
			"exp": exp.Unix(), "client_id": "growth-chart", "patient": "Patient/123",
			"scope": "launch/patient patient/Observation.rs",
		})
		t.Header["kid"] = "2026-01"
		s, _ := t.SignedString(key)
		return s
	}

	grant, err := auth.Authenticate(context.Background(), mint(now.Add(time.Hour)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("patient:", grant.Patient, "client:", grant.ClientID)
	fmt.Println("may search Observation:", grant.Scopes.Allows("Observation", smart.PermSearch))
	fmt.Println("expires:", grant.Expiry.UTC().Format(time.RFC3339))

	_, err = auth.Authenticate(context.Background(), mint(now.Add(-time.Hour)))
	fmt.Println("expired:", errors.Is(err, smart.ErrTokenExpired),
		errors.Is(err, smart.ErrInvalidToken))
	// Output:
	// patient: 123 client: growth-chart
	// may search Observation: true
	// expires: 2026-01-15T13:00:00Z
	// expired: true true
}

// exampleSigningKey reads the test RSA key.
func exampleSigningKey() *rsa.PrivateKey {
	raw, err := os.ReadFile("testdata/tokens/rsa_a.pem")
	if err != nil {
		log.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		log.Fatal(err)
	}
	return key.(*rsa.PrivateKey)
}

// The FHIR server asks the authorization server about opaque tokens; the
// answer is reused for at most MaxAge, which bounds how long a revoked token
// keeps working.
func ExampleIntrospector() {
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, secret, _ := r.BasicAuth(); id != "fhir-server" || secret != "s3cret" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.PostFormValue("token") != "opaque-abc" {
			fmt.Fprint(w, `{"active":false}`)
			return
		}
		fmt.Fprint(w, `{"active":true,"client_id":"growth-chart","patient":"123",
			"scope":"launch/patient patient/Observation.rs","exp":1768482000}`)
	}))
	defer endpoint.Close()

	in, err := smart.NewIntrospector(smart.IntrospectionConfig{
		Endpoint:     endpoint.URL, // https in production
		ClientID:     "fhir-server",
		ClientSecret: "s3cret",
		MaxAge:       30 * time.Second,
		Now:          func() time.Time { return time.Unix(1768478400, 0) }, // leave nil in production
	})
	if err != nil {
		log.Fatal(err)
	}

	grant, err := in.Authenticate(context.Background(), "opaque-abc")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("patient:", grant.Patient, "client:", grant.ClientID)
	fmt.Println("expires:", grant.Expiry.UTC().Format(time.RFC3339))

	_, err = in.Authenticate(context.Background(), "revoked-token")
	fmt.Println("inactive:", errors.Is(err, smart.ErrInvalidToken))
	// Output:
	// patient: 123 client: growth-chart
	// expires: 2026-01-15T13:00:00Z
	// inactive: true
}
