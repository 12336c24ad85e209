package searchparam

import (
	"slices"
	"sort"
	"strings"
	"sync"
)

// Def is the definition of one search parameter for one resource type,
// taken from the official R4 SearchParameter resources. A Def returned by
// [Lookup] or [Defs] is shared: it must not be modified. It is safe for
// concurrent use. A Def built by hand, or the zero value, is unsupported.
type Def struct {
	// Resource is the resource type this definition is for.
	Resource string

	// Name is the parameter's name in a search, such as "subject".
	Name string

	// Type is the parameter's type.
	Type Type

	// Expression is the part of the parameter's FHIRPath expression that
	// applies to Resource. For the parameters defined on every resource
	// (_id, _lastUpdated, ...) "Resource." is replaced by the type.
	Expression string

	// Targets are the resource types a reference parameter may point to.
	Targets []string

	paths []path // compiled Expression; nil when unsupported
	why   string // why the definition is unsupported
}

// Supported reports whether this package can evaluate the definition. An
// unsupported definition cannot be used in an [Extractor] or a [Criterion].
func (d *Def) Supported() bool { return len(d.paths) > 0 }

// Unsupported returns why the definition cannot be evaluated, or "" when it
// can.
func (d *Def) Unsupported() string { return d.why }

//go:generate go run ./gen

// defRow is one line of the generated search parameter table.
type defRow struct {
	resource, name string
	typ            Type
	expr           string
	targets        []string
}

// registry holds every Def, compiled on first use.
type registry struct {
	elems  *elements
	byType map[string]map[string]*Def
	types  []string // concrete resource types, sorted
}

var loadRegistry = sync.OnceValue(func() *registry {
	elems := loadElements()
	reg := &registry{elems: elems, byType: make(map[string]map[string]*Def), types: elems.resources}
	for _, typ := range elems.resources {
		reg.byType[typ] = make(map[string]*Def)
	}
	for _, r := range defRows {
		reg.add(r, elems)
	}
	return reg
})

// add compiles a row into a Def for its resource type, or for every
// concrete type when the row is defined on Resource or DomainResource.
func (reg *registry) add(r defRow, elems *elements) {
	types := []string{r.resource}
	if r.resource == "Resource" || r.resource == "DomainResource" {
		types = reg.types
	}
	for _, typ := range types {
		if reg.byType[typ] == nil {
			continue // a base type such as MetadataResource
		}
		d := &Def{Resource: typ, Name: r.name, Type: r.typ, Targets: r.targets}
		d.Expression = rebase(r.expr, r.resource, typ)
		d.paths, d.why = compileDef(d, elems)
		reg.byType[typ][r.name] = d
	}
}

// rebase rewrites an expression on an abstract base type so that it starts
// with the concrete type typ.
func rebase(expr, base, typ string) string {
	if base == typ || expr == "" {
		return expr
	}
	return strings.ReplaceAll(expr, base+".", typ+".")
}

// Lookup returns the definition of the search parameter name for a resource
// type. It reports false for an unknown type or parameter. Parameters with a
// modifier ("code:text") are not names: strip the modifier first.
func Lookup(resourceType, name string) (*Def, bool) {
	d, ok := loadRegistry().byType[resourceType][name]
	return d, ok
}

// Defs returns every search parameter definition of a resource type, sorted
// by name, or nil for an unknown type.
func Defs(resourceType string) []*Def {
	m := loadRegistry().byType[resourceType]
	if m == nil {
		return nil
	}
	defs := make([]*Def, 0, len(m))
	for _, d := range m {
		defs = append(defs, d)
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name })
	return defs
}

// ResourceTypes returns the concrete FHIR R4 resource types, sorted.
func ResourceTypes() []string { return slices.Clone(loadRegistry().types) }

// CompartmentParams returns the names of the search parameters through which
// a resource of the given type belongs to a patient's compartment, such as
// subject and performer for Observation. It returns nil for a type outside
// the Patient compartment. The caller may modify the returned slice.
func CompartmentParams(resourceType string) []string {
	return slices.Clone(compartmentRows[resourceType])
}

// CompartmentTypes returns the resource types of the Patient compartment,
// sorted.
func CompartmentTypes() []string {
	types := make([]string, 0, len(compartmentRows))
	for typ := range compartmentRows {
		types = append(types, typ)
	}
	sort.Strings(types)
	return types
}
