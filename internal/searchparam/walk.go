package searchparam

import "fmt"

// walk holds the state of one pass of an Extractor over a resource: the
// scanner and the first error that is not a syntax error. Such an error (a
// duplicated key, a wrong resourceType) stops the values but not the
// validation, so that a resource that is also invalid JSON is reported as
// ErrSyntax.
type walk struct {
	scanner
	bad error

	// deferred counts the where() objects being read, whose values wait
	// in pending until the object's condition is known.
	deferred int
	pending  []pendingValue

	// present, when not nil, receives the definitions whose element was
	// found; see Extractor.ExtractPresence.
	present func(def int)
}

// pendingValue is a value held back until a where() condition is known.
type pendingValue struct {
	def int
	v   Value
}

// document reads the resource: an object whose resourceType is typ.
func (w *walk) document(typ string, root *node, out func(int, Value)) error {
	if w.peek() != '{' {
		if err := w.skip(0); err != nil {
			return err
		}
		return w.end(fmt.Errorf("%w: not a JSON object", ErrResourceType))
	}

	var seen uint64
	found := false
	err := w.members(func() error {
		if string(w.k) != "resourceType" {
			return w.member(root, &seen, 1, out)
		}
		if found {
			w.fail(fmt.Errorf("%w: resourceType at offset %d", ErrDuplicateKey, w.pos))
		}
		found = true
		return w.resourceType(typ)
	})
	if err != nil {
		return err
	}
	if !found {
		w.fail(fmt.Errorf("%w: no resourceType", ErrResourceType))
	}
	return w.end(w.bad)
}

// end checks that only white space follows the document.
func (w *walk) end(err error) error {
	if w.peek() != 0 || w.pos != len(w.data) {
		return w.syntax("data after the document")
	}
	return err
}

func (w *walk) fail(err error) {
	if w.bad == nil {
		w.bad = err
	}
}

func (w *walk) resourceType(typ string) error {
	if w.peek() != '"' {
		w.fail(fmt.Errorf("%w: resourceType is not a string", ErrResourceType))
		return w.skip(1)
	}
	got, err := w.readString()
	if err == nil && got != typ {
		w.fail(fmt.Errorf("%w: expected %s", ErrResourceType, typ))
	}
	return err
}

// member reads the value of the member w.k in an object at node n,
// following the child for the key if there is one.
func (w *walk) member(n *node, seen *uint64, depth int, out func(int, Value)) error {
	i := n.childIndex(w.k)
	if i < 0 {
		return w.skip(depth)
	}
	if *seen&(1<<i) != 0 {
		w.fail(fmt.Errorf("%w: %q at offset %d", ErrDuplicateKey, string(w.k), w.pos))
		return w.skip(depth)
	}
	*seen |= 1 << i
	if w.present != nil {
		w.reportPresence(n.children[i])
	}
	return w.value(n.children[i], depth, out)
}

// reportPresence passes to w.present the definitions whose element is the
// node c, a node that yields values, when their path has no condition:
// inside an object that a where() tests (deferred), at a node with a
// where() and for terms with a filter, presence is left to the values.
func (w *walk) reportPresence(c *node) {
	if len(c.terms) == 0 || w.deferred > 0 || w.bad != nil || c.where.kind != filterNone {
		return
	}
	for _, t := range c.terms {
		if t.filter.kind == filterNone {
			w.present(t.def)
		}
	}
}

// value reads the value at node n: an array is crossed, and each of its
// elements read as the node's value.
func (w *walk) value(n *node, depth int, out func(int, Value)) error {
	if w.peek() != '[' {
		return w.item(n, depth, out)
	}
	if depth+1 > MaxDepth {
		return w.tooDeep()
	}
	return w.elements(func() error { return w.item(n, depth+1, out) })
}

func (w *walk) item(n *node, depth int, out func(int, Value)) error {
	switch {
	case len(n.terms) > 0:
		return w.terminal(n, depth, out)
	case w.peek() != '{':
		return w.skip(depth)
	case depth+1 > MaxDepth:
		return w.tooDeep()
	case n.where.kind == filterField:
		return w.conditioned(n, depth+1, out)
	}
	var seen uint64
	return w.members(func() error { return w.member(n, &seen, depth+1, out) })
}

func (w *walk) tooDeep() error {
	return fmt.Errorf("%w at offset %d", ErrTooDeep, w.pos)
}

// emit passes v to the node's terms whose filter it meets; field is the
// value of the node's filter field.
func (w *walk) emit(n *node, v Value, field string, out func(int, Value)) {
	if w.bad != nil {
		return
	}
	for _, t := range n.terms {
		switch t.filter.kind {
		case filterResolve:
			if referenceType(v) != t.filter.value {
				continue
			}
		case filterField:
			if field != t.filter.value {
				continue
			}
		}
		if w.deferred > 0 {
			w.pending = append(w.pending, pendingValue{t.def, v})
			continue
		}
		out(t.def, v)
	}
}

// conditioned reads an object at a node with a where() condition. The
// values found inside wait until the object ends; they are passed on only
// if the condition's field had the condition's value.
func (w *walk) conditioned(n *node, depth int, out func(int, Value)) error {
	mark := len(w.pending)
	w.deferred++
	var seen uint64
	found, matched := false, false
	err := w.members(func() error {
		if string(w.k) != n.where.field {
			return w.member(n, &seen, depth, out)
		}
		if found {
			w.fail(fmt.Errorf("%w: %q at offset %d", ErrDuplicateKey, n.where.field, w.pos))
		}
		found = true
		s, err := w.str(depth)
		matched = s == n.where.value
		return err
	})
	w.deferred--

	if matched && w.deferred == 0 && w.bad == nil {
		for _, p := range w.pending[mark:] {
			out(p.def, p.v)
		}
	}
	if !matched || w.deferred == 0 {
		w.pending = w.pending[:mark]
	}
	return err
}

// referenceType is the type of resource a reference points to, as
// FHIRPath's resolve() would find it: from the reference itself, or from
// Reference.type when the reference does not say.
func referenceType(v Value) string {
	if typ, _, ok := ParseReference(v.Ref); ok {
		return typ
	}
	return v.RefType
}
