package fhirapi

import (
	"context"
	"net/http"

	"github.com/fhirguard/fhirguard/compartment"
)

// read performs read and vread, with _summary and _elements.
func (h *Handler) read(ctx context.Context, c call) (*result, error) {
	sub, err := subsetOf(c.params, "_summary", "_elements", "_format", "_pretty")
	if err != nil {
		return nil, err
	}
	var r compartment.Resource
	if c.in.Version == "" {
		r, err = h.cfg.Repository.Read(ctx, c.in.Type, c.in.ID)
	} else {
		r, err = h.cfg.Repository.VRead(ctx, c.in.Type, c.in.ID, c.in.Version)
	}
	if err != nil {
		return nil, err
	}
	return resourceResult(http.StatusOK, r, sub.apply(r.JSON)), nil
}
