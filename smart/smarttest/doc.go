// Package smarttest is an in-process SMART App Launch 2.x authorization
// server for tests and demos, in the spirit of [net/http/httptest]: app
// authors run their end-to-end patient-app tests against it, and unit tests
// mint tokens from it.
//
// It is for tests and demos only, never production. It keeps everything in
// memory, offers a fixed list of synthetic patients to anyone who opens its
// consent page without any login, and does not insist on authentication at
// its introspection endpoint.
//
// # Running it
//
// [New] returns a [Server] to mount as an [net/http.Handler] below a path
// of an existing server; the issuer URL, given in [Config].Issuer, says
// where. The demo server mounts it at /auth on the same host as /fhir:
//
//	auth, err := smarttest.New(smarttest.Config{
//		Issuer:      "http://127.0.0.1:8080/auth",
//		FHIRBaseURL: "http://127.0.0.1:8080/fhir",
//		Patients:    []smarttest.Patient{{ID: "p1", Name: "Amy Shaw"}},
//	})
//	if err != nil { ... }
//	mux.Handle("/auth/", auth)
//	mux.Handle("/fhir/.well-known/smart-configuration", auth.DiscoveryHandler())
//
// [Start] runs it on its own loopback listener, like
// [net/http/httptest.NewServer]; the issuer is then the listener's URL,
// returned by [Server.Issuer]. Call [Server.Close] when done.
//
// # Endpoints
//
// Below the issuer URL:
//
//   - GET /authorize: standalone launch (response_type=code, client_id,
//     redirect_uri, scope, state, aud equal to the FHIR base URL, and PKCE
//     with code_challenge_method=S256, which is required). It shows a patient
//     picker and consent page with one ticked checkbox per requested scope.
//   - POST /authorize: the consent form, which redirects to the app with
//     code and state, or with error=access_denied.
//   - POST /token: the authorization_code grant (with code_verifier) and the
//     refresh_token grant, for public clients and for confidential clients
//     (client_secret_basic or client_secret_post).
//   - POST /introspect: RFC 7662 introspection.
//   - POST /revoke: RFC 7009 revocation.
//   - GET /.well-known/jwks.json: the public keys, one RS256 and one ES256.
//   - GET /.well-known/smart-configuration: the SMART discovery document,
//     also available as [Server.Configuration] and [Server.DiscoveryHandler].
//   - GET /.well-known/openid-configuration: OpenID Connect discovery, for
//     the ID tokens issued when the app is granted openid.
//
// # Tokens
//
// Access tokens are JWTs signed RS256 ([Config].Algorithm may choose ES256)
// with a kid header and the claims iss (the issuer), aud (the FHIR base
// URL), sub, client_id, scope (space-separated), patient (the picked
// patient's ID), fhirUser ("Patient/" + ID), exp, iat, nbf and jti. Refresh
// tokens are opaque and issued only when the patient approved
// offline_access or online_access, which this server treats alike. They
// are rotated on every use; reusing a rotated one revokes its grant. A
// refresh request may narrow the scopes, never widen them. An ID token
// (RS256, aud the client, fhirUser when granted, nonce when sent) is issued
// when openid was approved.
//
// [Server.Mint] mints a valid token directly, and [Server.MintInvalid] a
// token with a named [Flaw] (expired, wrong audience, unknown key, alg
// none, and more) that a correct validator must refuse. [Authorize] plays
// the patient's browser on the consent page in an end-to-end test.
//
// # Security model
//
// Although it serves tests, the server enforces the rules an app must
// meet, so that tests catch apps that break them:
//
//   - Redirect URIs: any client may use a loopback redirect URI
//     (http://127.0.0.1:*, http://localhost:*, http://[::1]:*, any path, in
//     the manner of RFC 8252); any other must be registered for the client
//     in [Config].Clients. Until the client and redirect URI are checked,
//     errors are shown on a page, never redirected.
//   - PKCE S256 is required; plain is refused. Codes live [CodeLifetime],
//     are bound to the client, the redirect URI and the challenge, and are
//     used up by the first redemption attempt. A second redemption revokes
//     the tokens issued for the code.
//   - The consent form carries only the random ID of the pending request,
//     which stays on the server with its redirect URI, state and challenge.
//     The approved scopes are exactly the ticked ones, each of which must
//     have been requested. The answer must come from the browser that
//     opened the page (a SameSite=Lax cookie) and, when the browser names
//     one, from the server's own origin.
//   - Every parameter may appear once; a repeated one is refused.
//   - At most 10,000 consent pages may be open at once, since anyone can
//     open one; beyond that the app gets error=temporarily_unavailable.
//   - Only patient/ resource scopes are granted; user/ and system/ scopes
//     are refused with invalid_scope, since every user here is a patient.
//
// Revocation is seen through introspection. A resource server that checks
// the JWT signature itself keeps accepting a revoked access token until it
// expires, as with any JWT authorization server.
//
// # Specifications
//
// SMART App Launch 2.2 (standalone launch, scopes v1 and v2, discovery),
// RFC 6749 (OAuth 2.0), RFC 7636 (PKCE), RFC 7519 (JWT), RFC 7517 and RFC
// 7638 (JWK and its thumbprint, used as kid), RFC 7662 (introspection),
// RFC 7009 (revocation), RFC 8252 (loopback redirect URIs), OpenID Connect
// Core 1.0 (ID tokens).
//
// # Limitations
//
// EHR launch (the launch parameter), user/ and system/ scopes, the
// client_credentials grant, private_key_jwt client authentication and
// dynamic client registration are not supported. online_access refresh
// tokens do not end when the user leaves, since the server has no user
// session. The patient claim is always present: a standalone patient
// launch always picks a patient, even when the app did not ask for
// launch/patient.
package smarttest
