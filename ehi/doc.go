// Package ehi will hold the information-blocking checks of DESIGN section 6:
// coverage of a server's CapabilityStatement against the US Core server
// requirements, completeness of what the standard API returns for a patient,
// differential access between a portal and the API, and a review command
// that runs them against a live server.
//
// Not implemented yet: the package exports nothing, and none of these checks
// exists. Until it lands, a server author has no automated way to show that
// the standard API returns everything the portal returns.
package ehi
