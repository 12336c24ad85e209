package compartment

// countPageSize is the page size of the searches the Guard runs to count
// matches itself.
const countPageSize = 500

// count answers _summary=count. When the grant sees every searched type
// whole, the store counts. Otherwise the Guard reads the matches and
// counts those it would release, up to Config.MaxCount, past which the
// total is unknown: a count is data too, and the Guard does not rely on
// the store having applied the constraints to report one.
func (rq *request) count(plan *searchPlan) (Page, error) {
	if plan.open {
		q := plan.query
		q.Summary, q.Include, q.RevInclude = SummaryCount, nil, nil
		page, err := rq.g.repo.Search(rq.ctx, q)
		if err != nil {
			return Page{}, storeError(err)
		}
		if page.TotalKnown {
			return Page{Total: page.Total, TotalKnown: true}, nil
		}
	}
	return rq.scanCount(plan)
}

// scanCount counts the matches the Guard would release, page by page.
func (rq *request) scanCount(plan *searchPlan) (Page, error) {
	q := plan.query
	q.Summary, q.Total, q.Include, q.RevInclude = "", "", nil, nil
	q.Count, q.PageToken = countPageSize, ""
	n, scanned := 0, 0
	for range maxInnerPages {
		page, err := rq.g.repo.Search(rq.ctx, q)
		if err != nil {
			return Page{}, storeError(err)
		}
		for _, r := range page.Resources {
			if rq.checkMatch(plan, r, false).ok {
				n++
			}
		}
		scanned += len(page.Resources)
		if scanned > rq.g.cfg.MaxCount {
			return Page{}, nil
		}
		if page.Next == "" {
			return Page{Total: n, TotalKnown: true}, nil
		}
		q.PageToken = page.Next
	}
	return Page{}, nil
}
