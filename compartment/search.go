package compartment

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/fhirguard/fhirguard/internal/searchparam"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
)

// Search runs a search for the grant in ctx. Before the store sees the
// query, the Guard:
//
//   - refuses with [ErrForbidden] a type the grant cannot search, and, for
//     a patient token, a parameter or compartment that names another
//     patient (decided from the request alone, so the answer never
//     depends on what data exists);
//   - resolves chained and _has parameters that reach a type the grant
//     sees only in part, by running their inner search through itself and
//     replacing them with the references it found, so that a condition can
//     only test resources the token could itself search;
//   - adds Constraints: for a patient token, one OR-group over all the
//     type's compartment parameters (subject or performer for
//     Observation) equal to the patient, _id for Patient; a group per
//     granular scope condition; the Narrow constraints for user/ and
//     system/ tokens. Searches across types are constrained type by type.
//
// After the store answers, it re-checks every match and included
// resource, drops those outside the grant (reporting a storage defect
// when a match violated the constraints), keeps only included resources
// that a kept resource links to, and keeps Total only when it counts
// exactly what the grant may see; for _total=accurate and _summary=count
// it counts itself when the store cannot.
//
// A search of the token's own Patient compartment (Query.Compartment set
// to Patient and the patient's ID) is constrained by the Guard itself,
// with linked patients and absolute references; across types (Query.Type
// empty) it is Patient/{id}/$everything and returns the whole compartment.
func (g *Guard) Search(ctx context.Context, q Query) (Page, error) {
	rq, err := g.begin(ctx, "search")
	if err != nil {
		return Page{}, err
	}
	return rq.search(q, smart.PermSearch)
}

// searchPlan is a query as the store will receive it, with the policy of
// each type it may return.
type searchPlan struct {
	client   Query     // the query as the caller gave it
	query    Query     // the query for the store
	policies []*policy // of the searched types, sorted by type
	exact    bool      // the constraints select exactly what the policies admit
	open     bool      // every policy admits its whole type: the store's counts hold
	empty    bool      // no resource can match

	// extra are groups added per type, such as the membership group that
	// replaces a Patient compartment search.
	extra map[string]Constraints
}

// search runs q for the request with permission perm.
func (rq *request) search(q Query, perm smart.Permissions) (Page, error) {
	plan, err := rq.plan(q, perm)
	if err != nil {
		return Page{}, err
	}
	if plan.empty {
		return Page{TotalKnown: q.Total != "" || q.Summary == SummaryCount}, nil
	}
	if q.Summary == SummaryCount {
		return rq.count(plan)
	}
	page, err := rq.g.repo.Search(rq.ctx, plan.query)
	if err != nil {
		return Page{}, storeError(err)
	}
	return rq.filterPage(plan, page)
}

// plan checks q against the grant and builds the store's query.
func (rq *request) plan(q Query, perm smart.Permissions) (*searchPlan, error) {
	if err := checkShape(q); err != nil {
		return nil, err
	}
	var one [1]string
	types, explicit, err := searchedTypes(q, &one)
	if err != nil {
		return nil, err
	}
	plan := &searchPlan{client: q, query: q, exact: true, open: true}
	if err := rq.addPolicies(plan, types, explicit, perm); err != nil {
		return nil, err
	}
	if err := rq.checkClientParams(plan); err != nil {
		return nil, err
	}
	if err := rq.ownCompartment(plan); err != nil || plan.empty {
		return plan, err
	}
	if err := rq.resolveAll(plan); err != nil || plan.empty {
		return plan, err
	}
	return plan, rq.constrain(plan)
}

// searchedTypes returns the types a query searches, and whether the
// client named them. A single type is returned in one, which spares an
// allocation.
func searchedTypes(q Query, one *[1]string) ([]string, bool, error) {
	types := q.Types
	if q.Type != "" {
		one[0] = q.Type
		types = one[:]
	}
	for _, t := range types {
		if lookupType(t) == nil {
			return nil, false, invalidParam("unknown_type", "unknown resource type", t)
		}
	}
	if len(types) > 0 {
		return types, true, nil
	}
	return searchparam.ResourceTypes(), false, nil
}

