package smart_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/golang-jwt/jwt/v5"
)

// tokRejectCase is a token that an authenticator must refuse, with the
// reason it must give and the sentinel it must match besides
// ErrInvalidToken.
type tokRejectCase struct {
	name   string
	token  func(t *testing.T) string
	reason string
	also   error
}

// tokPart base64url-encodes s as a JWT segment.
func tokPart(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// tokHandBuilt returns a token whose header and claims are given as JSON.
func tokHandBuilt(header, claims, sig string) string {
	return tokPart(header) + "." + tokPart(claims) + "." + sig
}

// tokValidClaimsJSON is the JSON of tokClaims(nil).
func tokValidClaimsJSON(t *testing.T) string {
	parts := strings.Split(tokRS256(t, nil), ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// tokPublicPEM and tokPublicDER return the RSA test key's public half as an
// attacker would find it published.
func tokPublicPEM(t *testing.T) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: tokPublicDER(t)})
}

func tokPublicDER(t *testing.T) []byte {
	der, err := x509.MarshalPKIXPublicKey(&tokKeys(t).rsaA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func tokRejectCases() []tokRejectCase {
	return []tokRejectCase{
		{"expired", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"exp": tokNow.Add(-time.Second).Unix()})
		}, "token_expired", smart.ErrTokenExpired},
		{"not yet valid", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"nbf": tokNow.Add(time.Minute).Unix()})
		}, "token_not_yet_valid", nil},
		{"wrong issuer", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"iss": "https://evil.example.org"})
		}, "wrong_issuer", nil},
		{"issuer with trailing slash", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"iss": tokIssuer + "/"})
		}, "wrong_issuer", nil},
		{"missing issuer", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"iss": nil})
		}, "missing_claim", nil},
		{"wrong audience", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"aud": "https://other.example.org/fhir"})
		}, "wrong_audience", nil},
		{"audience list without ours", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"aud": []string{"a", "b"}})
		}, "wrong_audience", nil},
		{"missing audience", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"aud": nil})
		}, "missing_claim", nil},
		{"missing exp", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"exp": nil})
		}, "missing_claim", nil},
		{"exp not a number", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"exp": "tomorrow"})
		}, "bad_claim", nil},
		{"expired and wrong issuer", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"exp": tokNow.Add(-time.Hour).Unix(), "iss": "x"})
		}, "wrong_issuer", nil},
		{"alg none", func(t *testing.T) string {
			return tokHandBuilt(`{"alg":"none","typ":"JWT"}`, tokValidClaimsJSON(t), "")
		}, "bad_signature", nil},
		{"alg None", func(t *testing.T) string {
			return tokHandBuilt(`{"alg":"None","typ":"JWT"}`, tokValidClaimsJSON(t), "")
		}, "bad_signature", nil},
		{"alg missing", func(t *testing.T) string {
			return tokHandBuilt(`{"typ":"JWT"}`, tokValidClaimsJSON(t), "c2ln")
		}, "bad_signature", nil},
		{"HS256 keyed with the RSA public key PEM", func(t *testing.T) string {
			return tokSign(t, jwt.SigningMethodHS256, tokPublicPEM(t), "rsa-a", tokClaims(nil))
		}, "bad_signature", nil},
		{"HS256 keyed with the RSA public key DER", func(t *testing.T) string {
			return tokSign(t, jwt.SigningMethodHS256, tokPublicDER(t), "rsa-a", tokClaims(nil))
		}, "bad_signature", nil},
		{"signed by another key under our kid", func(t *testing.T) string {
			return tokSign(t, jwt.SigningMethodRS256, tokKeys(t).rsaB, "rsa-a", tokClaims(nil))
		}, "bad_signature", nil},
		{"ES256 signed by another key", func(t *testing.T) string {
			return tokSign(t, jwt.SigningMethodES256, tokKeys(t).ecB, "ec-a", tokClaims(nil))
		}, "bad_signature", nil},
		{"claims changed after signing", func(t *testing.T) string {
			parts := strings.Split(tokRS256(t, nil), ".")
			other := strings.Split(tokRS256(t, map[string]any{"patient": "456"}), ".")
			return parts[0] + "." + other[1] + "." + parts[2]
		}, "bad_signature", nil},
		{"unknown kid", func(t *testing.T) string {
			return tokSign(t, jwt.SigningMethodRS256, tokKeys(t).rsaA, "nobody", tokClaims(nil))
		}, "unknown_key", nil},
		{"ES256 under an RSA kid", func(t *testing.T) string {
			return tokSign(t, jwt.SigningMethodES256, tokKeys(t).ecA, "rsa-a", tokClaims(nil))
		}, "unknown_key", nil},
		{"kid not a string", func(t *testing.T) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, tokClaims(nil))
			tok.Header["kid"] = 7
			s, _ := tok.SignedString(tokKeys(t).rsaA)
			return s
		}, "token_malformed", nil},
		{"crit header", func(t *testing.T) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, tokClaims(nil))
			tok.Header["kid"], tok.Header["crit"] = "rsa-a", []string{"exp"}
			s, _ := tok.SignedString(tokKeys(t).rsaA)
			return s
		}, "token_malformed", nil},
		{"two parts", func(t *testing.T) string {
			parts := strings.Split(tokRS256(t, nil), ".")
			return parts[0] + "." + parts[1]
		}, "token_malformed", nil},
		{"four parts", func(t *testing.T) string {
			return tokRS256(t, nil) + ".x"
		}, "token_malformed", nil},
		{"empty", func(t *testing.T) string { return "" }, "token_malformed", nil},
		{"bad base64", func(t *testing.T) string { return "e30!.e30.c2ln" }, "token_malformed", nil},
		{"padded base64", func(t *testing.T) string {
			parts := strings.Split(tokRS256(t, nil), ".")
			return parts[0] + "=." + parts[1] + "." + parts[2]
		}, "token_malformed", nil},
		{"header not JSON", func(t *testing.T) string {
			return tokHandBuilt(`{"alg":"RS256"`, tokValidClaimsJSON(t), "c2ln")
		}, "token_malformed", nil},
		{"claims not JSON", func(t *testing.T) string {
			return tokHandBuilt(`{"alg":"RS256","kid":"rsa-a"}`, `{"iss":`, "c2ln")
		}, "token_malformed", nil},
		{"oversized header", func(t *testing.T) string {
			return tokHandBuilt(`{"alg":"RS256","x":"`+strings.Repeat("a", 4000)+`"}`, `{}`, "c2ln")
		}, "token_too_large", nil},
		{"oversized token", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"pad": strings.Repeat("a", 17<<10)})
		}, "token_too_large", nil},
		{"patient scopes without patient", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"patient": nil})
		}, "no_patient", smart.ErrNoPatient},
		{"patient scopes with empty patient", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"patient": ""})
		}, "no_patient", smart.ErrNoPatient},
		{"v1 wildcard patient scope without patient", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"patient": nil, "scope": "patient/*.read"})
		}, "no_patient", smart.ErrNoPatient},
		{"patient with a slash", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"patient": "123/../456"})
		}, "bad_claim", nil},
		{"patient as a URL", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"patient": "https://fhir.example.org/r4/Patient/123"})
		}, "bad_claim", nil},
		{"patient of another type", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"patient": "Group/123"})
		}, "bad_claim", nil},
		{"patient with a space", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"patient": "Patient/12 3"})
		}, "bad_claim", nil},
		{"patient id too long", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"patient": strings.Repeat("1", 65)})
		}, "bad_claim", nil},
		{"patient as a number", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"patient": 123})
		}, "bad_claim", nil},
		{"scope claim as an object", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"scope": map[string]any{"a": 1}})
		}, "bad_claim", nil},
		{"scope list with a number", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"scope": nil, "scp": []any{"openid", 7}})
		}, "bad_claim", nil},
		{"client_id as a number", func(t *testing.T) string {
			return tokRS256(t, map[string]any{"client_id": 5})
		}, "bad_claim", nil},
	}
}

