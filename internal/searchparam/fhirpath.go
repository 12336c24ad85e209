package searchparam

import (
	"errors"
	"fmt"
	"strings"
)

// errFHIRPath is the cause of every expression outside the supported
// FHIRPath subset.
var errFHIRPath = errors.New("FHIRPath not supported")

type stepKind uint8

const (
	stepRoot    stepKind = iota // the resource type that starts a path
	stepName                    // .name: a child element
	stepType                    // .ofType(T), .as(T) or "as T"
	stepResolve                 // .where(resolve() is T)
	stepField                   // .where(field='literal')
)

// step is one parsed step of a union term.
type step struct {
	kind  stepKind
	name  string // element name, type name, or field name
	value string // literal of a stepField
}

// parseTerm parses one union term: a path from a resource type, possibly
// in parentheses, with "as T" or a continuation after them.
func parseTerm(s string) ([]step, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("empty term: %w", errFHIRPath)
	}
	if s[0] == '(' {
		return parseParens(s)
	}
	if left, right, ok := cutTopLevel(s, " as "); ok {
		steps, err := parseTerm(left)
		if err != nil {
			return nil, err
		}
		return typeStep(steps, strings.TrimSpace(right))
	}
	return parseChain(s, true)
}

func parseParens(s string) ([]step, error) {
	end := closingParen(s, 0)
	if end < 0 {
		return nil, fmt.Errorf("unbalanced parentheses: %w", errFHIRPath)
	}
	steps, err := parseTerm(s[1:end])
	if err != nil || end == len(s)-1 {
		return steps, err
	}

	rest := s[end+1:]
	if rest[0] != '.' {
		return nil, fmt.Errorf("%q after parentheses: %w", rest, errFHIRPath)
	}
	more, err := parseChain(rest[1:], false)
	return append(steps, more...), err
}

func typeStep(steps []step, typ string) ([]step, error) {
	if !isIdent(typ) {
		return nil, fmt.Errorf("type %q: %w", typ, errFHIRPath)
	}
	return append(steps, step{kind: stepType, name: typ}), nil
}

// parseChain parses dot-separated steps; root says whether the first is the
// resource type.
func parseChain(s string, root bool) ([]step, error) {
	var steps []step
	for i, seg := range splitTopLevel(s, '.') {
		st, err := parseStep(seg)
		if err != nil {
			return nil, err
		}
		if i == 0 && root {
			if st.kind != stepName {
				return nil, fmt.Errorf("%q does not start with a type: %w", s, errFHIRPath)
			}
			st.kind = stepRoot
		}
		steps = append(steps, st)
	}
	return steps, nil
}

// parseStep parses one segment of a chain.
func parseStep(seg string) (step, error) {
	if isIdent(seg) {
		return step{kind: stepName, name: seg}, nil
	}
	fn, arg, ok := call(seg)
	switch {
	case !ok:
	case fn == "ofType" || fn == "as":
		if isIdent(arg) {
			return step{kind: stepType, name: arg}, nil
		}
	case fn == "where":
		return parseWhere(arg)
	}
	return step{}, fmt.Errorf("%q: %w", seg, errFHIRPath)
}

// parseWhere parses the two where() forms of the subset.
func parseWhere(arg string) (step, error) {
	if typ, ok := strings.CutPrefix(arg, "resolve() is "); ok && isIdent(typ) {
		return step{kind: stepResolve, name: typ}, nil
	}
	field, lit, ok := strings.Cut(arg, "=")
	field, lit = strings.TrimSpace(field), strings.TrimSpace(lit)
	if ok && isIdent(field) && len(lit) >= 2 && lit[0] == '\'' && lit[len(lit)-1] == '\'' &&
		!strings.ContainsAny(lit[1:len(lit)-1], `'\`) {
		return step{kind: stepField, name: field, value: lit[1 : len(lit)-1]}, nil
	}
	return step{}, fmt.Errorf("where(%s): %w", arg, errFHIRPath)
}

// call splits "fn(arg)" into its function name and argument.
func call(seg string) (fn, arg string, ok bool) {
	open := strings.IndexByte(seg, '(')
	if open <= 0 || closingParen(seg, open) != len(seg)-1 || !isIdent(seg[:open]) {
		return "", "", false
	}
	return seg[:open], strings.TrimSpace(seg[open+1 : len(seg)-1]), true
}

// closingParen returns the index of the parenthesis that closes the one at
// open, or -1.
func closingParen(s string, open int) int {
	depth, quoted := 0, false
	for i := open; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitTopLevel splits s at sep outside parentheses and string literals.
func splitTopLevel(s string, sep byte) []string {
	var parts []string
	depth, start, quoted := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// cutTopLevel cuts s around the first sep outside parentheses.
func cutTopLevel(s, sep string) (before, after string, found bool) {
	depth := 0
	for i := 0; i+len(sep) <= len(s); i++ {
		switch {
		case s[i] == '(':
			depth++
		case s[i] == ')':
			depth--
		case depth == 0 && s[i:i+len(sep)] == sep:
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c != '_' && (c < '0' || c > '9')) {
			return false
		}
	}
	return true
}
