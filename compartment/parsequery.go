package compartment

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// Limits on the shape of a query, so that a hostile query cannot make the
// Guard or the store do unbounded work.
const (
	maxChainLinks = 3  // links after the first parameter of a chain
	maxHasDepth   = 2  // nested _has parameters
	maxValues     = 64 // alternatives of one parameter
	maxParams     = 64 // search parameters of one query
)

// ParseQuery turns the query parameters of a FHIR search into a [Query].
// resourceType is the type searched, or "" for a search across types
// (then _type, if present, gives the types).
//
// It recognises the search parameters of the R4 definitions for the type
// (with modifiers, chains and _has), _include and _revinclude (with
// :iterate, and :recurse as its R3 name), _count, _sort, _total, _summary,
// _elements, _type and _cursor, the page token of the next-page links a
// server builds from [Page].Next. _format and _pretty are transport
// parameters for the server and are skipped.
//
// Everything else is an error matching [ErrInvalid] that names the
// parameter, never its value: an unknown parameter, a modifier the
// parameter's type does not have, an unsupported control parameter
// (_contained, _filter, _query, _text, _content, _list), a repeated
// control parameter, or a malformed value list. The choice to refuse
// rather than ignore is deliberate: a client that is told its filter was
// not understood does not mistake a broader result for an answer.
// Parameters with an empty value are skipped, as FHIR R4 asks, and
// _count=0 reads as _summary=count unless _summary says otherwise.
//
// ParseQuery checks the syntax of a value list (commas, escapes) but not
// the syntax of each value, which the store checks when it applies it.
func ParseQuery(resourceType string, params url.Values) (Query, error) {
	q := Query{Type: resourceType}
	if resourceType != "" && !isResourceType(resourceType) {
		return Query{}, invalidParam("unknown_type", "unknown resource type", resourceType)
	}

	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	if err := q.parseTypes(params); err != nil {
		return Query{}, err
	}
	for _, key := range keys {
		if err := q.parseKey(key, params[key]); err != nil {
			return Query{}, err
		}
	}
	return q, nil
}

// parseTypes reads _type first, since the other parameters of a search
// across types are checked against it.
func (q *Query) parseTypes(params url.Values) error {
	vals, ok := params["_type"]
	if !ok {
		return nil
	}
	if q.Type != "" {
		return invalidParam("type_not_allowed", "_type is allowed only in a search across types", "_type")
	}
	if len(vals) != 1 {
		return invalidParam("repeated_parameter", "parameter may appear only once", "_type")
	}
	for t := range strings.SplitSeq(vals[0], ",") {
		if !isResourceType(t) {
			return invalidParam("unknown_type", "_type names an unknown resource type", "_type")
		}
		if !slices.Contains(q.Types, t) {
			q.Types = append(q.Types, t)
		}
	}
	return nil
}

// parseKey parses every occurrence of one query parameter.
func (q *Query) parseKey(key string, vals []string) error {
	if strings.HasPrefix(key, "_") && !strings.HasPrefix(key, "_has:") {
		if _, ok := searchparam.Lookup("Patient", baseName(key)); !ok {
			return q.parseControl(key, vals)
		}
	}
	for _, v := range vals {
		if v == "" {
			continue
		}
		if len(q.Params) == maxParams {
			return invalidParam("too_many_parameters", "too many search parameters", key)
		}
		p, err := parseParam(q.searchTypes(), key, v, 0)
		if err != nil {
			return err
		}
		q.Params = append(q.Params, p)
	}
	return nil
}

// baseName returns the parameter name of a key, before any modifier or
// chain.
func baseName(key string) string {
	if i := strings.IndexAny(key, ":."); i >= 0 {
		return key[:i]
	}
	return key
}

// searchTypes returns the types the parameters of q apply to: the type
// searched, the _type list, or nil for every type.
func (q *Query) searchTypes() []string {
	if q.Type != "" {
		return []string{q.Type}
	}
	return q.Types
}

// parseControl parses a control parameter such as _count or _include.
func (q *Query) parseControl(key string, vals []string) error {
	name, mod, _ := strings.Cut(key, ":")
	switch name {
	case "_include", "_revinclude":
		return q.parseIncludes(name, mod, vals)
	case "_format", "_pretty", "_type":
		return nil
	}
	if mod != "" {
		return invalidParam("bad_modifier", "control parameter takes no modifier", name)
	}
	if len(vals) != 1 {
		return invalidParam("repeated_parameter", "parameter may appear only once", name)
	}
	return q.setControl(name, vals[0])
}

// setControl sets a single-valued control parameter.
func (q *Query) setControl(name, v string) error {
	var err error
	switch name {
	case "_count":
		q.Count, err = parseCount(v)
		if err == nil && q.Count == 0 {
			q.Summary = SummaryCount // _count=0 asks for the total alone
		}
	case "_sort":
		q.Sort, err = parseSort(q.searchTypes(), v)
	case "_total":
		q.Total, err = parseTotal(v)
	case "_summary":
		q.Summary, err = parseSummary(v)
	case "_elements":
		q.Elements, err = parseElements(v)
	case "_cursor":
		q.PageToken = v
	default:
		return invalidParam("unsupported_parameter", "unknown or unsupported parameter", name)
	}
	return err
}

// parseCount parses _count: a non-negative integer.
func parseCount(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalidParam("bad_value", "_count must be a non-negative integer", "_count")
	}
	return n, nil
}

// parseTotal parses _total.
func parseTotal(v string) (Total, error) {
	switch t := Total(v); t {
	case TotalNone, TotalEstimate, TotalAccurate:
		return t, nil
	}
	return "", invalidParam("bad_value", "_total must be none, estimate or accurate", "_total")
}

// parseSummary parses _summary.
func parseSummary(v string) (Summary, error) {
	switch s := Summary(v); s {
	case SummaryTrue, SummaryText, SummaryData, SummaryCount, SummaryFalse:
		return s, nil
	}
	return "", invalidParam("bad_value",
		"_summary must be true, text, data, count or false", "_summary")
}

// parseElements parses _elements: a comma list of element names.
func parseElements(v string) ([]string, error) {
	var out []string
	for e := range strings.SplitSeq(v, ",") {
		if !isElementName(e) {
			return nil, invalidParam("bad_value", "_elements must list element names", "_elements")
		}
		out = append(out, e)
	}
	return out, nil
}

// parseSort parses _sort: a comma list of parameters, each with an
// optional leading minus.
func parseSort(types []string, v string) ([]SortKey, error) {
	var keys []SortKey
	for k := range strings.SplitSeq(v, ",") {
		key := SortKey{Param: strings.TrimPrefix(k, "-"), Descending: strings.HasPrefix(k, "-")}
		if _, err := lookupAll(types, key.Param); err != nil {
			return nil, invalidParam("unknown_parameter", "_sort names an unknown parameter", "_sort")
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// invalidParam returns an ErrInvalid error whose message names the
// parameter (never a value).
func invalidParam(reason, message, param string) *Error {
	return invalid(reason, fmt.Sprintf("%s: %s", message, strconv.Quote(param)), nil)
}

// isResourceType reports whether t is a concrete FHIR R4 resource type.
func isResourceType(t string) bool {
	return searchparam.Defs(t) != nil
}

// isElementName reports whether s is a plausible element name.
func isElementName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
