package smarttest_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// TestConfigRefused checks that New reports each configuration error.
func TestConfigRefused(t *testing.T) {
	c := &clock{now: start}
	weakRSA, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		edit func(*smarttest.Config)
	}{
		{"no issuer", func(cfg *smarttest.Config) { cfg.Issuer = "" }},
		{"relative issuer", func(cfg *smarttest.Config) { cfg.Issuer = "/auth" }},
		{"issuer with query", func(cfg *smarttest.Config) { cfg.Issuer = "http://127.0.0.1/auth?x=1" }},
		{"issuer path with a brace", func(cfg *smarttest.Config) {
			cfg.Issuer = "http://127.0.0.1/%7Bx%7D"
		}},
		{"issuer path with dot segment", func(cfg *smarttest.Config) {
			cfg.Issuer = "http://127.0.0.1/a/../b"
		}},
		{"no FHIR base", func(cfg *smarttest.Config) { cfg.FHIRBaseURL = "" }},
		{"FHIR base with fragment", func(cfg *smarttest.Config) { cfg.FHIRBaseURL = fhirBase + "#x" }},
		{"no patients", func(cfg *smarttest.Config) { cfg.Patients = nil }},
		{"patient ID with a slash", func(cfg *smarttest.Config) { cfg.Patients[0].ID = "Patient/amy" }},
		{"duplicate patient", func(cfg *smarttest.Config) { cfg.Patients[1].ID = "amy" }},
		{"empty client ID", func(cfg *smarttest.Config) { cfg.Clients[0].ID = "" }},
		{"duplicate client", func(cfg *smarttest.Config) { cfg.Clients[1].ID = confidential }},
		{"redirect URI with fragment", func(cfg *smarttest.Config) {
			cfg.Clients[0].RedirectURIs = []string{"https://app.example/cb#x"}
		}},
		{"negative lifetime", func(cfg *smarttest.Config) { cfg.TokenLifetime = -1 }},
		{"unknown algorithm", func(cfg *smarttest.Config) { cfg.Algorithm = "HS256" }},
		{"weak RSA key", func(cfg *smarttest.Config) { cfg.RSAKey = weakRSA }},
		{"P-384 key", func(cfg *smarttest.Config) { cfg.ECKey = p384 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(c)
			cfg.Issuer = "http://127.0.0.1:8080/auth"
			tc.edit(&cfg)
			if _, err := smarttest.New(cfg); !errors.Is(err, smarttest.ErrConfig) {
				t.Errorf("New: %v, want ErrConfig", err)
			}
		})
	}

	cfg := testConfig(c)
	cfg.Issuer = "http://127.0.0.1:8080/auth"
	if _, err := smarttest.Start(cfg); !errors.Is(err, smarttest.ErrConfig) {
		t.Errorf("Start with an issuer: %v, want ErrConfig", err)
	}
}

