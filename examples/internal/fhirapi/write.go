package fhirapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/examples/internal/fhirjson"
)

// create performs a create, or with If-None-Exist a conditional create:
// no match creates, one match answers it with 200, several answer 412.
// The ID in the body, if any, is replaced: the server assigns IDs (a
// transaction assigns them before its entries run).
func (h *Handler) create(ctx context.Context, c call) (*result, error) {
	data, err := resourceBody(c.body, c.in.Type, "")
	if err != nil {
		return nil, err
	}
	if c.id != "" {
		if data, err = withID(data, c.id); err != nil {
			return nil, err
		}
	}
	if c.in.Conditional {
		if res, err := h.existing(ctx, c); res != nil || err != nil {
			return res, err
		}
	}
	r, err := h.cfg.Repository.Create(ctx, compartment.Resource{Type: c.in.Type, ID: c.id,
		JSON: data})
	if err != nil {
		return nil, err
	}
	return h.written(c, http.StatusCreated, r), nil
}

// existing answers a conditional create whose criteria match: the one
// match, or 412 for several. It returns nil when nothing matches.
func (h *Handler) existing(ctx context.Context, c call) (*result, error) {
	params, err := url.ParseQuery(c.in.Criteria)
	if err != nil {
		return nil, badRequest("If-None-Exist is not a valid query")
	}
	q, err := compartment.ParseQuery(c.in.Type, params)
	if err != nil {
		return nil, err
	}
	q.Count = 2
	page, err := h.cfg.Repository.Search(ctx, q)
	switch {
	case err != nil:
		return nil, err
	case len(page.Resources) > 1:
		return nil, &httpError{status: http.StatusPreconditionFailed, code: "duplicate",
			msg: "If-None-Exist matches more than one resource"}
	case len(page.Resources) == 1:
		return resourceResult(http.StatusOK, page.Resources[0], page.Resources[0].JSON), nil
	}
	return nil, nil
}

// update performs an update (update as create when the store and grant
// allow it), or with criteria a conditional update.
func (h *Handler) update(ctx context.Context, c call) (*result, error) {
	data, err := resourceBody(c.body, c.in.Type, c.in.ID)
	if err != nil {
		return nil, err
	}
	r := compartment.Resource{Type: c.in.Type, ID: c.in.ID, JSON: data}
	if c.in.Conditional {
		return h.conditionalUpdate(ctx, c, r)
	}
	out, err := h.cfg.Repository.Update(ctx, r)
	if err != nil {
		return nil, err
	}
	status := http.StatusOK
	if out.Version == "1" {
		status = http.StatusCreated
	}
	return h.written(c, status, out), nil
}

// conditionalUpdate performs PUT [type]?criteria.
func (h *Handler) conditionalUpdate(ctx context.Context, c call, r compartment.Resource) (
	*result, error) {
	q, err := compartment.ParseQuery(c.in.Type, c.params)
	if err != nil {
		return nil, err
	}
	if id, ok := bodyID(r.JSON); ok {
		r.ID = id
	}
	out, created, err := compartment.ConditionalUpdate(ctx, h.cfg.Repository, q, r)
	if err != nil {
		return nil, err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return h.written(c, status, out), nil
}

// delete performs a delete, or with criteria a conditional delete.
func (h *Handler) delete(ctx context.Context, c call) (*result, error) {
	if !c.in.Conditional {
		if err := h.cfg.Repository.Delete(ctx, c.in.Type, c.in.ID); err != nil {
			return nil, err
		}
		return &result{status: http.StatusNoContent}, nil
	}
	q, err := compartment.ParseQuery(c.in.Type, c.params)
	if err != nil {
		return nil, err
	}
	if _, err := compartment.ConditionalDelete(ctx, h.cfg.Repository, q); err != nil {
		return nil, err
	}
	return &result{status: http.StatusNoContent}, nil
}

// written answers a create or update: Location and ETag, and the
// resource unless the client preferred return=minimal.
func (h *Handler) written(c call, status int, r compartment.Resource) *result {
	res := resourceResult(status, r, r.JSON)
	res.location = h.fullURL(r) + "/_history/" + r.Version
	if c.prefer == "minimal" {
		res.body = nil
	}
	return res
}

// resourceBody checks that body is a JSON object of type typ and, when id
// is set, that its id (if any) is id. A create's body loses its id.
func resourceBody(body []byte, typ, id string) ([]byte, error) {
	obj, err := fhirjson.Parse(body)
	if err != nil {
		return nil, badRequest("the body is not a JSON object")
	}
	if s, ok := obj.String("resourceType"); !ok || s != typ {
		return nil, badRequest("the body's resourceType does not match the URL")
	}
	got, hasID := obj.String("id")
	switch {
	case id == "" && obj.Get("id") != nil:
		obj.Delete("id")
		return obj.Encode(), nil
	case id != "" && obj.Get("id") != nil && (!hasID || got != id):
		return nil, badRequest("the body's id does not match the URL")
	}
	return body, nil
}

// withID sets the id of a resource body.
func withID(body []byte, id string) ([]byte, error) {
	obj, err := fhirjson.Parse(body)
	if err != nil {
		return nil, badRequest("the body is not a JSON object")
	}
	obj.SetString("id", id)
	obj.First("resourceType", "id")
	return obj.Encode(), nil
}

// bodyID returns the id of a resource body, when it has one.
func bodyID(body []byte) (string, bool) {
	obj, err := fhirjson.Parse(body)
	if err != nil {
		return "", false
	}
	return obj.String("id")
}
