package memstore

import (
	"slices"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// maxIterate bounds the rounds of :iterate includes.
const maxIterate = 4

// includer collects the included resources of one page, each once.
type includer struct {
	s        *Store
	seen     map[string]bool
	out      []compartment.Resource
	frontier []compartment.Resource
}

// includes returns the resources that the page's matches bring in through
// _include and _revinclude; :iterate applies them to included resources
// too, up to maxIterate rounds. The caller holds the read lock.
func (s *Store) includes(q compartment.Query, matches []compartment.Resource) (
	[]compartment.Resource, error) {
	if len(q.Include) == 0 && len(q.RevInclude) == 0 {
		return nil, nil
	}
	in := &includer{s: s, seen: make(map[string]bool)}
	for _, m := range matches {
		in.seen[m.Reference()] = true
	}
	in.round(q, matches, false)
	for i := 1; i < maxIterate && len(in.frontier) > 0; i++ {
		sources := in.frontier
		in.frontier = nil
		in.round(q, sources, true)
	}
	return in.out, nil
}

// round applies the includes (only the iterating ones when iterateOnly)
// to sources.
func (in *includer) round(q compartment.Query, sources []compartment.Resource, iterateOnly bool) {
	for _, inc := range q.Include {
		if !iterateOnly || inc.Iterate {
			in.forward(inc, sources)
		}
	}
	for _, inc := range q.RevInclude {
		if !iterateOnly || inc.Iterate {
			in.reverse(inc, sources)
		}
	}
}

// add keeps r once.
func (in *includer) add(r compartment.Resource) {
	if in.seen[r.Reference()] {
		return
	}
	in.seen[r.Reference()] = true
	in.out = append(in.out, r)
	in.frontier = append(in.frontier, r)
}

// forward adds the resources the sources reference through inc.
func (in *includer) forward(inc compartment.Include, sources []compartment.Resource) {
	for _, src := range sources {
		if inc.SourceType != "" && inc.SourceType != src.Type {
			continue
		}
		for _, d := range includeDefs(src.Type, inc) {
			for _, ref := range refsOf(src, d) {
				r, ok := in.s.current(ref)
				if ok && (inc.TargetType == "" || inc.TargetType == r.Type) {
					in.add(r)
				}
			}
		}
	}
}

// reverse adds the resources of inc.SourceType that reference a source
// through inc.
func (in *includer) reverse(inc compartment.Include, sources []compartment.Resource) {
	targets := make(map[string]bool, len(sources))
	for _, src := range sources {
		if inc.TargetType == "" || inc.TargetType == src.Type {
			targets[src.Reference()] = true
		}
	}
	for _, key := range in.s.order {
		r, ok := in.s.current(key)
		if !ok || inc.SourceType != "" && inc.SourceType != r.Type {
			continue
		}
		if slices.ContainsFunc(includeDefs(r.Type, inc), func(d *searchparam.Def) bool {
			return slices.ContainsFunc(refsOf(r, d), func(ref string) bool { return targets[ref] })
		}) {
			in.add(r)
		}
	}
}

// includeDefs returns the reference definitions an include follows on a
// resource of type typ: its parameter, or every reference parameter for
// a wildcard.
func includeDefs(typ string, inc compartment.Include) []*searchparam.Def {
	if !inc.Wildcard {
		d, ok := searchparam.Lookup(typ, inc.Param)
		if !ok || !d.Supported() {
			return nil
		}
		return []*searchparam.Def{d}
	}
	var out []*searchparam.Def
	for _, d := range searchparam.Defs(typ) {
		if d.Type == searchparam.Reference && d.Supported() {
			out = append(out, d)
		}
	}
	return out
}
