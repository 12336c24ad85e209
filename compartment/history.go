package compartment

import (
	"context"

	"github.com/fhirguard/fhirguard/internal/searchparam"
	"github.com/fhirguard/fhirguard/smart/audit"
)

// History returns a page of versions for the grant in ctx: instance
// history (q.Type and q.ID) needs read permission on the type, type and
// system history need search permission. The store receives the same
// constraints as a search, applied to each version's own content, and the
// Guard re-checks every version: a version that lay outside the grant
// when it was written is withheld even if the resource is inside now. A
// deletion entry (a version without JSON) is kept only for a type the
// grant sees whole, since its content cannot be checked.
//
// Instance history of a resource none of whose versions is visible
// answers [ErrNotFound], as for a resource that does not exist.
func (g *Guard) History(ctx context.Context, q HistoryQuery) (Page, error) {
	rq, err := g.begin(ctx, "history")
	if err != nil {
		return Page{}, err
	}
	return rq.history(q)
}

// history implements History.
func (rq *request) history(q HistoryQuery) (Page, error) {
	if q.ID != "" && q.Type == "" {
		return Page{}, invalidParam("bad_history", "instance history needs a type", "_history")
	}
	plan, err := rq.historyPlan(q)
	if err != nil {
		return Page{}, err
	}
	hq := q
	hq.Constraints = append(q.Constraints.clone(), plan.query.Constraints...)
	page, err := rq.g.repo.History(rq.ctx, hq)
	if err != nil {
		return Page{}, storeError(err)
	}
	out := rq.filterVersions(plan, page)
	if q.ID != "" && len(out.Resources) == 0 && out.Next == "" {
		rq.emit(audit.Record{Kind: audit.KindHidden, Reason: "no_visible_version", Status: 404,
			ResourceType: q.Type, ResourceID: q.ID,
			Detail: "history with no version inside the grant answered as not found"})
		return Page{}, notFound("not_found")
	}
	return out, nil
}

// historyPlan finds the policies and constraints of a history request.
// System history is constrained type by type, and to the types the grant
// may search at all.
func (rq *request) historyPlan(q HistoryQuery) (*searchPlan, error) {
	perm := permFor(q.ID != "")
	types, explicit := []string{q.Type}, true
	if q.Type == "" {
		types, explicit = searchparam.ResourceTypes(), false
	}
	for _, t := range types {
		if lookupType(t) == nil {
			return nil, invalidParam("unknown_type", "unknown resource type", t)
		}
	}
	plan := &searchPlan{query: Query{Type: q.Type}, exact: true, open: true}
	if err := rq.addPolicies(plan, types, explicit, perm); err != nil {
		return nil, err
	}
	if err := rq.constrain(plan); err != nil {
		return nil, err
	}
	if q.Type == "" && len(plan.query.Types) < len(types) {
		plan.query.Constraints = append(plan.query.Constraints, typeGroup(plan.query.Types))
	}
	return plan, nil
}

// filterVersions re-checks the versions of a history page.
func (rq *request) filterVersions(plan *searchPlan, page Page) Page {
	out := Page{Next: page.Next}
	dropped := tally{}
	for _, r := range page.Resources {
		v := rq.checkMatch(plan, r, true)
		if v.ok {
			out.Resources = append(out.Resources, r)
			continue
		}
		dropped[v.reason]++
		defective := v.reason == reasonOutsideGrant || v.reason == reasonNoScope
		if plan.exact && defective && r.JSON != nil {
			rq.defect(r, v.reason)
		}
	}
	rq.reportDropped(plan.query.Type, dropped)
	return out
}
