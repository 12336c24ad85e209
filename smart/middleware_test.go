package smart_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
)

func TestGuardForEachKind(t *testing.T) {
	obs := `{"resourceType":"Observation","id":"1"}`
	cases := []struct {
		name        string
		r           req
		kind        smart.Kind
		allow, deny string
		hint, needs string
	}{
		{"read", req{method: "GET", target: "/fhir/Observation/1"}, smart.KindRead,
			"patient/Observation.r", "patient/Observation.s",
			"patient/Observation.r", `read needs "r" on Observation`},
		{"vread", req{method: "GET", target: "/fhir/Observation/1/_history/2"}, smart.KindVRead,
			"patient/Observation.rs", "patient/Condition.rs",
			"patient/Observation.r", `vread needs "r" on Observation`},
		{"update", req{method: "PUT", target: "/fhir/Observation/1", body: obs},
			smart.KindUpdate, "patient/Observation.u", "patient/Observation.rs",
			"patient/Observation.u", `update needs "u" on Observation`},
		{"patch", req{method: "PATCH", target: "/fhir/Observation/1", body: "[]"},
			smart.KindPatch, "patient/Observation.write", "patient/Observation.c",
			"patient/Observation.u", `patch needs "u" on Observation`},
		{"delete", req{method: "DELETE", target: "/fhir/Observation/1"}, smart.KindDelete,
			"patient/Observation.d", "patient/Observation.cru",
			"patient/Observation.d", `delete needs "d" on Observation`},
		{"create", req{method: "POST", target: "/fhir/Observation", body: obs},
			smart.KindCreate, "patient/Observation.c", "patient/Observation.rs",
			"patient/Observation.c", `create needs "c" on Observation`},
		{"conditional create", req{method: "POST", target: "/fhir/Observation", body: obs,
			header: http.Header{"If-None-Exist": {"identifier=x|1"}}},
			smart.KindCreate, "patient/Observation.cs", "patient/Observation.c",
			"patient/Observation.s", `create needs "s" on Observation`},
		{"conditional update", req{method: "PUT", target: "/fhir/Observation?identifier=1",
			body: obs}, smart.KindUpdate, "patient/Observation.us", "patient/Observation.u",
			"patient/Observation.s", `update needs "s" on Observation`},
		{"conditional patch", req{method: "PATCH", target: "/fhir/Observation?identifier=1",
			body: "[]"}, smart.KindPatch, "patient/Observation.u patient/Observation.s",
			"patient/Observation.s", "patient/Observation.u", `patch needs "u" on Observation`},
		{"conditional delete", req{method: "DELETE", target: "/fhir/Observation?code=1"},
			smart.KindDelete, "patient/Observation.ds", "patient/Observation.d",
			"patient/Observation.s", `delete needs "s" on Observation`},
		{"type search", req{method: "GET", target: "/fhir/Observation?code=1"},
			smart.KindSearchType, "patient/Observation.s", "patient/Observation.r",
			"patient/Observation.s", `search-type needs "s" on Observation`},
		{"type search by POST", req{method: "POST", target: "/fhir/Observation/_search",
			body: "code=1", contentType: formType}, smart.KindSearchType,
			"patient/Observation.read", "patient/Observation.write",
			"patient/Observation.read", `search-type needs "s" on Observation`},
		{"system search", req{method: "GET", target: "/fhir?_type=Observation"},
			smart.KindSearchSystem, "patient/Observation.s", "patient/Condition.s",
			"patient/Observation.s", `search-system needs "s" on Observation`},
		{"system search by POST with _type in the body", req{method: "POST",
			target: "/fhir/_search", body: "_type=Condition", contentType: formType},
			smart.KindSearchSystem, "patient/Condition.s", "patient/Observation.s",
			"patient/Condition.s", `search-system needs "s" on Condition`},
		{"compartment search", req{method: "GET", target: "/fhir/Patient/123/Observation"},
			smart.KindSearchCompartment, "patient/Observation.s", "patient/Patient.rs",
			"patient/Observation.s", `search-compartment needs "s" on Observation`},
		{"instance history", req{method: "GET", target: "/fhir/Observation/1/_history"},
			smart.KindHistoryInstance, "patient/Observation.r", "patient/Observation.s",
			"patient/Observation.r", `history-instance needs "r" on Observation`},
		{"type history", req{method: "GET", target: "/fhir/Observation/_history"},
			smart.KindHistoryType, "patient/Observation.s", "patient/Observation.r",
			"patient/Observation.s", `history-type needs "s" on Observation`},
		{"system history", req{method: "GET", target: "/fhir/_history"},
			smart.KindHistorySystem, "patient/Condition.s", "patient/Condition.r",
			"patient/*.s", `history-system needs "s" on some resource type`},
		{"batch", req{method: "POST", target: "/fhir", body: `{"resourceType":"Bundle"}`},
			smart.KindBatch, "patient/Observation.r", "openid fhirUser launch/patient",
			"", "batch needs a resource scope"},
		{"instance operation", req{method: "GET", target: "/fhir/Patient/123/$everything"},
			smart.KindOperationInstance, "patient/Patient.r", "patient/Observation.rs",
			"patient/Patient.r", `operation-instance needs "r" on Patient`},
		{"type operation", req{method: "GET", target: "/fhir/Observation/$lastn?code=1"},
			smart.KindOperationType, "patient/Observation.s", "patient/Observation.r",
			"patient/Observation.s", `operation-type needs "s" on Observation`},
		{"system operation", req{method: "GET", target: "/fhir/$export"},
			smart.KindOperationSystem, "system/*.rs", "system/Patient.r",
			"system/*.s", `operation-system needs "s" on some resource type`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			w := f.do(tc.r, f.token("deny", tc.deny))
			f.expectRefusal(t, w, forbidden(tc.hint, tc.needs))
			rec := f.log.all()[0]
			if rec.ClientID != "app-1" || rec.TokenID != "jti-deny" || rec.Patient != "123" ||
				rec.Scope != tc.hint || rec.Method != tc.r.method {
				t.Errorf("audit record %+v lacks the grant's identifiers or the scope", rec)
			}

			w = f.do(tc.r, f.token("allow", tc.allow))
			f.expectReached(t, w, tc.r, "allow", tc.kind)
		})
	}
}

