package smart

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// Configuration is the SMART App Launch 2.x discovery document that a FHIR
// server publishes at [base]/.well-known/smart-configuration, describing its
// authorization server. Build one, check it with [Configuration.Validate],
// and serve it with [NewDiscoveryHandler], which validates it too.
//
// Field names follow the JSON members of the specification. Every URL must
// be absolute.
type Configuration struct {
	// Issuer is the authorization server's issuer URL. Required when
	// Capabilities lists "sso-openid-connect".
	Issuer string `json:"issuer,omitempty"`

	// JWKSURI is the URL of the authorization server's JSON Web Key Set.
	// Required when Capabilities lists "sso-openid-connect".
	JWKSURI string `json:"jwks_uri,omitempty"`

	// AuthorizationEndpoint is the OAuth 2.0 authorization endpoint.
	// Required when Capabilities lists "launch-ehr" or "launch-standalone".
	AuthorizationEndpoint string `json:"authorization_endpoint,omitempty"`

	// GrantTypesSupported lists the grant types the token endpoint accepts,
	// such as "authorization_code" and "client_credentials". Required.
	GrantTypesSupported []string `json:"grant_types_supported"`

	// TokenEndpoint is the OAuth 2.0 token endpoint. Required.
	TokenEndpoint string `json:"token_endpoint"`

	// TokenEndpointAuthMethodsSupported lists the client authentication
	// methods the token endpoint accepts, such as "client_secret_basic" and
	// "private_key_jwt".
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`

	// TokenEndpointAuthSigningAlgValuesSupported lists the algorithms
	// accepted for private_key_jwt client assertions.
	TokenEndpointAuthSigningAlgValuesSupported []string `json:"token_endpoint_auth_signing_alg_values_supported,omitempty"`

	// RegistrationEndpoint is the dynamic client registration endpoint.
	RegistrationEndpoint string `json:"registration_endpoint,omitempty"`

	// ScopesSupported lists the scopes a client may request.
	ScopesSupported []string `json:"scopes_supported,omitempty"`

	// ResponseTypesSupported lists the OAuth 2.0 response types supported,
	// usually "code".
	ResponseTypesSupported []string `json:"response_types_supported,omitempty"`

	// ManagementEndpoint is where a user can review and revoke the access
	// they granted.
	ManagementEndpoint string `json:"management_endpoint,omitempty"`

	// IntrospectionEndpoint is the RFC 7662 token introspection endpoint.
	IntrospectionEndpoint string `json:"introspection_endpoint,omitempty"`

	// RevocationEndpoint is the RFC 7009 token revocation endpoint.
	RevocationEndpoint string `json:"revocation_endpoint,omitempty"`

	// Capabilities lists the SMART capabilities supported, such as
	// "launch-standalone", "client-public", "context-standalone-patient",
	// "permission-patient" and "permission-v2". Required.
	Capabilities []string `json:"capabilities"`

	// CodeChallengeMethodsSupported lists the PKCE methods supported. It
	// must include "S256" and must not include "plain". Required.
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported"`
}

// ErrConfiguration is matched by every error that [Configuration.Validate]
// returns.
var ErrConfiguration = errors.New("smart: invalid SMART configuration")

// Validate checks c against the SMART App Launch 2.x rules for the discovery
// document. It returns an error matching [ErrConfiguration] that names every
// problem found, or nil.
func (c *Configuration) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfiguration}, args...)...))
	}

	if c.TokenEndpoint == "" {
		bad("token_endpoint is required")
	}
	if len(c.GrantTypesSupported) == 0 {
		bad("grant_types_supported is required")
	}
	if len(c.Capabilities) == 0 {
		bad("capabilities is required")
	}
	if !slices.Contains(c.CodeChallengeMethodsSupported, "S256") {
		bad("code_challenge_methods_supported must include S256")
	}
	if slices.Contains(c.CodeChallengeMethodsSupported, "plain") {
		bad("code_challenge_methods_supported must not include plain")
	}
	launches := slices.Contains(c.Capabilities, "launch-ehr") ||
		slices.Contains(c.Capabilities, "launch-standalone")
	if launches && c.AuthorizationEndpoint == "" {
		bad("authorization_endpoint is required with launch capabilities")
	}
	if launches && !slices.Contains(c.GrantTypesSupported, "authorization_code") {
		bad("grant_types_supported must include authorization_code with launch capabilities")
	}
	if slices.Contains(c.Capabilities, "sso-openid-connect") && (c.Issuer == "" || c.JWKSURI == "") {
		bad("issuer and jwks_uri are required with sso-openid-connect")
	}

	for name, u := range c.urls() {
		if u != "" && !isAbsoluteURL(u) {
			bad("%s must be an absolute http or https URL", name)
		}
	}
	return errors.Join(errs...)
}

// urls names the URL-valued fields of c.
func (c *Configuration) urls() map[string]string {
	return map[string]string{
		"issuer":                 c.Issuer,
		"jwks_uri":               c.JWKSURI,
		"authorization_endpoint": c.AuthorizationEndpoint,
		"token_endpoint":         c.TokenEndpoint,
		"registration_endpoint":  c.RegistrationEndpoint,
		"management_endpoint":    c.ManagementEndpoint,
		"introspection_endpoint": c.IntrospectionEndpoint,
		"revocation_endpoint":    c.RevocationEndpoint,
	}
}

// isAbsoluteURL reports whether s is an absolute http or https URL with a
// host.
func isAbsoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// NewDiscoveryHandler validates c and returns a handler that serves it as
// the SMART discovery document. The handler answers GET and HEAD with 200
// and the document as application/json, whatever the request's Accept
// header, with CORS allowed from any origin (browser apps read it before
// they hold a token); other methods get 405. Mount it at
// [base]/.well-known/smart-configuration, outside any authentication.
//
// The handler serves a copy of c taken at construction: later changes to c
// have no effect.
func NewDiscoveryHandler(c Configuration) (http.Handler, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	body, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("smart: encoding SMART configuration: %w", err)
	}
	return discoveryHandler(body), nil
}

// discoveryHandler serves a fixed JSON document.
type discoveryHandler []byte

func (d discoveryHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "public, max-age=3600")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(d)
}
