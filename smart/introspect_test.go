package smart_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
)

// tokEndpoint is an introspection endpoint whose answers tests set per
// token. It checks the client's credentials and counts calls.
type tokEndpoint struct {
	*httptest.Server
	calls atomic.Int64

	mu      sync.Mutex
	answers map[string]string // token -> raw body
	status  int
	hold    chan struct{} // when set, calls wait on it
}

func tokNewEndpoint(t *testing.T) *tokEndpoint {
	e := &tokEndpoint{answers: map[string]string{}}
	e.Server = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.Close)
	return e
}

func (e *tokEndpoint) answer(token string, body any) {
	raw, ok := body.(string)
	if !ok {
		b, _ := json.Marshal(body)
		raw = string(b)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.answers[token] = raw
}

func (e *tokEndpoint) serve(w http.ResponseWriter, r *http.Request) {
	e.calls.Add(1)
	e.mu.Lock()
	status, hold, body := e.status, e.hold, e.answers[r.PostFormValue("token")]
	e.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
		}
		return
	}
	// RFC 6749 section 2.3.1: the credentials are form-encoded inside Basic.
	id, secret, ok := r.BasicAuth()
	id, _ = url.QueryUnescape(id)
	secret, _ = url.QueryUnescape(secret)
	if r.Method != http.MethodPost || !ok || id != "fhir server" || secret != "s3cret:&=" ||
		r.PostFormValue("token_type_hint") != "access_token" {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if status != 0 {
		w.WriteHeader(status)
	}
	if body == "" {
		body = `{"active":false}`
	}
	_, _ = w.Write([]byte(body))
}

// tokIntrospection returns a valid SMART introspection answer, changed by
// edit (nil removes a member).
func tokIntrospection(edit map[string]any) map[string]any {
	m := map[string]any{
		"active": true, "scope": "launch/patient patient/Observation.rs", "client_id": "growth-chart",
		"exp": tokNow.Add(time.Hour).Unix(), "sub": "user-7", "patient": "123",
		"fhirUser": "Patient/123", "iss": tokIssuer, "jti": "jti-9",
	}
	for k, v := range edit {
		if v == nil {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	return m
}

// tokIntrospectionConfig authenticates to e with Basic credentials whose
// secret needs form-encoding.
func tokIntrospectionConfig(e *tokEndpoint, now func() time.Time) smart.IntrospectionConfig {
	return smart.IntrospectionConfig{
		Endpoint: e.URL, ClientID: "fhir server", ClientSecret: "s3cret:&=", Now: now,
	}
}

func tokIntrospector(t *testing.T, cfg smart.IntrospectionConfig) *smart.Introspector {
	t.Helper()
	in, err := smart.NewIntrospector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestIntrospectorAcceptsActiveToken(t *testing.T) {
	e := tokNewEndpoint(t)
	e.answer("opaque-1", tokIntrospection(nil))
	in := tokIntrospector(t, tokIntrospectionConfig(e, func() time.Time { return tokNow }))

	g, err := in.Authenticate(context.Background(), "opaque-1")
	if err != nil {
		t.Fatal(err)
	}
	if g.Patient != "123" || g.ClientID != "growth-chart" || g.Subject != "user-7" ||
		g.FHIRUser != "Patient/123" || g.Issuer != tokIssuer || g.TokenID != "jti-9" ||
		!g.Expiry.Equal(tokNow.Add(time.Hour)) || !g.Scopes.Allows("Observation", smart.PermSearch) {
		t.Errorf("grant = %+v", g)
	}
}

// TestIntrospectorAcceptsBearerTypes checks the token_type and token_use
// members of answers about access tokens.
func TestIntrospectorAcceptsBearerTypes(t *testing.T) {
	e := tokNewEndpoint(t)
	in := tokIntrospector(t, tokIntrospectionConfig(e, func() time.Time { return tokNow }))
	for name, edit := range map[string]map[string]any{
		"token_type Bearer":        {"token_type": "Bearer"},
		"token_type bearer":        {"token_type": "bearer"},
		"token_use access_token":   {"token_use": "access_token"},
		"token_type and token_use": {"token_type": "BEARER", "token_use": "access_token"},
	} {
		t.Run(name, func(t *testing.T) {
			e.answer(name, tokIntrospection(edit))
			if _, err := in.Authenticate(context.Background(), name); err != nil {
				t.Errorf("err = %v, want the access token accepted", err)
			}
		})
	}
}

func TestIntrospectorRefuses(t *testing.T) {
	cases := []struct {
		name   string
		body   any
		reason string
		also   error
	}{
		{"inactive", `{"active":false}`, "token_inactive", nil},
		{"active with past exp",
			tokIntrospection(map[string]any{"exp": tokNow.Add(-time.Second).Unix()}),
			"token_expired", smart.ErrTokenExpired},
		{"patient scopes without patient", tokIntrospection(map[string]any{"patient": nil}),
			"no_patient", smart.ErrNoPatient},
		{"patient not an id", tokIntrospection(map[string]any{"patient": "Patient/1/_history/2"}),
			"bad_claim", nil},
		// A refresh token sent to the FHIR server as if it were an access
		// token: it would skip the client authentication that refreshing
		// needs, and outlive every access token.
		{"refresh token", tokIntrospection(map[string]any{"token_type": "refresh_token"}),
			"not_access_token", nil},
		{"token not usable as an access token", tokIntrospection(map[string]any{"token_type": "N_A"}),
			"not_access_token", nil},
		{"DPoP-bound token sent as a bearer token",
			tokIntrospection(map[string]any{"token_type": "DPoP"}), "not_access_token", nil},
		{"token_type not a string", tokIntrospection(map[string]any{"token_type": 1}),
			"not_access_token", nil},
		{"token_use refresh_token", tokIntrospection(map[string]any{"token_use": "refresh_token"}),
			"not_access_token", nil},
	}
	e := tokNewEndpoint(t)
	e.answer("good", tokIntrospection(nil))
	in := tokIntrospector(t, tokIntrospectionConfig(e, func() time.Time { return tokNow }))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.answer(c.name, c.body)
			tokCheckRejected(t, in, c.name, c.reason, c.also)
		})
	}
	if _, err := in.Authenticate(context.Background(), "good"); err != nil {
		t.Fatalf("an active token must still be accepted: %v", err)
	}
}