func TestGuardRefusesUnknownOperations(t *testing.T) {
	f := newFixture(t, nil)
	w := f.do(req{method: "POST", target: "/fhir/Observation/$purge"}, f.token("all", "user/*.cruds"))
	want := forbidden("", "operation $purge is not enabled on this server for operation-type")
	want.reason = "operation_not_enabled"
	f.expectRefusal(t, w, want)
}

func TestGuardRegisteredOperations(t *testing.T) {
	f := newFixture(t, func(c *smart.GuardConfig) {
		c.Operations = []smart.Operation{
			{Name: "purge", Kind: smart.KindOperationType, Type: "Observation",
				Permissions: smart.PermDelete},
			{Name: "everything", Kind: smart.KindOperationInstance, Type: "Patient",
				Permissions: smart.PermRead | smart.PermSearch},
			{Name: "ping", Kind: smart.KindOperationSystem, NoStoredData: true},
		}
	})
	purge := req{method: "POST", target: "/fhir/Observation/$purge"}
	w := f.do(purge, f.token("deny", "patient/Observation.rs"))
	f.expectRefusal(t, w, forbidden("patient/Observation.d",
		`operation-type needs "d" on Observation`))
	w = f.do(purge, f.token("allow", "patient/Observation.d"))
	f.expectReached(t, w, purge, "allow", smart.KindOperationType)

	everything := req{method: "GET", target: "/fhir/Patient/123/$everything"}
	w = f.do(everything, f.token("deny2", "patient/Patient.r"))
	f.expectRefusal(t, w, forbidden("patient/Patient.s",
		`operation-instance needs "s" on Patient`))
	w = f.do(everything, f.token("allow2", "patient/Patient.rs"))
	f.expectReached(t, w, everything, "allow2", smart.KindOperationInstance)

	ping := req{method: "GET", target: "/fhir/$ping"}
	w = f.do(ping, f.token("openid", "openid"))
	f.expectReached(t, w, ping, "openid", smart.KindOperationSystem)
}

