package smart

import (
	"net/url"
	"strconv"
	"strings"
)

// Scopes is a token's scope string, parsed. Well-formed resource scopes are
// in Resource; identity, launch and unknown scopes in Other; each malformed
// scope in Malformed with its reason. Only Resource grants access to data.
type Scopes struct {
	// Resource holds the well-formed resource scopes, each once, in the
	// order the token listed them.
	Resource []Scope

	// Other holds scopes that grant no data: openid, fhirUser, profile,
	// launch and launch/..., offline_access, online_access and scopes this
	// library does not know.
	Other []string

	// Malformed holds the scopes that look like resource scopes but are not
	// well-formed, with the reason for each.
	Malformed []ScopeError
}

// ParseScopes parses a space-separated scope string, as carried by the
// scope claim of a token or an introspection response. It never fails: a
// malformed scope is listed in Malformed and grants nothing, while the other
// scopes still apply. A scope listed twice is kept once. Spaces, tabs and
// line breaks separate scopes.
func ParseScopes(s string) Scopes {
	var out Scopes
	out.addAll(s, countFields(s))
	return out
}

// ParseScopeList is ParseScopes for scopes that arrive as a list, such as
// the scp claim some authorization servers issue. Each element may itself
// hold several space-separated scopes.
func ParseScopeList(list []string) Scopes {
	n := 0
	for _, s := range list {
		n += countFields(s)
	}
	var out Scopes
	for _, s := range list {
		out.addAll(s, n)
	}
	return out
}

// addAll files every scope of s. The first resource scope allocates room
// for n scopes, so that a token's scopes take one allocation.
func (s *Scopes) addAll(str string, n int) {
	next := nextField
	if strings.IndexByte(str, '\t') < 0 && strings.IndexByte(str, '\n') < 0 &&
		strings.IndexByte(str, '\r') < 0 {
		next = nextSpaceField
	}
	for len(str) > 0 {
		var field string
		field, str = next(str)
		if field == "" || s.has(field) {
			continue
		}
		s.add(field, n)
	}
}

// isSpace reports whether c separates scopes.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// countFields returns an upper bound of the number of fields of s when
// they are separated by single spaces, as they nearly always are; it only
// sizes an allocation.
func countFields(s string) int { return strings.Count(s, " ") + 1 }

// nextSpaceField is nextField for a string whose only separators are
// spaces, the common case, which it splits faster.
func nextSpaceField(s string) (field, rest string) {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// nextField splits s after its first field, skipping leading spaces.
func nextField(s string) (field, rest string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}

// has reports whether raw was already parsed into s.
func (s *Scopes) has(raw string) bool {
	for i := range s.Resource {
		if s.Resource[i].Raw == raw {
			return true
		}
	}
	for _, o := range s.Other {
		if o == raw {
			return true
		}
	}
	for i := range s.Malformed {
		if s.Malformed[i].Scope == raw {
			return true
		}
	}
	return false
}

// add classifies one scope and files it in s, making room for n resource
// scopes on the first one.
func (s *Scopes) add(raw string, n int) {
	if !hasContextPrefix(raw) && !looksLikeResourceScope(raw) {
		if s.Other == nil {
			s.Other = make([]string, 0, 4)
		}
		s.Other = append(s.Other, raw)
		return
	}
	sc, err := ParseScope(raw)
	if err != nil {
		s.Malformed = append(s.Malformed, *err.(*ScopeError))
		return
	}
	if s.Resource == nil {
		s.Resource = make([]Scope, 0, n)
	}
	s.Resource = append(s.Resource, sc)
}

// Allows reports whether any resource scope grants permissions p on
// resource type typ, in any context and whatever its conditions. It answers
// the interaction-level question; the compartment package applies the
// conditions to the data.
func (s Scopes) Allows(typ string, p Permissions) bool {
	for i := range s.Resource {
		if s.Resource[i].Covers(typ, p) {
			return true
		}
	}
	return false
}

// HasContext reports whether any resource scope is in context c.
func (s Scopes) HasContext(c Context) bool {
	for i := range s.Resource {
		if s.Resource[i].Context == c {
			return true
		}
	}
	return false
}

// String returns the raw scopes, space-separated, in the order the token
// listed them within each group: resource, other, malformed.
func (s Scopes) String() string {
	parts := make([]string, 0, len(s.Resource)+len(s.Other)+len(s.Malformed))
	for i := range s.Resource {
		parts = append(parts, s.Resource[i].Raw)
	}
	parts = append(parts, s.Other...)
	for i := range s.Malformed {
		parts = append(parts, s.Malformed[i].Scope)
	}
	return strings.Join(parts, " ")
}

// looksLikeResourceScope reports whether raw is meant as a resource scope,
// so that a flaw in it is reported rather than the scope being taken for an
// unknown one. That is the case when it has a context-like prefix
// (patient/, User/, */) or no slash but a Type.permissions shape.
func looksLikeResourceScope(raw string) bool {
	prefix, _, found := strings.Cut(raw, "/")
	if found {
		return prefix == "patient" || prefix == "user" || prefix == "system" || prefix == "*" ||
			strings.EqualFold(prefix, "patient") || strings.EqualFold(prefix, "user") ||
			strings.EqualFold(prefix, "system")
	}
	typ, perm, found := strings.Cut(raw, ".")
	if !found || typ == "" || perm == "" {
		return false
	}
	return isTypeLike(typ) && isPermissionLike(perm)
}

// hasContextPrefix reports whether raw starts with one of the three
// well-formed contexts, the common case that needs no further look.
func hasContextPrefix(raw string) bool {
	return strings.HasPrefix(raw, "patient/") || strings.HasPrefix(raw, "user/") ||
		strings.HasPrefix(raw, "system/")
}

// isTypeLike reports whether s could be meant as a resource type.
func isTypeLike(s string) bool {
	if s == "*" {
		return true
	}
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			return false
		}
	}
	return true
}

