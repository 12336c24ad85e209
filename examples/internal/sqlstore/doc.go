// Package sqlstore is a [compartment.Repository] over an embedded SQLite
// database: the storage of the fhirguard demo server, and an example of
// how a server author's own store meets the storage contract so that the
// decorator's constraints become SQL conditions.
//
// It uses modernc.org/sqlite, a pure-Go SQLite, so that the demo builds
// and runs with `go run` on a machine without a C toolchain.
//
// Usage:
//
//	store, err := sqlstore.Open(ctx, sqlstore.Config{}) // in memory
//	if err != nil {
//		return err
//	}
//	defer store.Close()
//	guard, err := compartment.New(store, compartment.Config{})
//
// # Schema
//
// Every version of every resource is one row of the table version (type,
// ID, version ID, the time it was written, whether it is the current
// version, and its JSON, which is NULL for a deletion). When a version is
// written, the values of every search parameter the R4 definitions give
// its type are extracted with the same evaluator the compartment decorator
// uses (internal/searchparam) and written to the table search_index, one
// row per value, with columns by kind: token system, code and folded text;
// reference base, type and ID; string as written and folded; date range
// low and high; number, with a quantity's unit. A parameter whose element
// is in the resource without yielding a value (a Reference with only an
// identifier, null, {}) gets one row of kind 0, which no value condition
// selects: it is there so that :missing=true, which the decorator's
// constraints use for a Device that names no patient, does not hold for
// such a resource, exactly as the decorator decides. A search then
// becomes one SQL statement in which each search parameter, each
// compartment and each [compartment.Condition] of the decorator's
// constraints is an IN (SELECT ... FROM search_index ...) condition;
// chained and _has parameters are resolved first by searches of their
// own.
//
// # Semantics
//
// Search follows FHIR R4 as internal/searchparam implements it, modifier
// by modifier and prefix by prefix, so that this store and the
// decorator's re-check agree on every resource; the tests compare it with
// the in-memory reference store on the same data. Parameters, modifiers
// and prefixes that internal/searchparam does not support are refused
// with an error matching [compartment.ErrInvalid]. References are followed
// (chains, _has, _include, _revinclude, compartments) only when they are
// relative, as in the reference store: the store does not know its own
// base URL.
//
// The decorator's constraints come first in the WHERE clause, before the
// client's parameters. No stored resource can make a search fail: a
// resource whose JSON cannot be evaluated (invalid, a duplicated key on a
// parameter's path) is refused when it is written, so a search's answer
// and errors never depend on resources outside the grant.
//
// The store maintains meta.versionId and meta.lastUpdated: each write
// stores the resource with both set, its id first after resourceType, and
// its JSON otherwise as given, compacted.
//
// # Transactions
//
// [Store.Transaction] runs a function whose repository calls, made with
// the context it receives, all commit or all roll back: a FHIR
// transaction Bundle passed through the decorator is atomic.
//
// # Limits
//
// One connection serves every request, so requests are served one at a
// time; this keeps an in-memory database consistent and is plenty for a
// demo, not for production load. Paging uses an offset cursor: a resource
// written between two pages may shift the pages. _sort orders by the
// lowest value of a parameter (highest when descending), resources without
// a value last.
//
// A Store is safe for concurrent use.
package sqlstore