func TestGuardPublicAndOutsideRequests(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		name   string
		r      req
		wantIn bool
	}{
		{"outside the base", req{method: "GET", target: "/other/Patient/1?x=1"}, false},
		{"prefix that is not the base", req{method: "GET", target: "/fhirx/Patient/1"}, false},
		{"segment parameters outside the base",
			req{method: "GET", target: "/other;v=1/fhirx;a/Patient/1"}, false},
		{"SMART discovery", req{method: "GET", target: "/fhir/.well-known/smart-configuration"}, false},
		{"CORS preflight", req{method: "OPTIONS", target: "/fhir/Patient/1", header: http.Header{
			"Origin": {"https://app.example"}, "Access-Control-Request-Method": {"GET"}}}, false},
		{"metadata", req{method: "GET", target: "/fhir/metadata"}, true},
		{"versions", req{method: "GET", target: "/fhir/$versions"}, true},
		{"metadata with a broken token", req{method: "GET", target: "/fhir/metadata",
			header: http.Header{"Authorization": {"Bearer nope"}}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do(tc.r, "")
			if w.Code != 200 || !f.seen.called {
				t.Fatalf("status %d, handler called %v", w.Code, f.seen.called)
			}
			path, query, _ := strings.Cut(tc.r.target, "?")
			if f.seen.path != path || f.seen.rawQuery != query || f.seen.hasGrant {
				t.Errorf("handler saw %+v", f.seen)
			}
			if f.seen.hasIn != tc.wantIn {
				t.Errorf("interaction in context: %v, want %v", f.seen.hasIn, tc.wantIn)
			}
		})
	}
	if recs := f.log.all(); len(recs) != 0 {
		t.Errorf("audit records for requests let through: %+v", recs)
	}
}

func TestGuardRefusesPathTricks(t *testing.T) {
	f := newFixture(t, nil)
	f.token("all", "user/*.cruds")
	for _, target := range []string{
		"/fhir/Patient/..%2FObservation", "/fhir/Patient%2F1", "/fhir/Patient/%2e%2e",
		"/fhir/Patient//1", "/fhir/Observation/1/../2", "/fhir/./Patient", "/fhir/patient/1",
		"/fhir/Patient/%252F", "/fhir/Patient/1%00", "/fhir/Patient/%5C1",
		"/FHIR/Patient/1", "/Fhir/Patient/1", "//fhir/Patient/1", "/x/../fhir/Patient/1",
		"/fhir%2FPatient/1", "/fh%69r/Patient/1", "/fhir%5CPatient/1", "/./fhir/Patient/1",
		"/fhir;jsessionid=1/Patient/1", "/fhir;/Patient/1", "/fhir%3Bx/Patient/1",
		"/x/..;/fhir/Patient/1", "/FHIR;x/Patient/1",
	} {
		t.Run(target, func(t *testing.T) {
			hr := httptest.NewRequest("GET", "/", nil)
			hr.URL.Path, hr.URL.RawPath = "", ""
			if err := setTarget(hr, target); err != nil {
				t.Fatal(err)
			}
			hr.Header.Set("Authorization", "Bearer all")
			w := httptest.NewRecorder()
			*f.seen = seen{}
			f.handler.ServeHTTP(w, hr)
			if w.Code != 400 || f.seen.called {
				t.Fatalf("status %d, handler called %v", w.Code, f.seen.called)
			}
			if code, _ := operationOutcome(t, w); code != "invalid" {
				t.Errorf("issue %s, want invalid", code)
			}
			recs := f.log.all()
			if rec := recs[len(recs)-1]; rec.Kind != audit.KindBadRequest || rec.Status != 400 {
				t.Errorf("audit record %+v", rec)
			}
		})
	}
}

func TestGuardServesCanonicalPaths(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.token("all", "user/*.cruds")
	for _, r := range []req{
		{method: "GET", target: "/fhir/Patient/1"},
		{method: "GET", target: "/fhir/Observation/2"},
		{method: "GET", target: "/fhir/Patient/a.b-c"},
		{method: "GET", target: "/fhir/Patient/%41bc"},
	} {
		f.expectReached(t, f.do(r, tok), r, tok, smart.KindRead)
	}
}

