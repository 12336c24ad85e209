package compartment

// filterPage re-checks a page the store returned for a search.
func (rq *request) filterPage(plan *searchPlan, page Page) (Page, error) {
	out := Page{Next: page.Next, Total: page.Total, TotalKnown: page.TotalKnown}
	dropped := tally{}
	defects := 0
	out.Resources = make([]Resource, 0, len(page.Resources))
	for _, r := range page.Resources {
		v := rq.checkMatch(plan, r, false)
		if v.ok {
			out.Resources = append(out.Resources, r)
			continue
		}
		dropped[v.reason]++
		if plan.exact && (v.reason == reasonOutsideGrant || v.reason == reasonTypeMismatch ||
			v.reason == reasonNoScope) {
			defects++
			rq.defect(r, v.reason)
		}
	}
	out.Included = rq.filterIncludes(plan, out.Resources, page.Included, dropped)
	rq.reportDropped(plan.query.Type, dropped)
	return rq.settleTotal(plan, out, defects)
}

// checkMatch checks one match of a search (or version of a history)
// against the policy of its type. The matches of a search are held to
// the constraints exactly: a Provenance or Binary visible only through
// another resource comes back through read and _revinclude, not as a
// match (lookup false), so that a search returns what its constraints
// select.
func (rq *request) checkMatch(plan *searchPlan, r Resource, lookup bool) verdict {
	p := plan.policyFor(r.Type)
	if p == nil {
		return verdict{reason: reasonNoScope}
	}
	v := rq.check(p, r, nil, lookup)
	rq.reportRule(r, v)
	return v
}

// settleTotal keeps the store's total only when the grant sees every
// searched type whole; for _total=accurate the Guard counts itself
// otherwise (see count), and for other requests the total is unknown.
func (rq *request) settleTotal(plan *searchPlan, out Page, defects int) (Page, error) {
	if plan.open && defects == 0 {
		return out, nil
	}
	out.Total, out.TotalKnown = 0, false
	if plan.client.Total != TotalAccurate {
		return out, nil
	}
	counted, err := rq.scanCount(plan)
	if err != nil {
		return Page{}, err
	}
	out.Total, out.TotalKnown = counted.Total, counted.TotalKnown
	return out, nil
}