// addPolicies finds the policy of every searched type. A type the client
// named and the grant cannot reach is refused; an unnamed one is left out.
func (rq *request) addPolicies(plan *searchPlan, types []string, explicit bool,
	perm smart.Permissions) error {
	for _, t := range types {
		p := rq.policy(lookupType(t), perm)
		if len(p.paths) > 0 {
			plan.policies = append(plan.policies, p)
			continue
		}
		if explicit {
			return rq.refuse("type_not_granted", t, "no scope grants this interaction on the type")
		}
	}
	if len(plan.policies) == 0 {
		return rq.refuse("type_not_granted", "", "no scope grants a search on any type")
	}
	slices.SortFunc(plan.policies, func(a, b *policy) int {
		return strings.Compare(a.ti.name, b.ti.name)
	})
	plan.policies = slices.CompactFunc(plan.policies, func(a, b *policy) bool { return a.ti == b.ti })
	return nil
}

// policyFor returns the plan's policy of a type, or nil.
func (plan *searchPlan) policyFor(typ string) *policy {
	i, ok := slices.BinarySearchFunc(plan.policies, typ, func(p *policy, t string) int {
		return strings.Compare(p.ti.name, t)
	})
	if !ok {
		return nil
	}
	return plan.policies[i]
}

// constrain adds the constraints of every type to the store's query.
func (rq *request) constrain(plan *searchPlan) error {
	per := make([]Constraints, len(plan.policies))
	for i, p := range plan.policies {
		cs, exact, err := rq.constraintsFor(p)
		if err != nil {
			return err
		}
		if extra := plan.extra[p.ti.name]; extra != nil {
			cs = append(cs, extra...)
		}
		per[i], plan.exact = cs, plan.exact && exact
		plan.open = plan.open && p.unrestricted()
	}

	q := &plan.query
	if merged := mergeTypes(plan.policies, per); q.Constraints == nil {
		q.Constraints = merged
	} else {
		q.Constraints = append(q.Constraints.clone(), merged...)
	}
	if q.Type == "" {
		q.Types = make([]string, len(plan.policies))
		for i, p := range plan.policies {
			q.Types[i] = p.ti.name
		}
	}
	if len(q.Constraints) > len(plan.client.Constraints) {
		rq.emit(audit.Record{Kind: audit.KindNarrowed, Reason: "constraints_added",
			ResourceType: q.Type, Count: len(q.Constraints) - len(plan.client.Constraints),
			Detail: "query constrained to what the grant may see"})
	}
	return nil
}

// storeError maps a store error: sentinel errors keep their meaning;
// others pass through unchanged.
func storeError(err error) error {
	if errors.Is(err, ErrNotFound) {
		return notFound("not_found")
	}
	return err
}

// checkShape bounds the shape of a query built by a server rather than by
// ParseQuery: chain length, _has depth and value counts.
func checkShape(q Query) error {
	if len(q.Params) > maxParams {
		return invalidParam("too_many_parameters", "too many search parameters", "")
	}
	for _, p := range q.Params {
		if !paramShapeOK(p, 0) {
			return invalidParam("bad_parameter", "parameter is too deep or has too many values", p.Name)
		}
	}
	return nil
}

// paramShapeOK checks one parameter, recursively through _has.
func paramShapeOK(p Param, depth int) bool {
	if p.Has != nil {
		return depth < maxHasDepth && paramShapeOK(p.Has.Param, depth+1)
	}
	return len(p.Chain) <= maxChainLinks && len(p.Values) <= maxValues && len(p.Values) > 0
}

// ownCompartment turns a search of the token's own Patient compartment
// (Patient/123/Observation, Patient/123/$everything) into constraints:
// the Guard knows the compartment better than the store, since it also
// follows linked patients and absolute references. Types outside the
// compartment drop out of such a search.
func (rq *request) ownCompartment(plan *searchPlan) error {
	c := plan.client.Compartment
	if c.Type != "Patient" || rq.grant.Patient == "" {
		return nil
	}
	ids, err := rq.compartment()
	if err != nil || !slices.Contains(ids, c.ID) {
		return err
	}
	plan.query.Compartment = CompartmentRef{}
	plan.extra = make(map[string]Constraints)
	plan.policies = slices.DeleteFunc(plan.policies, func(p *policy) bool {
		mode := p.ti.mode
		return mode != modeCompartment && mode != modeSelf || p.ti.unsupported != ""
	})
	for _, p := range plan.policies {
		plan.extra[p.ti.name] = Constraints{rq.memberGroup(p.ti)}
	}
	plan.empty = len(plan.policies) == 0
	return nil
}
