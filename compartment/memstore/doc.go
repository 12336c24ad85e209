// Package memstore is an in-memory [compartment.Repository]: the
// reference implementation of the contract that package compartment
// defines for storage authors, used by its tests and examples.
//
// It honours the whole contract: FHIR R4 search parameters of every type
// the definitions support (with modifiers, prefixes, chains and _has),
// Patient compartment searches, the Guard's [compartment.Constraints]
// (conditions limited to their type, conditions on the type alone, empty
// groups), _include and _revinclude with :iterate and wildcards, _sort,
// _total, _summary=count, paging with an opaque cursor that carries no
// authority, version history with _since, and deletions that read as not
// found.
//
// Usage:
//
//	store, err := memstore.New(memstore.Config{})
//	if err != nil {
//		return err
//	}
//	guard, err := compartment.New(store, compartment.Config{})
//
// # Limits
//
// The store keeps everything in memory and evaluates a search by scanning
// every resource of the searched types; it is meant for tests, examples
// and reading, not for production data. It compares references as
// written: an absolute reference to its own resources is not recognised
// as a relative one, since the store does not know its base URL. It
// keeps resource JSON as given, except that it writes the assigned ID
// into a created resource without one; it does not maintain
// meta.versionId or meta.lastUpdated.
//
// A :missing=true condition, in a parameter or a constraint, holds only
// for a resource without any element on the parameter's path: a Device
// whose patient element has only an identifier, or is null or {}, is not
// missing a patient. This is how the Guard decides that a Device belongs
// to no patient, so the store selects exactly the Devices the Guard
// releases.
//
// It applies the Guard's constraints before the client's parameters, and
// a resource whose JSON it cannot evaluate for a condition (a duplicated
// key on the parameter's path) matches nothing instead of failing the
// search, so that no answer depends on resources outside the grant.
//
// A Store is safe for concurrent use.
package memstore
