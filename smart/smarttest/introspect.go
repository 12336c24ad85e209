package smarttest

import (
	"errors"
	"maps"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// ErrUnknownToken is returned by [Server.Revoke] for a string that is
// neither a valid access token signed by the server nor one of its refresh
// tokens.
var ErrUnknownToken = errors.New("smarttest: unknown token")

// introspect serves RFC 7662 token introspection. An access token is
// active while its signature verifies with the server's keys, its issuer
// is the server, it is within its validity period and neither it nor its
// grant was revoked; the response then holds all of its claims, plus
// active and token_type Bearer. A refresh token is active until it
// expires, is rotated by use, or is revoked; its token_type is N_A, so
// that a resource server does not take it for an access token. Every other
// token gets {"active":false}.
//
// The caller may authenticate as a registered confidential client (HTTP
// Basic or client_secret_post) or with a bearer access token from this
// server, and is refused with 401 when those credentials fail. A request
// without credentials is answered too: RFC 7662 asks for authentication,
// which this test server does not insist on.
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) {
	f, e := parseFormRequest(r)
	if e == nil {
		e = s.checkIntrospectionCaller(f)
	}
	if e == nil && f.get("token") == "" {
		e = invalidRequest("token is required")
	}
	if e != nil {
		writeOAuthError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, s.introspection(f.get("token")))
}

// checkIntrospectionCaller checks the credentials of an introspection
// request, if it has any.
func (s *Server) checkIntrospectionCaller(f *formRequest) *oauthError {
	if f.bearer != "" {
		if _, ok := s.activeAccess(f.bearer); !ok {
			return invalidClient("bearer token is not an active access token of this server")
		}
		return nil
	}
	if f.secret == "" && !f.basic {
		return nil
	}
	_, e := s.authenticateClient(f)
	return e
}

// introspection returns the RFC 7662 response for token.
func (s *Server) introspection(token string) map[string]any {
	if isJWT(token) {
		claims, ok := s.activeAccess(token)
		if !ok {
			return map[string]any{"active": false}
		}
		resp := maps.Clone(map[string]any(claims))
		resp["active"], resp["token_type"] = true, "Bearer"
		return resp
	}

	g, exp, ok := s.store.refreshGrant(token, s.now())
	if !ok {
		return map[string]any{"active": false}
	}
	return map[string]any{
		"active":     true,
		"token_type": notAccessToken,
		"scope":      strings.Join(g.approval.scopes, " "),
		"client_id":  g.clientID,
		"exp":        exp.Unix(),
		"sub":        subjectOf(g.approval.patient),
		"patient":    g.approval.patient,
		"fhirUser":   "Patient/" + g.approval.patient,
		"iss":        s.cfg.Issuer,
	}
}

// notAccessToken is the token_type of a refresh token in introspection
// answers: the value RFC 8693 section 2.2.1 gives a token that cannot be
// used as an access token, so that a resource server which asks about a
// refresh token presented to it as an access token refuses it.
const notAccessToken = "N_A"

// activeAccess verifies an access token and reports whether it is active.
func (s *Server) activeAccess(token string) (jwt.MapClaims, bool) {
	t, err := jwt.Parse(token, s.keys.verificationKey,
		jwt.WithValidMethods([]string{string(RS256), string(ES256)}),
		jwt.WithIssuer(s.cfg.Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.now))
	if err != nil {
		return nil, false
	}
	claims, _ := t.Claims.(jwt.MapClaims)
	jti, _ := claims["jti"].(string)
	return claims, jti != "" && s.store.accessActive(jti)
}

// revoke serves RFC 7009 token revocation. The client authenticates as at
// the token endpoint (a public client names itself with client_id). An
// access token is revoked alone; a refresh token revokes its grant: the
// token, those rotated from it and every access token issued under it. A
// token issued to another client is refused with invalid_grant. An unknown
// or already invalid token gets 200 with nothing done, as RFC 7009
// section 2.2 requires.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	allowCORS(w)
	f, e := parseFormRequest(r)
	if e == nil && f.bearer != "" {
		e = invalidClient("authenticate the client with its credentials, not a bearer token")
	}
	var clientID string
	if e == nil {
		clientID, e = s.authenticateClient(f)
	}
	if e == nil && f.get("token") == "" {
		e = invalidRequest("token is required")
	}
	if e == nil {
		e = s.revokeFor(clientID, f.get("token"))
	}
	if e != nil {
		writeOAuthError(w, e)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// revokeFor revokes token on behalf of client clientID.
func (s *Server) revokeFor(clientID, token string) *oauthError {
	owner, ok := s.owner(token)
	switch {
	case !ok:
		return nil
	case owner != clientID:
		return invalidGrant("the token was issued to another client")
	}
	_ = s.Revoke(token) // known to exist
	return nil
}

// owner returns the client a token was issued to.
func (s *Server) owner(token string) (string, bool) {
	if isJWT(token) {
		claims, ok := s.activeAccess(token)
		clientID, _ := claims["client_id"].(string)
		return clientID, ok
	}
	return s.store.refreshClient(token)
}

// Revoke revokes a token as the revocation endpoint does, without
// checking which client it was issued to: an access token alone (minted
// ones included), or a refresh token with its whole grant. It returns
// [ErrUnknownToken] when token is neither an active access token of the
// server nor one of its refresh tokens.
//
// Revocation shows in introspection. A resource server that validates
// the JWT signature locally does not see it until the token expires.
func (s *Server) Revoke(token string) error {
	if !isJWT(token) {
		if _, ok := s.store.refreshClient(token); !ok {
			return ErrUnknownToken
		}
		s.store.revokeRefresh(token)
		return nil
	}
	claims, ok := s.activeAccess(token)
	if !ok {
		return ErrUnknownToken
	}
	jti, _ := claims["jti"].(string)
	s.store.revokeAccess(jti)
	return nil
}

// isJWT reports whether token has the three parts of a JWS compact
// serialization. Refresh tokens have none of its dots.
func isJWT(token string) bool { return strings.Count(token, ".") == 2 }
