package compartment

import (
	"errors"
	"strings"

	"github.com/fhirguard/fhirguard/internal/searchparam"
	"github.com/fhirguard/fhirguard/smart"
)

// maxCriteria bounds the granular conditions of one policy: the predicate
// keeps their results in one 64-bit word. Scopes past it grant nothing and
// are reported.
const maxCriteria = 64

// addGranular compiles the conditions of a granular scope into criteria of
// p and returns their indexes. A scope with a condition that cannot be
// enforced grants nothing: it is recorded in p.unenforceable and false is
// returned.
func (p *policy) addGranular(s smart.Scope) ([]int, bool) {
	start := len(p.criteria)
	idx := make([]int, 0, len(s.Params))
	for _, prm := range s.Params {
		gc, err := compileCondition(p.ti.name, prm)
		if err == nil && len(p.criteria) == maxCriteria {
			err = errors.New("too many granular conditions on one type")
		}
		if err != nil {
			p.criteria = p.criteria[:start]
			p.unenforceable = append(p.unenforceable, scopeProblem{scope: s.Raw, reason: err.Error()})
			return nil, false
		}
		idx = append(idx, len(p.criteria))
		p.criteria = append(p.criteria, gc)
	}
	return idx, true
}

// compileCondition turns one condition of a granular scope into the
// criterion the Guard evaluates on resources and the alternatives the
// store applies. Both come from the R4 definition of the parameter for
// the type.
func compileCondition(typ string, prm smart.Param) (granular, error) {
	crit, err := searchparam.ParseCriterion(typ, prm.Name, prm.Value)
	if err != nil {
		return granular{}, err
	}
	name, mod, _ := strings.Cut(prm.Name, ":")
	vals, verr := splitValues(prm.Value, name)
	if verr != nil {
		return granular{}, verr
	}
	gc := granular{crit: crit, missing: mod == "missing" && prm.Value == "true"}
	var group []Condition
	for _, v := range vals {
		c := Condition{Type: typ, Param: name, Modifier: mod, Value: v}
		if mod == "not" {
			// code:not=a,b excludes both: one group per value.
			gc.groups = append(gc.groups, []Condition{c})
			continue
		}
		group = append(group, c)
	}
	if group != nil {
		gc.groups = append(gc.groups, group)
	}
	return gc, nil
}

// holds decides a criterion from what one extraction pass saw: whether
// some value matched (found) and whether the parameter has an element,
// with a value or not (present, as searchparam's :missing decides it).
// :not and :missing are decided over the whole resource, as FHIR search
// defines them.
func (gc *granular) holds(found, present bool) bool {
	switch gc.crit.Modifier {
	case "not":
		return !found
	case "missing":
		return present != gc.missing
	}
	return found
}
