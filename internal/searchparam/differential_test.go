package searchparam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// This file holds a slow reference evaluator: it decodes a resource with
// encoding/json into map[string]any and walks the compiled paths, so that
// the single-pass scanner can be checked against it value by value.

// referenceExtract returns "index value" for every value of every def.
func referenceExtract(defs []*Def, data []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}

	var out []string
	for i, d := range defs {
		present := false
		for _, p := range d.paths {
			sh := shapeOf(d.Type, p.typ)
			for _, x := range walkKeys(doc, p, 0) {
				for _, v := range referenceValues(sh, p.filter, x) {
					out = append(out, fmt.Sprintf("%d %s", i, v))
				}
			}
			present = present || hasElement(doc, p)
		}
		if present {
			out = append(out, fmt.Sprintf("%d present", i))
		}
	}
	slices.Sort(out)
	return out, nil
}

// hasElement reports whether a path without conditions reaches an object
// that has its last key, whatever the value.
func hasElement(doc map[string]any, p path) bool {
	if p.filter.kind != filterNone || p.where.kind != filterNone {
		return false
	}
	parent := p
	parent.keys = p.keys[:len(p.keys)-1]
	for _, x := range walkKeys(doc, parent, 0) {
		if obj, ok := x.(map[string]any); ok {
			if _, ok := obj[p.keys[len(p.keys)-1]]; ok {
				return true
			}
		}
	}
	return false
}

// walkKeys follows p.keys[i:] from v, crossing one level of arrays at each
// step and keeping, at the key of p's where(), only the objects that meet
// it.
func walkKeys(v any, p path, i int) []any {
	if i == len(p.keys) {
		return flatten(v)
	}
	var out []any
	for _, x := range flatten(v) {
		obj, ok := x.(map[string]any)
		if !ok {
			continue
		}
		if i > 0 && p.where.kind == filterField && p.whereAt == i-1 &&
			str(obj[p.where.field]) != p.where.value {
			continue
		}
		if child, ok := obj[p.keys[i]]; ok {
			out = append(out, walkKeys(child, p, i+1)...)
		}
	}
	return out
}

