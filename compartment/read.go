package compartment

import (
	"context"

	"github.com/fhirguard/fhirguard/smart"
)

// Read returns the resource typ/id if the grant in ctx may read it. A
// resource outside the grant answers [ErrNotFound], exactly as a resource
// that does not exist, and is reported with [audit.KindHidden]. A type no
// scope grants reading answers [ErrForbidden], decided before the store is
// asked.
func (g *Guard) Read(ctx context.Context, typ, id string) (Resource, error) {
	rq, err := g.begin(ctx, "read")
	if err != nil {
		return Resource{}, err
	}
	return rq.read(typ, id, "")
}

// VRead returns one version of typ/id if the grant in ctx may read that
// version, judged on that version's own content; otherwise it behaves as
// [Guard.Read].
func (g *Guard) VRead(ctx context.Context, typ, id, version string) (Resource, error) {
	rq, err := g.begin(ctx, "vread")
	if err != nil {
		return Resource{}, err
	}
	return rq.read(typ, id, version)
}

// read implements Read and VRead.
func (rq *request) read(typ, id, version string) (Resource, error) {
	p, err := rq.typePolicy(typ, smart.PermRead)
	if err != nil {
		return Resource{}, err
	}
	var r Resource
	if version == "" {
		r, err = rq.g.repo.Read(rq.ctx, typ, id)
	} else {
		r, err = rq.g.repo.VRead(rq.ctx, typ, id, version)
	}
	if err != nil {
		return Resource{}, storeError(err)
	}
	if r.ID != id || r.Type != typ {
		rq.defect(r, "wrong_resource")
		return Resource{}, notFound("not_found")
	}
	if v := rq.check(p, r, nil, true); !v.ok {
		return Resource{}, rq.hide(r, v)
	}
	return r, nil
}

// typePolicy returns the policy of a type named by the client, refusing
// an unknown type (400) or one that no scope grants perm on (403), and
// resolving what checking needs.
func (rq *request) typePolicy(typ string, perm smart.Permissions) (*policy, error) {
	ti := lookupType(typ)
	if ti == nil {
		return nil, invalidParam("unknown_type", "unknown resource type", typ)
	}
	p := rq.policy(ti, perm)
	if len(p.paths) == 0 {
		return nil, rq.refuse("type_not_granted", typ, "no scope grants this interaction on the type")
	}
	return p, rq.prepare(p)
}
