package searchparam

import (
	"fmt"
	"slices"
)

// Extractor evaluates several search parameter definitions of one resource
// type on a resource's JSON, validating the JSON as it reads it. Build it
// once with [NewExtractor] and share it: it is immutable and safe for
// concurrent use. The zero value is not usable.
type Extractor struct {
	resource string
	defs     []*Def
	passes   []*node // usually one trie; more only when definitions clash
}

// node is one JSON key on the paths of an Extractor, from the resource
// root. A node either has children or yields values (terms), never both in
// one pass.
type node struct {
	key      string
	where    filter // only objects whose where.field is where.value are followed
	children []*node
	terms    []term
	shape    shape
	fields   []string // the members the shape reads, then filterField
	// filterField is the member that the terms' where(field='...') test.
	filterField string
}

// term is one definition's use of a node's values.
type term struct {
	def    int
	filter filter
}

// NewExtractor compiles definitions of one resource type into an
// Extractor. The def argument of [Extractor.Extract]'s callback is an index
// into defs. It returns an error wrapping [ErrUnsupported] for an
// unsupported definition, and an error for definitions of different types.
func NewExtractor(defs ...*Def) (*Extractor, error) {
	if len(defs) == 0 {
		return nil, fmt.Errorf("searchparam: NewExtractor needs at least one definition")
	}
	e := &Extractor{defs: append([]*Def(nil), defs...)}
	for i, d := range defs {
		if d == nil || !d.Supported() {
			return nil, unsupportedDef(d)
		}
		if i == 0 {
			e.resource = d.Resource
		}
		if d.Resource != e.resource {
			return nil, fmt.Errorf("searchparam: definitions of %s and %s in one Extractor",
				e.resource, d.Resource)
		}
		for _, p := range d.paths {
			e.insert(i, d.Type, p)
		}
	}
	return e, nil
}

func unsupportedDef(d *Def) error {
	if d == nil {
		return fmt.Errorf("%w: nil definition", ErrUnsupported)
	}
	return fmt.Errorf("%w: parameter %s of %s: %s", ErrUnsupported, d.Name, d.Resource, d.why)
}

// insert adds one path to the first pass where it does not clash with the
// paths already there.
func (e *Extractor) insert(def int, pt Type, p path) {
	sh := shapeOf(pt, p.typ)
	t := term{def, p.filter}
	for _, root := range e.passes {
		if root.fits(p, 0, sh, t) {
			root.add(p, 0, sh, t)
			return
		}
	}
	root := &node{}
	root.add(p, 0, sh, t)
	e.passes = append(e.passes, root)
}

// whereOn returns the where() condition of p on its key i, if any.
func (p path) whereOn(i int) filter {
	if p.where.kind != filterNone && p.whereAt == i {
		return p.where
	}
	return filter{}
}

// fits reports whether p.keys[i:] can be added below n without a clash: a
// node that would both yield values and have children, yield values of two
// shapes, filter on two different fields, follow a where() condition
// another path does not have, or read the field of its where() as a child.
func (n *node) fits(p path, i int, sh shape, t term) bool {
	if i == len(p.keys) {
		return n.acceptsTerm(sh, t)
	}
	if len(n.terms) > 0 || n.where.kind != filterNone && n.where.field == p.keys[i] {
		return false
	}
	c := n.child(p.keys[i])
	if c == nil {
		return len(n.children) < 64 // the duplicate-key bitmap holds 64 children
	}
	return c.where == p.whereOn(i) && c.fits(p, i+1, sh, t)
}

func (n *node) acceptsTerm(sh shape, t term) bool {
	if len(n.children) > 0 || len(n.terms) > 0 && n.shape != sh {
		return false
	}
	field := t.filter.field
	return t.filter.kind != filterField || n.filterField == "" || n.filterField == field
}

// add inserts p.keys[i:] below n; fits must have accepted them.
func (n *node) add(p path, i int, sh shape, t term) {
	if i == len(p.keys) {
		n.addTerm(sh, t)
		return
	}
	c := n.child(p.keys[i])
	if c == nil {
		c = &node{key: p.keys[i], where: p.whereOn(i)}
		n.children = append(n.children, c)
	}
	c.add(p, i+1, sh, t)
}

func (n *node) addTerm(sh shape, t term) {
	n.shape, n.terms = sh, append(n.terms, t)
	if t.filter.kind == filterField {
		n.filterField = t.filter.field
	}
	n.fields = shapeFields[sh]
	if n.filterField != "" {
		n.fields = append(slices.Clone(shapeFields[sh]), n.filterField)
	}
}

func (n *node) child(key string) *node {
	for _, c := range n.children {
		if c.key == key {
			return c
		}
	}
	return nil
}

// childIndex finds the child for a decoded key without allocating.
func (n *node) childIndex(key []byte) int {
	for i, c := range n.children {
		if len(c.key) == len(key) && c.key == string(key) {
			return i
		}
	}
	return -1
}

// Defs returns the definitions the Extractor was built from, in order.
func (e *Extractor) Defs() []*Def { return append([]*Def(nil), e.defs...) }

// Extract reads the resource JSON and calls fn with every value of every
// definition, in document order; def is the definition's index in the list
// given to NewExtractor. It returns an error wrapping [ErrSyntax],
// [ErrDuplicateKey], [ErrTooDeep] or [ErrResourceType] when the resource
// cannot be trusted; values already passed to fn must then be discarded.
// The values' strings point into resource (see [Value]). Extract does not
// modify resource and does not retain it.
func (e *Extractor) Extract(resource []byte, fn func(def int, v Value)) error {
	return e.ExtractPresence(resource, fn, nil)
}

// ExtractPresence is [Extractor.Extract] that also reports, through
// present, the definitions that have an element in the resource, whether
// or not the element yields a value. That is what FHIR's :missing
// modifier and a decision such as "this resource names no patient" need:
// a Reference with only an identifier or a display, an empty object, an
// empty array, null or a value of an unexpected JSON kind yields no
// [Value], but the element is there.
//
// present is called with a definition's index when the last key of one of
// its paths appears in an object that the path reaches, whatever its
// value; it may be called several times for one definition, before or
// after its values. A path with a where() or resolve() condition reports
// no presence, since whether an element without a value meets the
// condition is unknown: for such a definition, only its values show that
// it has an element. So a definition has an element exactly when
// present is called for it or fn receives one of its values. A nil
// present reports nothing. The errors are those of Extract; after an
// error, the presence reported must be discarded too.
func (e *Extractor) ExtractPresence(resource []byte, fn func(def int, v Value),
	present func(def int)) error {
	for _, root := range e.passes {
		w := walk{scanner: scanner{data: resource}, present: present}
		if err := w.document(e.resource, root, fn); err != nil {
			return err
		}
	}
	return nil
}
