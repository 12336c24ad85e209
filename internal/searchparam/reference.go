package searchparam

import "strings"

// ParseReference splits a literal FHIR reference into the resource type and
// ID it points to. It accepts "Type/id", "Type/id/_history/version" and
// absolute "http://base/Type/id" or "https://base/Type/id" URLs (with an
// optional history part). It rejects contained references ("#id"), URNs,
// queries, fragments, and types or IDs that break R4's syntax (type
// [A-Z][A-Za-z]+, ID [A-Za-z0-9\-.]{1,64}). Use [ParseReferenceURL] to learn
// the base of an absolute reference, so that callers can accept only their
// own server's.
func ParseReference(ref string) (typ, id string, ok bool) {
	_, typ, id, ok = ParseReferenceURL(ref)
	return typ, id, ok
}

// ParseReferenceURL is [ParseReference] that also returns the base of an
// absolute reference, such as "https://fhir.example.org/r4" (without a
// trailing slash), or "" for a relative one.
func ParseReferenceURL(ref string) (base, typ, id string, ok bool) {
	if strings.ContainsAny(ref, "?#") {
		return "", "", "", false
	}
	head, id, found := cutLast(ref)
	if h, hist := strings.CutSuffix(head, "/_history"); found && hist && isID(id) {
		head, id, found = cutLast(h)
	}
	if !found || !isID(id) {
		return "", "", "", false
	}

	base, typ, found = cutLast(head)
	if !found {
		base, typ = "", head
	}
	if !isType(typ) || found && !isAbsoluteBase(base) {
		return "", "", "", false
	}
	return base, typ, id, true
}

// cutLast cuts s around its last slash.
func cutLast(s string) (before, after string, found bool) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// isAbsoluteBase checks the part of an absolute reference before Type/id:
// "http://" or "https://", a host and optional path segments, none of them
// empty, "." or "..".
func isAbsoluteBase(base string) bool {
	rest, ok := strings.CutPrefix(base, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(base, "http://")
	}
	for ok {
		seg, more, found := strings.Cut(rest, "/")
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		if !found {
			return true
		}
		rest = more
	}
	return false
}

// isType reports whether s has the syntax of a resource type.
func isType(s string) bool {
	if len(s) < 2 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// isID reports whether s has the syntax of an R4 resource ID.
func isID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}
