package smarttest

import (
	"net/http"
	"slices"

	"github.com/fhirguard/fhirguard/smart"
)

// The endpoint paths, below the issuer's path.
const (
	pathAuthorize           = "/authorize"
	pathToken               = "/token"
	pathIntrospect          = "/introspect"
	pathRevoke              = "/revoke"
	pathJWKS                = "/.well-known/jwks.json"
	pathSMARTConfiguration  = "/.well-known/smart-configuration"
	pathOpenIDConfiguration = "/.well-known/openid-configuration"
)

// capabilities are the SMART capabilities the server implements.
var capabilities = []string{
	"launch-standalone",
	"client-public",
	"client-confidential-symmetric",
	"context-standalone-patient",
	"permission-patient",
	"permission-v1",
	"permission-v2",
	"permission-offline",
	"permission-online",
	"sso-openid-connect",
}

// Configuration returns the server's SMART discovery document, with
// absolute endpoint URLs below the issuer. It advertises S256 as the only
// PKCE method, and the capabilities launch-standalone, client-public,
// client-confidential-symmetric, context-standalone-patient,
// permission-patient, permission-v1, permission-v2, permission-offline,
// permission-online and sso-openid-connect.
func (s *Server) Configuration() smart.Configuration {
	c := s.config
	c.GrantTypesSupported = slices.Clone(c.GrantTypesSupported)
	c.TokenEndpointAuthMethodsSupported = slices.Clone(c.TokenEndpointAuthMethodsSupported)
	c.ScopesSupported = slices.Clone(c.ScopesSupported)
	c.ResponseTypesSupported = slices.Clone(c.ResponseTypesSupported)
	c.Capabilities = slices.Clone(c.Capabilities)
	c.CodeChallengeMethodsSupported = slices.Clone(c.CodeChallengeMethodsSupported)
	return c
}

// DiscoveryHandler returns the handler of the discovery document, for the
// FHIR server to mount at [FHIR base]/.well-known/smart-configuration,
// where SMART apps look for it. The server also serves it at
// [issuer]/.well-known/smart-configuration.
func (s *Server) DiscoveryHandler() http.Handler { return s.discovery }

// configuration builds the discovery document.
func (s *Server) configuration() smart.Configuration {
	iss := s.cfg.Issuer
	return smart.Configuration{
		Issuer:                            iss,
		JWKSURI:                           iss + pathJWKS,
		AuthorizationEndpoint:             iss + pathAuthorize,
		TokenEndpoint:                     iss + pathToken,
		IntrospectionEndpoint:             iss + pathIntrospect,
		RevocationEndpoint:                iss + pathRevoke,
		GrantTypesSupported:               []string{"authorization_code", "refresh_token"},
		TokenEndpointAuthMethodsSupported: authMethods(),
		ResponseTypesSupported:            []string{"code"},
		CodeChallengeMethodsSupported:     []string{"S256"},
		Capabilities:                      slices.Clone(capabilities),
		ScopesSupported: []string{
			"openid", "fhirUser", "launch/patient", "offline_access", "online_access",
			"patient/*.rs", "patient/*.cruds", "patient/*.read", "patient/*.write",
		},
	}
}

// authMethods lists the client authentication methods of the token
// endpoint: none (public clients), client_secret_basic and
// client_secret_post.
func authMethods() []string {
	return []string{"none", "client_secret_basic", "client_secret_post"}
}

// openIDConfiguration serves the OpenID Connect discovery document that
// the sso-openid-connect capability requires: enough for a client to
// validate the ID tokens it receives.
func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	allowCORS(w)
	iss := s.cfg.Issuer
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + pathAuthorize,
		"token_endpoint":                        iss + pathToken,
		"jwks_uri":                              iss + pathJWKS,
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{string(RS256)},
		"scopes_supported":                      []string{"openid", "fhirUser"},
		"token_endpoint_auth_methods_supported": authMethods(),
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported": []string{
			"iss", "sub", "aud", "exp", "iat", "nonce", "fhirUser",
		},
	})
}
