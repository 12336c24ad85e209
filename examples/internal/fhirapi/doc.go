// Package fhirapi is the FHIR R4 RESTful API of the fhirguard demo
// server: the "server's own handlers" of the request path, which route
// requests, build Bundles and page through results, and reach data only
// through a [compartment.Repository], the decorator that enforces the
// token's grant.
//
// Usage, behind the SMART middleware and over the decorator:
//
//	api, err := fhirapi.New(fhirapi.Config{
//		Repository: guard, // a *compartment.Guard around the store
//		BaseURL:    "http://127.0.0.1:8080/fhir",
//		Security:   discovery.SecurityComponent(),
//	})
//	if err != nil {
//		return err
//	}
//	mux.Handle("/fhir/", smartGuard.Handler(api))
//
// # Interactions
//
// The handler serves read, vread, search (GET and POST _search, at type,
// system and Patient compartment level), history (instance, type and
// system), create (with If-None-Exist), update (with conditional
// update), delete (with conditional delete), batch and transaction
// Bundles, Patient/[id]/$everything and metadata. Patch and the other
// operations answer 501 with an OperationOutcome; the CapabilityStatement
// says exactly what is served.
//
// Searches follow [compartment.ParseQuery]: an unknown or unsupported
// parameter is refused with 400 rather than ignored. Paging links carry
// the client's parameters and an opaque cursor (_cursor), never the
// token's constraints: each page is fetched through the decorator with
// the constraints of the token that presents the link. _summary and
// _elements are applied after the decorator has checked the full
// resources. Known gap: _summary=true returns full resources, since the
// element definitions at hand do not say which elements are in the
// summary.
//
// # Security model
//
// The handler decides nothing about access: it takes the interaction the
// SMART middleware parsed ([smart.InteractionFromContext]) and performs
// it on the decorator, which refuses or hides what the grant does not
// cover. Entries of batch and transaction Bundles are authorized one by
// one with [smart.Authorize], each as the request it stands for, before
// any of them runs. A transaction runs in [Config].Transaction, so that
// it commits whole or not at all. Error responses are OperationOutcomes
// whose text is fixed or names a parameter, never a value or a
// resource's content.
//
// # Specifications
//
// FHIR R4 (4.0.1): RESTful API, Search, Bundle, CapabilityStatement and
// the Patient $everything operation.
package fhirapi
