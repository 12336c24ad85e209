package demo_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/fhirguard/fhirguard/examples/server/internal/demo"
	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// running is a demo server listening on a loopback port.
type running struct {
	*demo.Server
	origin string
}

// start starts a demo server with cfg (Origin is set here) and stops it
// when the test ends.
func start(t testing.TB, cfg demo.Config) *running {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Origin = "http://" + ln.Addr().String()
	if cfg.Patients == 0 {
		cfg.Patients = 5
	}
	srv, err := demo.New(context.Background(), cfg)
	if err != nil {
		_ = ln.Close()
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler()}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() {
		_ = hs.Close()
		_ = srv.Close()
	})
	return &running{Server: srv, origin: cfg.Origin}
}

// shared is the demo server of the tests that do not change its
// configuration.
var shared struct {
	once sync.Once
	srv  *running
}

// sharedServer returns the shared demo server. It is never stopped.
func sharedServer(t testing.TB) *running {
	t.Helper()
	shared.once.Do(func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		origin := "http://" + ln.Addr().String()
		srv, err := demo.New(context.Background(), demo.Config{Origin: origin, Patients: 5})
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = http.Serve(ln, srv.Handler()) }()
		shared.srv = &running{Server: srv, origin: origin}
	})
	if shared.srv == nil {
		t.Fatal("the shared demo server did not start")
	}
	return shared.srv
}

// tokens is a token response.
type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	Patient      string `json:"patient"`
	Error        string `json:"error"`
}

// app is a test SMART app: it launches against the demo with PKCE.
type app struct {
	t        testing.TB
	srv      *running
	clientID string
	redirect string
}

// newApp returns an app with a loopback redirect URI and a client ID of
// its own, so that the rate limiter, which keys on the client, gives each
// test its own budget, as it gives each app.
func newApp(t testing.TB, srv *running) *app {
	id := "e2e-" + strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	return &app{t: t, srv: srv, clientID: id, redirect: "http://127.0.0.1:9/callback"}
}

// authorizeURL returns the authorization request for scopes, with the
// challenge of verifier.
func (a *app) authorizeURL(scopes []string, verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return a.srv.origin + "/auth/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {a.clientID}, "redirect_uri": {a.redirect},
		"scope": {strings.Join(scopes, " ")}, "state": {"st-1"}, "aud": {a.srv.FHIRBase},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}.Encode()
}

// code plays the patient on the consent page and returns the code.
func (a *app) code(scopes []string, verifier string, consent smarttest.Consent) string {
	a.t.Helper()
	loc, err := smarttest.Authorize(context.Background(), nil, a.authorizeURL(scopes, verifier),
		consent)
	if err != nil {
		a.t.Fatal(err)
	}
	q := loc.Query()
	if q.Get("state") != "st-1" || q.Get("code") == "" {
		a.t.Fatalf("redirect %s", loc.Redacted())
	}
	return q.Get("code")
}

// token posts a token request.
func (a *app) token(form url.Values) (int, tokens) {
	a.t.Helper()
	resp, err := http.PostForm(a.srv.origin+"/auth/token", form)
	if err != nil {
		a.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var tok tokens
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		a.t.Fatal(err)
	}
	return resp.StatusCode, tok
}

// launch performs a whole standalone launch and returns the tokens.
func (a *app) launch(scopes []string, consent smarttest.Consent) tokens {
	a.t.Helper()
	verifier := smarttest.NewVerifier()
	code := a.code(scopes, verifier, consent)
	status, tok := a.token(url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {a.redirect}, "client_id": {a.clientID}, "code_verifier": {verifier}})
	if status != http.StatusOK || tok.AccessToken == "" {
		a.t.Fatalf("token: %d %+v", status, tok)
	}
	return tok
}

// fhirResponse is an answer of the FHIR API.
type fhirResponse struct {
	status int
	header http.Header
	body   []byte
}

// fhir sends a request to the FHIR API with a bearer token ("" for
// none).
func (r *running) fhir(t testing.TB, method, path, token, contentType, body string) fhirResponse {
	t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = r.FHIRBase + "/" + path
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fhirResponse{status: resp.StatusCode, header: resp.Header, body: data}
}

// get sends a GET with a token.
func (r *running) get(t testing.TB, path, token string) fhirResponse {
	return r.fhir(t, http.MethodGet, path, token, "", "")
}

// searchset is the part of a search Bundle the tests read.
type searchset struct {
	ResourceType string `json:"resourceType"`
	Total        *int   `json:"total"`
	Link         []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link"`
	Entry []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   struct {
			Mode string `json:"mode"`
		} `json:"search"`
	} `json:"entry"`
}

// bundle decodes a searchset, failing the test on another answer.
func (f fhirResponse) bundle(t testing.TB) searchset {
	t.Helper()
	var b searchset
	if f.status != http.StatusOK || json.Unmarshal(f.body, &b) != nil || b.ResourceType != "Bundle" {
		t.Fatalf("status %d: %.300s", f.status, f.body)
	}
	return b
}

// next returns the next link, or "".
func (b searchset) next() string {
	for _, l := range b.Link {
		if l.Relation == "next" {
			return l.URL
		}
	}
	return ""
}

// refs returns Type/id of the entries of mode ("" for all).
func (b searchset) refs(base, mode string) []string {
	var out []string
	for _, e := range b.Entry {
		if mode == "" || e.Search.Mode == mode {
			out = append(out, strings.TrimPrefix(e.FullURL, base+"/"))
		}
	}
	return out
}

// searchAll follows next links and returns every match and include.
func (r *running) searchAll(t testing.TB, path, token string) (matches, included []string) {
	t.Helper()
	for n := 0; path != "" && n < 100; n++ {
		b := r.get(t, path, token).bundle(t)
		matches = append(matches, b.refs(r.FHIRBase, "match")...)
		included = append(included, b.refs(r.FHIRBase, "include")...)
		path = b.next()
	}
	return matches, included
}
