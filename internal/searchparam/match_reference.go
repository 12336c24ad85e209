package searchparam

import "fmt"

// referenceMatcher matches a reference search value: a resource type and ID
// with the base they were written with ("" for a relative reference), or a
// canonical URL compared as written.
type referenceMatcher struct {
	base, typ, id string
	url           string // a canonical or other URL that is not Type/id
}

// newReferenceMatcher parses "Type/id", an absolute URL to Type/id, a bare
// ID (with a :Type modifier, or for a parameter with a single target type)
// or a canonical URL.
func newReferenceMatcher(d *Def, mod, raw string) (matcher, error) {
	ref := unescapeParam(raw)
	typ := ""
	if mod != "" && mod != "missing" {
		typ = mod
	}
	if base, t, id, ok := ParseReferenceURL(ref); ok {
		if typ != "" && t != typ {
			return nil, fmt.Errorf("%w: reference type differs from :%s", ErrInvalidValue, typ)
		}
		if isVersioned(ref) {
			return nil, fmt.Errorf("%w: version-specific references", ErrUnsupported)
		}
		return referenceMatcher{base: base, typ: t, id: id}, nil
	}
	if !isID(ref) {
		return referenceMatcher{url: ref}, nil
	}
	if typ == "" && len(d.Targets) == 1 {
		typ = d.Targets[0]
	}
	if typ == "" {
		return nil, fmt.Errorf("%w: a bare ID for %s, which has several target types; "+
			"write Type/id or use a type modifier", ErrInvalidValue, d.Name)
	}
	return referenceMatcher{typ: typ, id: ref}, nil
}

// isVersioned reports whether a reference that ParseReferenceURL accepted
// names a version ("Type/id/_history/v").
func isVersioned(ref string) bool {
	head, _, _ := cutLast(ref)
	_, last, _ := cutLast(head)
	return last == "_history"
}

// match compares type, ID and base. A relative search value matches only
// relative references and an absolute one only references with the same
// base: this package does not know the server's own base URL, so a
// reference to "https://elsewhere/Patient/1" never stands for "Patient/1".
// Known gap: a store that keeps absolute references to itself must search
// with its absolute form too.
func (m referenceMatcher) match(v Value) bool {
	if v.Kind != KindReference {
		return false
	}
	if m.url != "" {
		return v.Ref == m.url
	}
	base, typ, id, ok := ParseReferenceURL(v.Ref)
	return ok && typ == m.typ && id == m.id && base == m.base
}
