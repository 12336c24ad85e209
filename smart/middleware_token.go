package smart

import (
	"net/http"
	"strings"
)

// tokenProblem is why the Guard could not take a bearer token from a
// request: the answer the client gets and the reason audited.
type tokenProblem struct {
	status      int
	code        string
	description string
	reason      string
}

// The problems bearerToken reports.
var (
	// problemNoToken is a request without a Bearer credential, or with
	// another scheme: RFC 6750 section 3.1 asks for no error code then.
	problemNoToken = &tokenProblem{
		status: http.StatusUnauthorized,
		reason: "no_token",
	}
	problemTwoHeaders = &tokenProblem{
		status:      http.StatusBadRequest,
		code:        codeInvalidRequest,
		description: "the request has more than one Authorization header",
		reason:      "repeated_authorization",
	}
	problemTokenOutsideHeader = &tokenProblem{
		status:      http.StatusBadRequest,
		code:        codeInvalidRequest,
		description: "access tokens are accepted only in the Authorization header",
		reason:      "token_outside_header",
	}
	problemMalformedHeader = &tokenProblem{
		status:      http.StatusBadRequest,
		code:        codeInvalidRequest,
		description: "the Authorization header is not a well-formed Bearer credential",
		reason:      "malformed_authorization",
	}
)

// bearerToken returns the token of the request's single "Authorization:
// Bearer" header (RFC 6750 section 2.1; the scheme in any case). A token
// also or only in the query or in the form body (access_token, sections 2.2
// and 2.3) is refused: URLs end up in server logs, browser histories and
// Referer headers, and SMART App Launch has clients send the header.
func bearerToken(r *http.Request, form string) (string, *tokenProblem) {
	if hasParam(r.URL.RawQuery, "access_token") || hasParam(form, "access_token") {
		return "", problemTokenOutsideHeader
	}
	values := r.Header.Values("Authorization")
	switch {
	case len(values) == 0:
		return "", problemNoToken
	case len(values) > 1:
		return "", problemTwoHeaders
	}

	scheme, token, _ := strings.Cut(values[0], " ")
	if !equalFoldASCII(scheme, "Bearer") {
		return "", problemNoToken
	}
	token = strings.TrimLeft(token, " ")
	if !isToken68(token) {
		return "", problemMalformedHeader
	}
	return token, nil
}

// hasParam reports whether a raw query or form body has a parameter name.
func hasParam(raw, name string) bool {
	found := false
	eachQueryParam(raw, func(n, _ string) bool {
		found = n == name
		return !found
	})
	return found
}

// isToken68 reports whether s has the syntax of a bearer token, the
// b64token of RFC 6750 section 2.1: letters, digits, "-._~+/", then
// optional "=" padding.
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		if !token68Bytes[body[i]] {
			return false
		}
	}
	return true
}

// token68Bytes marks the bytes allowed in a b64token before its padding. A
// table keeps the check of an 800-byte JWT to a few hundred nanoseconds.
var token68Bytes = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		t[c] = isASCIILetter(b) || isASCIIDigit(b) || strings.IndexByte("-._~+/", b) >= 0
	}
	return t
}()
