package smart_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
)

// fakeAuth is an Authenticator backed by a map from token to result, so
// that these tests do not depend on token validation.
type fakeAuth map[string]fakeResult

type fakeResult struct {
	grant *smart.Grant
	err   error
}

func (f fakeAuth) Authenticate(_ context.Context, token string) (*smart.Grant, error) {
	r, ok := f[token]
	if !ok {
		return nil, &smart.TokenError{Reason: "bad_signature", Err: errors.New("no such key")}
	}
	return r.grant, r.err
}

// auditLog collects audit records.
type auditLog struct {
	mu      sync.Mutex
	records []audit.Record
}

func (l *auditLog) hook(_ context.Context, r audit.Record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r)
}

func (l *auditLog) all() []audit.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]audit.Record(nil), l.records...)
}

// seen is what the handler behind the Guard saw of a request.
type seen struct {
	called      bool
	method      string
	path        string
	rawQuery    string
	body        string
	ifNoneExist string
	grant       *smart.Grant
	hasGrant    bool
	in          smart.Interaction
	hasIn       bool
}

// fixture is a Guard with base /fhir and realm "fhir" in front of a
// recording handler.
type fixture struct {
	auth    fakeAuth
	log     *auditLog
	handler http.Handler
	seen    *seen
}

var fixedNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, edit func(*smart.GuardConfig)) *fixture {
	t.Helper()
	f := &fixture{auth: fakeAuth{}, log: &auditLog{}, seen: &seen{}}
	cfg := smart.GuardConfig{
		Authenticator: f.auth, BasePath: "/fhir", Realm: "fhir",
		Audit: f.log.hook, Now: func() time.Time { return fixedNow },
	}
	if edit != nil {
		edit(&cfg)
	}
	g, err := smart.NewGuard(cfg)
	if err != nil {
		t.Fatalf("NewGuard: %v", err)
	}
	f.handler = g.Handler(http.HandlerFunc(f.record))
	return f
}

func (f *fixture) record(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s := f.seen
	*s = seen{called: true, method: r.Method, path: r.URL.Path, rawQuery: r.URL.RawQuery,
		body: string(body), ifNoneExist: r.Header.Get("If-None-Exist")}
	s.grant, s.hasGrant = smart.FromContext(r.Context())
	s.in, s.hasIn = smart.InteractionFromContext(r.Context())
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "ok")
}

// token registers a grant for patient 123 with scopes and returns its token.
func (f *fixture) token(name, scopes string) string {
	f.auth[name] = fakeResult{grant: &smart.Grant{
		Subject: "jane.doe@example.org", ClientID: "app-1", Patient: "123",
		FHIRUser: "Patient/123", TokenID: "jti-" + name, Scopes: smart.ParseScopes(scopes),
	}}
	return name
}

type req struct {
	method, target, body, contentType string
	header                            http.Header
}

func (f *fixture) do(r req, token string) *httptest.ResponseRecorder {
	*f.seen = seen{}
	hr := httptest.NewRequest(r.method, r.target, strings.NewReader(r.body))
	for k, vs := range r.header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	if r.contentType != "" {
		hr.Header.Set("Content-Type", r.contentType)
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, hr)
	return w
}

// lastReason returns the reason of the last audit record, or "".
func (f *fixture) lastReason() string {
	recs := f.log.all()
	if len(recs) == 0 {
		return ""
	}
	return recs[len(recs)-1].Reason
}

// operationOutcome decodes an OperationOutcome body with one issue.
func operationOutcome(t *testing.T, w *httptest.ResponseRecorder) (code, diagnostics string) {
	t.Helper()
	var oo struct {
		ResourceType string
		Issue        []struct{ Severity, Code, Diagnostics string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &oo); err != nil {
		t.Fatalf("body %q is not JSON: %v", w.Body, err)
	}
	if oo.ResourceType != "OperationOutcome" || len(oo.Issue) != 1 {
		t.Fatalf("body %s is not an OperationOutcome with one issue", w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("Content-Type %q", ct)
	}
	return oo.Issue[0].Code, oo.Issue[0].Diagnostics
}

// refusal is what a refused request must get.
type refusal struct {
	status    int
	challenge string // exact WWW-Authenticate, "" for none
	issue     string
	diag      string
	kind      audit.Kind
	reason    string
}

func (f *fixture) expectRefusal(t *testing.T, w *httptest.ResponseRecorder, want refusal) {
	t.Helper()
	if w.Code != want.status {
		t.Fatalf("status %d, want %d; body %s", w.Code, want.status, w.Body)
	}
	if f.seen.called {
		t.Error("the handler ran for a refused request")
	}
	if got := w.Header().Get("WWW-Authenticate"); got != want.challenge {
		t.Errorf("WWW-Authenticate\n got %s\nwant %s", got, want.challenge)
	}
	code, diag := operationOutcome(t, w)
	if code != want.issue || diag != want.diag {
		t.Errorf("OperationOutcome %s %q, want %s %q", code, diag, want.issue, want.diag)
	}
	recs := f.log.all()
	if len(recs) == 0 {
		t.Fatal("no audit record")
	}
	rec := recs[len(recs)-1]
	if rec.Kind != want.kind || rec.Reason != want.reason || rec.Status != want.status ||
		rec.Component != "smart" || !rec.Time.Equal(fixedNow) {
		t.Errorf("audit record %+v, want kind %s reason %s status %d",
			rec, want.kind, want.reason, want.status)
	}
}

// expectReached checks that the handler saw r exactly as sent, with the
// grant of token and an interaction of kind.
func (f *fixture) expectReached(t *testing.T, w *httptest.ResponseRecorder, r req,
	token string, kind smart.Kind) {
	t.Helper()
	if w.Code != http.StatusOK || !f.seen.called {
		t.Fatalf("status %d, handler called %v; body %s", w.Code, f.seen.called, w.Body)
	}
	s := f.seen
	path, query, _ := strings.Cut(r.target, "?")
	path, _ = url.PathUnescape(path)
	if s.method != r.method || s.path != path || s.rawQuery != query || s.body != r.body ||
		s.ifNoneExist != r.header.Get("If-None-Exist") {
		t.Errorf("handler saw %+v, want the request %+v unchanged", s, r)
	}
	if !s.hasGrant || s.grant != f.auth[token].grant {
		t.Errorf("handler grant %v (present %v), want the token's", s.grant, s.hasGrant)
	}
	if !s.hasIn || s.in.Kind != kind {
		t.Errorf("handler interaction %+v (present %v), want kind %s", s.in, s.hasIn, kind)
	}
}

func forbidden(hint, needs string) refusal {
	ch := `Bearer realm="fhir", error="insufficient_scope", scope="` + hint + `"`
	if hint == "" {
		ch = `Bearer realm="fhir", error="insufficient_scope", error_description="` + needs + `"`
	}
	return refusal{status: 403, challenge: ch, issue: "forbidden",
		diag: "the access token's scopes do not cover this request: " + needs,
		kind: audit.KindForbidden, reason: "insufficient_scope"}
}

const formType = "application/x-www-form-urlencoded"

// setTarget sets r's URL path from an escaped path, as the server does.
func setTarget(r *http.Request, escaped string) error {
	u, err := url.ParseRequestURI(escaped)
	if err != nil {
		return err
	}
	r.URL = u
	return nil
}
