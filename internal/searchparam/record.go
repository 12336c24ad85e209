package searchparam

// record reads an object that yields at most one value, once all its
// members are known: Reference, Coding, ContactPoint, Period, Quantity and
// Money. The node's filter field, if any, is the last of n.fields.
func (w *walk) record(n *node, depth int, out func(int, Value)) error {
	var f [8]string
	var num float64
	hasNum := false
	filterAt := len(shapeFields[n.shape])
	err := w.fieldsOf(n.fields, depth, func(i int) (err error) {
		if n.shape >= shapeQuantity && i == 0 {
			num, hasNum, err = w.number(depth)
			return err
		}
		f[i], err = w.str(depth)
		return err
	})
	if err != nil {
		return err
	}
	if v, ok := recordValue(n.shape, f[:], num, hasNum); ok {
		w.emit(n, v, f[filterAt], out)
	}
	return nil
}

// recordValue builds the value of a record from its fields, in the order
// of shapeFields.
func recordValue(sh shape, f []string, num float64, hasNum bool) (Value, bool) {
	switch sh {
	case shapeReference:
		return Value{Kind: KindReference, Ref: f[0], RefType: f[1]}, f[0] != ""
	case shapeCoding:
		v := Value{Kind: KindCode, System: f[0], Code: f[1], Text: f[2]}
		return v, f[0] != "" || f[1] != "" || f[2] != ""
	case shapeContactPoint:
		return Value{Kind: KindCode, Code: f[0]}, f[0] != ""
	case shapePeriod:
		return periodValue(f[0], f[1])
	case shapeQuantity:
		v := Value{Kind: KindQuantity, Num: num, Unit: f[1], System: f[2], Code: f[3]}
		return v, hasNum
	case shapeMoney:
		v := Value{Kind: KindQuantity, Num: num, Code: f[1], System: currencySystem}
		if f[1] == "" {
			v.System = ""
		}
		return v, hasNum
	}
	return Value{}, false
}

// currencySystem is the code system of Money.currency.
const currencySystem = "urn:iso:std:iso:4217"

// periodValue turns a Period into the range from the start of its start to
// the end of its end; a missing bound is open. A bound that is not a valid
// date makes the whole Period yield nothing.
func periodValue(start, end string) (Value, bool) {
	v := Value{Kind: KindDate}
	ok := true
	if start != "" {
		v.Low, _, ok = parseDate(start)
	}
	if end != "" && ok {
		_, v.High, ok = parseDate(end)
	}
	return v, ok && (start != "" || end != "")
}

// codeableConcept yields each coding, then the text.
func (w *walk) codeableConcept(n *node, depth int, out func(int, Value)) error {
	var text string
	err := w.fieldsOf(n.fields, depth, func(i int) (err error) {
		if i == 1 {
			text, err = w.str(depth)
			return err
		}
		return w.each(depth, func(d int) error { return w.coding(n, d, out) })
	})
	if err == nil && text != "" {
		w.emit(n, Value{Kind: KindText, Text: text}, "", out)
	}
	return err
}

// coding reads one Coding of a CodeableConcept.
func (w *walk) coding(n *node, depth int, out func(int, Value)) error {
	var f [3]string
	err := w.codingFields(depth, &f)
	if err == nil && (f[0] != "" || f[1] != "" || f[2] != "") {
		w.emit(n, Value{Kind: KindCode, System: f[0], Code: f[1], Text: f[2]}, "", out)
	}
	return err
}

// codingFields reads a Coding's system, code and display into f.
func (w *walk) codingFields(depth int, f *[3]string) error {
	if w.peek() != '{' {
		return w.skip(depth)
	}
	return w.fieldsOf(codingFields, depth+1, func(i int) (err error) {
		f[i], err = w.str(depth + 1)
		return err
	})
}

// identifier yields the Identifier's system and value, then one value per
// coding of its type.
func (w *walk) identifier(n *node, depth int, out func(int, Value)) error {
	var f [4]string
	var types [][3]string // allocated only for an Identifier with a type
	err := w.fieldsOf(n.fields, depth, func(i int) (err error) {
		if i != 2 {
			f[i], err = w.str(depth)
			return err
		}
		return w.identifierType(depth, &types)
	})
	if err != nil || f[0] == "" && f[1] == "" {
		return err
	}

	w.emit(n, Value{Kind: KindCode, System: f[0], Code: f[1]}, f[3], out)
	for _, t := range types {
		v := Value{Kind: KindIdentifierType, TypeSystem: t[0], TypeCode: t[1], System: f[0], Code: f[1]}
		w.emit(n, v, f[3], out)
	}
	return nil
}

// identifierType collects the codings of Identifier.type.
func (w *walk) identifierType(depth int, types *[][3]string) error {
	if w.peek() != '{' {
		return w.skip(depth)
	}
	return w.fieldsOf(shapeFields[shapeCodeableConcept][:1], depth+1, func(int) error {
		return w.each(depth+1, func(d int) error {
			var f [3]string
			err := w.codingFields(d, &f)
			if f[0] != "" || f[1] != "" {
				*types = append(*types, f)
			}
			return err
		})
	})
}

// nameParts yields each part of a HumanName or an Address as a string.
func (w *walk) nameParts(n *node, depth int, out func(int, Value)) error {
	return w.fieldsOf(n.fields, depth, func(int) error {
		return w.each(depth, func(d int) error {
			s, err := w.str(d)
			if err == nil && s != "" {
				w.emit(n, Value{Kind: KindString, Str: s}, "", out)
			}
			return err
		})
	})
}

// timing yields each event of a Timing.
func (w *walk) timing(n *node, depth int, out func(int, Value)) error {
	return w.fieldsOf(n.fields, depth, func(int) error {
		return w.each(depth, func(d int) error {
			s, err := w.str(d)
			if err != nil || s == "" {
				return err
			}
			if low, high, ok := parseDate(s); ok {
				w.emit(n, Value{Kind: KindDate, Low: low, High: high}, "", out)
			}
			return nil
		})
	})
}
