package compartment

import (
	"slices"

	"github.com/fhirguard/fhirguard/internal/searchparam"
	"github.com/fhirguard/fhirguard/smart"
)

// filterIncludes keeps the included resources that the grant may read and
// that are linked, through the query's _include and _revinclude
// parameters, to a kept match or (for :iterate) to another kept included
// resource. The link test stops a store, or an iteration through a
// withheld resource, from adding resources no visible resource leads to.
func (rq *request) filterIncludes(plan *searchPlan, matches, included []Resource,
	dropped tally) []Resource {
	if len(included) == 0 {
		return nil
	}
	f := &includeFilter{rq: rq, q: plan.client, matches: matches, dropped: dropped,
		linker: &linker{g: rq.g, refs: make(map[string][]string)},
		known:  make(refSet, len(matches)), accepted: slices.Clone(matches)}
	for _, m := range matches {
		f.known[m.Reference()] = true
	}
	pending := included
	for progress := true; progress && len(pending) > 0; {
		pending, progress = f.round(pending)
	}
	if len(pending) > 0 {
		dropped[reasonUnlinked] += len(pending)
	}
	return f.out
}

// includeFilter is the state of filterIncludes.
type includeFilter struct {
	rq       *request
	q        Query
	linker   *linker
	matches  []Resource
	accepted []Resource // matches and kept includes
	known    refSet     // keys of accepted
	out      []Resource
	dropped  tally
}

// round decides every pending resource a kept resource now links to, and
// returns the rest and whether any was decided.
func (f *includeFilter) round(pending []Resource) ([]Resource, bool) {
	var rest []Resource
	for _, r := range pending {
		if !f.linker.linked(f.q, r, f.matches, f.accepted) {
			rest = append(rest, r)
			continue
		}
		if v := f.rq.checkIncluded(r, f.known); !v.ok {
			f.dropped[v.reason]++
			continue
		}
		f.out, f.accepted = append(f.out, r), append(f.accepted, r)
		f.known[r.Reference()] = true
	}
	return rest, len(rest) < len(pending)
}

// checkIncluded checks an included resource: it is visible when the grant
// may read it or search it.
func (rq *request) checkIncluded(r Resource, known refSet) verdict {
	ti := lookupType(r.Type)
	if ti == nil {
		return verdict{reason: reasonTypeMismatch}
	}
	v := verdict{reason: reasonNoScope}
	for _, perm := range []smart.Permissions{smart.PermRead, smart.PermSearch} {
		p := rq.policy(ti, perm)
		if len(p.paths) == 0 || rq.prepare(p) != nil {
			continue
		}
		if v = rq.check(p, r, known, true); v.ok {
			return v
		}
	}
	rq.reportRule(r, v)
	return v
}

// linker answers whether an included resource is linked to the matches,
// caching the references each resource holds per include parameter.
type linker struct {
	g    *Guard
	refs map[string][]string // resource key + include key -> references
}

// linked reports whether r is reached by one of the query's includes.
func (l *linker) linked(q Query, r Resource, matches, accepted []Resource) bool {
	for _, inc := range q.Include {
		if inc.TargetType != "" && inc.TargetType != r.Type {
			continue
		}
		for _, s := range sources(inc, matches, accepted) {
			if slices.Contains(l.refsVia(s, inc), r.Reference()) {
				return true
			}
		}
	}
	for _, inc := range q.RevInclude {
		if inc.SourceType != "" && inc.SourceType != r.Type {
			continue
		}
		refs := l.refsVia(r, inc)
		for _, m := range sources(inc, matches, accepted) {
			if slices.Contains(refs, m.Reference()) && (inc.TargetType == "" || inc.TargetType == m.Type) {
				return true
			}
		}
	}
	return false
}

// sources returns the resources an include starts from: the matches, or
// with :iterate every resource kept so far.
func sources(inc Include, matches, accepted []Resource) []Resource {
	if inc.Iterate {
		return accepted
	}
	return matches
}

// refsVia returns the references r holds through the include's parameter
// (every reference parameter for a wildcard), or nil when the include
// does not start from r's type.
func (l *linker) refsVia(r Resource, inc Include) []string {
	if inc.SourceType != "" && inc.SourceType != r.Type {
		return nil
	}
	key := r.Reference() + "|" + inc.Param
	if refs, ok := l.refs[key]; ok {
		return refs
	}
	var defs []*searchparam.Def
	if inc.Wildcard {
		defs = referenceDefs(r.Type)
	} else if d, ok := searchparam.Lookup(r.Type, inc.Param); ok {
		defs = []*searchparam.Def{d}
	}
	refs := l.g.refsOf(r, defs)
	l.refs[key] = refs
	return refs
}
