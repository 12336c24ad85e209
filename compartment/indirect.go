package compartment

import (
	"strings"

	"github.com/fhirguard/fhirguard/internal/searchparam"
	"github.com/fhirguard/fhirguard/smart"
)

// provenanceVisible reports whether a Provenance outside the compartment
// is visible through its targets, so that _revinclude=Provenance:target
// works for the patient's own data. One target that may be
// the patient's data and is visible suffices. Reference data that is in
// every patient's view (a Practitioner, a Medication, a Device that
// names no patient) does not count, since a Provenance that targets
// another patient's Observation and a shared Practitioner is that other
// patient's data; but a Provenance that targets only reference data, all
// of it visible, concerns no patient and is visible. A Provenance with
// more than maxIndirectTargets targets is visible only through its first
// ones that may be patient data.
func (rq *request) provenanceVisible(targets []string, known refSet, lookup bool) bool {
	var data, reference []string
	onlyReference := len(targets) <= maxIndirectTargets
	lookups := 0
	for _, t := range targets {
		kind := targetKind(t)
		if kind == modeLinked {
			kind = rq.ownerlessKind(t, lookup, &lookups)
			if kind == modeCompartment {
				return true // the patient's own Device, visible
			}
			if kind == modeOpen {
				continue // a Device of no one, visible: reference data
			}
		}
		switch kind {
		case modeOpen:
			reference = append(reference, t)
		case modeCompartment:
			data = append(data, t)
			onlyReference = false
		default:
			onlyReference = false
		}
	}
	if len(data) > 0 {
		return rq.anyVisible(data, known, lookup)
	}
	return onlyReference && rq.allVisible(reference, known, lookup)
}

// targetKind classifies a Provenance target: modeOpen for reference data,
// modeCompartment for a resource that may be a patient's data, modeLinked
// for a resource of an ownerless type (Device), which is one or the other
// depending on its content, and modeClosed for one that cannot make a
// Provenance visible (another Provenance, a reference to another server,
// an unknown type).
func targetKind(ref string) mode {
	_, typ, _, ok := searchparam.ParseReferenceURL(ref)
	ti := lookupType(typ)
	switch {
	case !ok || ti == nil || typ == "Provenance":
		return modeClosed
	case ti.mode == modeOpen:
		return modeOpen
	case ti.ownerless:
		return modeLinked
	}
	return modeCompartment
}

// ownerlessKind reads a Provenance target of an ownerless type (Device)
// from the store and classifies it: modeCompartment when the grant sees
// it as the patient's own, modeOpen when the grant sees it because it
// belongs to no patient, and modeClosed when the grant does not see it or
// it cannot be read (no lookup allowed, or maxIndirectLookups reached).
// A shared Device is in every patient's view, so it cannot tell whose a
// Provenance is; that is why it is read even when the response holds it.
func (rq *request) ownerlessKind(ref string, lookup bool, lookups *int) mode {
	key := rq.localRef(ref)
	if key == "" || !lookup || *lookups == maxIndirectLookups {
		return modeClosed
	}
	*lookups++
	typ, id := splitKey(key)
	p := rq.policy(lookupType(typ), smart.PermRead)
	if len(p.paths) == 0 || rq.prepare(p) != nil {
		return modeClosed
	}
	r, err := rq.g.repo.Read(rq.ctx, typ, id)
	if err != nil {
		return modeClosed
	}
	switch v := rq.check(p, r, nil, false); {
	case !v.ok:
		return modeClosed
	case v.shared:
		return modeOpen
	}
	return modeCompartment
}

// allVisible reports whether every one of targets is visible to the
// grant, known or (with lookup) read from the store.
func (rq *request) allVisible(targets []string, known refSet, lookup bool) bool {
	lookups := 0
	for _, t := range targets {
		key := rq.localRef(t)
		switch {
		case key == "":
			return false
		case known[key]:
			continue
		case !lookup || lookups == maxIndirectLookups:
			return false
		}
		lookups++
		if !rq.storedVisible(key) {
			return false
		}
	}
	return true
}

// anyVisible reports whether one of targets (a Provenance's, or a
// Binary's securityContext) is visible to the grant: already admitted in
// this response (known), or, when lookup is allowed, read from the store
// and checked. Targets that are Provenance resources themselves are not
// read, so the lookups stay bounded.
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

// maxPointingDocuments bounds the DocumentReferences that may point to a
// Binary without a securityContext; past it the Binary is withheld.
const maxPointingDocuments = 16

// binaryVisible reports whether a Binary is visible through the resource
// it belongs to. When it has a securityContext, that resource decides (R4
// Binary.securityContext), whatever points to the Binary. Without one,
// DocumentReferences whose attachment URL (the location search parameter)
// points to the Binary decide: there must be one, and the grant must be
// able to read every one of them, so that a DocumentReference a patient
// app writes itself, pointing to another patient's Binary, opens nothing.
//
// Known gap: a Binary without a securityContext that only other kinds of
// resources point to (a DiagnosticReport's presentedForm, a Media) is
// visible to a token that can write a DocumentReference pointing to it,
// since the Guard cannot search those attachments. Servers should set
// Binary.securityContext.
func (rq *request) binaryVisible(r Resource, known refSet, lookup bool) bool {
	m, err := decodeObject(r.JSON)
	if err != nil {
		return false
	}
	if sc, ok := m["securityContext"]; ok {
		obj, _ := sc.(map[string]any)
		ref, _ := obj["reference"].(string)
		return ref != "" && rq.anyVisible([]string{ref}, known, lookup)
	}
	return lookup && rq.documentsVisible(r.ID)
}

// documentsVisible reports whether DocumentReferences point to Binary/id
// and the grant may read all of them. It asks the store directly, without
// the grant's constraints, since the DocumentReferences it must not see
// are the point, and checks each answer itself.
func (rq *request) documentsVisible(id string) bool {
	p := rq.policy(lookupType("DocumentReference"), smart.PermRead)
	if id == "" || len(p.paths) == 0 || rq.prepare(p) != nil {
		return false
	}
	values := []string{"Binary/" + id}
	if rq.g.cfg.BaseURL != "" {
		values = append(values, rq.g.cfg.BaseURL+"/Binary/"+id)
	}
	location, err := searchparam.ParseCriterion("DocumentReference", "location",
		strings.Join(values, ","))
	if err != nil {
		return false
	}
	q := Query{Type: "DocumentReference", Count: maxPointingDocuments + 1,
		Params: []Param{{Name: "location", Values: values}}}
	page, err := rq.g.repo.Search(rq.ctx, q)
	if err != nil || page.Next != "" || len(page.Resources) > maxPointingDocuments {
		return false
	}
	pointing := 0
	for _, d := range page.Resources {
		if ok, err := location.MatchResource(d.JSON); d.Type != "DocumentReference" || !ok ||
			err != nil {
			continue // not a match: the store ignored the parameter
		}
		if !rq.check(p, d, nil, false).ok {
			return false
		}
		pointing++
	}
	return pointing > 0
}
