package compartment

import (
	"strings"
	"sync"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// refExtractors caches the extractors of reference parameters used to
// follow includes and _has, keyed by type and parameter names.
var refExtractors sync.Map // string -> *searchparam.Extractor

// refsOf returns the resources of this server that r points to through
// the reference definitions defs (all of r's type), as "Type/id" keys. A
// resource that cannot be read points nowhere.
func (g *Guard) refsOf(r Resource, defs []*searchparam.Def) []string {
	ex := extractorFor(defs)
	if ex == nil || r.JSON == nil {
		return nil
	}
	var keys []string
	err := ex.Extract(r.JSON, func(_ int, v searchparam.Value) {
		if v.Kind != searchparam.KindReference {
			return
		}
		if key := localRef(v.Ref, g.cfg.BaseURL); key != "" {
			keys = append(keys, key)
		}
	})
	if err != nil {
		return nil
	}
	return keys
}

// extractorFor returns a cached extractor over defs, or nil when one of
// them cannot be evaluated.
func extractorFor(defs []*searchparam.Def) *searchparam.Extractor {
	if len(defs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(defs[0].Resource)
	for _, d := range defs {
		b.WriteByte(' ')
		b.WriteString(d.Name)
	}
	key := b.String()
	if ex, ok := refExtractors.Load(key); ok {
		return ex.(*searchparam.Extractor)
	}
	var supported []*searchparam.Def
	for _, d := range defs {
		if d.Supported() {
			supported = append(supported, d)
		}
	}
	if len(supported) == 0 {
		return nil
	}
	ex, err := searchparam.NewExtractor(supported...)
	if err != nil {
		return nil
	}
	refExtractors.Store(key, ex)
	return ex
}

// referenceDefs returns the reference parameters of a type, for
// wildcard includes.
func referenceDefs(typ string) []*searchparam.Def {
	var out []*searchparam.Def
	for _, d := range searchparam.Defs(typ) {
		if d.Type == searchparam.Reference && d.Supported() {
			out = append(out, d)
		}
	}
	return out
}

// splitKey splits a "Type/id" key.
func splitKey(key string) (typ, id string) {
	typ, id, _ = strings.Cut(key, "/")
	return typ, id
}
