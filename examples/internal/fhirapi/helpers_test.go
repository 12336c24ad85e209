package fhirapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/examples/internal/fhirapi"
	"github.com/fhirguard/fhirguard/examples/internal/sqlstore"
	"github.com/fhirguard/fhirguard/examples/internal/synth"
	"github.com/fhirguard/fhirguard/smart"
)

// base is the FHIR base the tests' handler serves.
const base = "http://fhir.test/fhir"

// fixedNow is the clock of every test.
var fixedNow = time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC)

// shared is a handler over a store holding two synthetic patients, for
// the tests that only read.
var shared struct {
	once sync.Once
	h    *fhirapi.Handler
}

// readOnly returns the shared handler. Tests must not write through it.
func readOnly(t testing.TB) *fhirapi.Handler {
	t.Helper()
	shared.once.Do(func() { shared.h = newHandler(t, false) })
	return shared.h
}

// writableShared is a handler with transactions, shared by the tests
// that write: each writes resources of its own (its own codes, new IDs),
// so that they do not see each other's.
var writableShared struct {
	once sync.Once
	h    *fhirapi.Handler
}

// writable returns the shared handler the tests may write through.
func writable(t testing.TB) *fhirapi.Handler {
	t.Helper()
	writableShared.once.Do(func() { writableShared.h = newHandler(t, true) })
	return writableShared.h
}

// newHandler returns a handler over a new store holding two synthetic
// patients, with transactions when withTx.
func newHandler(t testing.TB, withTx bool) *fhirapi.Handler {
	t.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, sqlstore.Config{Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := synth.Generate(synth.Config{Patients: 2})
	if err != nil {
		t.Fatal(err)
	}
	err = store.Transaction(ctx, func(ctx context.Context) error {
		for _, r := range rs {
			if _, err := store.Update(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	guard, err := compartment.New(store, compartment.Config{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	cfg := fhirapi.Config{Repository: guard, BaseURL: base, Now: func() time.Time { return fixedNow }}
	if withTx {
		cfg.Transaction = store.Transaction
	}
	h, err := fhirapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// client sends requests to a handler with one grant in their context, as
// the SMART middleware would put it.
type client struct {
	t     testing.TB
	h     http.Handler
	grant *smart.Grant
}

// as returns a client for a patient token with scopes.
func as(t testing.TB, h http.Handler, patient, scopes string) *client {
	return &client{t: t, h: h, grant: &smart.Grant{Patient: patient, ClientID: "test",
		Scopes: smart.ParseScopes(scopes)}}
}

// response is a recorded response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; target is relative to the base unless absolute.
func (c *client) do(method, target, contentType, body string) response {
	c.t.Helper()
	if !strings.HasPrefix(target, "http") {
		target = base + "/" + target
	}
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req = req.WithContext(smart.NewContext(req.Context(), c.grant))
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	resp := rec.Result()
	data, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// doWith sends a request with a FHIR JSON body and extra headers.
func (c *client) doWith(method, target, body string, headers map[string]string) response {
	c.t.Helper()
	req := httptest.NewRequest(method, base+"/"+target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/fhir+json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req = req.WithContext(smart.NewContext(req.Context(), c.grant))
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	data, _ := io.ReadAll(rec.Result().Body)
	return response{status: rec.Code, header: rec.Header(), body: data}
}

// get sends a GET.
func (c *client) get(target string) response { return c.do(http.MethodGet, target, "", "") }

// bundleOf decodes a Bundle response.
type bundleOf struct {
	Type  string `json:"type"`
	Total *int   `json:"total"`
	Link  []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link"`
	Entry []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   *struct {
			Mode string `json:"mode"`
		} `json:"search"`
		Response *struct {
			Status   string          `json:"status"`
			Location string          `json:"location"`
			Outcome  json.RawMessage `json:"outcome"`
		} `json:"response"`
	} `json:"entry"`
}

// bundle decodes r as a Bundle, failing the test on another answer.
func (r response) bundle(t testing.TB) bundleOf {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var b bundleOf
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatalf("not a Bundle: %v", err)
	}
	return b
}

// next returns the URL of the next link, or "".
func (b bundleOf) next() string {
	for _, l := range b.Link {
		if l.Relation == "next" {
			return l.URL
		}
	}
	return ""
}

// refs returns the Type/id of the entries whose search mode is mode (any
// mode when empty).
func (b bundleOf) refs(mode string) []string {
	var out []string
	for _, e := range b.Entry {
		if mode != "" && (e.Search == nil || e.Search.Mode != mode) {
			continue
		}
		out = append(out, strings.TrimPrefix(e.FullURL, base+"/"))
	}
	return out
}

// searchAll follows next links from target and returns every match.
func (c *client) searchAll(target string) []string {
	c.t.Helper()
	var all []string
	for n := 0; target != "" && n < 50; n++ {
		b := c.get(target).bundle(c.t)
		all = append(all, b.refs("match")...)
		target = b.next()
	}
	return all
}

// outcomeCode returns the issue code of an OperationOutcome body.
func outcomeCode(body []byte) string {
	var oo struct {
		ResourceType string `json:"resourceType"`
		Issue        []struct {
			Code string `json:"code"`
		} `json:"issue"`
	}
	if json.Unmarshal(body, &oo) != nil || oo.ResourceType != "OperationOutcome" ||
		len(oo.Issue) == 0 {
		return ""
	}
	return oo.Issue[0].Code
}

// form encodes form values.
func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}