func TestJWTRejects(t *testing.T) {
	a := tokAuthenticator(t, tokConfig(t))
	for _, c := range tokRejectCases() {
		t.Run(c.name, func(t *testing.T) {
			tokCheckRejected(t, a, c.token(t), c.reason, c.also)
		})
	}
	if _, err := a.Authenticate(context.Background(), tokRS256(t, nil)); err != nil {
		t.Fatalf("after the refusals, a valid token must still be accepted: %v", err)
	}
}

// tokCheckRejected checks that a refuses token with reason, matching
// ErrInvalidToken, also (when not nil) and not ErrUnavailable.
func tokCheckRejected(t *testing.T, a smart.Authenticator, token, reason string, also error) {
	t.Helper()
	g, err := a.Authenticate(context.Background(), token)
	if err == nil {
		t.Fatalf("accepted; grant = %+v", g)
	}
	if g != nil {
		t.Errorf("returned a grant with the error %v", err)
	}
	var te *smart.TokenError
	if !errors.As(err, &te) || te.Reason != reason {
		t.Errorf("err = %v, want reason %q", err, reason)
	}
	if !errors.Is(err, smart.ErrInvalidToken) || errors.Is(err, smart.ErrUnavailable) {
		t.Errorf("err = %v must match ErrInvalidToken and not ErrUnavailable", err)
	}
	if also != nil && !errors.Is(err, also) {
		t.Errorf("err = %v must match %v", err, also)
	}
	if also != smart.ErrTokenExpired && errors.Is(err, smart.ErrTokenExpired) {
		t.Errorf("err = %v must not match ErrTokenExpired", err)
	}
}

