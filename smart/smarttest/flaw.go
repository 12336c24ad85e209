package smarttest

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Flaw is a defect that [Server.MintInvalid] builds into a token, so that
// negative tests can check that a validator refuses it. Every flaw makes
// the token invalid for a correct SMART resource server. The zero value is
// no flaw, and MintInvalid refuses it.
type Flaw int

// The flaws MintInvalid can build.
const (
	// FlawExpired: exp passed an hour ago (iat and nbf two hours ago),
	// beyond any reasonable clock leeway.
	FlawExpired Flaw = iota + 1

	// FlawNotYetValid: nbf and iat are an hour in the future.
	FlawNotYetValid

	// FlawNoExpiry: the token has no exp claim. SMART resource servers
	// must not accept tokens that never expire.
	FlawNoExpiry

	// FlawWrongAudience: aud is https://wrong-audience.invalid/fhir
	// instead of the FHIR base URL, as for a token meant for another
	// server.
	FlawWrongAudience

	// FlawWrongIssuer: iss is https://wrong-issuer.invalid, although the
	// signature is the server's.
	FlawWrongIssuer

	// FlawUnknownKey: signed with a key that is not in the JWKS, named by
	// its own kid.
	FlawUnknownKey

	// FlawBadSignature: signed with a key that is not in the JWKS but
	// naming the kid of the server's key, so the signature does not
	// verify.
	FlawBadSignature

	// FlawAlgNone: an unsigned token with alg "none" (RFC 7519 section 6).
	FlawAlgNone

	// FlawHMACWithPublicKey: HS256 with the server's RSA public key, PEM
	// encoded, as the HMAC secret, under the RSA key's kid: the
	// algorithm-confusion attack on validators that take the algorithm
	// from the token.
	FlawHMACWithPublicKey

	// FlawPatientScopesWithoutPatient: patient/ scopes without a patient
	// claim (nor fhirUser). A validator must refuse it rather than apply
	// the scopes without a patient. The request must hold a patient/
	// scope.
	FlawPatientScopesWithoutPatient
)

// flawNames are the names String returns.
var flawNames = map[Flaw]string{
	FlawExpired: "Expired", FlawNotYetValid: "NotYetValid", FlawNoExpiry: "NoExpiry",
	FlawWrongAudience: "WrongAudience", FlawWrongIssuer: "WrongIssuer",
	FlawUnknownKey: "UnknownKey", FlawBadSignature: "BadSignature", FlawAlgNone: "AlgNone",
	FlawHMACWithPublicKey:           "HMACWithPublicKey",
	FlawPatientScopesWithoutPatient: "PatientScopesWithoutPatient",
}

// Flaws lists every flaw, for table tests that try them all.
func Flaws() []Flaw {
	return []Flaw{FlawExpired, FlawNotYetValid, FlawNoExpiry, FlawWrongAudience,
		FlawWrongIssuer, FlawUnknownKey, FlawBadSignature, FlawAlgNone,
		FlawHMACWithPublicKey, FlawPatientScopesWithoutPatient}
}

// String returns the flaw's name without the Flaw prefix, such as
// "Expired".
func (f Flaw) String() string {
	if n, ok := flawNames[f]; ok {
		return n
	}
	return fmt.Sprintf("Flaw(%d)", int(f))
}

// MintInvalid returns a token built like [Server.Mint] would from req, but
// with the given flaw, which a correct validator must refuse. Tokens the
// server signs are recorded like minted ones; introspection reports them
// inactive, except a FlawWrongAudience token, which is a genuine token of
// the server for another audience: introspection reports it active, with
// its aud, and the resource server must refuse it.
func (s *Server) MintInvalid(flaw Flaw, req MintRequest) (string, error) {
	t, key, err := s.prepare(req)
	if err != nil {
		return "", err
	}
	claims := s.claims(t)
	maps.Copy(claims, req.Claims)

	switch flaw {
	case FlawUnknownKey, FlawBadSignature:
		return s.signWithStranger(flaw, key, claims)
	case FlawAlgNone:
		return signNone(key, claims)
	case FlawHMACWithPublicKey:
		return s.signHMACWithPublicKey(claims)
	}
	if err := falsify(flaw, claims, t.issued); err != nil {
		return "", err
	}
	return s.signMinted(key, t, claims)
}

// falsify changes claims to carry a claim-level flaw.
func falsify(flaw Flaw, claims jwt.MapClaims, now time.Time) error {
	switch flaw {
	case FlawExpired:
		claims["iat"], claims["nbf"] = now.Add(-2*time.Hour).Unix(), now.Add(-2*time.Hour).Unix()
		claims["exp"] = now.Add(-time.Hour).Unix()
	case FlawNotYetValid:
		claims["iat"], claims["nbf"] = now.Add(time.Hour).Unix(), now.Add(time.Hour).Unix()
		claims["exp"] = now.Add(2 * time.Hour).Unix()
	case FlawNoExpiry:
		delete(claims, "exp")
	case FlawWrongAudience:
		claims["aud"] = "https://wrong-audience.invalid/fhir"
	case FlawWrongIssuer:
		claims["iss"] = "https://wrong-issuer.invalid"
	case FlawPatientScopesWithoutPatient:
		scope, _ := claims["scope"].(string)
		if !strings.Contains(" "+scope, " patient/") {
			return fmt.Errorf("%w: %v needs a patient/ scope in Scopes", ErrMintRequest, flaw)
		}
		delete(claims, "patient")
		delete(claims, "fhirUser")
	default:
		return fmt.Errorf("%w: unknown flaw %v", ErrMintRequest, flaw)
	}
	return nil
}

// signWithStranger signs with a key of the same algorithm that the server
// does not publish, under the stranger's kid or, for FlawBadSignature,
// under the server's.
func (s *Server) signWithStranger(flaw Flaw, own *signingKey, claims jwt.MapClaims) (
	string, error) {
	ks, err := s.strangers.get()
	if err != nil {
		return "", err
	}
	stranger, _ := ks.byAlgorithm(own.alg)
	t := jwt.NewWithClaims(stranger.method, claims)
	t.Header["kid"] = stranger.kid
	if flaw == FlawBadSignature {
		t.Header["kid"] = own.kid
	}
	return t.SignedString(stranger.key)
}

// signNone returns claims as an unsigned alg=none token naming key's kid.
func signNone(key *signingKey, claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodNone, claims)
	t.Header["kid"] = key.kid
	return t.SignedString(jwt.UnsafeAllowNoneSignatureType)
}

// signHMACWithPublicKey signs claims with HS256, using the PEM encoding of
// the server's RSA public key as the secret.
func (s *Server) signHMACWithPublicKey(claims jwt.MapClaims) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(s.keys.rsa.key.Public())
	if err != nil {
		return "", fmt.Errorf("smarttest: encoding RSA public key: %w", err)
	}
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	t.Header["kid"] = s.keys.rsa.kid
	return t.SignedString(secret)
}

// strangerKeys are keys the server never publishes, generated on first
// use.
type strangerKeys struct {
	once sync.Once
	keys *keySet
	err  error
}

// get returns the stranger keys, generating them the first time.
func (k *strangerKeys) get() (*keySet, error) {
	k.once.Do(func() { k.keys, k.err = newKeySet(nil, nil) })
	return k.keys, k.err
}
