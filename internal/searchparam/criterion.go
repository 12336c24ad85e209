package searchparam

import (
	"fmt"
	"strings"
)

// Criterion is one parsed search condition, such as
// "category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory",
// with FHIR R4 search semantics for its parameter's type. Its values are
// alternatives: a resource matches when one of them does. A Criterion is
// immutable and safe for concurrent use. The zero value is not usable: use
// [ParseCriterion].
type Criterion struct {
	// Def is the search parameter the condition tests.
	Def *Def

	// Modifier is the modifier after the parameter name ("not" in
	// "code:not"), or "" when there is none. For a reference type modifier
	// it is the type, such as "Patient".
	Modifier string

	values   []string // the unescaped search values
	matchers []matcher
	missing  bool // the value of :missing
	ex       *Extractor
}

// matcher tests a Value against one search value.
type matcher interface {
	match(v Value) bool
}

// ParseCriterion parses the search parameter key ("name" or
// "name:modifier") and the raw, URL-decoded value ("v1,v2") of a search on
// resourceType. FHIR escaping applies: "\," "\|" "\$" and "\\" stand for
// the characters themselves. It returns an error wrapping
// [ErrUnknownParameter] for a parameter R4 does not define on the type,
// [ErrUnsupported] for a chained or _has parameter, an unsupported
// definition, modifier or prefix, and [ErrInvalidValue] for a value that
// does not fit the type. Errors name the parameter and modifier, never the
// value, which may hold PHI.
func ParseCriterion(resourceType, key, value string) (*Criterion, error) {
	name, mod, _ := strings.Cut(key, ":")
	if err := checkName(name); err != nil {
		return nil, err
	}
	d, ok := Lookup(resourceType, name)
	if !ok {
		return nil, fmt.Errorf("%w: %s on %s", ErrUnknownParameter, name, resourceType)
	}
	if !d.Supported() {
		return nil, unsupportedDef(d)
	}
	if err := checkModifier(d, mod); err != nil {
		return nil, err
	}

	c := &Criterion{Def: d, Modifier: mod}
	if err := c.parseValues(value); err != nil {
		return nil, fmt.Errorf("%w: parameter %s", err, key)
	}
	c.ex, _ = NewExtractor(d) // cannot fail: d is supported
	return c, nil
}

// checkName rejects the forms of parameter names this package does not
// evaluate.
func checkName(name string) error {
	switch {
	case strings.HasPrefix(name, "_has"):
		return fmt.Errorf("%w: _has parameters", ErrUnsupported)
	case strings.Contains(name, "."):
		return fmt.Errorf("%w: chained parameter %s", ErrUnsupported, name)
	}
	return nil
}

// parseValues splits the value at unescaped commas and parses each part.
func (c *Criterion) parseValues(value string) error {
	if c.Modifier == "missing" {
		return c.parseMissing(value)
	}
	parts, err := splitEscaped(value, ',')
	if err != nil {
		return err
	}
	for _, raw := range parts {
		if raw == "" {
			return fmt.Errorf("%w: empty value", ErrInvalidValue)
		}
		m, err := newMatcher(c.Def, c.Modifier, raw)
		if err != nil {
			return err
		}
		c.values = append(c.values, unescapeParam(raw))
		c.matchers = append(c.matchers, m)
	}
	return nil
}

func (c *Criterion) parseMissing(value string) error {
	if value != "true" && value != "false" {
		return fmt.Errorf("%w: :missing takes true or false", ErrInvalidValue)
	}
	c.missing = value == "true"
	c.values = []string{value}
	c.matchers = []matcher{present{}}
	return nil
}

// present matches every value: it is the matcher of :missing.
type present struct{}

func (present) match(Value) bool { return true }

// Values returns the condition's search values with FHIR escapes removed,
// one per alternative.
func (c *Criterion) Values() []string { return append([]string(nil), c.values...) }

// Match reports whether the value v, extracted for c.Def, meets one of the
// condition's values. With :not it reports whether v meets the value that
// is negated, and with :missing whether v is present at all (always true):
// those two modifiers are decided over all of a resource's values, which
// [Criterion.MatchResource] does.
func (c *Criterion) Match(v Value) bool {
	for _, m := range c.matchers {
		if m.match(v) {
			return true
		}
	}
	return false
}

// MatchResource reports whether the resource JSON meets the condition. It
// returns false and an error from [Extractor.Extract] for a resource that
// cannot be trusted. A resource without values for the parameter meets
// ":not" and nothing else. ":missing=true" holds when the parameter has
// no element in the resource, as [Extractor.ExtractPresence] decides: an
// element that yields no value (a Reference with only an identifier,
// null, an empty object) is not missing.
func (c *Criterion) MatchResource(resource []byte) (bool, error) {
	found, present := false, false
	err := c.ex.ExtractPresence(resource, func(_ int, v Value) {
		present = true
		found = found || c.Match(v)
	}, func(int) { present = true })
	if err != nil {
		return false, err
	}

	switch c.Modifier {
	case "not":
		return !found, nil
	case "missing":
		return present != c.missing, nil
	}
	return found, nil
}
