package smarttest

import (
	"encoding/json"
	"net/http"
)

// oauthError is an error response of RFC 6749 section 5.2 (token
// endpoint) or section 4.1.2.1 (authorization endpoint): a code from the
// RFC and a description for the developer. Descriptions never hold tokens,
// codes or secrets.
type oauthError struct {
	status      int
	code        string
	description string
}

func (e *oauthError) Error() string {
	return "smarttest: " + e.code + ": " + e.description
}

// The error constructors, one per RFC 6749 error code used.
func invalidRequest(d string) *oauthError { return &oauthError{400, "invalid_request", d} }
func invalidGrant(d string) *oauthError   { return &oauthError{400, "invalid_grant", d} }
func invalidScope(d string) *oauthError   { return &oauthError{400, "invalid_scope", d} }
func invalidClient(d string) *oauthError  { return &oauthError{401, "invalid_client", d} }

// unsupportedGrantType reports a grant_type other than authorization_code
// and refresh_token.
func unsupportedGrantType() *oauthError {
	return &oauthError{400, "unsupported_grant_type",
		"grant_type must be authorization_code or refresh_token"}
}

// writeOAuthError sends e as the JSON body of RFC 6749 section 5.2. An
// invalid_client error carries a WWW-Authenticate challenge for HTTP
// Basic, as section 5.2 requires when the client tried it and allows
// otherwise.
func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="smarttest"`)
	}
	writeJSON(w, e.status, map[string]string{
		"error":             e.code,
		"error_description": e.description,
	})
}

// writeJSON sends v as JSON with the headers RFC 6749 asks of responses
// that may carry tokens: no caching anywhere.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// quote puts s in single quotes for an error description, replacing the
// characters RFC 6749 does not allow there (and the quote itself) with
// '?', and cutting it to 64 bytes.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '\'' {
			b[i] = '?'
		}
	}
	return "'" + string(b) + "'"
}
