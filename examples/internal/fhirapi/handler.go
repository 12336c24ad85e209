package fhirapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/smart"
)

// Config configures a [Handler]. Repository and BaseURL are required.
type Config struct {
	// Repository is where the handler reads and writes resources: the
	// compartment decorator around the server's store. Required.
	Repository compartment.Repository

	// BaseURL is the absolute URL of the FHIR base, such as
	// "http://127.0.0.1:8080/fhir", used for fullUrl, Location and paging
	// links. The handler serves the paths below its path. Required.
	BaseURL string

	// Security is the CapabilityStatement's rest.security element, such
	// as smart.Configuration.SecurityComponent returns. Nil leaves it out.
	Security *smart.SecurityComponent

	// Transaction runs fn atomically: the repository calls made with the
	// context fn receives all commit or all roll back. Nil refuses
	// transaction Bundles with 501; batch Bundles work without it.
	Transaction func(ctx context.Context, fn func(ctx context.Context) error) error

	// ParseEntry parses the request of a Bundle entry, as
	// smart.Guard.ParseEntry does for the middleware's registered
	// operations. Nil means smart.ParseEntry.
	ParseEntry func(method, url, ifNoneExist string) (smart.Interaction, error)

	// MaxBodyBytes bounds a request body. Zero means 16 MiB.
	MaxBodyBytes int64

	// Now returns the time written in Bundle.meta.lastUpdated and the
	// CapabilityStatement's date. Nil means time.Now.
	Now func() time.Time
}

// Handler serves the FHIR RESTful API over a repository. Build it with
// [New]; the zero value is not usable. It is safe for concurrent use.
type Handler struct {
	cfg      Config
	base     *url.URL
	metadata []byte
}

// New checks cfg and returns a Handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Repository == nil {
		return nil, errors.New("fhirapi: Config.Repository is required")
	}
	base, err := url.Parse(strings.TrimSuffix(cfg.BaseURL, "/"))
	if err != nil || base.Scheme != "http" && base.Scheme != "https" || base.Host == "" ||
		base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("fhirapi: Config.BaseURL must be an absolute http or https URL")
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, errors.New("fhirapi: Config.MaxBodyBytes must not be negative")
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 16 << 20
	}
	if cfg.ParseEntry == nil {
		cfg.ParseEntry = smart.ParseEntry
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.BaseURL = base.String()
	h := &Handler{cfg: cfg, base: base}
	if h.metadata, err = capabilityStatement(cfg); err != nil {
		return nil, err
	}
	return h, nil
}

// call is one interaction to perform, from an HTTP request or a Bundle
// entry.
type call struct {
	in     smart.Interaction
	path   string     // the path below the base, such as "Patient/1/Observation"
	params url.Values // the query, with the form of a POST _search
	body   []byte     // the resource of a create or update
	id     string     // the ID a transaction assigned to a create
	prefer string     // the Prefer header's return preference
}

// ServeHTTP performs the request's interaction. It answers an
// OperationOutcome with the matching status for every error, 404 for a
// path outside the base, and 501 for an interaction it does not serve.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := h.callOf(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	res, err := h.exec(r.Context(), c)
	if err != nil {
		writeError(w, err)
		return
	}
	res.write(w)
}

// callOf reads the interaction, parameters and body of an HTTP request.
func (h *Handler) callOf(w http.ResponseWriter, r *http.Request) (call, error) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), h.base.EscapedPath())
	if !ok || rest != "" && rest[0] != '/' {
		return call{}, notFound("no FHIR endpoint at this path")
	}
	rest = strings.TrimPrefix(rest, "/")
	in, ok := smart.InteractionFromContext(r.Context())
	if !ok {
		var err error
		if in, err = smart.ParseInteraction(r.Method, rest, r.URL.RawQuery, r.Header); err != nil {
			return call{}, badRequest("the request is not a FHIR interaction")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		return call{}, &httpError{status: http.StatusRequestEntityTooLarge, code: "too-costly",
			msg: "the request body is too large or unreadable"}
	}
	params, err := requestParams(r, body)
	if err != nil {
		return call{}, err
	}
	return call{in: in, path: strings.TrimSuffix(rest, "/_search"), params: params, body: body,
		prefer: preference(r.Header.Get("Prefer"))}, nil
}

// requestParams returns the query parameters, with those of a form body
// (POST _search) added.
func requestParams(r *http.Request, body []byte) (url.Values, error) {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("the query string is malformed")
	}
	if r.Method != http.MethodPost || !isForm(r.Header.Get("Content-Type")) {
		return params, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, badRequest("the form body is malformed")
	}
	for k, vs := range form {
		params[k] = append(params[k], vs...)
	}
	return params, nil
}

// isForm reports whether a content type is a URL-encoded form.
func isForm(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/x-www-form-urlencoded")
}

// preference returns the return preference of a Prefer header:
// "minimal", "representation" (the default) or "OperationOutcome".
func preference(h string) string {
	for part := range strings.SplitSeq(h, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "return="); ok {
			return v
		}
	}
	return "representation"
}

// exec performs one interaction.
func (h *Handler) exec(ctx context.Context, c call) (*result, error) {
	switch c.in.Kind {
	case smart.KindRead, smart.KindVRead:
		return h.read(ctx, c)
	case smart.KindSearchType, smart.KindSearchSystem, smart.KindSearchCompartment:
		return h.search(ctx, c)
	case smart.KindHistoryInstance, smart.KindHistoryType, smart.KindHistorySystem:
		return h.history(ctx, c)
	case smart.KindCreate:
		return h.create(ctx, c)
	case smart.KindUpdate:
		return h.update(ctx, c)
	case smart.KindDelete:
		return h.delete(ctx, c)
	case smart.KindBatch:
		return h.bundle(ctx, c)
	case smart.KindCapabilities:
		return &result{status: http.StatusOK, body: h.metadata}, nil
	case smart.KindOperationInstance:
		if c.in.Type == "Patient" && c.in.Operation == "everything" && c.in.Version == "" {
			return h.everything(ctx, c)
		}
	}
	return nil, notImplemented(c.in.Kind.String())
}
