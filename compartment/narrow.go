package compartment

import (
	"fmt"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// narrowing is what Config.Narrow returned for one type in one request:
// the constraints for the store and their criteria for the Guard's own
// check.
type narrowing struct {
	cs    Constraints
	crits [][]*searchparam.Criterion // per group; nil for a type-only condition
}

// narrowFor calls Config.Narrow once per type per request and compiles
// what it returns. An error from the hook, or a condition the Guard
// cannot evaluate, fails the request: narrowing must not be skipped.
func (rq *request) narrowFor(typ string) (*narrowing, error) {
	if n, ok := rq.narrowed[typ]; ok {
		return n, nil
	}
	cs, err := rq.g.cfg.Narrow(rq.ctx, rq.grant, typ)
	if err != nil {
		return nil, fmt.Errorf("compartment: Narrow for %s: %w", typ, err)
	}
	n, err := compileNarrowing(typ, cs)
	if err != nil {
		return nil, err
	}
	if rq.narrowed == nil {
		rq.narrowed = make(map[string]*narrowing)
	}
	rq.narrowed[typ] = n
	return n, nil
}

// compileNarrowing fills in the type of each condition and parses it.
func compileNarrowing(typ string, cs Constraints) (*narrowing, error) {
	n := &narrowing{cs: make(Constraints, 0, len(cs))}
	for _, group := range cs {
		g := make([]Condition, 0, len(group))
		crits := make([]*searchparam.Criterion, 0, len(group))
		for _, c := range group {
			if c.Type == "" {
				c.Type = typ
			}
			crit, err := conditionCriterion(c)
			if err != nil {
				return nil, fmt.Errorf("compartment: Narrow for %s returned condition on %q: %w",
					typ, c.Param, err)
			}
			g = append(g, c)
			crits = append(crits, crit)
		}
		n.cs = append(n.cs, g)
		n.crits = append(n.crits, crits)
	}
	return n, nil
}

// conditionCriterion parses a condition, or returns nil for a condition
// on the type alone.
func conditionCriterion(c Condition) (*searchparam.Criterion, error) {
	if c.Param == "" {
		return nil, nil
	}
	key := c.Param
	if c.Modifier != "" {
		key += ":" + c.Modifier
	}
	return searchparam.ParseCriterion(c.Type, key, c.Value)
}

// matches reports whether a resource of type typ meets every group. A
// resource that cannot be read meets none.
func (n *narrowing) matches(typ string, data []byte) bool {
	for i, group := range n.cs {
		if !groupMatches(typ, group, n.crits[i], data) {
			return false
		}
	}
	return true
}

// groupMatches reports whether one condition of a group holds.
func groupMatches(typ string, group []Condition, crits []*searchparam.Criterion,
	data []byte) bool {
	for j, c := range group {
		if c.Type != typ {
			continue
		}
		if crits[j] == nil {
			return true
		}
		if ok, err := crits[j].MatchResource(data); err == nil && ok {
			return true
		}
	}
	return false
}
