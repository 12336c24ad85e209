package smarttest

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/fhirguard/fhirguard/smart"
)

// maxScopes bounds the number of scopes one authorization request may ask.
const maxScopes = 100

// authorizeParams are the parameters of an authorization request that the
// server reads; each may appear at most once (RFC 6749 section 3.1).
var authorizeParams = []string{
	"response_type", "client_id", "redirect_uri", "scope", "state", "aud",
	"code_challenge", "code_challenge_method", "nonce", "launch",
}

// authorizeError is a refused authorization request. When redirect is set
// the error goes back to the client there; otherwise the redirect URI
// could not be trusted and the browser gets an error page (RFC 6749
// section 4.1.2.1).
type authorizeError struct {
	*oauthError
	redirect string
	state    string
}

// authorize serves GET on the authorization endpoint: it checks the
// request and shows the patient picker and consent page, or refuses.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	p, e := s.parseAuthorize(r.URL.Query())
	if e != nil {
		s.refuse(w, e)
		return
	}

	p.browser = s.browserID(w, r)
	p.expires = now.Add(ConsentLifetime)
	id, ok := s.store.addPending(p, now)
	if !ok {
		s.refuse(w, &authorizeError{oauthError: &oauthError{http.StatusServiceUnavailable,
			"temporarily_unavailable", "too many consent pages are open; try again later"},
			redirect: p.redirectURI, state: p.state})
		return
	}
	s.renderConsent(w, id, p)
}

// refuse redirects an error to the client, or shows it on a page.
func (s *Server) refuse(w http.ResponseWriter, e *authorizeError) {
	if e.redirect == "" {
		s.errorPage(w, e.status, e.description)
		return
	}
	redirect(w, withParams(e.redirect, url.Values{
		"error":             {e.code},
		"error_description": {e.description},
		"state":             {e.state},
	}))
}

// redirect sends the browser to location with 303 See Other, so that the
// redirect is a GET even after the consent form's POST.
func redirect(w http.ResponseWriter, location string) {
	h := w.Header()
	h.Set("Location", location)
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusSeeOther)
}

// parseAuthorize checks an authorization request. The client and redirect
// URI are checked first: until they are, errors are shown on a page,
// since redirecting them to an unchecked URI would make the server an open
// redirector.
func (s *Server) parseAuthorize(q url.Values) (*pendingRequest, *authorizeError) {
	clientID, ok := single(q, "client_id")
	if !ok || !isPrintable(clientID) {
		return nil, pageError("client_id is missing, repeated or not printable ASCII")
	}
	redirect, ok := single(q, "redirect_uri")
	if !ok {
		return nil, pageError("redirect_uri is missing or repeated")
	}
	if err := s.redirectAllowed(clientID, redirect); err != nil {
		return nil, pageError("redirect_uri " + err.Error())
	}

	p := &pendingRequest{clientID: clientID, redirectURI: redirect}
	if e := s.checkAuthorize(q, p); e != nil {
		return nil, &authorizeError{oauthError: e, redirect: redirect, state: p.state}
	}
	return p, nil
}

// checkAuthorize checks the parameters other than client and redirect URI
// and records them in p.
func (s *Server) checkAuthorize(q url.Values, p *pendingRequest) *oauthError {
	st, ok := single(q, "state")
	if ok && isPrintable(st) && len(st) <= 1024 {
		p.state = st // echoed in the errors that follow
	}
	for _, name := range authorizeParams {
		if len(q[name]) > 1 {
			return invalidRequest("parameter " + quote(name) + " is repeated")
		}
	}
	if p.state == "" {
		return invalidRequest("state is required: printable ASCII, at most 1024 bytes")
	}

	switch rt := q.Get("response_type"); {
	case rt == "":
		return invalidRequest("response_type is required")
	case rt != "code":
		return &oauthError{400, "unsupported_response_type", "response_type must be code"}
	case q.Has("launch"):
		return invalidRequest("EHR launch is not supported: this server does standalone launch")
	case strings.TrimSuffix(q.Get("aud"), "/") != s.cfg.FHIRBaseURL:
		return invalidRequest("aud must be the base URL of the FHIR server this server serves")
	}
	if e := p.setPKCE(q); e != nil {
		return e
	}
	if p.nonce = q.Get("nonce"); q.Has("nonce") && !(isPrintable(p.nonce) && len(p.nonce) <= 1024) {
		return invalidRequest("nonce must be printable ASCII, at most 1024 bytes")
	}

	var e *oauthError
	p.scopes, e = checkScopes(q.Get("scope"))
	return e
}

// setPKCE checks the PKCE parameters: the S256 method is required; plain
// is refused because it protects nothing once the request is seen.
func (p *pendingRequest) setPKCE(q url.Values) *oauthError {
	switch m := q.Get("code_challenge_method"); m {
	case "S256":
	case "":
		return invalidRequest("code_challenge_method is required and must be S256")
	default:
		return invalidRequest("code_challenge_method must be S256; plain is not accepted")
	}
	c := q.Get("code_challenge")
	if len(c) != 43 || strings.Trim(c, unreserved[:62]+"-_") != "" {
		return invalidRequest("code_challenge must be the 43-character S256 challenge")
	}
	p.challenge = c
	return nil
}

// checkScopes splits the requested scopes and checks each: the RFC 6749
// scope-token syntax, SMART syntax for resource scopes, and the patient
// context, the only one a patient launch can grant.
func checkScopes(raw string) ([]string, *oauthError) {
	var scopes []string
	for _, sc := range strings.Split(raw, " ") {
		if sc != "" {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 || len(scopes) > maxScopes {
		return nil, invalidScope("scope is required, at most 100 scopes")
	}
	for _, sc := range scopes {
		if e := checkScope(sc); e != nil {
			return nil, e
		}
	}
	return distinct(scopes), nil
}

// checkScope checks one requested scope.
func checkScope(sc string) *oauthError {
	if strings.Trim(sc, scopeTokenChars) != "" || len(sc) > 1024 {
		return invalidScope("scope " + quote(sc) + " has characters a scope may not hold")
	}
	parsed := smart.ParseScopes(sc)
	if len(parsed.Malformed) > 0 {
		return invalidScope("scope " + quote(sc) + " is malformed: " + parsed.Malformed[0].Reason)
	}
	if len(parsed.Resource) > 0 && parsed.Resource[0].Context != smart.ContextPatient {
		return invalidScope("scope " + quote(sc) +
			": a patient launch grants patient/ scopes only, not user/ or system/")
	}
	return nil
}

// scopeTokenChars are the characters of an RFC 6749 scope-token: printable
// ASCII except space, '"' and '\'.
var scopeTokenChars = func() string {
	var b strings.Builder
	for c := byte(0x21); c <= 0x7e; c++ {
		if c != '"' && c != '\\' {
			b.WriteByte(c)
		}
	}
	return b.String()
}()

// single returns the only value of a parameter; ok is false when it is
// absent, empty or repeated.
func single(q url.Values, name string) (v string, ok bool) {
	vs := q[name]
	if len(vs) != 1 || vs[0] == "" {
		return "", false
	}
	return vs[0], true
}

// pageError is an error shown on a page rather than redirected.
func pageError(description string) *authorizeError {
	return &authorizeError{oauthError: invalidRequest(description)}
}
