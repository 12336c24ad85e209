package smarttest

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
	"time"
)

// tokenResponse is the successful token response of SMART App Launch 2.x
// (RFC 6749 section 5.1 plus the launch context).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	Patient      string `json:"patient,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// token serves the token endpoint: the authorization_code grant with a
// PKCE verifier, and the refresh_token grant.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	allowCORS(w)
	resp, e := s.tokenResponse(r)
	if e != nil {
		writeOAuthError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// tokenResponse parses and answers one token request.
func (s *Server) tokenResponse(r *http.Request) (*tokenResponse, *oauthError) {
	f, e := parseFormRequest(r)
	if e != nil {
		return nil, e
	}
	if f.bearer != "" {
		return nil, invalidClient("authenticate the client with its credentials, not a bearer token")
	}
	clientID, e := s.authenticateClient(f)
	if e != nil {
		return nil, e
	}

	now := s.now()
	switch f.get("grant_type") {
	case "authorization_code":
		return s.exchangeCode(f, clientID, now)
	case "refresh_token":
		return s.refresh(f, clientID, now)
	case "":
		return nil, invalidRequest("grant_type is required")
	}
	return nil, unsupportedGrantType()
}

// exchangeCode redeems an authorization code. The code is used up by the
// first attempt, even a failed one, so that a code seen by an attacker is
// worth one guess of the verifier at most.
func (s *Server) exchangeCode(f *formRequest, clientID string, now time.Time) (
	*tokenResponse, *oauthError) {
	code := f.get("code")
	if code == "" {
		return nil, invalidRequest("code is required")
	}
	c, ok := s.store.useCode(code)
	if !ok {
		return nil, invalidGrant("authorization code unknown or already used")
	}

	if e := checkCode(&c, f, clientID, now); e != nil {
		return nil, e
	}
	g := &grant{clientID: clientID, approval: c.approval}
	id := s.store.addGrant(g, code, now)
	return s.issueTokens(id, g, g.approval.scopes, now)
}

// checkCode checks a code's expiry and its bindings to the client, the
// redirect URI and the PKCE challenge (RFC 6749 section 4.1.3, RFC 7636
// section 4.6).
func checkCode(c *authCode, f *formRequest, clientID string, now time.Time) *oauthError {
	verifier := f.get("code_verifier")
	switch {
	case !now.Before(c.expires):
		return invalidGrant("authorization code expired")
	case c.clientID != clientID:
		return invalidGrant("authorization code was issued to another client")
	case f.get("redirect_uri") != c.redirectURI:
		return invalidGrant("redirect_uri differs from the authorization request")
	case verifier == "":
		return invalidRequest("code_verifier is required")
	case !isVerifier(verifier):
		return invalidRequest("code_verifier must be 43 to 128 unreserved characters")
	}
	if subtle.ConstantTimeCompare([]byte(S256(verifier)), []byte(c.challenge)) != 1 {
		return invalidGrant("code_verifier does not match the code_challenge")
	}
	return nil
}

// refresh serves the refresh_token grant. The refresh token is rotated:
// the response carries a new one and the old one stops working. The
// optional scope parameter narrows the new access token to a subset of
// what the patient approved; the grant itself keeps every approved scope.
func (s *Server) refresh(f *formRequest, clientID string, now time.Time) (
	*tokenResponse, *oauthError) {
	token := f.get("refresh_token")
	if token == "" {
		return nil, invalidRequest("refresh_token is required")
	}

	var scopes []string
	narrow := func(g *grant) *oauthError {
		var e *oauthError
		scopes, e = narrowScopes(f, g.approval.scopes)
		return e
	}
	g, id, e := s.store.useRefresh(token, clientID, now, narrow)
	if e != nil {
		return nil, e
	}
	g.approval.nonce = "" // the nonce belongs to the ID token of the code exchange
	return s.issueTokens(id, &g, scopes, now)
}

// narrowScopes returns the scopes asked for in a refresh request, which
// must all have been approved, or the approved scopes when the request
// names none (RFC 6749 section 6).
func narrowScopes(f *formRequest, approved []string) ([]string, *oauthError) {
	if !f.has("scope") {
		return approved, nil
	}
	asked := strings.Fields(f.get("scope"))
	if len(asked) == 0 {
		return nil, invalidScope("scope is empty")
	}
	for _, sc := range asked {
		if !slices.Contains(approved, sc) {
			return nil, invalidScope("scope " + quote(sc) + " was not approved")
		}
	}
	return distinct(asked), nil
}

// isVerifier reports whether v is a PKCE code verifier: 43 to 128
// characters from the unreserved set (RFC 7636 section 4.1).
func isVerifier(v string) bool {
	return len(v) >= 43 && len(v) <= 128 && strings.Trim(v, unreserved) == ""
}

// S256 returns the PKCE code challenge of a code verifier by the S256
// method: the base64url-encoded SHA-256 of the verifier (RFC 7636 section
// 4.2). A client's test computes the challenge it sends with it.
func S256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return b64(sum[:])
}

// NewVerifier returns a new random PKCE code verifier of 43 characters,
// for a client's test to send as code_verifier after sending S256 of it as
// code_challenge.
func NewVerifier() string { return randomToken() }

// distinct returns list without repetitions, in first-seen order.
func distinct(list []string) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
