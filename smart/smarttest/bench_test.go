package smarttest_test

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// BenchmarkMint measures Mint against its baseline, golang-jwt signing the
// same claims with the same key: the difference is what Mint adds (claims,
// jti, bookkeeping for introspection and revocation).
func BenchmarkMint(b *testing.B) {
	s := newHandlerServer(b)
	rk, ek := testKeys()
	req := smarttest.MintRequest{Patient: "amy", Scopes: []string{"patient/*.rs", "openid"}}

	for _, alg := range []struct {
		name   string
		alg    smarttest.Algorithm
		method jwt.SigningMethod
		key    any
	}{
		{"RS256", smarttest.RS256, jwt.SigningMethodRS256, rk},
		{"ES256", smarttest.ES256, jwt.SigningMethodES256, ek},
	} {
		b.Run("baseline-"+alg.name, func(b *testing.B) {
			claims := jwt.MapClaims{"iss": fuzzIssuer, "aud": fhirBase, "sub": "user-1",
				"client_id": smarttest.DefaultClientID, "scope": "patient/*.rs openid", "patient": "amy",
				"fhirUser": "Patient/amy", "iat": start.Unix(), "nbf": start.Unix(),
				"exp": start.Add(time.Hour).Unix(), "jti": "0123456789abcdef0123456789abcdef0123456789a"}
			for b.Loop() {
				t := jwt.NewWithClaims(alg.method, claims)
				t.Header["kid"] = "kid"
				if _, err := t.SignedString(alg.key); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(alg.name, func(b *testing.B) {
			req.Algorithm = alg.alg
			for b.Loop() {
				if _, err := s.Mint(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
