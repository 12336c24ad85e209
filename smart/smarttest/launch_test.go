package smarttest_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// launchScopes is what the test app asks for.
const launchScopes = "launch/patient openid fhirUser offline_access " +
	"patient/Patient.rs patient/Observation.rs patient/Condition.rs"

// TestStandaloneLaunch drives a whole launch as a browser and an app would,
// with net/http only: authorize, consent with one scope unticked and the
// second patient picked, code exchange, refresh, introspection and
// revocation.
func TestStandaloneLaunch(t *testing.T) {
	s, c := startServer(t, nil)
	a := newApp(publicClient)
	browser := noRedirects()

	// The consent page offers both patients and ticks every scope.
	resp, err := browser.Get(a.authorizeURL(s, launchScopes))
	if err != nil {
		t.Fatal(err)
	}
	page := readForm(t, resp)
	if got := page.values("radio", "patient"); !slices.Equal(got, []string{"amy", "bob"}) {
		t.Fatalf("patients offered = %v", got)
	}
	if got := page.checked("checkbox", "scope"); !slices.Equal(got, strings.Fields(launchScopes)) {
		t.Fatalf("scopes ticked by default = %v", got)
	}

	// The patient picks Bob and unticks Condition.
	form := url.Values{"request": page.values("hidden", "request"), "patient": {"bob"},
		"action": {"approve"}}
	approved := slices.DeleteFunc(strings.Fields(launchScopes),
		func(s string) bool { return s == "patient/Condition.rs" })
	form["scope"] = approved
	resp, err = browser.PostForm(s.Issuer()+page.action, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent answer %d, Location %v", resp.StatusCode, err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != a.redirect {
		t.Fatalf("redirected to %s, want %s", got, a.redirect)
	}
	if loc.Query().Get("state") != a.state {
		t.Fatalf("state = %q, want %q", loc.Query().Get("state"), a.state)
	}

	// The app redeems the code with its verifier.
	tok := tokens(t, s, a, loc.Query().Get("code"))
	wantScope := strings.Join(approved, " ")
	if tok["token_type"] != "Bearer" || tok["scope"] != wantScope || tok["patient"] != "bob" ||
		tok["expires_in"] != 3600.0 || tok["refresh_token"] == nil || tok["id_token"] == nil {
		t.Fatalf("token response = %v", tok)
	}
	access := tok["access_token"].(string)
	checkAccessClaims(t, s, c, access, wantScope)
	checkIDToken(t, s, c, tok["id_token"].(string))
	checkJWTAuthenticator(t, s, c, access, approved)

	// Refresh, narrowed to one scope; the old refresh token stops working.
	status, ref := post(t, s, "/token", url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {tok["refresh_token"].(string)}, "client_id": {publicClient},
		"scope": {"patient/Observation.rs"}}, nil)
	if status != http.StatusOK || ref["scope"] != "patient/Observation.rs" ||
		ref["refresh_token"] == nil {
		t.Fatalf("refresh: %d %v", status, ref)
	}
	status, body := post(t, s, "/token", url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {tok["refresh_token"].(string)}, "client_id": {publicClient}}, nil)
	wantOAuthError(t, status, body, http.StatusBadRequest, "invalid_grant")

	// Introspection, then revocation of the newest refresh token, which
	// ends every token of the grant. (The reuse above already revoked the
	// grant, so the test uses a fresh launch for this part.)
	checkRevocation(t, s)
}

