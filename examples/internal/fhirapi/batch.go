package fhirapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/fhirguard/fhirguard/examples/internal/fhirjson"
	"github.com/fhirguard/fhirguard/smart"
)

// maxEntries bounds the entries of a batch or transaction Bundle.
const maxEntries = 1000

// bundleIn is a batch or transaction Bundle as a client sends it.
type bundleIn struct {
	ResourceType string    `json:"resourceType"`
	Type         string    `json:"type"`
	Entry        []entryIn `json:"entry"`
}

// entryIn is one entry of a Bundle a client sends.
type entryIn struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
	Request  *struct {
		Method      string `json:"method"`
		URL         string `json:"url"`
		IfNoneExist string `json:"ifNoneExist"`
	} `json:"request"`
}

// bundle performs a batch or a transaction Bundle. Each entry is
// authorized with smart.Authorize as the request it stands for. A batch
// performs every entry and reports each outcome; a transaction authorizes
// every entry first, then performs them in FHIR's order (deletes, creates,
// updates, reads) in one Config.Transaction, and fails whole at the first
// error.
func (h *Handler) bundle(ctx context.Context, c call) (*result, error) {
	var in bundleIn
	if err := json.Unmarshal(c.body, &in); err != nil || in.ResourceType != "Bundle" {
		return nil, badRequest("the body is not a Bundle")
	}
	if len(in.Entry) > maxEntries {
		return nil, badRequest("the Bundle has too many entries")
	}
	calls, errs := h.entryCalls(ctx, in.Entry)
	switch in.Type {
	case "batch":
		return h.batch(ctx, calls, errs)
	case "transaction":
		return h.transaction(ctx, in.Entry, calls, errs)
	}
	return nil, badRequest("Bundle.type must be batch or transaction")
}

// entryCalls parses and authorizes each entry. errs[i] is the refusal of
// entry i, if any.
func (h *Handler) entryCalls(ctx context.Context, entries []entryIn) ([]call, []error) {
	grant, _ := smart.FromContext(ctx)
	calls := make([]call, len(entries))
	errs := make([]error, len(entries))
	for i, e := range entries {
		calls[i], errs[i] = h.entryCall(e)
		if errs[i] == nil {
			errs[i] = smart.Authorize(grant, calls[i].in)
		}
	}
	return calls, errs
}

// entryCall reads the request of one entry.
func (h *Handler) entryCall(e entryIn) (call, error) {
	if e.Request == nil {
		return call{}, badRequest("a Bundle entry has no request")
	}
	in, err := h.cfg.ParseEntry(e.Request.Method, e.Request.URL, e.Request.IfNoneExist)
	if err != nil {
		return call{}, err
	}
	path, rawQuery, _ := strings.Cut(e.Request.URL, "?")
	params, err := url.ParseQuery(rawQuery)
	if err != nil {
		return call{}, badRequest("a Bundle entry's URL has a malformed query")
	}
	return call{in: in, path: path, params: params, body: e.Resource,
		prefer: "representation"}, nil
}

// batch performs every entry on its own.
func (h *Handler) batch(ctx context.Context, calls []call, errs []error) (*result, error) {
	b := h.newBundle("batch-response")
	for i, c := range calls {
		var res *result
		err := errs[i]
		if err == nil {
			res, err = h.exec(ctx, c)
		}
		b.Entry = append(b.Entry, h.responseEntry(res, err))
	}
	return h.bundleResult(b)
}

// transaction performs the entries atomically.
func (h *Handler) transaction(ctx context.Context, entries []entryIn, calls []call,
	errs []error) (*result, error) {
	if h.cfg.Transaction == nil {
		return nil, notImplemented("transaction Bundles")
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	assignIDs(entries, calls)
	results := make([]*result, len(calls))
	err := h.cfg.Transaction(ctx, func(ctx context.Context) error {
		for _, i := range transactionOrder(calls) {
			res, err := h.exec(ctx, calls[i])
			if err != nil {
				return err
			}
			results[i] = res
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	b := h.newBundle("transaction-response")
	for _, res := range results {
		b.Entry = append(b.Entry, h.responseEntry(res, nil))
	}
	return h.bundleResult(b)
}

// assignIDs gives each create a new ID, and rewrites every reference to
// a create's fullUrl (such as urn:uuid:...) in the entries' resources to
// the new Type/ID.
func assignIDs(entries []entryIn, calls []call) {
	var olds, news [][]byte
	for i, c := range calls {
		if c.in.Kind != smart.KindCreate {
			continue
		}
		calls[i].id = newID()
		if u := entries[i].FullURL; u != "" {
			olds = append(olds, fhirjson.Quote(u))
			news = append(news, fhirjson.Quote(c.in.Type+"/"+calls[i].id))
		}
	}
	for i := range calls {
		for k := range olds {
			calls[i].body = bytes.ReplaceAll(calls[i].body, olds[k], news[k])
		}
	}
}

// transactionOrder returns the entries' indexes in the order FHIR
// processes a transaction: DELETE, POST, PUT and PATCH, then GET and
// HEAD, each in Bundle order.
func transactionOrder(calls []call) []int {
	rank := func(c call) int {
		switch c.in.Kind {
		case smart.KindDelete:
			return 0
		case smart.KindCreate:
			return 1
		case smart.KindUpdate, smart.KindPatch:
			return 2
		}
		return 3
	}
	order := make([]int, len(calls))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rank(calls[a]) - rank(calls[b]) })
	return order
}

// responseEntry returns the response entry of one performed entry.
func (h *Handler) responseEntry(res *result, err error) *entry {
	if err != nil {
		status, body := errorOutcome(err)
		return &entry{Response: &entryResponse{Status: statusLine(status), Outcome: body}}
	}
	e := &entry{Response: &entryResponse{Status: statusLine(res.status)}}
	if res.version != "" {
		e.Response.ETag = `W/"` + res.version + `"`
	}
	if res.location != "" {
		e.Response.Location = res.location
	}
	if res.body != nil {
		e.Resource = res.body
	}
	if res.resource != nil {
		e.FullURL = h.fullURL(*res.resource)
	}
	return e
}

// bundleResult answers a response Bundle.
func (h *Handler) bundleResult(b *bundle) (*result, error) {
	body, err := b.encode()
	if err != nil {
		return nil, err
	}
	return &result{status: http.StatusOK, body: body}, nil
}

// newID returns a random resource ID of 32 hexadecimal digits.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
