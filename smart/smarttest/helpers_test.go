package smarttest_test

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// fhirBase is the FHIR base URL of the test servers. Nothing listens there:
// it is the audience of the tokens.
const fhirBase = "http://fhir.test/fhir"

// Test clients.
const (
	publicClient  = "growth-chart"
	confidential  = "records-portal"
	secret        = "portal-secret-for-tests-only"
	resourceSrv   = "fhir-server"
	resourceKey   = "resource-server-secret"
	registeredURI = "https://app.example/callback"
)

// start is the fixed instant the test clocks start at.
var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// clock is a movable clock for Config.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testKeys are the fixed signing keys under testdata, so that tests do not
// spend time generating RSA keys.
var testKeys = sync.OnceValues(func() (*rsa.PrivateKey, *ecdsa.PrivateKey) {
	rk := loadKey("testdata/rsa.pem").(*rsa.PrivateKey)
	return rk, loadKey("testdata/ec.pem").(*ecdsa.PrivateKey)
})

func loadKey(path string) any {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	block, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		panic(err)
	}
	return k
}

// testConfig is the configuration most tests start from.
func testConfig(c *clock) smarttest.Config {
	rk, ek := testKeys()
	return smarttest.Config{
		FHIRBaseURL: fhirBase,
		Patients:    []smarttest.Patient{{ID: "amy", Name: "Amy Shaw"}, {ID: "bob", Name: "Bob Lee"}},
		Clients: []smarttest.Client{
			{ID: confidential, Secret: secret, RedirectURIs: []string{registeredURI}},
			{ID: resourceSrv, Secret: resourceKey},
		},
		RSAKey: rk,
		ECKey:  ek,
		Now:    c.Now,
	}
}

// startServer starts a server on loopback with testConfig, changed by
// edit when it is not nil.
func startServer(t *testing.T, edit func(*smarttest.Config)) (*smarttest.Server, *clock) {
	t.Helper()
	c := &clock{now: start}
	cfg := testConfig(c)
	if edit != nil {
		edit(&cfg)
	}
	s, err := smarttest.Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Close)
	return s, c
}

// app is the client side of a launch.
type app struct {
	clientID string
	redirect string
	verifier string
	state    string
}

func newApp(clientID string) *app {
	return &app{clientID: clientID, redirect: "http://127.0.0.1:9999/callback",
		verifier: smarttest.NewVerifier(), state: "st-" + smarttest.NewVerifier()[:8]}
}

// authorizeQuery is a valid authorization request for scope.
func (a *app) authorizeQuery(scope string) url.Values {
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {a.clientID},
		"redirect_uri":          {a.redirect},
		"scope":                 {scope},
		"state":                 {a.state},
		"aud":                   {fhirBase},
		"code_challenge":        {smarttest.S256(a.verifier)},
		"code_challenge_method": {"S256"},
	}
}

// authorizeURL is the URL of a valid authorization request for scope.
func (a *app) authorizeURL(s *smarttest.Server, scope string) string {
	return s.Issuer() + "/authorize?" + a.authorizeQuery(scope).Encode()
}

// exchange is a valid token request for code.
func (a *app) exchange(code string) url.Values {
	return url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {a.redirect},
		"client_id":     {a.clientID},
		"code_verifier": {a.verifier},
	}
}

// noRedirects is a client with a cookie jar that stops at redirects.
func noRedirects() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// launch runs the browser part of a launch with consent c and returns the
// code.
func launch(t *testing.T, s *smarttest.Server, a *app, scope string, c smarttest.Consent) string {
	t.Helper()
	loc, err := smarttest.Authorize(t.Context(), nil, a.authorizeURL(s, scope), c)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	q := loc.Query()
	if q.Get("state") != a.state || q.Get("code") == "" {
		t.Fatalf("redirect %s: want code and state %q", loc, a.state)
	}
	return q.Get("code")
}

// answer is an endpoint's answer.
type answer struct {
	status int
	header http.Header
	body   map[string]any
}

// post sends a form to an endpoint of s and decodes a JSON answer. edit,
// when not nil, may change the request's headers.
func post(t *testing.T, s *smarttest.Server, path string, form url.Values,
	edit func(*http.Request)) (int, map[string]any) {
	t.Helper()
	ans := send(t, s, path, form, func(_ url.Values, r *http.Request) {
		if edit != nil {
			edit(r)
		}
	})
	return ans.status, ans.body
}

// send is post with an edit function that may change the form too.
func send(t *testing.T, s *smarttest.Server, path string, form url.Values,
	edit func(url.Values, *http.Request)) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.Issuer()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	form = maps.Clone(form)
	if edit != nil {
		edit(form, req)
	}
	enc := form.Encode()
	req.Body, req.ContentLength = io.NopCloser(strings.NewReader(enc)), int64(len(enc))

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	ans := answer{status: resp.StatusCode, header: resp.Header}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &ans.body); err != nil {
			t.Fatalf("%s answered %d with non-JSON %q", path, resp.StatusCode, body)
		}
	}
	return ans
}

// tokens redeems code and fails the test unless it gets tokens.
func tokens(t *testing.T, s *smarttest.Server, a *app, code string) map[string]any {
	t.Helper()
	status, body := post(t, s, "/token", a.exchange(code), nil)
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, body)
	}
	return body
}

// wantOAuthError checks an RFC 6749 error answer.
func wantOAuthError(t *testing.T, status int, body map[string]any, wantStatus int, code string) {
	t.Helper()
	if status != wantStatus || body["error"] != code {
		t.Errorf("answer %d %v (%v), want %d %s", status, body["error"], body["error_description"],
			wantStatus, code)
	}
}

// active introspects token and returns the answer's active member.
func active(t *testing.T, s *smarttest.Server, token string) bool {
	t.Helper()
	status, body := post(t, s, "/introspect", url.Values{"token": {token}},
		basic(resourceSrv, resourceKey))
	if status != http.StatusOK {
		t.Fatalf("introspect: %d %v", status, body)
	}
	return body["active"] == true
}

// basic sets HTTP Basic credentials on a request.
func basic(id, secret string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret)) }
}