func flatten(v any) []any {
	if a, ok := v.([]any); ok {
		return a
	}
	return []any{v}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// referenceValues builds the values of one element.
func referenceValues(sh shape, f filter, x any) []Value {
	obj, isObj := x.(map[string]any)
	var vs []Value
	switch sh {
	case shapeReference:
		if isObj && str(obj["reference"]) != "" {
			ref, typ := str(obj["reference"]), str(obj["type"])
			vs = append(vs, Value{Kind: KindReference, Ref: ref, RefType: typ})
		}
	case shapeRefString, shapeCode, shapeString, shapeURI, shapeDate, shapeNumber:
		vs = primitiveValues(sh, x)
	case shapeCoding, shapeContactPoint, shapePeriod, shapeQuantity, shapeMoney:
		if isObj {
			vs = recordValues(sh, obj)
		}
	case shapeCodeableConcept:
		if isObj {
			vs = conceptValues(obj)
		}
	case shapeIdentifier:
		if isObj {
			vs = identifierValues(obj)
		}
	case shapeHumanName, shapeAddress, shapeTiming:
		if isObj {
			vs = partValues(sh, obj)
		}
	}
	return filterValues(vs, f, obj)
}

func filterValues(vs []Value, f filter, obj map[string]any) []Value {
	var out []Value
	for _, v := range vs {
		switch {
		case f.kind == filterResolve && referenceType(v) != f.value:
		case f.kind == filterField && str(obj[f.field]) != f.value:
		default:
			out = append(out, v)
		}
	}
	return out
}

func primitiveValues(sh shape, x any) []Value {
	if n, ok := x.(json.Number); ok && sh == shapeNumber {
		if f, err := strconv.ParseFloat(string(n), 64); err == nil {
			return []Value{{Kind: KindNumber, Num: f}}
		}
	}
	if b, ok := x.(bool); ok && sh == shapeCode {
		return []Value{{Kind: KindCode, Code: strconv.FormatBool(b)}}
	}
	s := str(x)
	if s == "" || sh == shapeNumber {
		return nil
	}
	switch sh {
	case shapeRefString:
		return []Value{{Kind: KindReference, Ref: s}}
	case shapeCode:
		return []Value{{Kind: KindCode, Code: s}}
	case shapeString:
		return []Value{{Kind: KindString, Str: s}}
	case shapeURI:
		return []Value{{Kind: KindURI, Str: s}}
	}
	if low, high, ok := parseDate(s); ok {
		return []Value{{Kind: KindDate, Low: low, High: high}}
	}
	return nil
}

func recordValues(sh shape, obj map[string]any) []Value {
	fields := shapeFields[sh]
	f := make([]string, 8)
	for i, name := range fields {
		f[i] = str(obj[name])
	}
	num, hasNum := 0.0, false
	if n, ok := obj["value"].(json.Number); ok && sh >= shapeQuantity {
		f, err := strconv.ParseFloat(string(n), 64)
		num, hasNum = f, err == nil
	}
	if v, ok := recordValue(sh, f, num, hasNum); ok {
		return []Value{v}
	}
	return nil
}

func codingValue(x any) (Value, bool) {
	obj, ok := x.(map[string]any)
	if !ok {
		return Value{}, false
	}
	v := Value{Kind: KindCode, System: str(obj["system"]), Code: str(obj["code"]),
		Text: str(obj["display"])}
	return v, v.System != "" || v.Code != "" || v.Text != ""
}

func conceptValues(obj map[string]any) []Value {
	var vs []Value
	for _, c := range flatten(obj["coding"]) {
		if v, ok := codingValue(c); ok {
			vs = append(vs, v)
		}
	}
	if text := str(obj["text"]); text != "" {
		vs = append(vs, Value{Kind: KindText, Text: text})
	}
	return vs
}

func identifierValues(obj map[string]any) []Value {
	system, value := str(obj["system"]), str(obj["value"])
	if system == "" && value == "" {
		return nil
	}
	vs := []Value{{Kind: KindCode, System: system, Code: value}}
	typ, _ := obj["type"].(map[string]any)
	for _, c := range flatten(typ["coding"]) {
		if t, ok := codingValue(c); ok && (t.System != "" || t.Code != "") {
			vs = append(vs, Value{Kind: KindIdentifierType, TypeSystem: t.System, TypeCode: t.Code,
				System: system, Code: value})
		}
	}
	return vs
}

func partValues(sh shape, obj map[string]any) []Value {
	var vs []Value
	for _, name := range shapeFields[sh] {
		for _, x := range flatten(obj[name]) {
			s := str(x)
			switch {
			case s == "":
			case sh != shapeTiming:
				vs = append(vs, Value{Kind: KindString, Str: s})
			default:
				if low, high, ok := parseDate(s); ok {
					vs = append(vs, Value{Kind: KindDate, Low: low, High: high})
				}
			}
		}
	}
	return vs
}

// scannerExtract returns the Extractor's values and presence in the same
// form.
func scannerExtract(ex *Extractor, data []byte) ([]string, error) {
	var out []string
	present := make(map[int]bool)
	err := ex.ExtractPresence(data, func(i int, v Value) {
		out = append(out, fmt.Sprintf("%d %s", i, v))
	}, func(i int) { present[i] = true })
	for i := range present {
		out = append(out, fmt.Sprintf("%d present", i))
	}
	slices.Sort(out)
	return out, err
}

// supportedDefs returns every supported definition of typ.
func supportedDefs(typ string) []*Def {
	var defs []*Def
	for _, d := range Defs(typ) {
		if d.Supported() {
			defs = append(defs, d)
		}
	}
	return defs
}

func TestDifferential(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) < 8 {
		t.Fatalf("golden resources: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var head struct{ ResourceType string }
			if err := json.Unmarshal(data, &head); err != nil {
				t.Fatal(err)
			}
			compareExtractors(t, supportedDefs(head.ResourceType), data)
		})
	}
}

// compareExtractors checks each definition on its own and all of them in
// one Extractor against the reference evaluator.
func compareExtractors(t *testing.T, defs []*Def, data []byte) {
	t.Helper()
	want, err := referenceExtract(defs, data)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := NewExtractor(defs...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := scannerExtract(ex, data)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("scanner and reference differ:\nscanner   %q\nreference %q", got, want)
	}
	if len(got) == 0 {
		t.Error("no values at all")
	}
}

// TestExtractorPasses covers definitions that clash on one element (the
// value-concept token and the string under its text), which an Extractor
// evaluates in a second pass, and the usual single pass.
func TestExtractorPasses(t *testing.T) {
	concept, _ := Lookup("Observation", "value-concept")
	subject, _ := Lookup("Observation", "subject")
	single, err := NewExtractor(subject, concept)
	if err != nil || len(single.passes) != 1 {
		t.Fatalf("subject and value-concept: %v, %d passes", err, len(single.passes))
	}
	all, err := NewExtractor(supportedDefs("Observation")...)
	if err != nil || len(all.passes) < 2 {
		t.Fatalf("every Observation parameter: %v, %d passes; want a clash", err, len(all.passes))
	}
	doc := []byte(`{"resourceType":"Observation","valueCodeableConcept":` +
		`{"coding":[{"system":"http://s","code":"c"}],"text":"Positive"}}`)
	compareExtractors(t, supportedDefs("Observation"), doc)
}
