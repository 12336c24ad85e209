package compartment

import (
	"context"
	"slices"
	"strings"

	"github.com/fhirguard/fhirguard/internal/searchparam"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
)

// Create stores a new resource if the grant in ctx may create it: a scope
// must grant create on the type and the resource must meet the scope's
// conditions, lie in the patient's compartment for a patient token, and
// pass the rules. A resource outside the grant is refused with
// [ErrForbidden], one whose JSON is invalid with [ErrInvalid]. Patient
// tokens may not create Patient resources.
func (g *Guard) Create(ctx context.Context, r Resource) (Resource, error) {
	rq, err := g.begin(ctx, "create")
	if err != nil {
		return Resource{}, err
	}
	p, err := rq.typePolicy(r.Type, smart.PermCreate)
	if err != nil {
		return Resource{}, err
	}
	if v := rq.check(p, r, nil, true); !v.ok {
		return Resource{}, rq.refuseWrite(r, v, "create_outside_grant")
	}
	out, err := g.repo.Create(ctx, r)
	return out, storeError(err)
}

// Update stores a new version of a resource if the grant in ctx may
// update both the stored version and the new one: the stored version
// outside the grant answers [ErrNotFound] (as if it did not exist), the
// new version outside it [ErrForbidden], so that no update moves a
// resource out of the grant (for example to another patient). A patient
// token may not add to Patient.link ([ErrForbidden]): a link would open
// another patient's compartment to a Config.LinkedPatients resolver that
// reads it. A patch is
// an update: the server reads through the Guard, applies the patch and
// updates through the Guard.
//
// When the resource does not exist, a grant that sees the whole type may
// create it (update as create, if the store allows); any other grant
// receives ErrNotFound, so that an update never reveals whether another
// patient's resource exists. Known gap: the stored version is read, then
// the new one written, in two calls; a store that offers versioned
// updates (If-Match) should check that the version did not change.
func (g *Guard) Update(ctx context.Context, r Resource) (Resource, error) {
	rq, err := g.begin(ctx, "update")
	if err != nil {
		return Resource{}, err
	}
	p, err := rq.typePolicy(r.Type, smart.PermUpdate)
	if err != nil {
		return Resource{}, err
	}
	stored, err := rq.checkStored(p, r.Type, r.ID)
	if err != nil {
		return Resource{}, err
	}
	if v := rq.check(p, r, nil, true); !v.ok {
		return Resource{}, rq.refuseWrite(r, v, "update_outside_grant")
	}
	if p.ti.mode == modeSelf && p.memberOnly() && !keepsLinks(stored, r, g.cfg.BaseURL) {
		return Resource{}, rq.refuse("patient_link_added", r.Type,
			"a patient token may not add to Patient.link")
	}
	out, err := g.repo.Update(ctx, r)
	return out, storeError(err)
}

// Delete deletes a resource if the grant in ctx may delete its stored
// version; otherwise it answers [ErrNotFound], as for a resource that does
// not exist. Patient tokens may not delete Patient resources.
func (g *Guard) Delete(ctx context.Context, typ, id string) error {
	rq, err := g.begin(ctx, "delete")
	if err != nil {
		return err
	}
	p, err := rq.typePolicy(typ, smart.PermDelete)
	if err != nil {
		return err
	}
	if _, err := rq.checkStored(p, typ, id); err != nil {
		return err
	}
	return storeError(g.repo.Delete(ctx, typ, id))
}

// checkStored checks the stored version of a resource about to be updated
// or deleted, and returns it (the zero Resource for an update as create).
func (rq *request) checkStored(p *policy, typ, id string) (Resource, error) {
	stored, err := rq.g.repo.Read(rq.ctx, typ, id)
	switch {
	case isNotFound(err) && p.unrestricted():
		return Resource{}, nil
	case isNotFound(err):
		rq.emit(audit.Record{Kind: audit.KindHidden, Reason: "write_missing", Status: 404,
			ResourceType: typ, ResourceID: id,
			Detail: "update as create is refused to a grant that does not see the whole type"})
		return Resource{}, notFound("not_found")
	case err != nil:
		return Resource{}, storeError(err)
	}
	if v := rq.check(p, stored, nil, true); !v.ok {
		return Resource{}, rq.hide(stored, v)
	}
	return stored, nil
}

// keepsLinks reports whether the new version of a Patient links only to
// patients the stored version links to (Patient.link.other, relative or
// absolute with base). A patient app must not add links: a LinkedPatients
// resolver may read them, and a new link would open another patient's
// compartment. Removing a link narrows access and is allowed.
func keepsLinks(stored, r Resource, base string) bool {
	old, okOld := patientLinks(stored, base)
	links, ok := patientLinks(r, base)
	if !ok || !okOld {
		return false
	}
	for _, l := range links {
		if _, found := slices.BinarySearch(old, l); !found {
			return false
		}
	}
	return true
}

// patientLinks returns the sorted, distinct references of a Patient's
// links, or false when they cannot be read.
func patientLinks(r Resource, base string) ([]string, bool) {
	d, _ := searchparam.Lookup("Patient", "link")
	ex := extractorFor([]*searchparam.Def{d})
	if ex == nil {
		return nil, false
	}
	var links []string
	err := ex.Extract(r.JSON, func(_ int, v searchparam.Value) {
		key := localRef(v.Ref, base)
		if key == "" {
			key = "?" + v.Ref // a link elsewhere: compared as written
		}
		links = append(links, strings.Clone(key))
	})
	slices.Sort(links)
	return slices.Compact(links), err == nil
}

// refuseWrite reports and returns the refusal of a resource a client sent.
func (rq *request) refuseWrite(r Resource, v verdict, reason string) error {
	if v.reason == reasonInvalid || v.reason == reasonTypeMismatch {
		return invalid(v.reason, "the resource is not valid FHIR JSON of its type", nil)
	}
	rq.reportRule(r, v)
	rq.emit(audit.Record{Kind: audit.KindForbidden, Reason: reason, Status: 403, Rule: v.rule,
		ResourceType: r.Type, ResourceID: r.ID,
		Detail: "write refused: the resource would lie outside the grant (" + v.reason + ")"})
	return forbidden(reason)
}
