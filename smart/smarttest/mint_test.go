package smarttest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// jwtAuthenticator is the library's validator, trusting s by its JWKS.
func jwtAuthenticator(t *testing.T, s *smarttest.Server, c *clock,
	m smart.ClaimMapping) *smart.JWTAuthenticator {
	t.Helper()
	a, err := smart.NewJWTAuthenticator(smart.JWTConfig{Issuer: s.Issuer(), Audience: fhirBase,
		JWKSURL: s.Configuration().JWKSURI, Claims: m, CacheEntries: -1, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// TestMint checks minted tokens, with defaults and with every field set,
// against an independent verifier and the library's validator.
func TestMint(t *testing.T) {
	s, c := startServer(t, nil)
	v := newVerifier(t, s, c)

	cases := []struct {
		name    string
		req     smarttest.MintRequest
		mapping smart.ClaimMapping
		want    map[string]any
		alg     string
		patient string
	}{
		{"zero request", smarttest.MintRequest{}, smart.ClaimMapping{},
			map[string]any{"client_id": smarttest.DefaultClientID,
				"sub": smarttest.DefaultClientID, "scope": ""},
			"RS256", ""},
		{"patient", smarttest.MintRequest{Patient: "amy", Scopes: []string{"patient/*.rs", "openid"}},
			smart.ClaimMapping{},
			map[string]any{"patient": "amy", "fhirUser": "Patient/amy", "scope": "patient/*.rs openid",
				"exp": float64(start.Add(time.Hour).Unix())},
			"RS256", "amy"},
		{"every field, ES256", smarttest.MintRequest{Patient: "bob",
			Scopes: []string{"patient/Observation.rs"}, ClientID: "app-9",
			FHIRUser: "RelatedPerson/rp1", Subject: "s-1", Lifetime: time.Minute,
			Algorithm: smarttest.ES256}, smart.ClaimMapping{},
			map[string]any{"client_id": "app-9", "fhirUser": "RelatedPerson/rp1", "sub": "s-1",
				"exp": float64(start.Add(time.Minute).Unix())},
			"ES256", "bob"},
		{"smart-launcher shape", smarttest.MintRequest{Scopes: []string{"patient/*.rs"},
			Claims: map[string]any{"context": map[string]any{"patient": "amy"}, "scope": nil,
				"scp": []string{"patient/*.rs"}}},
			smart.ClaimMapping{Patient: "context.patient"},
			map[string]any{"scp": []any{"patient/*.rs"}},
			"RS256", "amy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			token, err := s.Mint(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			claims, header, err := v.verify(token)
			if err != nil && tc.mapping == (smart.ClaimMapping{}) {
				t.Fatalf("independent verifier refused: %v", err)
			}
			if err == nil {
				for k, want := range tc.want {
					if got := claims[k]; !equalJSON(got, want) {
						t.Errorf("claim %s = %v, want %v", k, got, want)
					}
				}
				if header["alg"] != tc.alg {
					t.Errorf("alg = %v, want %s", header["alg"], tc.alg)
				}
			}
			g, err := jwtAuthenticator(t, s, c, tc.mapping).Authenticate(t.Context(), token)
			if err != nil {
				t.Fatalf("JWTAuthenticator refused: %v", err)
			}
			if g.Patient != tc.patient {
				t.Errorf("grant patient = %q, want %q", g.Patient, tc.patient)
			}
		})
	}
}

// equalJSON compares decoded JSON values, lists included.
func equalJSON(a, b any) bool {
	la, okA := a.([]any)
	lb, okB := b.([]any)
	if !okA || !okB {
		return a == b
	}
	if len(la) != len(lb) {
		return false
	}
	for i := range la {
		if la[i] != lb[i] {
			return false
		}
	}
	return true
}

// TestMintInvalid checks that each flawed token carries its flaw and is
// refused by an independent verifier and by the library's validator, while
// the same request minted without the flaw is accepted by both.
func TestMintInvalid(t *testing.T) {
	s, c := startServer(t, nil)
	v := newVerifier(t, s, c)
	auth := jwtAuthenticator(t, s, c, smart.ClaimMapping{})
	req := smarttest.MintRequest{Patient: "amy", Scopes: []string{"patient/*.rs"}}

	good, err := s.Mint(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.verify(good); err != nil {
		t.Fatalf("verifier refused the valid token: %v", err)
	}
	if _, err := auth.Authenticate(t.Context(), good); err != nil {
		t.Fatalf("JWTAuthenticator refused the valid token: %v", err)
	}

	for _, f := range smarttest.Flaws() {
		t.Run(f.String(), func(t *testing.T) {
			token, err := s.MintInvalid(f, req)
			if err != nil {
				t.Fatal(err)
			}
			checkFlaw(t, f, token, v)
			if _, _, err := v.verify(token); err == nil {
				t.Error("independent verifier accepted the token")
			}
			if _, err := auth.Authenticate(t.Context(), token); !errors.Is(err, smart.ErrInvalidToken) {
				t.Errorf("JWTAuthenticator: %v, want ErrInvalidToken", err)
			}
		})
	}
}

// checkFlaw decodes a token without verifying it and checks that it has
// the named flaw.
func checkFlaw(t *testing.T, f smarttest.Flaw, token string, v *verifier) {
	t.Helper()
	claims := jwt.MapClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(token, claims)
	if err != nil {
		t.Fatalf("token does not decode: %v", err)
	}
	now := float64(start.Unix())
	_, knownKid := v.keys[tok.Header["kid"].(string)]
	exp, _ := claims["exp"].(float64)
	nbf, _ := claims["nbf"].(float64)
	has := map[smarttest.Flaw]bool{
		smarttest.FlawExpired:           exp < now-30*60,
		smarttest.FlawNotYetValid:       nbf > now+30*60,
		smarttest.FlawNoExpiry:          claims["exp"] == nil,
		smarttest.FlawWrongAudience:     claims["aud"] != fhirBase,
		smarttest.FlawWrongIssuer:       claims["iss"] != v.issuer,
		smarttest.FlawUnknownKey:        !knownKid,
		smarttest.FlawBadSignature:      knownKid && tok.Method.Alg() == "RS256",
		smarttest.FlawAlgNone:           tok.Method.Alg() == "none",
		smarttest.FlawHMACWithPublicKey: tok.Method.Alg() == "HS256" && knownKid,
		smarttest.FlawPatientScopesWithoutPatient: claims["patient"] == nil &&
			claims["scope"] == "patient/*.rs",
	}
	if !has[f] {
		t.Errorf("token lacks its flaw: header %v claims %v", tok.Header, claims)
	}
}

// TestMintRefused checks that invalid mint requests are refused.
func TestMintRefused(t *testing.T) {
	s, _ := startServer(t, nil)

	cases := []struct {
		name string
		flaw smarttest.Flaw
		req  smarttest.MintRequest
	}{
		{"exp in Claims", 0, smarttest.MintRequest{Claims: map[string]any{"exp": 1}}},
		{"aud in Claims", 0, smarttest.MintRequest{Claims: map[string]any{"aud": "x"}}},
		{"iss in Claims", 0, smarttest.MintRequest{Claims: map[string]any{"iss": "x"}}},
		{"patient not an ID", 0, smarttest.MintRequest{Patient: "Patient/amy"}},
		{"unknown algorithm", 0, smarttest.MintRequest{Algorithm: "HS256"}},
		{"negative lifetime", 0, smarttest.MintRequest{Lifetime: -time.Second}},
		{"no patient scope to strip", smarttest.FlawPatientScopesWithoutPatient,
			smarttest.MintRequest{Patient: "amy", Scopes: []string{"openid"}}},
		{"unknown flaw", smarttest.Flaw(99), smarttest.MintRequest{}},
		{"zero flaw", smarttest.Flaw(0), smarttest.MintRequest{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.flaw == 0 && tc.name != "zero flaw" {
				_, err = s.Mint(tc.req)
			} else {
				_, err = s.MintInvalid(tc.flaw, tc.req)
			}
			if !errors.Is(err, smarttest.ErrMintRequest) {
				t.Errorf("error = %v, want ErrMintRequest", err)
			}
		})
	}
}