// TestMounted runs a launch against a server mounted at /auth of another
// server, which also serves the discovery document below its FHIR base.
func TestMounted(t *testing.T) {
	host := httptest.NewUnstartedServer(nil)
	base := "http://" + host.Listener.Addr().String()
	c := &clock{now: start}
	cfg := testConfig(c)
	cfg.Issuer, cfg.FHIRBaseURL = base+"/auth/", base+"/fhir"
	auth, err := smarttest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/", auth)
	mux.Handle("/fhir/.well-known/smart-configuration", auth.DiscoveryHandler())
	host.Config.Handler = mux
	host.Start()
	defer host.Close()

	if auth.Issuer() != base+"/auth" {
		t.Errorf("Issuer = %q, want the configured one without its slash", auth.Issuer())
	}
	var doc smart.Configuration
	resp := get(t, http.DefaultClient, base+"/fhir/.well-known/smart-configuration")
	err = json.NewDecoder(resp.Body).Decode(&doc)
	if err != nil || doc.TokenEndpoint != base+"/auth/token" {
		t.Fatalf("discovery below the FHIR base: %v %+v", err, doc)
	}

	a := newApp(publicClient)
	q := a.authorizeQuery("launch/patient patient/*.rs")
	q.Set("aud", base+"/fhir")
	loc, err := smarttest.Authorize(t.Context(), nil, doc.AuthorizationEndpoint+"?"+q.Encode(),
		smarttest.Consent{})
	if err != nil {
		t.Fatal(err)
	}
	status, body := postTo(t, doc.TokenEndpoint, a.exchange(loc.Query().Get("code")))
	if status != http.StatusOK || body["patient"] != "amy" {
		t.Fatalf("token: %d %v", status, body["error"])
	}

	for _, path := range []string{"/authorize", "/auth/other", "/auth"} {
		if resp := get(t, http.DefaultClient, base+path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestDiscovery checks the discovery documents.
func TestDiscovery(t *testing.T) {
	s, _ := startServer(t, nil)
	cfg := s.Configuration()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.CodeChallengeMethodsSupported, []string{"S256"}) {
		t.Errorf("PKCE methods = %v, want S256 only", cfg.CodeChallengeMethodsSupported)
	}
	for _, c := range []string{"launch-standalone", "client-public", "client-confidential-symmetric",
		"context-standalone-patient", "permission-patient", "permission-v1", "permission-v2",
		"permission-offline"} {
		if !slices.Contains(cfg.Capabilities, c) {
			t.Errorf("capability %s missing", c)
		}
	}
	for _, u := range []string{cfg.AuthorizationEndpoint, cfg.TokenEndpoint,
		cfg.IntrospectionEndpoint, cfg.RevocationEndpoint, cfg.JWKSURI} {
		if !strings.HasPrefix(u, s.Issuer()+"/") {
			t.Errorf("endpoint %q is not below the issuer", u)
		}
	}
	cfg.Capabilities[0] = "changed"
	if s.Configuration().Capabilities[0] == "changed" {
		t.Error("Configuration returns shared slices")
	}

	var served smart.Configuration
	resp := get(t, http.DefaultClient, s.Issuer()+"/.well-known/smart-configuration")
	err := json.NewDecoder(resp.Body).Decode(&served)
	if err != nil || served.TokenEndpoint != cfg.TokenEndpoint {
		t.Errorf("served document: %v %+v", err, served)
	}
	var oidc map[string]any
	resp = get(t, http.DefaultClient, s.Issuer()+"/.well-known/openid-configuration")
	if err := json.NewDecoder(resp.Body).Decode(&oidc); err != nil || oidc["issuer"] != s.Issuer() ||
		oidc["jwks_uri"] != cfg.JWKSURI {
		t.Errorf("OpenID configuration: %v %v", err, oidc)
	}
}

// TestJWKS checks that the JWKS publishes the keys of PublicKeys, one per
// algorithm, and that a launch signed ES256 verifies with it.
func TestJWKS(t *testing.T) {
	s, c := startServer(t, func(cfg *smarttest.Config) { cfg.Algorithm = smarttest.ES256 })
	keys := fetchJWKS(t, s)
	public := s.PublicKeys()
	if len(keys) != 2 || len(public) != 2 {
		t.Fatalf("JWKS has %d keys, PublicKeys %d; want 2", len(keys), len(public))
	}
	for kid, k := range public {
		if j, ok := keys[kid]; !ok || !k.(interface{ Equal(crypto.PublicKey) bool }).Equal(j) {
			t.Errorf("key %s differs between PublicKeys and the JWKS", kid)
		}
	}

	tok := launchTokens(t, s)
	_, header, err := newVerifier(t, s, c).verify(tok["access_token"].(string))
	if err != nil || header["alg"] != "ES256" {
		t.Errorf("ES256 launch token: %v, header %v", err, header)
	}
}

// TestMethods checks that endpoints answer only their methods.
func TestMethods(t *testing.T) {
	s, _ := startServer(t, nil)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/token"}, {http.MethodPut, "/authorize"}, {http.MethodGet, "/revoke"},
		{http.MethodGet, "/introspect"}, {http.MethodPost, "/.well-known/jwks.json"},
	} {
		req, _ := http.NewRequest(tc.method, s.Issuer()+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d, want 405", tc.method, tc.path, resp.StatusCode)
		}
	}
}

// postTo posts a form to an absolute URL and decodes the JSON answer.
func postTo(t *testing.T, target string, form map[string][]string) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// TestCORS checks that browser apps may call the token endpoint and read
// the JWKS from any origin.
func TestCORS(t *testing.T) {
	s, _ := startServer(t, nil)
	req, _ := http.NewRequest(http.MethodOptions, s.Issuer()+"/token", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight: %d %v", resp.StatusCode, h)
	}
	for _, path := range []string{"/.well-known/jwks.json", "/.well-known/smart-configuration"} {
		resp := get(t, http.DefaultClient, s.Issuer()+path)
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("%s: Access-Control-Allow-Origin = %q", path, got)
		}
	}
}

// TestClose checks that Close stops a started server and may be repeated.
func TestClose(t *testing.T) {
	s, _ := startServer(t, nil)
	s.Close()
	s.Close()
	if resp, err := http.Get(s.Issuer() + "/.well-known/jwks.json"); err == nil {
		resp.Body.Close()
		t.Fatal("server still answers after Close")
	}
}
