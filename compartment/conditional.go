package compartment

import "context"

// maxConditionalPages bounds the pages read to decide how many resources
// a conditional request matches.
const maxConditionalPages = 64

// ConditionalUpdate performs a FHIR conditional update (PUT
// Type?criteria) on repo, which should be the [Guard], so that the
// criteria match only resources the grant may see: no match creates r,
// one match updates it (r.ID, if set, must be that match's ID), and more
// than one answers [ErrPreconditionFailed]. created reports which
// happened. A criterion that would match another patient's resource
// matches nothing, so the update can neither change that resource nor
// reveal that it exists.
func ConditionalUpdate(ctx context.Context, repo Repository, q Query, r Resource) (
	out Resource, created bool, err error) {
	matches, err := conditionalMatches(ctx, repo, q)
	if err != nil {
		return Resource{}, false, err
	}
	switch len(matches) {
	case 0:
		out, err = repo.Create(ctx, r)
		return out, err == nil, err
	case 1:
		if r.ID != "" && r.ID != matches[0].ID {
			return Resource{}, false, invalid("id_mismatch",
				"the resource ID differs from the resource the criteria match", nil)
		}
		r.ID = matches[0].ID
		out, err = repo.Update(ctx, r)
		return out, false, err
	}
	return Resource{}, false, &Error{Err: ErrPreconditionFailed, Reason: "multiple_matches",
		Message: "the conditional request matches more than one resource"}
}

// ConditionalDelete performs a FHIR conditional delete (DELETE
// Type?criteria) on repo, which should be the [Guard]: no match deletes
// nothing, one match is deleted, more than one answers
// [ErrPreconditionFailed]. It returns the number of resources deleted.
func ConditionalDelete(ctx context.Context, repo Repository, q Query) (int, error) {
	matches, err := conditionalMatches(ctx, repo, q)
	if err != nil {
		return 0, err
	}
	switch len(matches) {
	case 0:
		return 0, nil
	case 1:
		if err := repo.Delete(ctx, matches[0].Type, matches[0].ID); err != nil {
			return 0, err
		}
		return 1, nil
	}
	return 0, &Error{Err: ErrPreconditionFailed, Reason: "multiple_matches",
		Message: "the conditional request matches more than one resource"}
}

// conditionalMatches returns up to two matches of q: enough to tell none,
// one and several apart.
func conditionalMatches(ctx context.Context, repo Repository, q Query) ([]Resource, error) {
	q.Count, q.Include, q.RevInclude, q.Summary, q.Total = 2, nil, nil, "", ""
	var matches []Resource
	for range maxConditionalPages {
		page, err := repo.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		matches = append(matches, page.Resources...)
		if len(matches) >= 2 || page.Next == "" {
			return matches, nil
		}
		q.PageToken = page.Next
	}
	return matches, nil
}
