// Package demo assembles the fhirguard demo server: an embedded SQLite
// store holding synthetic or loaded FHIR R4 data, wrapped by the
// compartment decorator; the FHIR RESTful API on top of it; the SMART
// middleware and a justified rate limiter in front; and, unless an
// external authorization server is configured, the in-process SMART
// authorization server of package smarttest with a small demo app that
// shows the token it obtains.
//
// Usage (what examples/server's main does):
//
//	srv, err := demo.New(ctx, demo.Config{Origin: "http://127.0.0.1:8080"})
//	if err != nil {
//		return err
//	}
//	defer srv.Close()
//	fmt.Print(srv.Banner())
//	http.Serve(listener, srv.Handler())
//
// # The request path
//
//	request log (method, path, status; never the query)
//	 -> CORS (browser apps)
//	 -> smart.Guard: token -> Grant (401), interaction vs scopes (403)
//	 -> throttle.Limiter: per client, with a measured justification (429)
//	 -> fhirapi.Handler: routing, Bundles, paging
//	 -> compartment.Guard: constraints in every query, every resource re-checked
//	 -> sqlstore.Store: SQLite, constraints as SQL conditions
//
// # Paths
//
//	/fhir/...                                 the FHIR API and metadata
//	/fhir/.well-known/smart-configuration     SMART discovery
//	/auth/...                                 the embedded authorization server
//	/app/launch, /app/callback                the demo app (embedded mode)
//	/                                         a page with links to the above
//
// # Security model
//
// The demo serves plain HTTP and is meant for loopback: SMART requires TLS
// in production. The embedded authorization server offers its patients to
// anyone who opens the consent page, without a login, as a test server
// does. Tokens are checked by introspection at the embedded server, with
// no cache, so that a revoked token stops working at once. Nothing the
// demo logs holds personal data: requests are logged by method, path and
// status, and decisions by the library's audit records.
package demo
