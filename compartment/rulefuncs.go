package compartment

import (
	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// maxWalkDepth bounds how deep references() searches a value.
const maxWalkDepth = 64

// helperFunctions declares the FHIR helper functions of rules, with
// references() bound to the server's base URL.
func helperFunctions(base string) []cel.EnvOption {
	mapType := cel.MapType(cel.StringType, cel.DynType)
	return []cel.EnvOption{
		cel.Function("references",
			cel.Overload("references_dyn_string", []*cel.Type{cel.DynType, cel.StringType},
				cel.BoolType, cel.BinaryBinding(func(v, target ref.Val) ref.Val {
					return types.Bool(references(v, string(asString(target)), base, 0))
				}))),
		cel.Function("has_coding",
			cel.Overload("has_coding_dyn_string_string",
				[]*cel.Type{cel.DynType, cel.StringType, cel.StringType}, cel.BoolType,
				cel.FunctionBinding(func(args ...ref.Val) ref.Val {
					return types.Bool(hasCoding(args[0], asString(args[1]), asString(args[2])))
				}))),
		cel.Function("has_security_label",
			cel.Overload("has_security_label_map_string_string",
				[]*cel.Type{mapType, cel.StringType, cel.StringType}, cel.BoolType,
				cel.FunctionBinding(func(args ...ref.Val) ref.Val {
					return types.Bool(hasMetaCoding(args[0], "security", args[1], args[2]))
				}))),
		cel.Function("has_tag",
			cel.Overload("has_tag_map_string_string",
				[]*cel.Type{mapType, cel.StringType, cel.StringType}, cel.BoolType,
				cel.FunctionBinding(func(args ...ref.Val) ref.Val {
					return types.Bool(hasMetaCoding(args[0], "tag", args[1], args[2]))
				}))),
	}
}

// asString returns v as a string, or "" when it is not one.
func asString(v ref.Val) types.String {
	s, _ := v.(types.String)
	return s
}

// field returns the member name of a map value, if v is a map holding it.
func field(v ref.Val, name string) (ref.Val, bool) {
	m, ok := v.(traits.Mapper)
	if !ok {
		return nil, false
	}
	return m.Find(types.String(name))
}

// each calls fn on every element of a list value, or on v itself when it
// is not a list, until fn returns true.
func each(v ref.Val, fn func(ref.Val) bool) bool {
	l, ok := v.(traits.Lister)
	if !ok {
		return fn(v)
	}
	for it := l.Iterator(); it.HasNext() == types.True; {
		if fn(it.Next()) {
			return true
		}
	}
	return false
}

// references reports whether v holds, at any depth, a Reference whose
// reference points to target ("Type/id"), relative or absolute with base.
func references(v ref.Val, target, base string, depth int) bool {
	if depth > maxWalkDepth {
		return false
	}
	if l, ok := v.(traits.Lister); ok {
		return each(l, func(e ref.Val) bool { return references(e, target, base, depth+1) })
	}
	m, ok := v.(traits.Mapper)
	if !ok {
		return false
	}
	if r, ok := m.Find(types.String("reference")); ok && refersTo(string(asString(r)), target, base) {
		return true
	}
	for it := m.Iterator(); it.HasNext() == types.True; {
		if e, ok := m.Find(it.Next()); ok && references(e, target, base, depth+1) {
			return true
		}
	}
	return false
}

// refersTo reports whether the reference ref points to target ("Type/id").
func refersTo(ref, target, base string) bool {
	b, typ, id, ok := searchparam.ParseReferenceURL(ref)
	if !ok || b != "" && b != base {
		return false
	}
	return len(target) == len(typ)+1+len(id) && target == typ+"/"+id
}

// hasCoding reports whether v, a CodeableConcept, a Coding or a list of
// them, holds a coding with the system (any, when empty) and code.
func hasCoding(v ref.Val, system, code types.String) bool {
	return each(v, func(e ref.Val) bool {
		if codings, ok := field(e, "coding"); ok {
			return each(codings, func(c ref.Val) bool { return codingIs(c, system, code) })
		}
		return codingIs(e, system, code)
	})
}

// codingIs reports whether the Coding c has the system and code.
func codingIs(c ref.Val, system, code types.String) bool {
	cc, ok := field(c, "code")
	if !ok || asString(cc) != code {
		return false
	}
	if system == "" {
		return true
	}
	cs, ok := field(c, "system")
	return ok && asString(cs) == system
}

// hasMetaCoding reports whether resource.meta.<list> holds the coding.
func hasMetaCoding(resource ref.Val, list string, system, code ref.Val) bool {
	meta, ok := field(resource, "meta")
	if !ok {
		return false
	}
	codings, ok := field(meta, list)
	return ok && hasCoding(codings, asString(system), asString(code))
}
