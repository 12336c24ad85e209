package smart_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/golang-jwt/jwt/v5"
)

// The issuer, audience and instant that token tests share. Helpers are
// prefixed "tok" so they do not collide with other tests of package smart.
const (
	tokIssuer   = "https://auth.example.org"
	tokAudience = "https://fhir.example.org/r4"
)

// tokNow is the fixed instant of every token test.
var tokNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// tokSecret is the HMAC secret of tests that use HS256.
var tokSecret = []byte("0123456789abcdef0123456789abcdef")

// tokKeySet holds the test keys from testdata/tokens.
type tokKeySet struct {
	rsaA, rsaB *rsa.PrivateKey
	ecA, ecB   *ecdsa.PrivateKey
}

var (
	tokKeysOnce sync.Once
	tokKeysVal  tokKeySet
	tokKeysErr  error
)

// tokKeys loads the test keys once.
func tokKeys(tb testing.TB) tokKeySet {
	tb.Helper()
	tokKeysOnce.Do(func() {
		var k tokKeySet
		for name, dst := range map[string]any{
			"rsa_a.pem": &k.rsaA, "rsa_b.pem": &k.rsaB, "ec_a.pem": &k.ecA, "ec_b.pem": &k.ecB,
		} {
			if tokKeysErr = tokLoadKey(name, dst); tokKeysErr != nil {
				return
			}
		}
		tokKeysVal = k
	})
	if tokKeysErr != nil {
		tb.Fatal(tokKeysErr)
	}
	return tokKeysVal
}

// tokLoadKey parses a PKCS #8 PEM key from testdata/tokens into dst.
func tokLoadKey(name string, dst any) error {
	raw, err := os.ReadFile(filepath.Join("testdata", "tokens", name))
	if err != nil {
		return err
	}
	block, _ := pem.Decode(raw)
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return err
	}
	switch d := dst.(type) {
	case **rsa.PrivateKey:
		*d = key.(*rsa.PrivateKey)
	case **ecdsa.PrivateKey:
		*d = key.(*ecdsa.PrivateKey)
	}
	return nil
}

// tokClaims returns the claims of a valid patient token, changed by edit.
// A value of nil in edit removes the claim.
func tokClaims(edit map[string]any) jwt.MapClaims {
	c := jwt.MapClaims{
		"iss":       tokIssuer,
		"aud":       tokAudience,
		"sub":       "user-7",
		"exp":       tokNow.Add(time.Hour).Unix(),
		"iat":       tokNow.Add(-time.Minute).Unix(),
		"jti":       "jti-1",
		"client_id": "growth-chart",
		"scope":     "openid fhirUser launch/patient patient/Observation.rs patient/Patient.r",
		"patient":   "123",
		"fhirUser":  "Patient/123",
	}
	for k, v := range edit {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

// tokSign signs claims with method and key, setting kid when not empty.
func tokSign(tb testing.TB, method jwt.SigningMethod, key any, kid string,
	claims jwt.MapClaims) string {
	tb.Helper()
	t := jwt.NewWithClaims(method, claims)
	if kid != "" {
		t.Header["kid"] = kid
	}
	s, err := t.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// tokRS256 returns a valid RS256 token signed with key "rsa-a".
func tokRS256(tb testing.TB, edit map[string]any) string {
	tb.Helper()
	return tokSign(tb, jwt.SigningMethodRS256, tokKeys(tb).rsaA, "rsa-a", tokClaims(edit))
}

// tokConfig returns a configuration trusting keys rsa-a and ec-a.
func tokConfig(tb testing.TB) smart.JWTConfig {
	k := tokKeys(tb)
	return smart.JWTConfig{
		Issuer:   tokIssuer,
		Audience: tokAudience,
		Keys: []smart.VerificationKey{
			{ID: "rsa-a", Public: &k.rsaA.PublicKey},
			{ID: "ec-a", Public: &k.ecA.PublicKey},
		},
		Now: func() time.Time { return tokNow },
	}
}

// tokAuthenticator builds a JWTAuthenticator, closed when the test ends.
func tokAuthenticator(tb testing.TB, cfg smart.JWTConfig) *smart.JWTAuthenticator {
	tb.Helper()
	a, err := smart.NewJWTAuthenticator(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = a.Close() })
	return a
}

// tokJWK returns the public JWK of key with the given kid, alg and use
// (alg and use are left out when empty).
func tokJWK(key crypto.PublicKey, kid, alg, use string) map[string]any {
	b64 := base64.RawURLEncoding.EncodeToString
	jwk := map[string]any{"kid": kid}
	switch k := key.(type) {
	case *rsa.PublicKey:
		jwk["kty"], jwk["n"] = "RSA", b64(k.N.Bytes())
		jwk["e"] = b64(big.NewInt(int64(k.E)).Bytes())
	case *ecdsa.PublicKey:
		point, _ := k.Bytes()
		jwk["kty"], jwk["crv"] = "EC", "P-256"
		jwk["x"], jwk["y"] = b64(point[1:33]), b64(point[33:65])
	case []byte:
		jwk["kty"], jwk["k"] = "oct", b64(k)
	}
	if alg != "" {
		jwk["alg"] = alg
	}
	if use != "" {
		jwk["use"] = use
	}
	return jwk
}

// tokJWKS returns the JSON of a JWKS holding jwks.
func tokJWKS(jwks ...map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"keys": jwks})
	return b
}

// tokClock is a settable clock for cache tests.
type tokClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tokClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *tokClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