func TestIntrospectorUnavailable(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
	}{
		{"server error", http.StatusInternalServerError, `{"active":true}`},
		{"bad gateway", http.StatusBadGateway, ""},
		{"not JSON", 0, "<html>maintenance</html>"},
		{"JSON array", 0, `[{"active":true}]`},
		{"JSON null", 0, `null`},
		{"no active member", 0, `{"scope":"patient/*.rs","patient":"1"}`},
		{"active as a string", 0, `{"active":"true","patient":"1"}`},
		{"oversized", 0, `{"active":true,"pad":"` + strings.Repeat("a", 70<<10) + `"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := tokNewEndpoint(t)
			e.status = c.status
			e.answer("tok", c.body)
			in := tokIntrospector(t, tokIntrospectionConfig(e, nil))
			_, err := in.Authenticate(context.Background(), "tok")
			tokCheckUnavailable(t, err)
		})
	}
}

// tokCheckUnavailable checks that err matches ErrUnavailable only.
func tokCheckUnavailable(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, smart.ErrUnavailable) || errors.Is(err, smart.ErrInvalidToken) {
		t.Errorf("err = %v, want ErrUnavailable only", err)
	}
}

func TestIntrospectorEndpointDown(t *testing.T) {
	e := tokNewEndpoint(t)
	cfg := tokIntrospectionConfig(e, nil)
	e.Close()
	_, err := tokIntrospector(t, cfg).Authenticate(context.Background(), "tok")
	tokCheckUnavailable(t, err)
}

func TestIntrospectorWrongCredentialsAreUnavailable(t *testing.T) {
	e := tokNewEndpoint(t)
	e.answer("tok", tokIntrospection(nil))
	cfg := tokIntrospectionConfig(e, nil)
	cfg.ClientSecret = "wrong"
	_, err := tokIntrospector(t, cfg).Authenticate(context.Background(), "tok")
	tokCheckUnavailable(t, err) // the endpoint refused us, not the token
}

func TestIntrospectorTimeout(t *testing.T) {
	e := tokNewEndpoint(t)
	e.hold = make(chan struct{})
	t.Cleanup(func() { close(e.hold) })
	cfg := tokIntrospectionConfig(e, nil)
	cfg.Timeout = 50 * time.Millisecond

	start := time.Now()
	_, err := tokIntrospector(t, cfg).Authenticate(context.Background(), "tok")
	tokCheckUnavailable(t, err)
	if took := time.Since(start); took > cfg.Timeout+2*time.Second {
		t.Errorf("held %v, beyond the %v timeout", took, cfg.Timeout)
	}
}

func TestIntrospectorCacheAndRevocation(t *testing.T) {
	clock := &tokClock{t: tokNow}
	e := tokNewEndpoint(t)
	e.answer("tok", tokIntrospection(nil))
	cfg := tokIntrospectionConfig(e, clock.now)
	cfg.MaxAge = 30 * time.Second
	in := tokIntrospector(t, cfg)

	for range 3 {
		if _, err := in.Authenticate(context.Background(), "tok"); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.calls.Load(); n != 1 {
		t.Fatalf("%d calls for one token within MaxAge, want 1", n)
	}

	e.answer("tok", `{"active":false}`) // revoked at the authorization server
	clock.advance(29 * time.Second)
	if _, err := in.Authenticate(context.Background(), "tok"); err != nil {
		t.Fatalf("within MaxAge the cached answer stands: %v", err)
	}
	clock.advance(time.Second)
	_, err := in.Authenticate(context.Background(), "tok")
	if !errors.Is(err, smart.ErrInvalidToken) {
		t.Fatalf("after MaxAge the revocation must be visible; err = %v", err)
	}
	if n := e.calls.Load(); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}

func TestIntrospectorCacheBoundedByExp(t *testing.T) {
	clock := &tokClock{t: tokNow}
	e := tokNewEndpoint(t)
	e.answer("tok", tokIntrospection(map[string]any{"exp": tokNow.Add(10 * time.Second).Unix()}))
	in := tokIntrospector(t, tokIntrospectionConfig(e, clock.now)) // MaxAge: one minute

	if _, err := in.Authenticate(context.Background(), "tok"); err != nil {
		t.Fatal(err)
	}
	clock.advance(10 * time.Second)
	_, err := in.Authenticate(context.Background(), "tok")
	if !errors.Is(err, smart.ErrTokenExpired) {
		t.Fatalf("at exp the cached answer must not be used; err = %v", err)
	}
	if n := e.calls.Load(); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}

func TestIntrospectorAudience(t *testing.T) {
	e := tokNewEndpoint(t)
	e.answer("ours", tokIntrospection(map[string]any{"aud": []any{"x", tokAudience}}))
	e.answer("theirs", tokIntrospection(map[string]any{"aud": "https://other.example.org"}))
	e.answer("none", tokIntrospection(nil))
	cfg := tokIntrospectionConfig(e, func() time.Time { return tokNow })
	cfg.Audience = tokAudience
	in := tokIntrospector(t, cfg)

	if _, err := in.Authenticate(context.Background(), "ours"); err != nil {
		t.Fatal(err)
	}
	tokCheckRejected(t, in, "theirs", "wrong_audience", nil)
	tokCheckRejected(t, in, "none", "wrong_audience", nil)
}

func TestIntrospectorBearerAuthAndAudit(t *testing.T) {
	var gotAuth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization"))
		answer := tokIntrospection(map[string]any{"scope": "patient/Observation.rs patient/Foo.x"})
		_ = json.NewEncoder(w).Encode(answer)
	}))
	t.Cleanup(srv.Close)
	var records atomic.Int64
	in := tokIntrospector(t, smart.IntrospectionConfig{
		Endpoint: srv.URL, BearerToken: "server-token", Now: func() time.Time { return tokNow },
		Audit: func(_ context.Context, r audit.Record) {
			if r.Kind == audit.KindMalformedScope && r.Scope == "patient/Foo.x" {
				records.Add(1)
			}
		},
	})
	if _, err := in.Authenticate(context.Background(), "tok"); err != nil {
		t.Fatal(err)
	}
	if got := gotAuth.Load(); got != "Bearer server-token" {
		t.Errorf("Authorization = %q", got)
	}
	if records.Load() != 1 {
		t.Errorf("malformed scope reported %d times, want once", records.Load())
	}
}

func TestNewIntrospectorErrors(t *testing.T) {
	cases := []struct {
		name string
		cfg  smart.IntrospectionConfig
		want string
	}{
		{"no endpoint", smart.IntrospectionConfig{BearerToken: "x"}, "Endpoint"},
		{"plain http", smart.IntrospectionConfig{Endpoint: "http://auth.example.org/introspect",
			BearerToken: "x"}, "https"},
		{"no credentials", smart.IntrospectionConfig{Endpoint: "https://a.example/i"}, "credentials"},
		{"secret without id", smart.IntrospectionConfig{Endpoint: "https://a.example/i",
			ClientSecret: "s"}, "together"},
		{"both methods", smart.IntrospectionConfig{Endpoint: "https://a.example/i",
			ClientID: "c", ClientSecret: "s", BearerToken: "b"}, "not both"},
		{"negative max age", smart.IntrospectionConfig{Endpoint: "https://a.example/i",
			BearerToken: "b", MaxAge: -1}, "negative"},
		{"bad claim path", smart.IntrospectionConfig{Endpoint: "https://a.example/i",
			BearerToken: "b", Claims: smart.ClaimMapping{Scope: ".scope"}}, "empty segment"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := smart.NewIntrospector(c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}
