package fhirapi

import (
	"net/http"
	"strconv"

	"github.com/fhirguard/fhirguard/compartment"
)

// contentType is the media type of every response body.
const contentType = "application/fhir+json; charset=utf-8"

// result is the answer to one interaction.
type result struct {
	status   int
	body     []byte // a resource, a Bundle, or nil
	location string // for a create: the new version's URL
	version  string // the resource's version, for ETag
	resource *compartment.Resource
}

// resourceResult returns the answer carrying a resource.
func resourceResult(status int, r compartment.Resource, body []byte) *result {
	return &result{status: status, body: body, version: r.Version, resource: &r}
}

// write sends the result.
func (res *result) write(w http.ResponseWriter) {
	h := w.Header()
	if res.location != "" {
		h.Set("Location", res.location)
	}
	if res.version != "" {
		h.Set("ETag", `W/"`+res.version+`"`)
	}
	h.Set("Cache-Control", "no-store")
	if res.body == nil {
		w.WriteHeader(res.status)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(res.body)))
	w.WriteHeader(res.status)
	_, _ = w.Write(res.body)
}

// statusLine returns "201 Created" for 201, as Bundle responses write it.
func statusLine(status int) string {
	return strconv.Itoa(status) + " " + http.StatusText(status)
}
