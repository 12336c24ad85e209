package searchparam

import "fmt"

// newMatcher parses one search value (with its escapes) for d and mod.
func newMatcher(d *Def, mod, raw string) (matcher, error) {
	switch d.Type {
	case Token:
		return newTokenMatcher(mod, raw)
	case Reference:
		return newReferenceMatcher(d, mod, raw)
	case String:
		return newStringMatcher(mod, unescapeParam(raw)), nil
	case URI:
		return uriMatcher{mod: mod, uri: unescapeParam(raw)}, nil
	case Date:
		return newDateMatcher(unescapeParam(raw))
	case Number:
		return newNumberMatcher(unescapeParam(raw))
	case Quantity:
		return newQuantityMatcher(raw)
	}
	return nil, fmt.Errorf("%w: %s parameters", ErrUnsupported, d.Type)
}

// tokenMatcher matches "code", "system|code", "|code" and "system|".
type tokenMatcher struct {
	system, code string
	hasSystem    bool // a bar was present, so system is compared even if ""
	anyCode      bool // "system|": every code of the system
}

// textMatcher matches :text against a CodeableConcept's text or a coding's
// display, as a string search does.
type textMatcher struct{ prefix string }

// ofTypeMatcher matches :of-type "system|code|value" against an
// Identifier's type coding and value.
type ofTypeMatcher struct{ system, code, value string }

func newTokenMatcher(mod, raw string) (matcher, error) {
	switch mod {
	case "text":
		return textMatcher{Fold(unescapeParam(raw))}, nil
	case "of-type":
		return newOfTypeMatcher(raw)
	}
	parts, err := splitEscaped(raw, '|')
	switch {
	case err != nil:
		return nil, err
	case len(parts) == 1:
		return tokenMatcher{code: unescapeParam(parts[0])}, nil
	case len(parts) > 2:
		return nil, fmt.Errorf("%w: a token has at most one unescaped |", ErrInvalidValue)
	}
	m := tokenMatcher{system: unescapeParam(parts[0]), code: unescapeParam(parts[1]), hasSystem: true}
	m.anyCode = m.code == ""
	if m.anyCode && m.system == "" {
		return nil, fmt.Errorf("%w: a token of a lone |", ErrInvalidValue)
	}
	return m, nil
}

func newOfTypeMatcher(raw string) (matcher, error) {
	parts, err := splitEscaped(raw, '|')
	if err != nil {
		return nil, err
	}
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return nil, fmt.Errorf("%w: :of-type takes system|code|value", ErrInvalidValue)
	}
	return ofTypeMatcher{unescapeParam(parts[0]), unescapeParam(parts[1]),
		unescapeParam(parts[2])}, nil
}

// match compares system and code. Known gap: a code primitive's value
// carries no system (its code system is implied by the element's binding,
// which this package does not know), so "system|code" never matches a
// code element such as Observation.status; "code" and "|code" do.
func (m tokenMatcher) match(v Value) bool {
	if v.Kind != KindCode {
		return false
	}
	if m.hasSystem && v.System != m.system {
		return false
	}
	return m.anyCode || v.Code == m.code
}

func (m textMatcher) match(v Value) bool {
	if v.Kind != KindText && v.Kind != KindCode || v.Text == "" {
		return false
	}
	return hasFoldedPrefix(v.Text, m.prefix)
}

func (m ofTypeMatcher) match(v Value) bool {
	return v.Kind == KindIdentifierType && v.TypeSystem == m.system &&
		v.TypeCode == m.code && v.Code == m.value
}