func TestJWTRejectsAlgorithmConfusionWithHMACConfigured(t *testing.T) {
	cfg := tokConfig(t)
	cfg.HMACSecret = tokSecret
	a := tokAuthenticator(t, cfg)
	for name, key := range map[string][]byte{"PEM": tokPublicPEM(t), "DER": tokPublicDER(t)} {
		t.Run(name, func(t *testing.T) {
			for _, kid := range []string{"rsa-a", ""} {
				token := tokSign(t, jwt.SigningMethodHS256, key, kid, tokClaims(nil))
				tokCheckRejected(t, a, token, "bad_signature", nil)
			}
		})
	}
	legit := tokSign(t, jwt.SigningMethodHS256, tokSecret, "", tokClaims(nil))
	if _, err := a.Authenticate(context.Background(), legit); err != nil {
		t.Fatalf("a token signed with the configured secret must be accepted: %v", err)
	}
}

func TestJWTRejectsRS256WhenOnlyECDSAKeys(t *testing.T) {
	cfg := tokConfig(t)
	cfg.Keys = cfg.Keys[1:] // ec-a only
	a := tokAuthenticator(t, cfg)
	for _, kid := range []string{"rsa-a", "ec-a", ""} {
		token := tokSign(t, jwt.SigningMethodRS256, tokKeys(t).rsaA, kid, tokClaims(nil))
		tokCheckRejected(t, a, token, "bad_signature", nil)
	}
	legit := tokSign(t, jwt.SigningMethodES256, tokKeys(t).ecA, "ec-a", tokClaims(nil))
	if _, err := a.Authenticate(context.Background(), legit); err != nil {
		t.Fatalf("an ES256 token must be accepted: %v", err)
	}
}

func TestJWTAllowListNarrowsDefaults(t *testing.T) {
	cfg := tokConfig(t)
	cfg.Algorithms = []string{"RS256"}
	a := tokAuthenticator(t, cfg)
	ps := tokSign(t, jwt.SigningMethodPS256, tokKeys(t).rsaA, "rsa-a", tokClaims(nil))
	tokCheckRejected(t, a, ps, "bad_signature", nil)
	es := tokSign(t, jwt.SigningMethodES256, tokKeys(t).ecA, "ec-a", tokClaims(nil))
	tokCheckRejected(t, a, es, "bad_signature", nil)
	if _, err := a.Authenticate(context.Background(), tokRS256(t, nil)); err != nil {
		t.Fatalf("RS256 is allowed: %v", err)
	}
}