// TestGuardLeavesDataRulesToTheCompartmentLayer shows what the Guard does
// not decide: which patient a request names, and what _include, chained
// and _has parameters reach. It lets such requests through, query intact,
// for the compartment layer to constrain or refuse.
func TestGuardLeavesDataRulesToTheCompartmentLayer(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.token("obs", "patient/Observation.rs")
	for _, r := range []req{
		{method: "GET", target: "/fhir/Patient/456/Observation"},
		{method: "GET", target: "/fhir/Observation?subject=Patient/456"},
		{method: "GET", target: "/fhir/Observation?_include=Observation:performer"},
		{method: "GET", target: "/fhir/Observation?subject:Patient.name=Jane"},
		{method: "GET", target: "/fhir/Observation?_has:Condition:subject:code=1"},
		{method: "GET", target: "/fhir/Observation?code=1&code=2&_count=10"},
	} {
		path, _, _ := strings.Cut(r.target, "?")
		kind := smart.KindSearchType
		if strings.Count(path, "/") > 2 {
			kind = smart.KindSearchCompartment
		}
		f.expectReached(t, f.do(r, tok), r, tok, kind)
		want := smart.Compartment{}
		if kind == smart.KindSearchCompartment {
			want = smart.Compartment{Type: "Patient", ID: "456"}
		}
		if got := f.seen.in.Compartment; got != want {
			t.Errorf("%s: compartment %+v, want %+v", r.target, got, want)
		}
	}
}

func TestGuardMethodNotAllowed(t *testing.T) {
	f := newFixture(t, nil)
	f.token("all", "user/*.cruds")
	w := f.do(req{method: "POST", target: "/fhir/Patient/1"}, "all")
	f.expectRefusal(t, w, refusal{status: 405, issue: "not-supported",
		diag: "the method is not allowed on this path", kind: audit.KindBadRequest,
		reason: "method_not_allowed"})
	if got := w.Header().Get("Allow"); got != "GET, HEAD, PUT, PATCH, DELETE" {
		t.Errorf("Allow %q", got)
	}
}

func TestGuardFormBodies(t *testing.T) {
	f := newFixture(t, nil)
	f.token("obs", "patient/Observation.s")
	big := req{method: "POST", target: "/fhir/Observation/_search", contentType: formType,
		body: "code=" + strings.Repeat("1", 1<<20)}
	f.expectRefusal(t, f.do(big, "obs"), refusal{status: 413, issue: "invalid",
		diag: "the form body is larger than 1 MiB", kind: audit.KindBadRequest,
		reason: "bad_request"})

	// A JSON body is not read by the Guard; a form body is given back whole.
	for _, r := range []req{
		{method: "POST", target: "/fhir/Observation/_search", contentType: formType,
			body: "code=" + strings.Repeat("1", 1<<19)},
		{method: "POST", target: "/fhir/Observation/_search",
			contentType: "Application/X-WWW-Form-Urlencoded; charset=utf-8", body: "code=2"},
	} {
		f.expectReached(t, f.do(r, "obs"), r, "obs", smart.KindSearchType)
	}
}

func TestGuardContextKeepsTheParent(t *testing.T) {
	type parentKey struct{}
	f := newFixture(t, nil)
	f.token("obs", "patient/Observation.rs")
	var got any
	var done <-chan struct{}
	g, _ := smart.NewGuard(smart.GuardConfig{Authenticator: f.auth, BasePath: "/fhir"})
	h := g.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, done = r.Context().Value(parentKey{}), r.Context().Done()
	}))
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), parentKey{}, "v"))
	r := httptest.NewRequest("GET", "/fhir/Observation/1", nil).WithContext(ctx)
	r.Header.Set("Authorization", "Bearer obs")
	h.ServeHTTP(httptest.NewRecorder(), r)
	cancel()
	if got != "v" {
		t.Errorf("parent value %v, want v", got)
	}
	select {
	case <-done:
	default:
		t.Error("the handler's context was not cancelled with its parent")
	}
}

