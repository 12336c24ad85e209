package compartment

import (
	"context"
	"fmt"
	"slices"

	"github.com/fhirguard/fhirguard/internal/searchparam"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
)

// request is the state of one call to the Guard: the grant, the
// patient's compartment (resolved once), the Narrow constraints per type
// and the scope problems already reported.
type request struct {
	g           *Guard
	ctx         context.Context
	grant       *smart.Grant
	interaction string

	idsDone bool
	ids     []string
	idsErr  error

	narrowed map[string]*narrowing
	reported map[string]bool
	rg       *ruleGrant
	set      *scopeSet
	refs     []string // "Patient/id" (and absolute) for each compartment patient

	// buffers for the common compartment of one patient, which spare
	// allocations on the request path.
	idsBuf  [1]string
	refsBuf [2]string
}

// begin starts a request, refusing a context without a grant.
func (g *Guard) begin(ctx context.Context, interaction string) (*request, error) {
	gr, ok := smart.FromContext(ctx)
	rq := &request{g: g, ctx: ctx, grant: gr, interaction: interaction}
	if !ok {
		rq.grant = &smart.Grant{}
		rq.emit(audit.Record{Kind: audit.KindForbidden, Reason: "no_grant", Status: 403,
			Detail: "no SMART grant in the request context; the Guard fails closed"})
		return nil, forbidden("no_grant")
	}
	return rq, nil
}

// policy returns the policy of a type for perm under the request's grant,
// reporting its unenforceable scopes once per request.
func (rq *request) policy(ti *typeInfo, perm smart.Permissions) *policy {
	if rq.set == nil {
		rq.set = rq.g.scopeSet(rq.grant)
	}
	p := rq.g.policy(rq.set, ti, perm, rq.grant)
	for _, sp := range p.unenforceable {
		key := ti.name + " " + sp.scope
		if rq.reported[key] {
			continue
		}
		if rq.reported == nil {
			rq.reported = make(map[string]bool)
		}
		rq.reported[key] = true
		rq.emit(audit.Record{Kind: audit.KindUnenforceableScope, Reason: "unenforceable_scope",
			Scope: sp.scope, ResourceType: ti.name,
			Detail: "granular scope grants nothing: " + sp.reason})
	}
	return p
}

// compartment returns the IDs of the patients whose compartments the
// grant reaches: the launch patient and, with Config.LinkedPatients, the
// patients linked to it.
func (rq *request) compartment() ([]string, error) {
	if rq.idsDone {
		return rq.ids, rq.idsErr
	}
	rq.idsDone = true
	ids, err := rq.linked()
	if err != nil {
		rq.idsErr = err
		return nil, err
	}
	rq.ids = ids
	return ids, nil
}

// patientRefs returns the references that name the compartment's
// patients: Patient/id, and its absolute form with Config.BaseURL.
func (rq *request) patientRefs() []string {
	if rq.refs != nil {
		return rq.refs
	}
	rq.refs = rq.refsBuf[:0]
	for _, id := range rq.ids {
		rq.refs = append(rq.refs, "Patient/"+id)
		if rq.g.cfg.BaseURL != "" {
			rq.refs = append(rq.refs, rq.g.cfg.BaseURL+"/Patient/"+id)
		}
	}
	return rq.refs
}

// linked returns the launch patient and the patients linked to it. A
// patient that is not a FHIR ID (a Grant built by hand) is refused:
// constraints built from it could name other resources.
func (rq *request) linked() ([]string, error) {
	if !isID(rq.grant.Patient) {
		return nil, rq.refuse("invalid_patient", "", "the grant's patient is not a resource ID")
	}
	rq.idsBuf[0] = rq.grant.Patient
	ids := rq.idsBuf[:1:1]
	if rq.g.cfg.LinkedPatients == nil {
		return ids, nil
	}
	linked, err := rq.g.cfg.LinkedPatients(rq.ctx, rq.grant.Patient)
	if err != nil {
		return nil, fmt.Errorf("compartment: resolving linked patients: %w", err)
	}
	for _, id := range linked {
		if !isID(id) {
			return nil, fmt.Errorf("compartment: LinkedPatients returned an invalid ID")
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// ruleGrant returns the grant as rules see it, built once.
func (rq *request) ruleGrant() ruleGrant {
	if rq.rg == nil {
		rg := newRuleGrant(rq.grant)
		rq.rg = &rg
	}
	return *rq.rg
}

// isID reports whether s has the syntax of a FHIR resource ID.
func isID(s string) bool {
	_, id, ok := searchparam.ParseReference("Patient/" + s)
	return ok && id == s
}

// localRef returns "Type/id" for a reference to a resource of this server
// (relative, or absolute with Config.BaseURL), or "" for any other.
func (rq *request) localRef(ref string) string {
	return localRef(ref, rq.g.cfg.BaseURL)
}

// localRef is request.localRef for a given base URL.
func localRef(ref, base string) string {
	b, typ, id, ok := searchparam.ParseReferenceURL(ref)
	if !ok || b != "" && b != base {
		return ""
	}
	return typ + "/" + id
}
