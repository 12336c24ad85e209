package smart_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
	"github.com/golang-jwt/jwt/v5"
)

// TestGuardWithJWTAuthenticator puts the Guard in front of a real
// JWTAuthenticator and sends it forged, expired and foreign tokens.
func TestGuardWithJWTAuthenticator(t *testing.T) {
	key := newECKey(t)
	auth, err := smart.NewJWTAuthenticator(smart.JWTConfig{
		Issuer: "https://auth.example.org", Audience: "https://fhir.example.org/fhir",
		Keys: []smart.VerificationKey{{ID: "k1", Public: &key.PublicKey}},
		Now:  func() time.Time { return fixedNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = auth.Close() })
	f := newFixture(t, func(c *smart.GuardConfig) { c.Authenticator = auth })

	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{
			"iss": "https://auth.example.org", "aud": "https://fhir.example.org/fhir",
			"exp": fixedNow.Add(time.Hour).Unix(), "patient": "123", "client_id": "app",
			"scope": "launch/patient patient/Observation.rs",
		}
		if edit != nil {
			edit(c)
		}
		return c
	}
	invalid := refusal{status: 401, issue: "login", kind: audit.KindUnauthenticated,
		diag: "the access token is not valid",
		challenge: `Bearer realm="fhir", error="invalid_token", ` +
			`error_description="the access token is not valid"`}
	expired := invalid
	expired.diag = "the access token has expired"
	expired.challenge = `Bearer realm="fhir", error="invalid_token", ` +
		`error_description="the access token has expired"`

	r := req{method: "GET", target: "/fhir/Observation?code=1"}
	cases := []struct {
		name   string
		token  string
		want   refusal
		reason string
	}{
		{"alg none", unsignedToken(t, claims(nil)), invalid, ""},
		{"unknown kid", signES256(t, newECKey(t), "k2", claims(nil)), invalid, ""},
		{"other key under the known kid", signES256(t, newECKey(t), "k1", claims(nil)),
			invalid, "bad_signature"},
		{"expired", signES256(t, key, "k1", claims(func(c jwt.MapClaims) {
			c["exp"] = fixedNow.Add(-time.Minute).Unix()
		})), expired, "token_expired"},
		{"patient scopes without patient", signES256(t, key, "k1",
			claims(func(c jwt.MapClaims) { delete(c, "patient") })), refusal{
			status: 401, issue: "login", kind: audit.KindUnauthenticated,
			diag: "the access token has patient scopes but no patient",
			challenge: `Bearer realm="fhir", error="invalid_token", ` +
				`error_description="the access token has patient scopes but no patient"`,
			reason: "no_patient"}, "no_patient"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r.header = http.Header{"Authorization": {"Bearer " + tc.token}}
			w := f.do(r, "")
			// The reason comes from the authenticator; check the ones that
			// cannot be spelled otherwise.
			want := tc.want
			want.reason = f.lastReason()
			if tc.reason != "" && want.reason != tc.reason {
				t.Errorf("audit reason %q, want %q", want.reason, tc.reason)
			}
			f.expectRefusal(t, w, want)
		})
	}

	good := signES256(t, key, "k1", claims(nil))
	r.header = http.Header{"Authorization": {"Bearer " + good}}
	w := f.do(r, "")
	if w.Code != 200 || f.seen.grant == nil || f.seen.grant.Patient != "123" {
		t.Fatalf("valid token: status %d, grant %+v", w.Code, f.seen.grant)
	}
}

func newECKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func signES256(t *testing.T, key *ecdsa.PrivateKey, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// unsignedToken builds an alg=none token by hand.
func unsignedToken(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodNone, c).
		SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
