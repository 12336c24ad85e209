package smarttest

import (
	"crypto/subtle"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxFormBytes bounds the body of every form the server reads.
const maxFormBytes = 64 << 10

// formRequest is a POST to the token, introspection or revocation
// endpoint: its form parameters, each present at most once, and the client
// credentials it carries.
type formRequest struct {
	params   url.Values
	clientID string
	secret   string
	basic    bool   // the credentials came in an Authorization: Basic header
	bearer   string // the token of an Authorization: Bearer header
}

// get returns the single value of a form parameter, or "".
func (f *formRequest) get(name string) string { return f.params.Get(name) }

// has reports whether a form parameter is present, even if empty.
func (f *formRequest) has(name string) bool { return f.params.Has(name) }

// parseFormRequest reads r's body as application/x-www-form-urlencoded,
// the only encoding RFC 6749 allows at the token endpoint, and refuses a
// parameter sent twice (section 3.2). Parameters in the URL query are
// ignored, so that a code or token there is never acted on. The client is
// identified from HTTP Basic credentials (client_id and secret each
// form-encoded, section 2.3.1) or from the client_id and client_secret
// parameters, but not both.
func parseFormRequest(r *http.Request) (*formRequest, *oauthError) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, invalidRequest("body must be application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxFormBytes))
	if err != nil {
		return nil, invalidRequest("body unreadable or larger than 64 KiB")
	}

	params, e := parseSingleValued(string(body))
	if e != nil {
		return nil, e
	}
	f := &formRequest{params: params, clientID: params.Get("client_id"),
		secret: params.Get("client_secret")}
	return f, f.addBasic(r)
}

// parseSingleValued parses a form and refuses repeated parameters.
func parseSingleValued(body string) (url.Values, *oauthError) {
	params, err := url.ParseQuery(body)
	if err != nil {
		return nil, invalidRequest("body is not a valid form")
	}
	for name, vs := range params {
		if len(vs) > 1 {
			return nil, invalidRequest("parameter " + quote(name) + " is repeated")
		}
	}
	return params, nil
}

// addBasic takes the client credentials from an Authorization header, if
// there is one, or the token of a Bearer header for the caller to check.
func (f *formRequest) addBasic(r *http.Request) *oauthError {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return nil
	}
	if scheme, token, _ := strings.Cut(auth, " "); strings.EqualFold(scheme, "Bearer") {
		if f.bearer = strings.TrimSpace(token); f.bearer == "" {
			return invalidClient("bearer authorization without a token")
		}
		return nil
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return invalidClient("authorization header is not valid HTTP Basic")
	}
	id, err1 := url.QueryUnescape(user)
	secret, err2 := url.QueryUnescape(pass)
	switch {
	case err1 != nil || err2 != nil:
		return invalidClient("basic credentials are not form-encoded")
	case f.has("client_secret"):
		return invalidRequest("client authenticated twice: by HTTP Basic and client_secret")
	case f.has("client_id") && f.clientID != id:
		return invalidRequest("client_id differs from the HTTP Basic user")
	}
	f.clientID, f.secret, f.basic = id, secret, true
	return nil
}

// authenticateClient checks the client credentials of f and returns the
// client ID. A registered client with a secret must present it; any other
// client is public and must present none.
func (s *Server) authenticateClient(f *formRequest) (string, *oauthError) {
	if f.clientID == "" {
		return "", invalidRequest("client_id is required")
	}
	c, registered := s.clients[f.clientID]
	if !registered || c.Secret == "" {
		if f.secret != "" {
			return "", invalidClient("client is public and has no secret")
		}
		return f.clientID, nil
	}
	if f.secret == "" {
		return "", invalidClient("client is confidential: authenticate with its secret")
	}
	if subtle.ConstantTimeCompare([]byte(f.secret), []byte(c.Secret)) != 1 {
		return "", invalidClient("client authentication failed")
	}
	return f.clientID, nil
}
