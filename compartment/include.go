package compartment

import (
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
	f := &includeFilter{rq: rq, linker: newLinker(rq.g, plan.client, matches),
		dropped: dropped, known: make(refSet, len(matches))}
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
	rq      *request
	linker  *linker
	known   refSet // keys of the matches and of the kept includes
	out     []Resource
	dropped tally
}

// round decides every pending resource a kept resource now links to, and
// returns the rest and whether any was decided.
func (f *includeFilter) round(pending []Resource) ([]Resource, bool) {
	var rest []Resource
	for _, r := range pending {
		if !f.linker.linked(r, f.known) {
			rest = append(rest, r)
			continue
		}
		if v := f.rq.checkIncluded(r, f.known); !v.ok {
			f.dropped[v.reason]++
			continue
		}
		f.out = append(f.out, r)
		f.known[r.Reference()] = true
		f.linker.addSource(r, true)
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

// linker answers whether an included resource is linked to the kept
// resources. It keeps, for each _include, the set of resources its
// sources point to, so that each test costs the references of one
// resource, not a pass over every kept resource.
type linker struct {
	g       *Guard
	q       Query
	matches refSet
	reach   []refSet            // per q.Include: keys its sources point to
	refs    map[string][]string // resource key + include key -> references
}

// newLinker returns the linker of a query whose matches are kept.
func newLinker(g *Guard, q Query, matches []Resource) *linker {
	l := &linker{g: g, q: q, matches: make(refSet, len(matches)),
		reach: make([]refSet, len(q.Include)), refs: make(map[string][]string)}
	for i := range l.reach {
		l.reach[i] = make(refSet)
	}
	for _, m := range matches {
		l.matches[m.Reference()] = true
		l.addSource(m, false)
	}
	return l
}

// addSource records what a kept resource points to through each
// _include that starts from it: every _include for a match, the :iterate
// ones for a kept included resource.
func (l *linker) addSource(r Resource, included bool) {
	for i, inc := range l.q.Include {
		if included && !inc.Iterate {
			continue
		}
		for _, key := range l.refsVia(r, inc) {
			l.reach[i][key] = true
		}
	}
}

// linked reports whether r is reached by one of the query's includes:
// an _include source points to it, or it points, through a _revinclude
// parameter, to a match (or with :iterate to any kept resource, known).
func (l *linker) linked(r Resource, known refSet) bool {
	key := r.Reference()
	for i, inc := range l.q.Include {
		if (inc.TargetType == "" || inc.TargetType == r.Type) && l.reach[i][key] {
			return true
		}
	}
	for _, inc := range l.q.RevInclude {
		from := l.matches
		if inc.Iterate {
			from = known
		}
		for _, ref := range l.refsVia(r, inc) {
			if typ, _ := splitKey(ref); from[ref] && (inc.TargetType == "" || inc.TargetType == typ) {
				return true
			}
		}
	}
	return false
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