// checkAccessClaims checks every claim of an access token against the JWKS.
func checkAccessClaims(t *testing.T, s *smarttest.Server, c *clock, token, scope string) {
	t.Helper()
	claims, header, err := newVerifier(t, s, c).verify(token)
	if err != nil {
		t.Fatalf("access token does not verify: %v", err)
	}
	want := map[string]any{
		"iss": s.Issuer(), "aud": fhirBase, "client_id": publicClient, "scope": scope,
		"patient": "bob", "fhirUser": "Patient/bob",
		"iat": float64(start.Unix()), "nbf": float64(start.Unix()),
		"exp": float64(start.Add(time.Hour).Unix()),
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	if sub, _ := claims["sub"].(string); sub == "" || sub == "bob" {
		t.Errorf("sub = %q, want a pseudonym of the user", sub)
	}
	if jti, _ := claims["jti"].(string); len(jti) < 22 {
		t.Errorf("jti = %q, want a random ID", jti)
	}
	if header["alg"] != "RS256" || header["kid"] == nil {
		t.Errorf("header = %v, want RS256 with a kid", header)
	}
}

// checkIDToken checks the OpenID Connect ID token.
func checkIDToken(t *testing.T, s *smarttest.Server, c *clock, token string) {
	t.Helper()
	v := newVerifier(t, s, c)
	claims := jwt.MapClaims{}
	_, err := jwtParse(token, v, claims)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if claims["aud"] != publicClient || claims["fhirUser"] != "Patient/bob" ||
		claims["iss"] != s.Issuer() {
		t.Errorf("ID token claims = %v", claims)
	}
}

// checkJWTAuthenticator checks that the library's own validator accepts
// the token, with exactly the approved scopes and the picked patient.
func checkJWTAuthenticator(t *testing.T, s *smarttest.Server, c *clock, token string,
	scopes []string) {
	t.Helper()
	auth, err := smart.NewJWTAuthenticator(smart.JWTConfig{Issuer: s.Issuer(), Audience: fhirBase,
		JWKSURL: s.Configuration().JWKSURI, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	g, err := auth.Authenticate(t.Context(), token)
	if err != nil {
		t.Fatalf("JWTAuthenticator refused the token: %v", err)
	}
	if g.Patient != "bob" || g.ClientID != publicClient || g.FHIRUser != "Patient/bob" {
		t.Errorf("grant = %+v", g)
	}
	if got := g.Scopes.String(); !sameSet(strings.Fields(got), scopes) {
		t.Errorf("grant scopes = %q, want exactly %q", got, scopes)
	}
	if g.Scopes.Allows("Condition", smart.PermRead) ||
		!g.Scopes.Allows("Observation", smart.PermSearch) {
		t.Errorf("grant scopes %q: unticked Condition allowed or Observation missing", g.Scopes.String())
	}
}

// checkRevocation launches afresh, introspects, revokes the refresh token
// and checks that everything of the grant is inactive.
func checkRevocation(t *testing.T, s *smarttest.Server) {
	t.Helper()
	a := newApp(publicClient)
	tok := tokens(t, s, a, launch(t, s, a, launchScopes, smarttest.Consent{}))
	access, refresh := tok["access_token"].(string), tok["refresh_token"].(string)

	status, body := post(t, s, "/introspect", url.Values{"token": {access}},
		basic(resourceSrv, resourceKey))
	if status != http.StatusOK || body["active"] != true || body["patient"] != "amy" ||
		body["client_id"] != publicClient || body["scope"] != launchScopes ||
		body["token_type"] != "Bearer" {
		t.Fatalf("introspection = %d %v", status, body)
	}

	status, body = post(t, s, "/revoke",
		url.Values{"token": {refresh}, "client_id": {publicClient}}, nil)
	if status != http.StatusOK {
		t.Fatalf("revoke: %d %v", status, body)
	}
	if active(t, s, access) || active(t, s, refresh) {
		t.Errorf("access or refresh token still active after the refresh token was revoked")
	}
	status, body = post(t, s, "/token", url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {refresh}, "client_id": {publicClient}}, nil)
	wantOAuthError(t, status, body, http.StatusBadRequest, "invalid_grant")
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// htmlForm is a form read from a page, as a browser sees it.
type htmlForm struct {
	action string
	inputs []htmlInput
}

type htmlInput struct {
	typ, name, value string
	checked          bool
}

// readForm parses the first form of an HTML answer.
func readForm(t *testing.T, resp *http.Response) *htmlForm {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("consent page: %d %s", resp.StatusCode, b)
	}
	d := xml.NewDecoder(resp.Body)
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	f := &htmlForm{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return f
		}
		if err != nil {
			t.Fatalf("consent page: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok {
			f.add(el)
		}
	}
}

func (f *htmlForm) add(el xml.StartElement) {
	attrs := map[string]string{}
	for _, a := range el.Attr {
		attrs[a.Name.Local] = a.Value
	}
	switch el.Name.Local {
	case "form":
		f.action = attrs["action"]
	case "input":
		_, checked := attrs["checked"]
		f.inputs = append(f.inputs, htmlInput{attrs["type"], attrs["name"], attrs["value"], checked})
	}
}

// values lists the values of the inputs of a type and name.
func (f *htmlForm) values(typ, name string) []string {
	var out []string
	for _, in := range f.inputs {
		if in.typ == typ && in.name == name {
			out = append(out, in.value)
		}
	}
	return out
}

// checked lists the values of the checked inputs of a type and name.
func (f *htmlForm) checked(typ, name string) []string {
	var out []string
	for _, in := range f.inputs {
		if in.typ == typ && in.name == name && in.checked {
			out = append(out, in.value)
		}
	}
	return out
}
