package compartment

import (
	"slices"
	"strings"

	"github.com/fhirguard/fhirguard/smart"
)

// maxGroups bounds the OR-groups of the constraints of one type. The OR of
// several paths is turned into an AND of OR-groups by distribution, which
// multiplies group counts; past the bound the Guard sends only the groups
// every path shares (a weaker constraint) and filters the rest itself.
const maxGroups = 64

// prepare resolves what checking resources under p needs from the
// request: the compartment's patients and the Narrow constraints. Their
// errors fail the request.
func (rq *request) prepare(p *policy) error {
	if p.needs(pathMember) {
		if _, err := rq.compartment(); err != nil {
			return err
		}
	}
	if p.needs(pathNarrow) {
		if _, err := rq.narrowFor(p.ti.name); err != nil {
			return err
		}
	}
	return nil
}

// constraintsFor returns the constraints that select, among the resources
// of p's type, those p's paths admit, and whether they select exactly
// those, so that a match failing the paths shows a storage defect.
// Custom rules are not part of the constraints: the Guard applies them.
// Constraints that depend only on the policy and the compartment are
// cached on the policy, since one patient's app repeats its requests.
func (rq *request) constraintsFor(p *policy) (Constraints, bool, error) {
	if err := rq.prepare(p); err != nil {
		return nil, false, err
	}
	if p.needs(pathNarrow) {
		return rq.buildConstraints(p)
	}
	key := compartmentKey(rq.ids)
	if c, ok := p.cachedConstraints(key); ok {
		return c.cs, c.exact, nil
	}
	cs, exact, err := rq.buildConstraints(p)
	if err == nil {
		p.cacheConstraints(key, slices.Clip(cs), exact)
	}
	return slices.Clip(cs), exact, err
}

// buildConstraints computes the constraints of a policy for the request.
func (rq *request) buildConstraints(p *policy) (Constraints, bool, error) {
	if len(p.paths) == 1 {
		cs, err := rq.pathConstraints(p, p.paths[0])
		return cs, !p.needs(pathBinary), err
	}
	cnfs := make([]Constraints, 0, len(p.paths))
	for _, a := range p.paths {
		cnf, err := rq.pathConstraints(p, a)
		if err != nil {
			return nil, false, err
		}
		cnfs = append(cnfs, cnf)
	}
	cs, exact := orConstraints(cnfs)
	return cs, exact && !p.needs(pathBinary), nil
}

// compartmentKey identifies a compartment by its patients' IDs.
func compartmentKey(ids []string) string {
	if len(ids) == 1 {
		return ids[0]
	}
	return strings.Join(ids, ",")
}

// pathConstraints returns the constraints of one access path.
func (rq *request) pathConstraints(p *policy, a accessPath) (Constraints, error) {
	n := 1
	for _, i := range a.criteria {
		n += len(p.criteria[i].groups)
	}
	cs := make(Constraints, 0, n)
	switch a.kind {
	case pathMember:
		cs = append(cs, rq.memberGroup(p.ti))
	case pathNarrow:
		n, err := rq.narrowFor(p.ti.name)
		if err != nil {
			return nil, err
		}
		cs = append(cs, n.cs...)
	}
	for _, i := range a.criteria {
		cs = append(cs, p.criteria[i].groups...)
	}
	return cs, nil
}

// memberGroup returns the OR-group of a type's membership parameters,
// each equal to each patient of the compartment. For an ownerless type
// (Device) it adds param:missing=true, the resources that belong to no
// patient; the type has a single membership parameter, so that is the
// check's rule exactly.
func (rq *request) memberGroup(ti *typeInfo) []Condition {
	ids, _ := rq.compartment() // resolved by prepare
	refs := rq.patientRefs()
	g := make([]Condition, 0, len(ti.members)*(len(refs)+1))
	for _, d := range ti.members {
		if d.Name == "_id" {
			for _, id := range ids {
				g = append(g, Condition{Type: ti.name, Param: "_id", Value: id})
			}
			continue
		}
		for _, ref := range refs {
			g = append(g, Condition{Type: ti.name, Param: d.Name, Value: ref})
		}
		if ti.ownerless {
			g = append(g, Condition{Type: ti.name, Param: d.Name, Modifier: "missing",
				Value: "true"})
		}
	}
	return g
}

// orConstraints returns the OR of several constraints, as constraints,
// and whether the result is exact. An empty constraint admits everything.
func orConstraints(cnfs []Constraints) (Constraints, bool) {
	if len(cnfs) == 0 {
		return Constraints{{}}, true // no path: nothing matches
	}
	for _, c := range cnfs {
		if len(c) == 0 {
			return nil, true
		}
	}
	out := cnfs[0]
	for _, c := range cnfs[1:] {
		if len(out)*len(c) > maxGroups {
			return sharedGroups(cnfs), false
		}
		out = distribute(out, c)
	}
	return out, true
}

// distribute returns (a1 AND a2 ...) OR (b1 AND b2 ...) as the AND of every
// (ai OR bj).
func distribute(a, b Constraints) Constraints {
	out := make(Constraints, 0, len(a)*len(b))
	for _, ga := range a {
		for _, gb := range b {
			g := slices.Clone(ga)
			for _, c := range gb {
				if !slices.Contains(g, c) {
					g = append(g, c)
				}
			}
			if !containsGroup(out, g) {
				out = append(out, g)
			}
		}
	}
	return out
}

// sharedGroups returns the groups present in every constraint: a weaker
// constraint that every path implies.
func sharedGroups(cnfs []Constraints) Constraints {
	var out Constraints
	for _, g := range cnfs[0] {
		shared := true
		for _, c := range cnfs[1:] {
			shared = shared && containsGroup(c, g)
		}
		if shared {
			out = append(out, g)
		}
	}
	return out
}

// containsGroup reports whether cs has a group with the same conditions
// as g, in any order.
func containsGroup(cs Constraints, g []Condition) bool {
	for _, h := range cs {
		if len(h) == len(g) && subset(g, h) {
			return true
		}
	}
	return false
}

// subset reports whether every condition of a is in b.
func subset(a, b []Condition) bool {
	for _, c := range a {
		if !slices.Contains(b, c) {
			return false
		}
	}
	return true
}

// mergeTypes combines per-type constraints (per[i] for policies[i]) into the constraints of a query
// across types, using conditions that hold only on their own type: group k
// is the union of every type's group k, and a type with fewer groups
// contributes "any resource of the type" (Type:*). A resource of type T
// then meets group k exactly when it meets T's group k.
func mergeTypes(policies []*policy, per []Constraints) Constraints {
	if len(per) == 1 {
		return per[0]
	}
	n := 0
	for _, cs := range per {
		n = max(n, len(cs))
	}
	if n == 0 {
		return nil
	}
	out := make(Constraints, n)
	for k := range n {
		for i, p := range policies {
			if k < len(per[i]) {
				out[k] = append(out[k], per[i][k]...)
			} else {
				out[k] = append(out[k], Condition{Type: p.ti.name})
			}
		}
	}
	return out
}

// typeGroup returns the group that admits exactly the resources of types.
func typeGroup(types []string) []Condition {
	g := make([]Condition, len(types))
	for i, t := range types {
		g[i] = Condition{Type: t}
	}
	return g
}

// permFor returns the permission a search-like interaction needs.
func permFor(instance bool) smart.Permissions {
	if instance {
		return smart.PermRead
	}
	return smart.PermSearch
}
