package sqlstore

import (
	"fmt"
	"math"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// The kinds of index rows, as SQL arguments.
const (
	kindCode     = int(searchparam.KindCode)
	kindText     = int(searchparam.KindText)
	kindOfType   = int(searchparam.KindIdentifierType)
	kindRef      = int(searchparam.KindReference)
	kindString   = int(searchparam.KindString)
	kindDate     = int(searchparam.KindDate)
	kindURI      = int(searchparam.KindURI)
	kindQuantity = int(searchparam.KindQuantity)
	kindNumber   = int(searchparam.KindNumber)
)

// paramCond returns the condition that a resource of type typ meets the
// search parameter name[:mod]=value, value being the comma-separated
// alternatives with their escapes. searchparam.ParseCriterion checks the
// parameter, modifier and values first, so that this store refuses what
// the decorator's re-check could not evaluate.
func paramCond(typ, name, mod, value string) (cond, error) {
	key := name
	if mod != "" {
		key += ":" + mod
	}
	crit, err := searchparam.ParseCriterion(typ, key, value)
	if err != nil {
		return cond{}, fmt.Errorf("sqlstore: %w: %w", compartment.ErrInvalid, err)
	}
	if mod == "missing" {
		return hasValue(name, condTrue, value == "true"), nil
	}
	var alts []cond
	for _, raw := range splitEscaped(value, ',') {
		c, err := valueCond(crit.Def, mod, raw)
		if err != nil {
			return cond{}, fmt.Errorf("sqlstore: %w: parameter %s: %w", compartment.ErrInvalid,
				key, err)
		}
		alts = append(alts, c)
	}
	return hasValue(name, or(alts...), mod == "not"), nil
}

// valueCond returns the condition on an index row of one search value.
func valueCond(d *searchparam.Def, mod, raw string) (cond, error) {
	switch d.Type {
	case searchparam.Token:
		return tokenCond(mod, raw), nil
	case searchparam.Reference:
		return referenceCond(d, mod, unescape(raw)), nil
	case searchparam.String:
		return stringCond(mod, unescape(raw)), nil
	case searchparam.URI:
		return uriCond(mod, unescape(raw)), nil
	case searchparam.Date:
		return dateCond(unescape(raw))
	case searchparam.Number:
		p, rest := cutPrefix(unescape(raw))
		c, err := numberCond(p, rest)
		return and(sqlCond("i.kind = ?", kindNumber), c), err
	case searchparam.Quantity:
		return quantityCond(raw)
	}
	return cond{}, fmt.Errorf("%s parameters are not supported", d.Type)
}

// tokenCond matches "code", "|code", "system|code" and "system|", and
// the :text and :of-type forms.
func tokenCond(mod, raw string) cond {
	switch mod {
	case "text":
		prefix := searchparam.Fold(unescape(raw))
		return sqlCond("i.kind IN (?, ?) AND i.text <> '' AND substr(i.text, 1, length(?)) = ?",
			kindCode, kindText, prefix, prefix)
	case "of-type":
		p := splitEscaped(raw, '|')
		return sqlCond("i.kind = ? AND i.tsys = ? AND i.tcode = ? AND i.code = ?",
			kindOfType, unescape(p[0]), unescape(p[1]), unescape(p[2]))
	}
	p := splitEscaped(raw, '|')
	if len(p) == 1 {
		return sqlCond("i.kind = ? AND i.code = ?", kindCode, unescape(p[0]))
	}
	system, code := unescape(p[0]), unescape(p[1])
	if code == "" {
		return sqlCond("i.kind = ? AND i.sys = ?", kindCode, system)
	}
	return sqlCond("i.kind = ? AND i.sys = ? AND i.code = ?", kindCode, system, code)
}

// referenceCond matches "Type/id", an absolute URL to Type/id (with the
// same base), a bare ID (typed by the modifier or the parameter's only
// target) and any other URL as written.
func referenceCond(d *searchparam.Def, mod, ref string) cond {
	if base, typ, id, ok := searchparam.ParseReferenceURL(ref); ok {
		return sqlCond("i.kind = ? AND i.ref_type = ? AND i.ref_id = ? AND i.ref_base = ?",
			kindRef, typ, id, base)
	}
	if !isID(ref) {
		return sqlCond("i.kind = ? AND i.ref = ?", kindRef, ref)
	}
	typ := mod
	if typ == "" && len(d.Targets) == 1 {
		typ = d.Targets[0]
	}
	return sqlCond("i.kind = ? AND i.ref_type = ? AND i.ref_id = ? AND i.ref_base = ''",
		kindRef, typ, ref)
}

// stringCond matches a folded prefix, :contains anywhere, :exact exactly.
func stringCond(mod, s string) cond {
	switch mod {
	case "exact":
		return sqlCond("i.kind = ? AND i.str = ?", kindString, s)
	case "contains":
		return sqlCond("i.kind = ? AND instr(i.norm, ?) > 0", kindString, searchparam.Fold(s))
	}
	s = searchparam.Fold(s)
	return sqlCond("i.kind = ? AND substr(i.norm, 1, length(?)) = ?", kindString, s, s)
}

// uriCond matches the URI, with :below the URIs it prefixes and with
// :above those that prefix it.
func uriCond(mod, uri string) cond {
	switch mod {
	case "below":
		return sqlCond("i.kind = ? AND substr(i.str, 1, length(?)) = ?", kindURI, uri, uri)
	case "above":
		return sqlCond("i.kind = ? AND substr(?, 1, length(i.str)) = i.str", kindURI, uri)
	}
	return sqlCond("i.kind = ? AND i.str = ?", kindURI, uri)
}

// numberCond compares i.num with a number under prefix p: eq, ne, sa and
// eb use the value's precision, gt, lt, ge and le the exact value, ap a
// margin of a tenth of the value.
func numberCond(p, s string) (cond, error) {
	val, half, err := parseNumber(s)
	if err != nil {
		return cond{}, err
	}
	lo, hi := val-half, val+half
	switch p {
	case "ne":
		return sqlCond("i.num < ? OR i.num >= ?", lo, hi), nil
	case "gt":
		return sqlCond("i.num > ?", val), nil
	case "lt":
		return sqlCond("i.num < ?", val), nil
	case "ge":
		return sqlCond("i.num >= ?", val), nil
	case "le":
		return sqlCond("i.num <= ?", val), nil
	case "sa":
		return sqlCond("i.num >= ?", hi), nil
	case "eb":
		return sqlCond("i.num < ?", lo), nil
	case "ap":
		return sqlCond("abs(i.num - ?) <= ?", val, math.Max(math.Abs(val)/10, half)), nil
	}
	return sqlCond("i.num >= ? AND i.num < ?", lo, hi), nil
}

// quantityCond matches "[prefix]number[|system|code]": without a system
// the code is compared with the unit code and the human unit.
func quantityCond(raw string) (cond, error) {
	parts := splitEscaped(raw, '|')
	p, rest := cutPrefix(unescape(parts[0]))
	num, err := numberCond(p, rest)
	if err != nil {
		return cond{}, err
	}
	c := and(sqlCond("i.kind = ?", kindQuantity), num)
	if len(parts) != 3 {
		return c, nil
	}
	system, code := unescape(parts[1]), unescape(parts[2])
	switch {
	case system == "" && code == "":
		return c, nil
	case system == "":
		return and(c, sqlCond("i.code = ? OR i.unit = ?", code, code)), nil
	case code == "":
		return and(c, sqlCond("i.sys = ?", system)), nil
	}
	return and(c, sqlCond("i.sys = ? AND i.code = ?", system, code)), nil
}
