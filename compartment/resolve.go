package compartment

import (
	"slices"

	"github.com/fhirguard/fhirguard/internal/searchparam"
	"github.com/fhirguard/fhirguard/smart"
)

// resolvePageSize is the page size of the inner searches that resolve
// chained and _has parameters, and maxInnerPages bounds the pages the
// Guard reads for one inner search or count, so that a store that never
// ends its pages cannot hold a request forever.
const (
	resolvePageSize = 500
	maxInnerPages   = 1000
)

// resolveAll replaces the chained and _has parameters of the plan's query
// that reach a type the grant sees only in part. A chain that reaches
// only types the grant sees whole is left for the store, which evaluates
// it faster.
func (rq *request) resolveAll(plan *searchPlan) error {
	q := &plan.query
	if !slices.ContainsFunc(q.Params, func(p Param) bool { return len(p.Chain) > 0 || p.Has != nil }) {
		return nil
	}
	params := make([]Param, 0, len(q.Params))
	for _, p := range q.Params {
		if len(p.Chain) == 0 && p.Has == nil {
			params = append(params, p)
			continue
		}
		if q.Type == "" {
			return invalidParam("bad_chain", "chains and _has need a search on one type", p.Name)
		}
		np, empty, err := rq.resolve(q.Type, p)
		if err != nil {
			return err
		}
		if empty {
			plan.empty = true
			return nil
		}
		params = append(params, np)
	}
	q.Params = params
	return nil
}

// resolve resolves one chained or _has parameter on type typ. It returns
// the parameter to send to the store, or empty when no resource can meet
// it.
func (rq *request) resolve(typ string, p Param) (Param, bool, error) {
	if p.Has != nil {
		return rq.resolveHas(typ, p)
	}
	return rq.resolveChain(typ, p)
}

// resolveChain resolves subject:Patient.name=x on typ: it searches the
// chain's target types for name=x through the Guard and replaces the
// parameter by subject=Patient/1,Patient/2,... A target type the grant
// cannot search is refused when the client named it and left out
// otherwise.
func (rq *request) resolveChain(typ string, p Param) (Param, bool, error) {
	if rq.passable(typ, p) {
		return p, false, nil
	}
	link := p.Chain[0]
	targets, err := rq.chainTargets(typ, p.Name, link)
	if err != nil {
		return Param{}, false, err
	}

	inner := Param{Name: link.Name, Chain: p.Chain[1:], Modifier: p.Modifier, Values: p.Values}
	var refs []string
	for _, t := range targets {
		ids, err := rq.collect(Query{Type: t, Params: []Param{inner}}, nil)
		if err != nil {
			return Param{}, false, err
		}
		for _, id := range ids {
			refs = append(refs, t+"/"+id)
		}
	}
	if len(refs) == 0 {
		return Param{}, true, nil
	}
	return Param{Name: p.Name, Values: refs}, false, nil
}

// chainTargets returns the target types of a chain link that have the
// link's parameter and that the grant may search. A type the client named
// and the grant cannot search is refused, as is a chain that reaches no
// searchable type.
func (rq *request) chainTargets(typ, name string, link ChainLink) ([]string, error) {
	var targets []string
	for _, t := range linkTargets(typ, name, link) {
		if len(rq.policy(lookupType(t), smart.PermSearch).paths) > 0 {
			targets = append(targets, t)
		} else if link.Type != "" {
			return nil, rq.refuse("chain_not_granted", t, "a chain reaches a type without a scope")
		}
	}
	if len(targets) == 0 {
		return nil, rq.refuse("chain_not_granted", typ, "a chain reaches no type with a scope")
	}
	return targets, nil
}

