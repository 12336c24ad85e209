package smart

import "strings"

// The error codes of RFC 6750 section 3.1.
const (
	codeInvalidRequest    = "invalid_request"
	codeInvalidToken      = "invalid_token"
	codeInsufficientScope = "insufficient_scope"
)

// challenge is a WWW-Authenticate challenge for the Bearer scheme (RFC 6750
// section 3). Empty fields are left out.
type challenge struct {
	realm       string
	code        string
	description string
	scope       string
}

// String writes the challenge, such as
// `Bearer realm="fhir", error="invalid_token", error_description="..."`.
// Every value is a quoted-string written by appendQuoted, so no value can
// end the string early or add a parameter.
func (c challenge) String() string {
	b := make([]byte, 0, 64+len(c.realm)+len(c.description)+len(c.scope))
	b = append(b, "Bearer"...)
	sep := " "
	for _, p := range [...]struct{ name, value string }{
		{"realm", c.realm},
		{"error", c.code},
		{"error_description", c.description},
		{"scope", c.scope},
	} {
		if p.value == "" {
			continue
		}
		b = append(b, sep...)
		b = append(b, p.name...)
		b = append(b, '=')
		b = appendQuoted(b, p.value)
		sep = ", "
	}
	return string(b)
}

// appendQuoted appends s to b as an HTTP quoted-string (RFC 9110 section
// 5.6.4): a double quote or backslash is escaped with a backslash, and a
// byte that RFC 6750 does not allow in its parameters (controls, DEL and
// anything beyond ASCII) becomes '?', so that the value cannot break out of
// its quotes, split the header or smuggle a line break.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c >= 0x7f:
			b = append(b, '?')
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// scopeHint returns scopes that would meet the missing needs, space
// separated, in the context of g's own resource scopes and in SMART v1
// syntax when all of them use it. Needs without permissions (any resource
// scope will do) have no single scope to suggest and are left out.
func scopeHint(g *Grant, missing []Need) string {
	context := hintContext(g)
	v1 := len(g.Scopes.Resource) > 0
	for i := range g.Scopes.Resource {
		v1 = v1 && g.Scopes.Resource[i].V1
	}

	var parts []string
	for _, n := range missing {
		if n.Permissions == 0 {
			continue
		}
		typ := n.Type
		if typ == "" {
			typ = "*"
		}
		parts = append(parts, context.String()+"/"+typ+"."+permissionText(n.Permissions, v1))
	}
	return strings.Join(parts, " ")
}

// hintContext returns the context of g's first resource scope; for a token
// without one, patient when it has a launch patient and user otherwise.
func hintContext(g *Grant) Context {
	switch {
	case len(g.Scopes.Resource) > 0:
		return g.Scopes.Resource[0].Context
	case g.Patient != "":
		return ContextPatient
	}
	return ContextUser
}

// permissionText writes p as SMART v2 letters, or as the narrowest SMART v1
// word that holds p: read (rs), write (cud) or *.
func permissionText(p Permissions, v1 bool) string {
	switch {
	case !v1:
		return p.String()
	case v1Read.Has(p):
		return "read"
	case v1Write.Has(p):
		return "write"
	}
	return "*"
}

// The permissions of the SMART v1 words read and write.
const (
	v1Read  = PermRead | PermSearch
	v1Write = PermCreate | PermUpdate | PermDelete
)
