package compartment

import (
	"slices"
	"strings"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// unsupportedParams are R4 parameters that neither this package nor the
// reference store can evaluate; ParseQuery refuses them by name.
var unsupportedParams = []string{
	"_contained", "_containedType", "_content", "_filter", "_list", "_query", "_text",
}

// commonParams are the parameters every resource type has, the only ones
// allowed in a search across all types.
var commonParams = []string{"_id", "_lastUpdated", "_profile", "_security", "_source", "_tag"}

// modifiers lists the modifiers R4 defines per parameter type, besides
// :missing, which every type has, and the type modifier of references.
var modifiers = map[searchparam.Type][]string{
	searchparam.String:    {"exact", "contains"},
	searchparam.Token:     {"text", "not", "above", "below", "in", "not-in", "of-type"},
	searchparam.Reference: {"identifier", "above", "below"},
	searchparam.URI:       {"above", "below"},
}

// parseParam parses one search parameter key=value for resources of the
// given types (nil for every type). depth counts the enclosing _has.
func parseParam(types []string, key, value string, depth int) (Param, error) {
	if rest, ok := strings.CutPrefix(key, "_has:"); ok {
		return parseHas(types, rest, value, depth)
	}
	segs := strings.Split(key, ".")
	if len(segs) > maxChainLinks+1 {
		return Param{}, invalidParam("chain_too_long", "chain has too many links", key)
	}

	name, mod, _ := strings.Cut(segs[0], ":")
	defs, err := lookupAll(types, name)
	if err != nil {
		return Param{}, err
	}
	p := Param{Name: name}
	for _, seg := range segs[1:] {
		next, nextMod, _ := strings.Cut(seg, ":")
		if defs, err = chainDefs(defs, mod, next, key); err != nil {
			return Param{}, err
		}
		p.Chain = append(p.Chain, ChainLink{Type: mod, Name: next})
		mod = nextMod
	}

	if err := checkModifier(defs, mod, value, key); err != nil {
		return Param{}, err
	}
	p.Modifier = mod
	p.Values, err = splitValues(value, key)
	return p, err
}

// lookupAll returns the definition of name for each of types; the
// parameter must exist for all of them. With no types, only the
// parameters common to every resource are allowed.
func lookupAll(types []string, name string) ([]*searchparam.Def, error) {
	if slices.Contains(unsupportedParams, name) {
		return nil, invalidParam("unsupported_parameter", "unsupported parameter", name)
	}
	if len(types) == 0 {
		if !slices.Contains(commonParams, name) {
			return nil, invalidParam("unknown_parameter",
				"only common parameters are allowed in a search across all types", name)
		}
		types = []string{"Patient"}
	}
	defs := make([]*searchparam.Def, 0, len(types))
	for _, t := range types {
		d, ok := searchparam.Lookup(t, name)
		if !ok {
			return nil, invalidParam("unknown_parameter", "unknown search parameter", name)
		}
		defs = append(defs, d)
	}
	return defs, nil
}

// chainDefs follows one chain link: from reference definitions defs,
// restricted to target type typ when given, to the definitions of next on
// the target types that have it.
func chainDefs(defs []*searchparam.Def, typ, next, key string) ([]*searchparam.Def, error) {
	var out []*searchparam.Def
	for _, d := range defs {
		if d.Type != searchparam.Reference {
			return nil, invalidParam("bad_chain", "only reference parameters can be chained", key)
		}
		if typ != "" && !slices.Contains(d.Targets, typ) {
			return nil, invalidParam("bad_chain", "chain names a type the reference cannot point to", key)
		}
		for _, t := range d.Targets {
			if nd, ok := searchparam.Lookup(t, next); ok && (typ == "" || t == typ) {
				out = append(out, nd)
			}
		}
	}
	if len(out) == 0 {
		return nil, invalidParam("bad_chain", "no target of the chain has this parameter", key)
	}
	return out, nil
}

// checkModifier checks that mod is a modifier of every definition's type.
func checkModifier(defs []*searchparam.Def, mod, value, key string) error {
	if mod == "" {
		return nil
	}
	if mod == "missing" {
		if value != "true" && value != "false" {
			return invalidParam("bad_value", ":missing takes true or false", key)
		}
		return nil
	}
	for _, d := range defs {
		ok := slices.Contains(modifiers[d.Type], mod) ||
			d.Type == searchparam.Reference && slices.Contains(d.Targets, mod)
		if !ok {
			return invalidParam("bad_modifier", "modifier not allowed for this parameter", key)
		}
	}
	return nil
}

// parseHas parses the rest of a key _has:Type:ref:inner.
func parseHas(types []string, rest, value string, depth int) (Param, error) {
	const key = "_has"
	if depth >= maxHasDepth {
		return Param{}, invalidParam("has_too_deep", "_has is nested too deeply", key)
	}
	if len(types) != 1 {
		return Param{}, invalidParam("has_not_allowed", "_has needs a search on one type", key)
	}
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) != 3 || !isResourceType(parts[0]) {
		return Param{}, invalidParam("bad_has", "_has must be _has:Type:reference:parameter", key)
	}

	ref, ok := searchparam.Lookup(parts[0], parts[1])
	if !ok || ref.Type != searchparam.Reference || !slices.Contains(ref.Targets, types[0]) {
		return Param{}, invalidParam("bad_has",
			"_has names a parameter that does not reference the searched type", key)
	}
	inner, err := parseParam(parts[0:1], parts[2], value, depth+1)
	if err != nil {
		return Param{}, err
	}
	return Param{Name: "_has", Has: &Has{Type: parts[0], Ref: parts[1], Param: inner}}, nil
}

// splitValues splits a parameter value at its unescaped commas, keeping
// the escapes in each alternative.
func splitValues(value, key string) ([]string, error) {
	var out []string
	start := 0
	for i := 0; i < len(value); i++ {
		switch value[i] {
		case '\\':
			if i+1 == len(value) || !strings.ContainsRune(`\,$|`, rune(value[i+1])) {
				return nil, invalidParam("bad_value", "value has a bad escape", key)
			}
			i++
		case ',':
			out = append(out, value[start:i])
			start = i + 1
		}
	}
	out = append(out, value[start:])
	if len(out) > maxValues {
		return nil, invalidParam("too_many_values", "parameter has too many values", key)
	}
	if slices.Contains(out, "") {
		return nil, invalidParam("bad_value", "value list has an empty value", key)
	}
	return out, nil
}