// linkTargets returns the types a chain link from typ's reference
// parameter name can reach: the link's type, or every target type of the
// parameter that has the link's parameter.
func linkTargets(typ, name string, link ChainLink) []string {
	d, ok := searchparam.Lookup(typ, name)
	if !ok || d.Type != searchparam.Reference {
		return nil
	}
	var out []string
	for _, t := range d.Targets {
		if _, has := searchparam.Lookup(t, link.Name); has && (link.Type == "" || t == link.Type) {
			out = append(out, t)
		}
	}
	return out
}

// passable reports whether a parameter can go to the store as it is:
// every type its chains and _has reach is one the grant sees whole, so
// the store's evaluation cannot test anything the grant could not.
func (rq *request) passable(typ string, p Param) bool {
	if p.Has != nil {
		ti := lookupType(p.Has.Type)
		return ti != nil && rq.policy(ti, smart.PermSearch).unrestricted() &&
			rq.passable(p.Has.Type, p.Has.Param)
	}
	if len(p.Chain) == 0 {
		return true
	}
	link := p.Chain[0]
	inner := Param{Name: link.Name, Chain: p.Chain[1:], Values: p.Values}
	targets := linkTargets(typ, p.Name, link)
	for _, t := range targets {
		if !rq.policy(lookupType(t), smart.PermSearch).unrestricted() || !rq.passable(t, inner) {
			return false
		}
	}
	return len(targets) > 0
}

// resolveHas resolves _has:Observation:patient:code=x on typ: it searches
// Observation?code=x through the Guard, collects the patient references
// of what it finds that point to typ, and replaces the parameter by
// _id=1,2,... A referring type the grant cannot search is refused.
func (rq *request) resolveHas(typ string, p Param) (Param, bool, error) {
	h := p.Has
	ti := lookupType(h.Type)
	if ti == nil {
		return Param{}, false, invalidParam("bad_has", "_has names an unknown type", h.Type)
	}
	pol := rq.policy(ti, smart.PermSearch)
	if len(pol.paths) == 0 {
		return Param{}, false, rq.refuse("has_not_granted", h.Type, "_has reaches a type without a scope")
	}
	if rq.passable(typ, p) {
		return p, false, nil
	}

	ref, ok := searchparam.Lookup(h.Type, h.Ref)
	if !ok || ref.Type != searchparam.Reference {
		return Param{}, false, invalidParam("bad_has", "_has names no reference parameter", h.Ref)
	}
	via := &refTarget{def: ref, typ: typ}
	ids, err := rq.collect(Query{Type: h.Type, Params: []Param{h.Param}}, via)
	if err != nil || len(ids) == 0 {
		return Param{}, err == nil, err
	}
	return Param{Name: "_id", Values: ids}, false, nil
}

// refTarget selects, in the resources an inner search finds, the
// references of one parameter that point to one type.
type refTarget struct {
	def *searchparam.Def
	typ string
}

// collect runs an inner search through the Guard, page by page, and
// returns the distinct IDs of what it finds, or with via the IDs its
// references point to. Past Config.MaxResolve IDs the query is refused as
// too broad.
func (rq *request) collect(q Query, via *refTarget) ([]string, error) {
	var ids []string
	q.Count = resolvePageSize
	for range maxInnerPages {
		page, err := rq.search(q, smart.PermSearch)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Resources {
			ids = rq.appendIDs(ids, r, via)
		}
		if len(ids) > rq.g.cfg.MaxResolve {
			break
		}
		if page.Next == "" {
			return ids, nil
		}
		q.PageToken = page.Next
	}
	return nil, invalidParam("too_broad",
		"a chained or _has parameter matches too many resources", q.Type)
}

// appendIDs adds r's ID, or the IDs its via references point to, to ids.
func (rq *request) appendIDs(ids []string, r Resource, via *refTarget) []string {
	if via == nil {
		if !slices.Contains(ids, r.ID) {
			ids = append(ids, r.ID)
		}
		return ids
	}
	for _, key := range rq.g.refsOf(r, []*searchparam.Def{via.def}) {
		typ, id := splitKey(key)
		if typ == via.typ && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}
