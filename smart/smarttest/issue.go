package smarttest

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// accessToken describes an access token to sign.
type accessToken struct {
	subject  string
	clientID string
	patient  string
	fhirUser string
	scope    string
	issued   time.Time
	lifetime time.Duration
	jti      string
}

// claims returns the claims of t as issued by s: iss, aud (the FHIR base
// URL, as a single string), sub, client_id, scope, patient and fhirUser
// (each only when set), exp, iat, nbf and jti.
func (s *Server) claims(t *accessToken) jwt.MapClaims {
	c := jwt.MapClaims{
		"iss":       s.cfg.Issuer,
		"aud":       s.cfg.FHIRBaseURL,
		"sub":       t.subject,
		"client_id": t.clientID,
		"scope":     t.scope,
		"iat":       t.issued.Unix(),
		"nbf":       t.issued.Unix(),
		"exp":       t.issued.Add(t.lifetime).Unix(),
		"jti":       t.jti,
	}
	if t.patient != "" {
		c["patient"] = t.patient
	}
	if t.fhirUser != "" {
		c["fhirUser"] = t.fhirUser
	}
	return c
}

// issueTokens signs the tokens of one token response for grant g (whose
// ID is id), with the given scopes: an access token, a refresh token when
// the patient approved offline_access or online_access, and an ID token
// when the scopes hold openid.
func (s *Server) issueTokens(id string, g *grant, scopes []string, now time.Time) (
	*tokenResponse, *oauthError) {
	t := &accessToken{
		subject:  subjectOf(g.approval.patient),
		clientID: g.clientID,
		patient:  g.approval.patient,
		fhirUser: "Patient/" + g.approval.patient,
		scope:    strings.Join(scopes, " "),
		issued:   now,
		lifetime: s.cfg.TokenLifetime,
		jti:      randomToken(),
	}
	at, err := s.launchKey.sign(s.claims(t))
	if err != nil {
		return nil, serverError()
	}
	s.store.addAccess(t.jti, id, now.Add(t.lifetime), now)

	resp := &tokenResponse{AccessToken: at, TokenType: "Bearer", Scope: t.scope,
		ExpiresIn: int64(t.lifetime / time.Second), Patient: t.patient}
	if slices.Contains(g.approval.scopes, "offline_access") ||
		slices.Contains(g.approval.scopes, "online_access") {
		resp.RefreshToken = randomToken()
		s.store.addRefresh(resp.RefreshToken, id, now.Add(s.cfg.RefreshTokenLifetime))
	}
	if slices.Contains(scopes, "openid") {
		withUser := slices.Contains(scopes, "fhirUser")
		if resp.IDToken, err = s.idToken(t, g.approval.nonce, withUser); err != nil {
			return nil, serverError()
		}
	}
	return resp, nil
}

// idToken signs the OpenID Connect ID token that accompanies access token
// t: iss, sub, aud (the client), exp, iat, the nonce of the authorization
// request when it had one, and fhirUser when withUser is set (the patient
// approved the fhirUser scope). It is always signed RS256, the algorithm
// OpenID Connect requires every client to accept.
func (s *Server) idToken(t *accessToken, nonce string, withUser bool) (string, error) {
	c := jwt.MapClaims{
		"iss": s.cfg.Issuer,
		"sub": t.subject,
		"aud": t.clientID,
		"iat": t.issued.Unix(),
		"exp": t.issued.Add(t.lifetime).Unix(),
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	if withUser {
		c["fhirUser"] = t.fhirUser
	}
	return s.keys.rsa.sign(c)
}

// subjectOf returns the sub claim for the user who is patient id: a
// pseudonym derived from the ID, stable across servers and runs, so that
// tests can tell the user's sub from the patient's ID.
func subjectOf(patient string) string {
	sum := sha256.Sum256([]byte("smarttest patient user\x00" + patient))
	return "user-" + hex.EncodeToString(sum[:8])
}

// serverError reports a failure to sign a token.
func serverError() *oauthError {
	return &oauthError{500, "server_error", "the server could not sign the token"}
}