func TestNewGuardRefusesBadConfig(t *testing.T) {
	auth := fakeAuth{}
	cases := []struct {
		name string
		cfg  smart.GuardConfig
		want string
	}{
		{"no authenticator", smart.GuardConfig{}, "Authenticator is required"},
		{"relative base", smart.GuardConfig{Authenticator: auth, BasePath: "fhir"}, "base path"},
		{"dot segment in base", smart.GuardConfig{Authenticator: auth, BasePath: "/a/../fhir"},
			"base path"},
		{"encoded base", smart.GuardConfig{Authenticator: auth, BasePath: "/fh%69r"}, "base path"},
		{"realm with a newline", smart.GuardConfig{Authenticator: auth, Realm: "a\r\nb"},
			"Realm"},
		{"negative retry", smart.GuardConfig{Authenticator: auth, RetryAfter: -1}, "RetryAfter"},
		{"operation with a dollar", smart.GuardConfig{Authenticator: auth, Operations: []smart.Operation{
			{Name: "$x", Kind: smart.KindOperationSystem, Permissions: smart.PermRead}}}, "name"},
		{"operation without permissions", smart.GuardConfig{Authenticator: auth,
			Operations: []smart.Operation{{Name: "x", Kind: smart.KindOperationSystem}}},
			"permissions are required"},
		{"operation with both", smart.GuardConfig{Authenticator: auth, Operations: []smart.Operation{
			{Name: "x", Kind: smart.KindOperationSystem, Permissions: 1, NoStoredData: true}}},
			"NoStoredData"},
		{"system operation with a type", smart.GuardConfig{Authenticator: auth,
			Operations: []smart.Operation{{Name: "x", Kind: smart.KindOperationSystem,
				Type: "Patient", Permissions: smart.PermRead}}}, "type must be empty"},
		{"type operation with a bad type", smart.GuardConfig{Authenticator: auth,
			Operations: []smart.Operation{{Name: "x", Kind: smart.KindOperationType,
				Type: "patient", Permissions: smart.PermRead}}}, "type must be a resource type"},
		{"operation of another kind", smart.GuardConfig{Authenticator: auth,
			Operations: []smart.Operation{{Name: "x", Kind: smart.KindRead,
				Permissions: smart.PermRead}}}, "kind must be"},
		{"operation twice", smart.GuardConfig{Authenticator: auth, Operations: []smart.Operation{
			{Name: "x", Kind: smart.KindOperationSystem, Permissions: smart.PermRead},
			{Name: "x", Kind: smart.KindOperationSystem, Permissions: smart.PermSearch}}},
			"registered twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, err := smart.NewGuard(tc.cfg)
			if err == nil || g != nil {
				t.Fatalf("NewGuard = %v, %v; want an error", g, err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "smart: ") {
				t.Errorf("error %q, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestGuardRootBase(t *testing.T) {
	f := newFixture(t, func(c *smart.GuardConfig) { c.BasePath = "/" })
	tok := f.token("obs", "patient/Observation.rs")
	r := req{method: "GET", target: "/Observation/1"}
	f.expectReached(t, f.do(r, tok), r, "obs", smart.KindRead)
	if w := f.do(req{method: "GET", target: "/favicon.ico"}, tok); w.Code != 400 {
		t.Errorf("non-FHIR path under a root base: status %d, want 400", w.Code)
	}
}

func TestGuardParseEntryKnowsRegisteredOperations(t *testing.T) {
	g, err := smart.NewGuard(smart.GuardConfig{Authenticator: fakeAuth{},
		Operations: []smart.Operation{{Name: "purge", Kind: smart.KindOperationType,
			Type: "*", Permissions: smart.PermDelete}}})
	if err != nil {
		t.Fatal(err)
	}
	grant := grantWith("patient/Observation.d")
	in, err := g.ParseEntry("POST", "Observation/$purge", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := smart.Authorize(grant, in); err != nil {
		t.Errorf("registered operation: %v", err)
	}
	in, _ = smart.ParseEntry("POST", "Observation/$purge", "")
	if err := smart.Authorize(grant, in); err == nil {
		t.Error("the package-level ParseEntry knows an operation only the Guard registered")
	}
}
