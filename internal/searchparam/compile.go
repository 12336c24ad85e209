package searchparam

import (
	"fmt"
	"strings"
)

// path is one compiled union term of an expression: the JSON keys from the
// resource root to the element, the element's FHIR type, an optional filter
// on the element, and an optional where(field='literal') on the object at
// keys[whereAt] in the middle of the path.
type path struct {
	keys    []string
	typ     string
	filter  filter
	where   filter
	whereAt int
}

// String formats the path for tests and error messages, such as
// "subject:Reference where resolve() is Patient".
func (p path) String() string {
	keys := p.keys
	if p.where.kind == filterField {
		keys = append([]string(nil), keys...)
		keys[p.whereAt] += "[" + p.where.field + "='" + p.where.value + "']"
	}
	s := strings.Join(keys, ".") + ":" + p.typ
	switch p.filter.kind {
	case filterResolve:
		s += " where resolve() is " + p.filter.value
	case filterField:
		s += " where " + p.filter.field + "='" + p.filter.value + "'"
	}
	return s
}

type filterKind uint8

const (
	filterNone    filterKind = iota
	filterResolve            // a Reference whose target has type value
	filterField              // an element whose primitive field equals value
)

// filter is a condition on the last element of a path.
type filter struct {
	kind  filterKind
	field string
	value string
}

// compatible lists, per parameter type, the FHIR types of the elements whose
// values this package extracts for it.
var compatible = map[Type][]string{
	Reference: {"Reference", "canonical", "uri", "url"},
	Token: {"Coding", "CodeableConcept", "Identifier", "ContactPoint", "code", "string",
		"boolean", "uri", "url", "canonical", "id", "oid", "uuid"},
	String:   {"string", "markdown", "HumanName", "Address"},
	Date:     {"date", "dateTime", "instant", "Period", "Timing"},
	URI:      {"uri", "url", "canonical", "oid", "uuid"},
	Quantity: {"Quantity", "Age", "Duration", "Count", "Distance", "Money"},
	Number:   {"decimal", "integer", "positiveInt", "unsignedInt"},
}

func isCompatible(t Type, fhirType string) bool {
	for _, c := range compatible[t] {
		if c == fhirType {
			return true
		}
	}
	return false
}

// compileDef compiles a definition's expression, or says why it cannot.
func compileDef(d *Def, elems *elements) ([]path, string) {
	if d.Expression == "" {
		return nil, "the definition has no expression"
	}
	if _, ok := compatible[d.Type]; !ok {
		return nil, d.Type.String() + " parameters are not supported"
	}

	paths, err := compileExpr(d.Expression, d.Resource, d.Type, elems)
	if err != nil {
		return nil, err.Error()
	}
	return paths, ""
}

// compileExpr compiles a FHIRPath expression of the supported subset into
// paths for resource type typ and parameter type pt.
func compileExpr(expr, typ string, pt Type, elems *elements) ([]path, error) {
	var paths []path
	for _, term := range splitUnion(expr) {
		steps, err := parseTerm(term)
		if err != nil {
			return nil, err
		}
		ps, err := resolveTerm(steps, typ, pt, elems)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", term, err)
		}
		paths = append(paths, ps...)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no element of %s has a type that %s can use", expr, pt)
	}
	return paths, nil
}

// splitUnion splits an expression at the "|" operators outside parentheses
// and string literals, trimming each term.
func splitUnion(expr string) []string {
	terms := splitTopLevel(expr, '|')
	for i, t := range terms {
		terms[i] = strings.TrimSpace(t)
	}
	return terms
}