// isPermissionLike reports whether s could be meant as permissions.
func isPermissionLike(s string) bool {
	s, _, _ = strings.Cut(s, "?")
	switch s {
	case "read", "write", "*":
		return true
	}
	return s != "" && strings.Trim(s, "cruds") == ""
}

// ParseScope parses one resource scope such as "patient/Observation.rs",
// "user/*.read" or "patient/Observation.rs?category=...|laboratory". It
// returns a *ScopeError saying what is wrong when the scope is malformed,
// including when it is not a resource scope at all.
func ParseScope(raw string) (Scope, error) {
	sc, reason := parseScope(raw)
	if reason != "" {
		return Scope{}, &ScopeError{Scope: raw, Reason: reason}
	}
	return sc, nil
}

// parseScope does the work of ParseScope, returning a reason instead of an
// error so that the success path does not allocate one.
func parseScope(raw string) (Scope, string) {
	sc := Scope{Raw: raw}

	prefix, rest, found := strings.Cut(raw, "/")
	if !found {
		return sc, "missing context: expected patient/, user/ or system/ before the type"
	}
	switch prefix {
	case "patient":
		sc.Context = ContextPatient
	case "user":
		sc.Context = ContextUser
	case "system":
		sc.Context = ContextSystem
	default:
		return sc, "context must be patient, user or system, in lower case"
	}

	body, query, hasQuery := strings.Cut(rest, "?")
	typ, perm, found := strings.Cut(body, ".")
	if !found {
		return sc, "missing permissions: expected a dot and permissions after the type"
	}
	if reason := checkType(typ); reason != "" {
		return sc, reason
	}
	sc.Type = typ

	if reason := sc.setPermissions(perm); reason != "" {
		return sc, reason
	}

	if !hasQuery {
		return sc, ""
	}
	if sc.V1 {
		return sc, "conditions after ? need SMART v2 permissions (cruds letters)"
	}
	params, reason := parseParams(query)
	if reason != "" {
		return sc, reason
	}
	sc.Params = params
	return sc, ""
}

// checkType validates a scope's resource type.
func checkType(typ string) string {
	if typ == "" {
		return "missing resource type"
	}
	if typ == "*" {
		return ""
	}
	if typ[0] < 'A' || typ[0] > 'Z' {
		return "resource type must start with an upper-case letter"
	}
	for i := 1; i < len(typ); i++ {
		if !isLetter(typ[i]) {
			return "resource type may hold only ASCII letters"
		}
	}
	return ""
}

// setPermissions parses v1 (read, write, *) or v2 (cruds) permissions.
func (sc *Scope) setPermissions(perm string) string {
	switch perm {
	case "":
		return "missing permissions after the dot"
	case "read":
		sc.Permissions, sc.V1 = PermRead|PermSearch, true
		return ""
	case "write":
		sc.Permissions, sc.V1 = PermCreate|PermUpdate|PermDelete, true
		return ""
	case "*":
		sc.Permissions, sc.V1 = PermAll, true
		return ""
	}
	next := 0
	for i := 0; i < len(perm); i++ {
		j := strings.IndexByte("cruds", perm[i])
		if j < 0 {
			return "unknown permission " + quoteByte(perm[i]) +
				": permissions are read, write, * or letters of cruds"
		}
		if j < next {
			return "permission letters out of order or repeated: " +
				"write them as a subset of cruds, in that order"
		}
		next = j + 1
		sc.Permissions |= 1 << j
	}
	return ""
}

// parseParams parses the conditions of a granular scope.
func parseParams(query string) ([]Param, string) {
	if query == "" {
		return nil, "empty condition after ?"
	}
	params := make([]Param, 0, strings.Count(query, "&")+1)
	for part := range strings.SplitSeq(query, "&") {
		name, value, found := strings.Cut(part, "=")
		if part == "" {
			return nil, "empty condition between & separators"
		}
		if !found || name == "" || value == "" {
			return nil, "condition " + quote(part) + " must be name=value with both parts non-empty"
		}
		if !isParamName(name) {
			return nil, "condition name " + quote(name) + " is not a search parameter name"
		}
		if strings.IndexByte(value, '%') >= 0 {
			v, err := url.PathUnescape(value)
			if err != nil {
				return nil, "condition value " + quote(value) + " has a bad percent-encoding"
			}
			value = v
		}
		params = append(params, Param{Name: name, Value: value})
	}
	return params, ""
}

// isParamName reports whether s is a search parameter name, optionally with
// a modifier: letters, digits, '_', '-', '.' and ':'.
func isParamName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && (c < '0' || c > '9') && c != '_' && c != '-' && c != '.' && c != ':' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func quote(s string) string { return strconv.Quote(s) }

func quoteByte(c byte) string { return strconv.QuoteToASCII(string([]byte{c})) }
