package sqlstore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// live selects the current, undeleted versions.
var live = sqlCond("v.current = 1 AND v.json IS NOT NULL")

// queryCond returns the condition selecting the current resources of one
// of types that meet q: its compartment, its parameters and its
// constraints. Chained and _has parameters become nested subqueries, so
// that the whole search is one statement.
func queryCond(types []string, q compartment.Query) (cond, error) {
	constraints, err := constraintsCond(q.Constraints, func(t string) bool {
		return slices.Contains(types, t)
	})
	if err != nil {
		return cond{}, err
	}
	per := make([]cond, 0, len(types))
	for _, t := range types {
		c, err := typeCond(t, q)
		if err != nil {
			return cond{}, err
		}
		per = append(per, c)
	}
	return and(live, constraints, or(per...)), nil
}

// typeCond returns the condition that a resource is of type t and meets
// the compartment and parameters of q, which apply to each searched type.
func typeCond(t string, q compartment.Query) (cond, error) {
	if searchparam.Defs(t) == nil {
		return cond{}, fmt.Errorf("sqlstore: unknown resource type: %w", compartment.ErrInvalid)
	}
	parts := []cond{sqlCond("v.type = ?", t)}
	if !q.Compartment.IsZero() {
		c, err := compartmentCond(t, q.Compartment)
		if err != nil {
			return cond{}, err
		}
		parts = append(parts, c)
	}
	for _, p := range q.Params {
		c, err := searchCond(t, p)
		if err != nil {
			return cond{}, err
		}
		parts = append(parts, c)
	}
	return and(parts...), nil
}

// searchCond returns the condition of one client parameter on type t.
func searchCond(t string, p compartment.Param) (cond, error) {
	switch {
	case p.Has != nil:
		return hasCond(t, p.Has)
	case len(p.Chain) > 0:
		return chainCond(t, p)
	}
	return paramCond(t, p.Name, p.Modifier, strings.Join(p.Values, ","))
}

// constraintsCond returns the condition of the decorator's constraints:
// in every group, one condition holds, and a condition holds only for
// resources of its type. An empty group holds for nothing. Conditions on
// types that relevant reports false for are left out: they hold for no
// resource the statement can select.
func constraintsCond(cs compartment.Constraints, relevant func(string) bool) (cond, error) {
	groups := make([]cond, 0, len(cs))
	for _, g := range cs {
		alts := make([]cond, 0, len(g))
		for _, c := range g {
			if !relevant(c.Type) {
				continue
			}
			typed := sqlCond("v.type = ?", c.Type)
			if c.Param == "" {
				alts = append(alts, typed)
				continue
			}
			pc, err := paramCond(c.Type, c.Param, c.Modifier, c.Value)
			if err != nil {
				return cond{}, err
			}
			alts = append(alts, and(typed, pc))
		}
		groups = append(groups, or(alts...))
	}
	return and(groups...), nil
}

// compartmentCond returns the condition that a resource of type t is in
// the Patient compartment c: through any of the type's compartment
// parameters, or, for the Patient, by being it.
func compartmentCond(t string, c compartment.CompartmentRef) (cond, error) {
	if c.Type != "Patient" || !isID(c.ID) {
		return cond{}, fmt.Errorf("sqlstore: only Patient compartments are supported: %w",
			compartment.ErrInvalid)
	}
	var alts []cond
	if t == "Patient" {
		alts = append(alts, sqlCond("v.id = ?", c.ID))
	}
	for _, name := range searchparam.CompartmentParams(t) {
		pc, err := paramCond(t, name, "", "Patient/"+c.ID)
		if err != nil {
			return cond{}, err
		}
		alts = append(alts, pc)
	}
	return or(alts...), nil
}

// chainCond returns the condition of a chained parameter such as
// subject:Patient.name=x on type t: the parameter's relative references
// point to a current resource of a target type that meets the rest of the
// chain.
func chainCond(t string, p compartment.Param) (cond, error) {
	d, ok := searchparam.Lookup(t, p.Name)
	if !ok || d.Type != searchparam.Reference {
		return cond{}, fmt.Errorf("sqlstore: %s cannot be chained: %w", p.Name,
			compartment.ErrInvalid)
	}
	link := p.Chain[0]
	inner := compartment.Param{Name: link.Name, Chain: p.Chain[1:], Modifier: p.Modifier,
		Values: p.Values}
	var targets []string
	for _, target := range d.Targets {
		if _, has := searchparam.Lookup(target, link.Name); has &&
			(link.Type == "" || link.Type == target) {
			targets = append(targets, target)
		}
	}
	sub, err := queryCond(targets, compartment.Query{Params: []compartment.Param{inner}})
	if err != nil || sub.sql == condFalse.sql {
		return sub, err
	}
	rows := cond{sql: "i.kind = ? AND i.ref_base = '' AND (i.ref_type, i.ref_id) IN " +
		"(SELECT v.type, v.id FROM version v WHERE " + sub.sql + ")",
		args: append([]any{kindRef}, sub.args...)}
	return hasValue(p.Name, rows, false), nil
}

// hasCond returns the condition of _has:Type:ref:param=x on type t: a
// current resource of Type that meets param points to the resource
// through a relative reference of ref.
func hasCond(t string, h *compartment.Has) (cond, error) {
	d, ok := searchparam.Lookup(h.Type, h.Ref)
	if !ok || d.Type != searchparam.Reference {
		return cond{}, fmt.Errorf("sqlstore: _has needs a reference parameter: %w",
			compartment.ErrInvalid)
	}
	sub, err := queryCond([]string{h.Type}, compartment.Query{Params: []compartment.Param{h.Param}})
	if err != nil {
		return cond{}, err
	}
	return cond{sql: "(v.type, v.id) IN (SELECT i.ref_type, i.ref_id FROM search_index i " +
		"WHERE i.param = ? AND i.kind = ? AND i.ref_base = '' AND i.vseq IN " +
		"(SELECT v.seq FROM version v WHERE " + sub.sql + "))",
		args: append([]any{h.Ref, kindRef}, sub.args...)}, nil
}
