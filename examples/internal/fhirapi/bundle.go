package fhirapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fhirguard/fhirguard/compartment"
)

// bundle is a FHIR Bundle as this handler writes it. Resources are kept
// as the store returned them (json.RawMessage) and written without
// re-escaping.
type bundle struct {
	ResourceType string   `json:"resourceType"`
	Meta         meta     `json:"meta"`
	Type         string   `json:"type"`
	Total        *int     `json:"total,omitempty"`
	Link         []link   `json:"link,omitempty"`
	Entry        []*entry `json:"entry,omitempty"`
}

type meta struct {
	LastUpdated string `json:"lastUpdated"`
}

type link struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

type entry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource,omitempty"`
	Search   *entrySearch    `json:"search,omitempty"`
	Request  *entryRequest   `json:"request,omitempty"`
	Response *entryResponse  `json:"response,omitempty"`
}

type entrySearch struct {
	Mode string `json:"mode"`
}

type entryRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
}

type entryResponse struct {
	Status   string          `json:"status"`
	Location string          `json:"location,omitempty"`
	ETag     string          `json:"etag,omitempty"`
	Outcome  json.RawMessage `json:"outcome,omitempty"`
}

// newBundle returns an empty Bundle of type typ.
func (h *Handler) newBundle(typ string) *bundle {
	return &bundle{ResourceType: "Bundle", Type: typ,
		Meta: meta{LastUpdated: h.cfg.Now().UTC().Format(time.RFC3339)}}
}

// encode writes b as JSON, leaving <, > and & in resources as they are.
func (b *bundle) encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, fmt.Errorf("fhirapi: encoding a Bundle: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// fullURL returns the absolute URL of a resource.
func (h *Handler) fullURL(r compartment.Resource) string {
	return h.cfg.BaseURL + "/" + r.Type + "/" + r.ID
}

// searchEntry returns the entry of a match or an included resource.
func (h *Handler) searchEntry(r compartment.Resource, mode string, sub subset) *entry {
	return &entry{FullURL: h.fullURL(r), Resource: sub.apply(r.JSON),
		Search: &entrySearch{Mode: mode}}
}

// historyEntry returns the entry of a version: its request is a POST for
// the first version, a PUT for later ones, and a DELETE for a deletion.
func (h *Handler) historyEntry(r compartment.Resource) *entry {
	e := &entry{FullURL: h.fullURL(r), Resource: r.JSON,
		Request:  &entryRequest{Method: http.MethodPut, URL: r.Type + "/" + r.ID},
		Response: &entryResponse{Status: statusLine(http.StatusOK), ETag: `W/"` + r.Version + `"`}}
	switch {
	case r.JSON == nil:
		e.Request.Method, e.Response.Status = http.MethodDelete, statusLine(http.StatusNoContent)
	case r.Version == "1":
		e.Request = &entryRequest{Method: http.MethodPost, URL: r.Type}
		e.Response.Status = statusLine(http.StatusCreated)
	}
	return e
}

// pageLinks returns the self link of the request and, when there is a
// next page, the next link: the same path and parameters with _cursor
// set to the opaque cursor. The links carry no authority: the next page
// is fetched with the constraints of whichever token presents the link.
func (h *Handler) pageLinks(c call, next string) []link {
	params := url.Values{}
	for k, vs := range c.params {
		if k != "_cursor" {
			params[k] = slices.Clone(vs)
		}
	}
	path := h.cfg.BaseURL
	if p := c.path; p != "" && p != "_search" {
		path += "/" + p
	}
	self := path
	if len(c.params) > 0 {
		self += "?" + c.params.Encode()
	}
	links := []link{{Relation: "self", URL: self}}
	if next != "" {
		params.Set("_cursor", next)
		links = append(links, link{Relation: "next", URL: path + "?" + params.Encode()})
	}
	return links
}

// parseInstant reads a FHIR instant, which has seconds and a time zone.
func parseInstant(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}
