package searchparam

import (
	"fmt"
	"strings"
	"time"
)

// Kind says what a [Value] was extracted from, and so which of its fields
// are set. The zero value is no kind.
type Kind uint8

// The kinds of values, by the parameter type that yields them.
const (
	// KindCode is a token: a Coding or a CodeableConcept coding (System,
	// Code, Text holding the display), an Identifier (System, Code holding
	// the value), a ContactPoint (Code holding the value), or a code, string,
	// id, URI or boolean primitive (Code).
	KindCode Kind = iota + 1

	// KindText is the text of a CodeableConcept (Text), for :text searches.
	KindText

	// KindIdentifierType is one type coding of an Identifier (TypeSystem,
	// TypeCode) with the Identifier's System and Code, for :of-type
	// searches. Every Identifier also yields a KindCode value.
	KindIdentifierType

	// KindReference is a Reference (Ref, and RefType from Reference.type),
	// or a canonical or URI read as a reference (Ref).
	KindReference

	// KindString is a string, or one part of a HumanName or an Address
	// (Str).
	KindString

	// KindDate is a date, dateTime, instant, Period or Timing event, as the
	// range [Low, High) its precision covers.
	KindDate

	// KindURI is a uri, url, canonical, oid or uuid (Str).
	KindURI

	// KindQuantity is a Quantity, Age, Duration, Count, Distance or Money:
	// Num, Unit, System and Code (a Money currency has System
	// "urn:iso:std:iso:4217").
	KindQuantity

	// KindNumber is a decimal or integer (Num).
	KindNumber
)

// Value is one value of a search parameter in a resource. Which fields are
// set depends on Kind. Its strings point into the resource bytes given to
// [Extractor.Extract] (escaped strings are decoded into new memory): they
// stay valid while those bytes are not modified. Use [Value.Clone] to keep a
// Value longer. The zero Value has no kind.
type Value struct {
	Kind Kind

	// System, Code and Text are the parts of a token; System and Code are
	// also a quantity's unit system and unit code.
	System, Code, Text string

	// TypeSystem and TypeCode are an Identifier's type coding.
	TypeSystem, TypeCode string

	// Ref is a reference as written ("Patient/123", an absolute URL, or a
	// canonical); RefType is Reference.type when present.
	Ref, RefType string

	// Str is a string or URI value.
	Str string

	// Low and High bound a date value: [Low, High) in UTC. A zero Low has
	// no lower bound and a zero High no upper bound (an open Period).
	Low, High time.Time

	// Num is a number or a quantity's value.
	Num float64

	// Unit is a quantity's human-readable unit.
	Unit string
}

// Clone returns a copy of v whose strings share no memory with the
// resource it came from.
func (v Value) Clone() Value {
	for _, p := range []*string{&v.System, &v.Code, &v.Text, &v.TypeSystem, &v.TypeCode,
		&v.Ref, &v.RefType, &v.Str, &v.Unit} {
		*p = strings.Clone(*p)
	}
	return v
}

// String formats the value for tests and debugging. It includes the
// value's contents, so it must not be logged.
func (v Value) String() string {
	switch v.Kind {
	case KindCode:
		return fmt.Sprintf("code %s|%s %q", v.System, v.Code, v.Text)
	case KindText:
		return fmt.Sprintf("text %q", v.Text)
	case KindIdentifierType:
		return fmt.Sprintf("of-type %s|%s|%s (%s)", v.TypeSystem, v.TypeCode, v.Code, v.System)
	case KindReference:
		return fmt.Sprintf("reference %s (%s)", v.Ref, v.RefType)
	case KindString:
		return fmt.Sprintf("string %q", v.Str)
	case KindURI:
		return fmt.Sprintf("uri %q", v.Str)
	case KindDate:
		return "date " + formatBound(v.Low) + " " + formatBound(v.High)
	case KindQuantity:
		return fmt.Sprintf("quantity %g %s|%s %q", v.Num, v.System, v.Code, v.Unit)
	case KindNumber:
		return fmt.Sprintf("number %g", v.Num)
	}
	return "invalid value"
}

func formatBound(t time.Time) string {
	if t.IsZero() {
		return "open"
	}
	return t.Format(time.RFC3339Nano)
}
