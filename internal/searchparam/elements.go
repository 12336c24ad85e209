package searchparam

import (
	"sort"
	"strings"
)

// elementRow is one line of the generated element table: an element path
// and its types, "#path" for a content reference, or "resource" or "type"
// for a root.
type elementRow struct {
	path, types string
}

// element is what the path compiler knows of one R4 element.
type element struct {
	types []string // FHIR types; more than one for a choice element
	ref   string   // the element whose definition this one reuses
}

// elements is the R4 element table, indexed by path.
type elements struct {
	byPath    map[string]element
	resources []string // concrete resource types, sorted
	datatypes map[string]bool
}

func loadElements() *elements {
	e := &elements{byPath: make(map[string]element, len(elementRows)), datatypes: map[string]bool{}}
	for _, r := range elementRows {
		switch {
		case r.types == "resource":
			e.resources = append(e.resources, r.path)
		case r.types == "type":
			e.datatypes[r.path] = true
		case strings.HasPrefix(r.types, "#"):
			e.byPath[r.path] = element{ref: r.types[1:]}
		default:
			e.byPath[r.path] = element{types: strings.Fields(r.types)}
		}
	}
	sort.Strings(e.resources)
	return e
}

// child resolves the element name below the element at path ctx (a
// resource, a backbone element or a data type). It returns the element and
// the path under which its own children are defined.
func (e *elements) child(ctx, name string) (el element, choice bool, ok bool) {
	if el, ok := e.byPath[ctx+"."+name]; ok {
		return e.deref(el), false, true
	}
	if el, ok := e.byPath[ctx+"."+name+"[x]"]; ok {
		return el, true, true
	}
	return element{}, false, false
}

// deref replaces a content reference by the element it names, keeping the
// name of that element as the context of its children.
func (e *elements) deref(el element) element {
	if el.ref == "" {
		return el
	}
	target := e.byPath[el.ref]
	return element{types: target.types, ref: el.ref}
}

// context returns the path under which the children of an element of type
// typ at path p are defined.
func (e *elements) context(p string, el element, typ string) string {
	switch {
	case el.ref != "":
		return el.ref
	case typ == "BackboneElement" || typ == "Element":
		return p
	}
	return typ
}
