package smarttest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// jwk is one key of a JWKS document.
type jwk struct {
	Kty, Kid, Alg, Use, Crv, N, E, X, Y string
}

// fetchJWKS reads the JWKS endpoint of s and returns its keys by kid.
func fetchJWKS(t *testing.T, s *smarttest.Server) map[string]any {
	t.Helper()
	resp, err := http.Get(s.Issuer() + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct{ Keys []jwk }
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	keys := map[string]any{}
	for _, k := range doc.Keys {
		keys[k.Kid] = publicKey(t, k)
	}
	return keys
}

// publicKey decodes a JWK.
func publicKey(t *testing.T, k jwk) any {
	t.Helper()
	dec := func(s string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("JWK %s: %v", k.Kid, err)
		}
		return b
	}
	switch {
	case k.Kty == "RSA" && k.Alg == "RS256" && k.Use == "sig":
		e := new(big.Int).SetBytes(dec(k.E)).Int64()
		return &rsa.PublicKey{N: new(big.Int).SetBytes(dec(k.N)), E: int(e)}
	case k.Kty == "EC" && k.Alg == "ES256" && k.Crv == "P-256" && k.Use == "sig":
		point := append(append([]byte{4}, dec(k.X)...), dec(k.Y)...)
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
		if err != nil {
			t.Fatalf("JWK %s: %v", k.Kid, err)
		}
		return pub
	}
	t.Fatalf("unexpected JWK %+v", k)
	return nil
}

// verifier validates access tokens strictly and independently of the
// package: keys from the JWKS only, RS256 and ES256 only, issuer and
// audience checked, exp required, and no patient/ scopes without a patient.
type verifier struct {
	keys   map[string]any
	issuer string
	now    func() time.Time
}

var (
	errUnknownKid = errors.New("unknown kid")
	errNoPatient  = errors.New("patient/ scopes without a patient")
)

func newVerifier(t *testing.T, s *smarttest.Server, c *clock) *verifier {
	return &verifier{keys: fetchJWKS(t, s), issuer: s.Issuer(), now: c.Now}
}

// verify returns the claims and header of a valid token, or an error.
func (v *verifier) verify(token string) (jwt.MapClaims, map[string]any, error) {
	claims := jwt.MapClaims{}
	parsed, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := v.keys[kid]; ok {
			return k, nil
		}
		return nil, errUnknownKid
	}, jwt.WithValidMethods([]string{"RS256", "ES256"}), jwt.WithIssuer(v.issuer),
		jwt.WithAudience(fhirBase), jwt.WithExpirationRequired(), jwt.WithTimeFunc(v.now))
	if err != nil {
		return nil, nil, err
	}
	if scope, _ := claims["scope"].(string); claims["patient"] == nil &&
		strings.Contains(" "+scope, " patient/") {
		return nil, nil, errNoPatient
	}
	return claims, parsed.Header, nil
}

// jwtParse verifies a token's signature, issuer and expiry with v's keys,
// whatever its audience, and fills claims.
func jwtParse(token string, v *verifier, claims jwt.MapClaims) (*jwt.Token, error) {
	return jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := v.keys[kid]; ok {
			return k, nil
		}
		return nil, errUnknownKid
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(v.issuer),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(v.now))
}
