package smart_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
)

func validConfiguration() smart.Configuration {
	return smart.Configuration{
		Issuer:                            "https://auth.example.org",
		JWKSURI:                           "https://auth.example.org/jwks",
		AuthorizationEndpoint:             "https://auth.example.org/authorize",
		TokenEndpoint:                     "https://auth.example.org/token",
		IntrospectionEndpoint:             "https://auth.example.org/introspect",
		RevocationEndpoint:                "https://auth.example.org/revoke",
		GrantTypesSupported:               []string{"authorization_code", "refresh_token"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic"},
		ResponseTypesSupported:            []string{"code"},
		ScopesSupported:                   []string{"openid", "fhirUser", "launch/patient", "patient/*.rs"},
		Capabilities: []string{"launch-standalone", "client-public", "sso-openid-connect",
			"context-standalone-patient", "permission-patient", "permission-v2"},
		CodeChallengeMethodsSupported: []string{"S256"},
	}
}

func TestConfigurationValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *smart.Configuration)
		want   string // substring of the error; "" for valid
	}{
		{"valid", func(c *smart.Configuration) {}, ""},
		{"no token endpoint", func(c *smart.Configuration) { c.TokenEndpoint = "" }, "token_endpoint is required"},
		{"no grant types", func(c *smart.Configuration) { c.GrantTypesSupported = nil }, "grant_types_supported is required"},
		{"no capabilities", func(c *smart.Configuration) { c.Capabilities = nil }, "capabilities is required"},
		{"no PKCE", func(c *smart.Configuration) { c.CodeChallengeMethodsSupported = nil }, "must include S256"},
		{"plain PKCE", func(c *smart.Configuration) {
			c.CodeChallengeMethodsSupported = []string{"S256", "plain"}
		}, "must not include plain"},
		{"launch without authorize", func(c *smart.Configuration) { c.AuthorizationEndpoint = "" },
			"authorization_endpoint is required"},
		{"launch without code grant", func(c *smart.Configuration) {
			c.GrantTypesSupported = []string{"client_credentials"}
		}, "must include authorization_code"},
		{"openid without jwks", func(c *smart.Configuration) { c.JWKSURI = "" }, "issuer and jwks_uri"},
		{"relative URL", func(c *smart.Configuration) { c.TokenEndpoint = "/token" }, "token_endpoint must be an absolute"},
		{"other scheme", func(c *smart.Configuration) { c.RevocationEndpoint = "ftp://x/revoke" },
			"revocation_endpoint must be an absolute"},
		{"backend only", func(c *smart.Configuration) {
			*c = smart.Configuration{
				TokenEndpoint:                 "https://auth.example.org/token",
				GrantTypesSupported:           []string{"client_credentials"},
				Capabilities:                  []string{"client-confidential-asymmetric", "permission-v2"},
				CodeChallengeMethodsSupported: []string{"S256"},
			}
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfiguration()
			tc.change(&c)

			err := c.Validate()

			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.want)
			}
			if !errors.Is(err, smart.ErrConfiguration) {
				t.Errorf("error does not match ErrConfiguration")
			}
			if _, herr := smart.NewDiscoveryHandler(c); herr == nil {
				t.Error("NewDiscoveryHandler accepted an invalid configuration")
			}
		})
	}
}

func TestDiscoveryHandlerServesJSONWhateverTheAccept(t *testing.T) {
	c := validConfiguration()
	h, err := smart.NewDiscoveryHandler(c)
	if err != nil {
		t.Fatal(err)
	}
	c.TokenEndpoint = "https://changed.example.org/token" // must not affect the handler

	for _, accept := range []string{"", "application/json", "text/html", "application/fhir+xml", "*/*"} {
		t.Run("accept "+accept, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/fhir/.well-known/smart-configuration", nil)
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			rec := httptest.NewRecorder()

			h.ServeHTTP(rec, req)

			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			if got["token_endpoint"] != "https://auth.example.org/token" {
				t.Errorf("token_endpoint = %v", got["token_endpoint"])
			}
			methods, _ := got["code_challenge_methods_supported"].([]any)
			if len(methods) != 1 || methods[0] != "S256" {
				t.Errorf("code_challenge_methods_supported = %v, want [S256]", methods)
			}
			for _, field := range []string{"authorization_endpoint", "grant_types_supported", "capabilities"} {
				if got[field] == nil {
					t.Errorf("required field %s missing", field)
				}
			}
		})
	}
}

func TestDiscoveryHandlerMethods(t *testing.T) {
	h, err := smart.NewDiscoveryHandler(validConfiguration())
	if err != nil {
		t.Fatal(err)
	}
	for method, want := range map[string]int{
		http.MethodHead: http.StatusOK, http.MethodPost: http.StatusMethodNotAllowed,
		http.MethodDelete: http.StatusMethodNotAllowed,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/.well-known/smart-configuration", nil))
		if rec.Code != want {
			t.Errorf("%s: status %d, want %d", method, rec.Code, want)
		}
	}
}

func TestSecurityComponent(t *testing.T) {
	c := validConfiguration()

	b, err := json.Marshal(c.SecurityComponent())
	if err != nil {
		t.Fatal(err)
	}

	var sec struct {
		Extension []struct {
			URL       string
			Extension []struct{ URL, ValueURI string }
		}
		Service []struct {
			Coding []struct{ System, Code string }
		}
	}
	if err := json.Unmarshal(b, &sec); err != nil {
		t.Fatal(err)
	}
	if len(sec.Extension) != 1 ||
		sec.Extension[0].URL != "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris" {
		t.Fatalf("extension = %s", b)
	}
	uris := map[string]string{}
	for _, e := range sec.Extension[0].Extension {
		uris[e.URL] = e.ValueURI
	}
	want := map[string]string{
		"authorize":  c.AuthorizationEndpoint,
		"token":      c.TokenEndpoint,
		"introspect": c.IntrospectionEndpoint,
		"revoke":     c.RevocationEndpoint,
	}
	if len(uris) != len(want) {
		t.Errorf("oauth-uris = %v, want %v", uris, want)
	}
	for k, v := range want {
		if uris[k] != v {
			t.Errorf("oauth-uris[%s] = %q, want %q", k, uris[k], v)
		}
	}
	if len(sec.Service) != 1 || sec.Service[0].Coding[0].Code != "SMART-on-FHIR" {
		t.Errorf("service = %s", b)
	}
}
