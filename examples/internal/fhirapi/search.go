package fhirapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/smart"
)

// search performs a type, system or compartment search, by GET or POST
// _search, and answers a searchset Bundle of one page.
func (h *Handler) search(ctx context.Context, c call) (*result, error) {
	typ := c.in.Type
	if typ == "*" {
		typ = ""
	}
	q, err := compartment.ParseQuery(typ, c.params)
	if err != nil {
		return nil, err
	}
	if c.in.Kind == smart.KindSearchCompartment {
		q.Compartment = compartment.CompartmentRef{Type: c.in.Compartment.Type,
			ID: c.in.Compartment.ID}
	}
	page, err := h.cfg.Repository.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	sub := subset{summary: q.Summary, elements: q.Elements}
	return h.searchset(c, page, sub)
}

// searchset answers one page of matches and included resources.
func (h *Handler) searchset(c call, page compartment.Page, sub subset) (*result, error) {
	b := h.newBundle("searchset")
	if page.TotalKnown {
		b.Total = &page.Total
	}
	b.Link = h.pageLinks(c, page.Next)
	for _, r := range page.Resources {
		b.Entry = append(b.Entry, h.searchEntry(r, "match", sub))
	}
	for _, r := range page.Included {
		b.Entry = append(b.Entry, h.searchEntry(r, "include", sub))
	}
	body, err := b.encode()
	if err != nil {
		return nil, err
	}
	return &result{status: http.StatusOK, body: body}, nil
}

// everything performs Patient/[id]/$everything: the patient's
// compartment, with the resources it references (practitioners,
// organizations, locations, medications) and the Provenance of what it
// holds, one page at a time. The
// patient is read first, so that another patient's $everything answers
// 404 as a read of that patient does.
func (h *Handler) everything(ctx context.Context, c call) (*result, error) {
	if _, err := h.cfg.Repository.Read(ctx, "Patient", c.in.ID); err != nil {
		return nil, err
	}
	q, err := everythingQuery(c)
	if err != nil {
		return nil, err
	}
	page, err := h.cfg.Repository.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	return h.searchset(c, page, subset{})
}

// everythingQuery reads the parameters of $everything: _count, _type and
// _cursor. Others (_since, start, end) are refused rather than ignored.
func everythingQuery(c call) (compartment.Query, error) {
	for k := range c.params {
		switch k {
		case "_count", "_type", "_cursor", "_format", "_pretty":
		default:
			return compartment.Query{}, badRequest("unsupported parameter of $everything: " +
				quoteName(k))
		}
	}
	parsed, err := compartment.ParseQuery("", c.params)
	if err != nil {
		return compartment.Query{}, err
	}
	return compartment.Query{Types: parsed.Types, Count: parsed.Count,
		PageToken: parsed.PageToken, Include: []compartment.Include{{Wildcard: true}},
		RevInclude:  []compartment.Include{{SourceType: "Provenance", Param: "target"}},
		Compartment: compartment.CompartmentRef{Type: "Patient", ID: c.in.ID}}, nil
}

// history performs instance, type and system history and answers a
// history Bundle of one page.
func (h *Handler) history(ctx context.Context, c call) (*result, error) {
	q := compartment.HistoryQuery{Type: c.in.Type, ID: c.in.ID}
	if err := readHistoryParams(&q, c.params); err != nil {
		return nil, err
	}
	page, err := h.cfg.Repository.History(ctx, q)
	if err != nil {
		return nil, err
	}
	b := h.newBundle("history")
	b.Link = h.pageLinks(c, page.Next)
	for _, r := range page.Resources {
		b.Entry = append(b.Entry, h.historyEntry(r))
	}
	body, err := b.encode()
	if err != nil {
		return nil, err
	}
	return &result{status: http.StatusOK, body: body}, nil
}

// readHistoryParams reads _count, _since and _cursor.
func readHistoryParams(q *compartment.HistoryQuery, params url.Values) error {
	for k, vs := range params {
		if len(vs) != 1 {
			return badRequest("parameter may appear only once: " + quoteName(k))
		}
		var err error
		switch v := vs[0]; k {
		case "_count":
			q.Count, err = strconv.Atoi(v)
			if err != nil || q.Count < 1 {
				return badRequest("_count must be a positive integer")
			}
		case "_since":
			if q.Since, err = parseInstant(v); err != nil {
				return badRequest("_since must be an instant with a time zone")
			}
		case "_cursor":
			q.PageToken = v
		case "_format", "_pretty":
		default:
			return badRequest("unsupported parameter of a history: " + quoteName(k))
		}
	}
	return nil
}
