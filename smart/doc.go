// Package smart puts SMART on FHIR authorization in front of an existing Go
// FHIR R4 server: it validates bearer tokens, parses their scopes, and
// refuses, before the server's handler runs, every request whose FHIR
// interaction the scopes do not cover.
//
// A [Guard] wraps the server's handler. An [Authenticator] turns the bearer
// token into a [Grant]: [JWTAuthenticator] for signed JWTs, [Introspector]
// for opaque tokens, or the server's own. The Guard parses the request into
// an [Interaction], checks it with [Authorize], and hands the Grant and the
// Interaction to the handler in the request's context:
//
//	auth, err := smart.NewJWTAuthenticator(smart.JWTConfig{
//		Issuer:   "https://auth.example.org",
//		Audience: "https://fhir.example.org/fhir",
//		JWKSURL:  "https://auth.example.org/.well-known/jwks.json",
//	})
//	if err != nil { ... }
//	guard, err := smart.NewGuard(smart.GuardConfig{
//		Authenticator: auth,
//		BasePath:      "/fhir",
//		Realm:         "fhir",
//		Audit:         audit.Slog(logger),
//	})
//	if err != nil { ... }
//	mux.Handle("/fhir/", guard.Handler(fhirHandler))
//
// Inside the handler, [FromContext] returns the Grant and
// [InteractionFromContext] the Interaction. A handler for batch and
// transaction Bundles authorizes each entry on its own with
// [Guard.ParseEntry] and [Authorize]. [NewDiscoveryHandler] serves
// [base]/.well-known/smart-configuration, which the Guard lets through
// without a token.
//
// # Tokens
//
// [JWTAuthenticator] validates signed JWT access tokens with keys from a
// JWKS URL (refreshed in the background, and on an unknown key ID at a
// bounded rate and for a bounded wait), static RSA or ECDSA public keys, or
// an HMAC secret. An HMAC secret is weaker than a key pair: whoever holds it
// to verify tokens can also mint them, so it belongs only to a resource
// server and authorization server run by the same party. The defaults are
// strict: issuer and audience required and compared exactly, exp required,
// nbf honoured, an algorithm allow-list always on and derived from the
// configured keys, each algorithm used only with its own key type (so an
// HS256 token signed with an RSA public key fails), "none" never accepted,
// and oversized tokens refused before they are parsed. A validated token is
// remembered under its SHA-256 hash, never past its exp, so repeated
// requests skip the signature check.
//
// [Introspector] asks an RFC 7662 endpoint about opaque tokens, reading the
// SMART fields of the answer (active, scope, client_id, exp, patient,
// fhirUser) and refusing a token the answer says is not a bearer access
// token, such as a refresh token. Answers are cached until the token's exp or
// [IntrospectionConfig.MaxAge], whichever comes first: MaxAge is therefore
// the longest a revoked token may still be accepted. An endpoint that cannot
// be reached makes the request fail with 503, never pass.
//
// SMART defines no claim for the launch patient, so [ClaimMapping] says
// where to find it ("patient" by default, or a dotted path such as
// "context.patient"), and likewise for scopes ("scope" string or "scp"
// list), the client ID ("client_id" or "azp") and fhirUser.
//
// # What each interaction needs
//
// The SMART permission letters an interaction needs on its resource type
// ([Interaction.Required]):
//
//   - read, vread, instance history: r
//   - search (type, compartment, and POST _search), type history: s
//   - create: c; update and patch: u; delete: d
//   - conditional create, update, patch and delete: the letter above and s,
//     because the server searches and its answer reveals whether anything
//     matched
//   - system-wide search and history, and a compartment search of every
//     type (Patient/123/*): s on each type named by _type, or, without
//     _type, s on some type
//   - batch and transaction (POST [base]): any resource scope, then each
//     entry as its own request
//   - capabilities (GET metadata): nothing, not even a token
//
// The built-in operations need:
//
//   - Patient/[id]/$everything, Encounter/[id]/$everything: r on their type;
//     Patient/$everything: s on Patient
//   - $export: s as a system-wide search does, and also s on Patient for
//     Patient/$export and r on Group for Group/[id]/$export
//   - $validate: a valid token on a posted resource ([type]/$validate), r
//     on a stored one ([type]/[id]/$validate)
//   - $meta: s at system and type level, r on an instance; $meta-add and
//     $meta-delete: u
//   - Observation/$lastn, Observation/$stats, Patient/$match: s on their type
//   - Composition/[id]/$document: r on Composition
//   - CodeSystem $lookup, $validate-code and $subsumes, ValueSet $expand and
//     $validate-code, ConceptMap $translate: r on their type, at type and
//     instance level
//   - $convert: a valid token; $versions: nothing, not even a token
//
// Any other operation is refused with 403 unless the server registers it
// in [GuardConfig.Operations] with what it needs. An operation can read any
// type, write, or start work on the server, and its name does not say
// which; letting an unknown one through for a token that holds some
// unrelated scope would let that token reach data its scopes do not cover.
//
// # Security model
//
// The Guard decides from the request alone, before any data is touched, so
// that its answer never depends on what the server holds. It checks the
// interaction and the resource types; which resources a patient token may
// see (its own compartment, granular scope conditions, rules) is enforced
// where the data is read, by package compartment, which the server puts
// around its storage. In particular the Guard does not compare a patient ID
// in the path (Patient/456/Observation) with the token's patient: the
// compartment layer answers such requests from the data the token may see,
// including linked patients.
//
// What the Guard refuses, and how:
//
//   - A path that could be read as another path: dot segments, empty
//     segments, encoded slashes and backslashes, control characters,
//     malformed types, IDs and operation names, and paths that reach the
//     FHIR base only after a router decodes, cleans or case-folds them or
//     drops their ";" segment parameters.
//     400 with an OperationOutcome.
//   - A request without a bearer token: 401 with a WWW-Authenticate
//     challenge without error code (RFC 6750 section 3.1). A token sent in
//     the URL or a form body, or two Authorization headers: 400
//     invalid_request. Tokens in URLs end up in logs, histories and Referer
//     headers, and SMART clients send the Authorization header.
//   - A token the Authenticator refuses: 401 invalid_token with a fixed
//     description; the cause goes to the audit hook only. A token with
//     patient/ scopes and no patient is refused, never served without a
//     patient. A token that could not be checked: 503 with Retry-After,
//     never a pass.
//   - An interaction the scopes do not cover: 403 insufficient_scope,
//     naming scopes that would cover it.
//
// Every refusal is reported to the [audit.Hook] with the method, the path
// (never the query, whose search values may be personal data), and the
// grant's client ID, token ID, patient and fhirUser (never the token or
// its subject). The Guard reads a request body only when it is a form
// (POST _search), to find _type and access_token, and gives it back whole.
//
// The Guard judges the request as it arrives, so the handler behind it
// must read the same request. Two known gaps follow from that. A handler
// that takes search parameters from a body the Guard does not read (a
// multipart form, or the Parameters resource of a POST $export) may search
// types named there that the Guard never checked; the compartment layer
// still refuses a named type the token cannot search, but with its own
// error rather than the Guard's 403. And a handler or router that honours
// a method-override header (X-HTTP-Method-Override) or form field would
// run an interaction other than the one authorized: do not install one
// behind the Guard.
//
// Blocking is a defect like a leak: a token that covers an interaction is
// never refused by the Guard, a malformed scope withholds only itself, and
// CORS preflight requests pass without a token, as browsers send them.
//
// # Specifications
//
// The package implements SMART App Launch 2.x (scopes v1 and v2, granular
// scopes, discovery), the RESTful API of FHIR R4 (4.0.1) for the
// interactions it parses, RFC 6749 (OAuth 2.0), RFC 6750 (bearer tokens and
// their WWW-Authenticate challenges), RFC 7519 (JWT), RFC 7662 (token
// introspection) and, in the discovery document, RFC 7636 (PKCE with S256).
package smart
