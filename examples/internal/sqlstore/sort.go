package sqlstore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// orderBy returns the ORDER BY clause of the _sort keys: each parameter's
// lowest value ascending (its highest descending), resources without a
// value last, and then the order the versions were written in, which is
// also the order without _sort.
func orderBy(types []string, keys []compartment.SortKey) (cond, error) {
	var parts []string
	var args []any
	for _, k := range keys {
		expr, err := sortExpr(types, k)
		if err != nil {
			return cond{}, err
		}
		dir := " ASC NULLS LAST"
		if k.Descending {
			dir = " DESC NULLS LAST"
		}
		parts = append(parts, expr+dir)
		if k.Param != "_id" {
			args = append(args, k.Param)
		}
	}
	parts = append(parts, "v.seq")
	return cond{sql: strings.Join(parts, ", "), args: args}, nil
}

// sortExpr returns the SQL value a key sorts by, with a placeholder for
// the parameter name unless the key is _id.
func sortExpr(types []string, k compartment.SortKey) (string, error) {
	if k.Param == "_id" {
		return "v.id", nil
	}
	col, err := sortColumn(types, k)
	if err != nil {
		return "", err
	}
	agg := "min"
	if k.Descending {
		agg = "max"
	}
	// Element rows have no value to sort by.
	where := "WHERE i.vseq = v.seq AND i.param = ? AND i.kind <> " + strconv.Itoa(kindElement)
	return "(SELECT " + agg + "(i." + col + ") FROM search_index i " + where + ")", nil
}

// sortColumn returns the index column a parameter sorts by, which its
// type decides; every searched type must define the parameter.
func sortColumn(types []string, k compartment.SortKey) (string, error) {
	var typ searchparam.Type
	for _, t := range types {
		d, ok := searchparam.Lookup(t, k.Param)
		if !ok || !d.Supported() {
			return "", fmt.Errorf("sqlstore: cannot sort %s by %s: %w", t, k.Param,
				compartment.ErrInvalid)
		}
		typ = d.Type
	}
	switch typ {
	case searchparam.Date:
		if k.Descending {
			return "high", nil
		}
		return "low", nil
	case searchparam.Number, searchparam.Quantity:
		return "num", nil
	case searchparam.String:
		return "norm", nil
	case searchparam.Reference:
		return "ref", nil
	case searchparam.URI:
		return "str", nil
	}
	return "code", nil
}
