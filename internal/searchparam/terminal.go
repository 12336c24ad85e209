package searchparam

import (
	"fmt"
	"strconv"
)

// terminal reads one value of a node that yields values. A JSON value of
// another kind than the shape expects (a number where a Reference belongs)
// is validated and yields nothing.
func (w *walk) terminal(n *node, depth int, out func(int, Value)) error {
	switch n.shape {
	case shapeRefString, shapeCode, shapeString, shapeURI, shapeDate, shapeNumber:
		return w.primitive(n, depth, out)
	}
	if w.peek() != '{' {
		return w.skip(depth)
	}
	switch n.shape {
	case shapeCodeableConcept:
		return w.codeableConcept(n, depth+1, out)
	case shapeIdentifier:
		return w.identifier(n, depth+1, out)
	case shapeHumanName, shapeAddress:
		return w.nameParts(n, depth+1, out)
	case shapeTiming:
		return w.timing(n, depth+1, out)
	}
	return w.record(n, depth+1, out)
}

// fieldsOf reads the object at pos and calls fn with the index in fields of
// each member it has; other members are validated and skipped. A field
// that appears twice fails the walk with ErrDuplicateKey.
func (w *walk) fieldsOf(fields []string, depth int, fn func(i int) error) error {
	if depth > MaxDepth {
		return w.tooDeep()
	}
	var seen uint64
	return w.members(func() error {
		for i, f := range fields {
			if len(f) != len(w.k) || f != string(w.k) {
				continue
			}
			if seen&(1<<i) != 0 {
				w.fail(fmt.Errorf("%w: %q at offset %d", ErrDuplicateKey, f, w.pos))
				return w.skip(depth)
			}
			seen |= 1 << i
			return fn(i)
		}
		return w.skip(depth)
	})
}

// str reads a string member, or validates and skips a value of another kind.
func (w *walk) str(depth int) (string, error) {
	if w.peek() != '"' {
		return "", w.skip(depth)
	}
	return w.readString()
}

// each calls fn for a value, or for each element of an array.
func (w *walk) each(depth int, fn func(depth int) error) error {
	if w.peek() != '[' {
		return fn(depth)
	}
	if depth+1 > MaxDepth {
		return w.tooDeep()
	}
	return w.elements(func() error { return fn(depth + 1) })
}

// number reads a JSON number, or validates and skips another value.
func (w *walk) number(depth int) (float64, bool, error) {
	c := w.peek()
	if c != '-' && (c < '0' || c > '9') {
		return 0, false, w.skip(depth)
	}
	b, err := w.scanNumberOrLiteral()
	if err != nil {
		return 0, false, err
	}
	f, err := strconv.ParseFloat(alias(b), 64)
	return f, err == nil, nil
}

func (w *walk) primitive(n *node, depth int, out func(int, Value)) error {
	if n.shape == shapeNumber {
		f, ok, err := w.number(depth)
		if ok {
			w.emit(n, Value{Kind: KindNumber, Num: f}, "", out)
		}
		return err
	}
	if n.shape == shapeCode && (w.peek() == 't' || w.peek() == 'f') {
		b, err := w.scanNumberOrLiteral()
		if err == nil && b[0] != 'n' {
			w.emit(n, Value{Kind: KindCode, Code: alias(b)}, "", out)
		}
		return err
	}
	s, err := w.str(depth)
	if err == nil && s != "" {
		w.primitiveValue(n, s, out)
	}
	return err
}

func (w *walk) primitiveValue(n *node, s string, out func(int, Value)) {
	switch n.shape {
	case shapeRefString:
		w.emit(n, Value{Kind: KindReference, Ref: s}, "", out)
	case shapeCode:
		w.emit(n, Value{Kind: KindCode, Code: s}, "", out)
	case shapeString:
		w.emit(n, Value{Kind: KindString, Str: s}, "", out)
	case shapeURI:
		w.emit(n, Value{Kind: KindURI, Str: s}, "", out)
	case shapeDate:
		if low, high, ok := parseDate(s); ok {
			w.emit(n, Value{Kind: KindDate, Low: low, High: high}, "", out)
		}
	}
}
