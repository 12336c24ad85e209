package smart_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/golang-jwt/jwt/v5"
)

// The middleware benchmarks send the same request, a type search with a
// bearer token, so that their results compare within a run:
// BenchmarkMiddlewareWarm against BenchmarkEmptyHandler is the cost the
// Guard adds to a request whose token was seen before.

// benchTarget is the request the benchmarks send.
const benchTarget = "/fhir/Observation?patient=123&code=http://loinc.org|1234-5"

// discardWriter is a ResponseWriter that keeps nothing, so that the
// benchmarks measure the handlers rather than a recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// emptyHandler does nothing; every benchmark ends in it.
var emptyHandler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

// serveLoop serves r to h b.N times and fails if h answers with an error.
func serveLoop(b *testing.B, h http.Handler, r *http.Request) {
	b.Helper()
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
	if len(w.h) != 0 {
		b.Fatalf("the request was refused: %v", w.h)
	}
}

// BenchmarkEmptyHandler is the baseline: the request straight to the empty
// handler.
func BenchmarkEmptyHandler(b *testing.B) {
	r := httptest.NewRequest("GET", benchTarget, nil)
	r.Header.Set("Authorization", "Bearer "+benchJWT(b, nil))
	serveLoop(b, emptyHandler, r)
}

// BenchmarkMiddlewareWarm sends the request through a Guard whose
// JWTAuthenticator has the RS256 token in its cache: token lookup, scope
// check and interaction parse.
func BenchmarkMiddlewareWarm(b *testing.B) {
	var key *rsa.PrivateKey
	token := benchJWT(b, &key)
	auth, err := smart.NewJWTAuthenticator(smart.JWTConfig{
		Issuer: "https://auth.example.org", Audience: "https://fhir.example.org/fhir",
		Keys: []smart.VerificationKey{{ID: "k1", Public: &key.PublicKey}},
		Now:  func() time.Time { return fixedNow },
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = auth.Close() })
	if _, err := auth.Authenticate(context.Background(), token); err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", benchTarget, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	serveLoop(b, benchGuard(b, auth).Handler(emptyHandler), r)
}

// BenchmarkMiddlewareMapAuthenticator is BenchmarkMiddlewareWarm with a map
// lookup instead of the JWT cache: the Guard's own cost.
func BenchmarkMiddlewareMapAuthenticator(b *testing.B) {
	auth := fakeAuth{"tok": {grant: grantWith("patient/Observation.rs patient/Patient.r")}}
	r := httptest.NewRequest("GET", benchTarget, nil)
	r.Header.Set("Authorization", "Bearer tok")
	serveLoop(b, benchGuard(b, auth).Handler(emptyHandler), r)
}

// BenchmarkParseInteraction parses a read, a search with parameters and an
// operation on a version.
func BenchmarkParseInteraction(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range [...]struct{ method, path, query string }{
			{"GET", "/Patient/123", ""},
			{"GET", "/Observation", "patient=123&code=http://loinc.org|1234-5"},
			{"POST", "/Observation/1/_history/2/$meta", ""},
		} {
			if _, err := smart.ParseInteraction(p.method, p.path, p.query, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func benchGuard(b *testing.B, auth smart.Authenticator) *smart.Guard {
	g, err := smart.NewGuard(smart.GuardConfig{Authenticator: auth, BasePath: "/fhir",
		Realm: "fhir"})
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// benchJWT mints an RS256 token for patient 123 with a fresh RSA key,
// which it stores in *key when key is not nil.
func benchJWT(b *testing.B, key **rsa.PrivateKey) string {
	b.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": "https://auth.example.org", "aud": "https://fhir.example.org/fhir",
		"exp": fixedNow.Add(time.Hour).Unix(), "iat": fixedNow.Unix(), "jti": "j1",
		"client_id": "app-1", "patient": "123", "fhirUser": "Patient/123",
		"scope": "openid fhirUser launch/patient patient/Patient.r patient/Observation.rs " +
			"patient/Condition.rs patient/AllergyIntolerance.rs offline_access",
	})
	t.Header["kid"] = "k1"
	s, err := t.SignedString(k)
	if err != nil {
		b.Fatal(err)
	}
	if key != nil {
		*key = k
	}
	return s
}
