package smarttest

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultClientID is the client_id of minted tokens whose [MintRequest]
// names none.
const DefaultClientID = "smarttest-client"

// MintRequest describes an access token for [Server.Mint]. Every field is
// optional; the zero value mints a token with no scopes, no patient and
// the default client.
type MintRequest struct {
	// Patient is the launch patient's resource ID, without "Patient/", for
	// the patient claim. It must match the FHIR id pattern. It need not be
	// one of the patients of the picker. Empty means no patient claim.
	Patient string

	// Scopes are written, space-separated, in the scope claim. They are
	// not checked, so that tests can mint malformed scopes.
	Scopes []string

	// ClientID is the client_id claim. Empty means [DefaultClientID].
	ClientID string

	// FHIRUser is the fhirUser claim. Empty means "Patient/" + Patient
	// when Patient is set, and no claim otherwise.
	FHIRUser string

	// Subject is the sub claim. Empty means the pseudonym the server gives
	// the user who is Patient, or ClientID when Patient is empty (the
	// subject of a token a client obtains for itself).
	Subject string

	// Lifetime is the time from iat to exp. Zero means the configured
	// token lifetime; it must not be negative ([FlawExpired] makes expired
	// tokens).
	Lifetime time.Duration

	// Algorithm signs the token. Empty means [RS256].
	Algorithm Algorithm

	// Claims are added to the token after the fields above, and may
	// replace sub, client_id, scope, patient and fhirUser to build tokens
	// of unusual shape, such as a scp array or a context.patient claim.
	// They must not set iss, aud, exp, nbf, iat or jti, which only
	// [Server.MintInvalid] falsifies.
	Claims map[string]any
}

// ErrMintRequest is matched by the errors of [Server.Mint] and
// [Server.MintInvalid] for an invalid [MintRequest].
var ErrMintRequest = errors.New("smarttest: invalid mint request")

// validityClaims are the claims a MintRequest may not set.
var validityClaims = []string{"iss", "aud", "exp", "nbf", "iat", "jti"}

// Mint returns a valid access token for unit tests, signed like the tokens
// of a launch: iss is the issuer, aud the FHIR base URL, iat and nbf now,
// exp after the lifetime, with a new jti and the kid of the signing key.
// The token can be introspected and revoked like a launched one.
func (s *Server) Mint(req MintRequest) (string, error) {
	t, key, err := s.prepare(req)
	if err != nil {
		return "", err
	}
	claims := s.claims(t)
	maps.Copy(claims, req.Claims)
	return s.signMinted(key, t, claims)
}

// prepare checks req and fills in its defaults.
func (s *Server) prepare(req MintRequest) (*accessToken, *signingKey, error) {
	key, err := s.keys.byAlgorithm(req.Algorithm)
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("%w: %w", ErrMintRequest, err)
	case req.Patient != "" && !isFHIRID(req.Patient):
		return nil, nil, fmt.Errorf("%w: Patient %q is not a FHIR resource ID",
			ErrMintRequest, req.Patient)
	case req.Lifetime < 0:
		return nil, nil, fmt.Errorf("%w: Lifetime is negative", ErrMintRequest)
	}
	for _, name := range validityClaims {
		if _, ok := req.Claims[name]; ok {
			return nil, nil, fmt.Errorf("%w: Claims may not set %q", ErrMintRequest, name)
		}
	}
	return s.mintedToken(req), key, nil
}

// mintedToken applies the defaults of a MintRequest.
func (s *Server) mintedToken(req MintRequest) *accessToken {
	t := &accessToken{clientID: req.ClientID, patient: req.Patient, fhirUser: req.FHIRUser,
		subject: req.Subject, issued: s.now(), lifetime: req.Lifetime, jti: randomToken()}
	if t.clientID == "" {
		t.clientID = DefaultClientID
	}
	if t.fhirUser == "" && t.patient != "" {
		t.fhirUser = "Patient/" + t.patient
	}
	if t.subject == "" {
		t.subject = t.clientID
		if t.patient != "" {
			t.subject = subjectOf(t.patient)
		}
	}
	if t.lifetime == 0 {
		t.lifetime = s.cfg.TokenLifetime
	}
	t.scope = strings.Join(req.Scopes, " ")
	return t
}

// signMinted signs claims with key and records the token so that it can
// be introspected and revoked.
func (s *Server) signMinted(key *signingKey, t *accessToken, claims jwt.MapClaims) (
	string, error) {
	token, err := key.sign(claims)
	if err != nil {
		return "", err
	}
	s.store.addAccess(t.jti, "", t.issued.Add(t.lifetime), s.now())
	return token, nil
}
