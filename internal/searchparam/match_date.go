package searchparam

import (
	"fmt"
	"time"
)

// prefix is a comparison prefix of date, number and quantity searches.
type prefix uint8

const (
	eq prefix = iota
	ne
	gt
	lt
	ge
	le
	sa
	eb
	ap
)

var prefixes = [...]string{eq: "eq", ne: "ne", gt: "gt", lt: "lt", ge: "ge", le: "le",
	sa: "sa", eb: "eb", ap: "ap"}

// cutPrefix splits the prefix off a search value. Two lower-case letters
// that are not a prefix are an error naming them.
func cutPrefix(s string) (prefix, string, error) {
	if len(s) < 2 || s[0] < 'a' || s[0] > 'z' || s[1] < 'a' || s[1] > 'z' {
		return eq, s, nil
	}
	for p, name := range prefixes {
		if s[:2] == name {
			return prefix(p), s[2:], nil
		}
	}
	return eq, s, fmt.Errorf("%w: prefix %q", ErrUnsupported, s[:2])
}

// dateMatcher compares a target range with the range of a search date.
type dateMatcher struct {
	p         prefix
	low, high time.Time
}

func newDateMatcher(s string) (matcher, error) {
	p, rest, err := cutPrefix(s)
	if err != nil {
		return nil, err
	}
	low, high, ok := parseDate(rest)
	if !ok {
		return nil, fmt.Errorf("%w: not a FHIR date", ErrInvalidValue)
	}
	return dateMatcher{p, low, high}, nil
}

// match applies R4's range semantics: eq when the search range contains
// the target, gt when the target extends after the search range, sa when
// it starts after it, and so on. An open Period bound is infinite. ap is
// read as an overlap with the search range widened by a tenth of its
// length on each side (R4 leaves the width to the server).
func (m dateMatcher) match(v Value) bool {
	if v.Kind != KindDate {
		return false
	}
	tl, th := v.Low, v.High
	switch m.p {
	case ne:
		return !contains(m.low, m.high, tl, th)
	case gt:
		return th.IsZero() || th.After(m.high)
	case lt:
		return tl.IsZero() || tl.Before(m.low)
	case ge:
		return th.IsZero() || th.After(m.high) || contains(m.low, m.high, tl, th)
	case le:
		return tl.IsZero() || tl.Before(m.low) || contains(m.low, m.high, tl, th)
	case sa:
		return !tl.IsZero() && !tl.Before(m.high)
	case eb:
		return !th.IsZero() && !th.After(m.low)
	case ap:
		margin := m.high.Sub(m.low) / 10
		return overlaps(m.low.Add(-margin), m.high.Add(margin), tl, th)
	}
	return contains(m.low, m.high, tl, th)
}

// contains reports whether [low, high) contains the target [tl, th), whose
// zero bounds are open.
func contains(low, high, tl, th time.Time) bool {
	return !tl.IsZero() && !th.IsZero() && !tl.Before(low) && !th.After(high)
}

// overlaps reports whether [low, high) and the target [tl, th) intersect.
func overlaps(low, high, tl, th time.Time) bool {
	return (tl.IsZero() || tl.Before(high)) && (th.IsZero() || th.After(low))
}
