package compartment

import (
	"encoding/json"
	"strings"

	"github.com/fhirguard/fhirguard/smart"
)

// anyVisible reports whether one of a Provenance's targets is visible to
// the grant: already admitted in this response (known), or, when lookup is
// allowed, read from the store and checked. Targets that are Provenance
// resources themselves are not followed, so the lookups stay bounded.
func (rq *request) anyVisible(targets []string, known refSet, lookup bool) bool {
	lookups := 0
	for _, t := range targets {
		key := rq.localRef(t)
		if key == "" {
			continue
		}
		if known[key] {
			return true
		}
		if !lookup || lookups == maxIndirectLookups || strings.HasPrefix(key, "Provenance/") {
			continue
		}
		lookups++
		if rq.storedVisible(key) {
			return true
		}
	}
	return false
}

// storedVisible reads the resource key ("Type/id") from the store and
// reports whether the grant may read it, without further indirection.
func (rq *request) storedVisible(key string) bool {
	typ, id, _ := strings.Cut(key, "/")
	ti := lookupType(typ)
	if ti == nil || ti.mode == modeBinary {
		return false
	}
	p := rq.policy(ti, smart.PermRead)
	if len(p.paths) == 0 || rq.prepare(p) != nil {
		return false
	}
	r, err := rq.g.repo.Read(rq.ctx, typ, id)
	if err != nil {
		return false
	}
	return rq.check(p, r, nil, false).ok
}

// binaryVisible reports whether a Binary is visible through the resource
// it belongs to: the resource its securityContext names, or a
// DocumentReference whose attachment URL (the location search parameter)
// points to it. Both must be visible to the grant.
func (rq *request) binaryVisible(r Resource, known refSet, lookup bool) bool {
	var b struct {
		SecurityContext *struct {
			Reference string `json:"reference"`
		} `json:"securityContext"`
	}
	// Known gap: encoding/json keeps the last of duplicated keys. Either
	// resource named must be visible to the grant, so a duplicate can only
	// choose between two resources the grant may read.
	if json.Unmarshal(r.JSON, &b) == nil && b.SecurityContext != nil {
		if rq.anyVisible([]string{b.SecurityContext.Reference}, known, lookup) {
			return true
		}
	}
	return lookup && rq.documentPointsTo(r.ID)
}

// documentPointsTo reports whether a DocumentReference the grant may read
// has an attachment URL pointing to Binary/id.
func (rq *request) documentPointsTo(id string) bool {
	if len(rq.policy(lookupType("DocumentReference"), smart.PermRead).paths) == 0 {
		return false
	}
	values := []string{"Binary/" + id}
	if rq.g.cfg.BaseURL != "" {
		values = append(values, rq.g.cfg.BaseURL+"/Binary/"+id)
	}
	q := Query{Type: "DocumentReference", Count: 1,
		Params: []Param{{Name: "location", Values: values}}}
	page, err := rq.search(q, smart.PermRead)
	return err == nil && len(page.Resources) > 0
}
