package compartment

import (
	"slices"
	"strings"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// maxIncludes bounds the _include and _revinclude parameters of a query.
const maxIncludes = 16

// parseIncludes parses every value of _include or _revinclude (name), with
// the modifier mod ("", "iterate" or "recurse").
func (q *Query) parseIncludes(name, mod string, vals []string) error {
	if mod != "" && mod != "iterate" && mod != "recurse" {
		return invalidParam("bad_modifier", "_include and _revinclude take only :iterate", name)
	}
	for _, v := range vals {
		if len(q.Include)+len(q.RevInclude) == maxIncludes {
			return invalidParam("too_many_includes", "too many _include and _revinclude", name)
		}
		inc, err := parseInclude(v, mod != "", name)
		if err != nil {
			return err
		}
		if err := q.checkInclude(name, inc); err != nil {
			return err
		}
		if name == "_include" {
			q.Include = append(q.Include, inc)
		} else {
			q.RevInclude = append(q.RevInclude, inc)
		}
	}
	return nil
}

// parseInclude parses one value SourceType:param[:TargetType], or the
// wildcards * and SourceType:*.
func parseInclude(v string, iterate bool, name string) (Include, error) {
	inc := Include{Iterate: iterate}
	if v == "*" {
		inc.Wildcard = true
		return inc, nil
	}
	parts := strings.Split(v, ":")
	if len(parts) < 2 || len(parts) > 3 || !isResourceType(parts[0]) {
		return Include{}, invalidParam("bad_include",
			"value must be SourceType:parameter[:TargetType]", name)
	}
	inc.SourceType = parts[0]
	if parts[1] == "*" && len(parts) == 2 {
		inc.Wildcard = true
		return inc, nil
	}

	d, ok := searchparam.Lookup(parts[0], parts[1])
	if !ok || d.Type != searchparam.Reference {
		return Include{}, invalidParam("bad_include", "value names no reference parameter", name)
	}
	inc.Param = parts[1]
	if len(parts) == 3 {
		if !slices.Contains(d.Targets, parts[2]) {
			return Include{}, invalidParam("bad_include",
				"target type is not a target of the parameter", name)
		}
		inc.TargetType = parts[2]
	}
	return inc, nil
}

// checkInclude checks that a non-iterating include starts from (or, for
// _revinclude, points to) a type the query searches.
func (q *Query) checkInclude(name string, inc Include) error {
	types := q.searchTypes()
	if inc.Iterate || inc.SourceType == "" || len(types) == 0 {
		return nil
	}
	if name == "_include" && !slices.Contains(types, inc.SourceType) {
		return invalidParam("bad_include", "source type is not a type searched", name)
	}
	if name == "_revinclude" && !inc.Wildcard && !targetsAny(inc, types) {
		return invalidParam("bad_include", "parameter does not reference a type searched", name)
	}
	return nil
}

// targetsAny reports whether the reference parameter of inc can point to
// one of types.
func targetsAny(inc Include, types []string) bool {
	d, _ := searchparam.Lookup(inc.SourceType, inc.Param)
	for _, t := range types {
		if slices.Contains(d.Targets, t) && (inc.TargetType == "" || inc.TargetType == t) {
			return true
		}
	}
	return false
}
