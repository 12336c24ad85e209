package searchparam

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// numberMatcher compares a number with a search number, whose precision
// gives it a range: "100" stands for [99.5, 100.5), "100.00" for
// [99.995, 100.005).
type numberMatcher struct {
	p         prefix
	val, half float64
}

func newNumberMatcher(s string) (matcher, error) {
	p, rest, err := cutPrefix(s)
	if err != nil {
		return nil, err
	}
	val, half, ok := parseNumber(rest)
	if !ok {
		return nil, fmt.Errorf("%w: not a number", ErrInvalidValue)
	}
	return numberMatcher{p, val, half}, nil
}

// parseNumber reads a decimal number and half of its last digit's unit.
func parseNumber(s string) (val, half float64, ok bool) {
	if numberEnd([]byte(s), 0) != len(s) {
		return 0, 0, false
	}
	val, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, 0, false
	}

	mant, exp, _ := strings.Cut(strings.ToLower(s), "e")
	e, _ := strconv.Atoi(exp)
	if _, frac, found := strings.Cut(mant, "."); found {
		e -= len(frac)
	}
	return val, 0.5 * math.Pow(10, float64(e)), true
}

func (m numberMatcher) match(v Value) bool {
	return v.Kind == KindNumber && m.compare(v.Num)
}

// compare applies the prefix: eq and ne use the search value's precision,
// gt, lt, ge and le the exact value, sa and eb the ends of the precision
// range, and ap a margin of a tenth of the value.
func (m numberMatcher) compare(n float64) bool {
	switch m.p {
	case ne:
		return n < m.val-m.half || n >= m.val+m.half
	case gt:
		return n > m.val
	case lt:
		return n < m.val
	case ge:
		return n >= m.val
	case le:
		return n <= m.val
	case sa:
		return n >= m.val+m.half
	case eb:
		return n < m.val-m.half
	case ap:
		return math.Abs(n-m.val) <= math.Max(math.Abs(m.val)/10, m.half)
	}
	return n >= m.val-m.half && n < m.val+m.half
}

// quantityMatcher matches "[prefix]number[|system|code]". Without a system
// the code is compared with both the unit code and the human unit, as R4
// says. Known gaps: units are not converted (no UCUM canonical forms), so
// "5.4|http://unitsofmeasure.org|mg" does not match a value in g; and a
// Quantity's comparator is not read, so a value "<5" counts as 5.
type quantityMatcher struct {
	num          numberMatcher
	system, code string
	hasUnit      bool
}

func newQuantityMatcher(raw string) (matcher, error) {
	parts, err := splitEscaped(raw, '|')
	if err != nil {
		return nil, err
	}
	if len(parts) != 1 && len(parts) != 3 {
		return nil, fmt.Errorf("%w: a quantity is number or number|system|code", ErrInvalidValue)
	}
	num, err := newNumberMatcher(unescapeParam(parts[0]))
	if err != nil {
		return nil, err
	}
	m := quantityMatcher{num: num.(numberMatcher)}
	if len(parts) == 3 {
		m.system, m.code = unescapeParam(parts[1]), unescapeParam(parts[2])
		m.hasUnit = m.system != "" || m.code != ""
	}
	return m, nil
}

func (m quantityMatcher) match(v Value) bool {
	switch {
	case v.Kind != KindQuantity || !m.num.compare(v.Num):
		return false
	case !m.hasUnit:
		return true
	case m.system == "":
		return v.Code == m.code || v.Unit == m.code
	}
	return v.System == m.system && (m.code == "" || v.Code == m.code)
}
