package fhirapi

import (
	"slices"
	"strings"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/examples/internal/fhirjson"
)

// subsettedTag marks a resource of which only part is returned.
const subsettedTag = `{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationValue",` +
	`"code":"SUBSETTED","display":"subsetted"}`

// subset is what _summary and _elements keep of each resource.
type subset struct {
	summary  compartment.Summary
	elements []string
}

// subsetOf reads _summary and _elements from params, which may hold only
// the names in allowed.
func subsetOf(params map[string][]string, allowed ...string) (subset, error) {
	for k := range params {
		if !slices.Contains(allowed, k) {
			return subset{}, badRequest("unknown or unsupported parameter: " + quoteName(k))
		}
	}
	only := make(map[string][]string)
	for _, k := range []string{"_summary", "_elements"} {
		if vs, ok := params[k]; ok {
			only[k] = vs
		}
	}
	q, err := compartment.ParseQuery("", only)
	if err != nil {
		return subset{}, err
	}
	return subset{summary: q.Summary, elements: q.Elements}, nil
}

// apply returns data subset, or data itself when nothing is removed.
// Known gap: _summary=true keeps every element, since the element
// definitions at hand do not say which are in the summary.
func (s subset) apply(data []byte) []byte {
	keep := s.keeps()
	if keep == nil || data == nil {
		return data
	}
	obj, err := fhirjson.Parse(data)
	if err != nil {
		return data
	}
	kept := fhirjson.Object{}
	for _, m := range obj {
		if keep(m.Key) {
			kept = append(kept, m)
		}
	}
	if len(kept) == len(obj) {
		return data
	}
	tagSubsetted(&kept)
	return kept.Encode()
}

// keeps returns the test of which top-level members stay, or nil when
// all do.
func (s subset) keeps() func(string) bool {
	always := func(k string) bool { return k == "resourceType" || k == "id" || k == "meta" }
	switch {
	case len(s.elements) > 0:
		return func(k string) bool {
			return always(k) || slices.ContainsFunc(s.elements, func(e string) bool {
				top, _, _ := strings.Cut(e, ".")
				return top == k
			})
		}
	case s.summary == compartment.SummaryText:
		return func(k string) bool { return always(k) || k == "text" }
	case s.summary == compartment.SummaryData:
		return func(k string) bool { return k != "text" }
	}
	return nil
}

// tagSubsetted adds the SUBSETTED tag to meta.tag.
func tagSubsetted(obj *fhirjson.Object) {
	meta, err := fhirjson.Parse(obj.Get("meta"))
	if err != nil {
		meta = fhirjson.Object{}
	}
	tags := string(meta.Get("tag"))
	switch {
	case !strings.HasPrefix(tags, "[") || tags == "[]":
		tags = "[" + subsettedTag + "]"
	default:
		tags = strings.TrimSuffix(tags, "]") + "," + subsettedTag + "]"
	}
	meta.Set("tag", []byte(tags))
	obj.Set("meta", meta.Encode())
	obj.First("resourceType", "id", "meta")
}

// quoteName quotes a parameter name for a message, cut short.
func quoteName(k string) string {
	if len(k) > 40 {
		k = k[:40]
	}
	return `"` + strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == 0x7f {
			return '?'
		}
		return r
	}, k) + `"`
}
