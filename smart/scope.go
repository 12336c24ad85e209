package smart

import (
	"fmt"
	"strings"
)

// Context is the launch context a resource scope applies in: the part of a
// scope before the slash.
type Context uint8

// The three contexts of SMART resource scopes.
const (
	// ContextPatient is "patient/": data about the token's launch patient.
	ContextPatient Context = iota + 1

	// ContextUser is "user/": data the signed-in user may see.
	ContextUser

	// ContextSystem is "system/": data a backend service may see.
	ContextSystem
)

// String returns the scope prefix without its slash, such as "patient".
func (c Context) String() string {
	switch c {
	case ContextPatient:
		return "patient"
	case ContextUser:
		return "user"
	case ContextSystem:
		return "system"
	}
	return fmt.Sprintf("Context(%d)", uint8(c))
}

// Permissions is a set of SMART v2 permission letters: create, read, update,
// delete, search. The zero value grants nothing.
type Permissions uint8

// The five SMART v2 permissions, in the order they must be written.
const (
	PermCreate Permissions = 1 << iota // c
	PermRead                           // r
	PermUpdate                         // u
	PermDelete                         // d
	PermSearch                         // s

	// PermAll is every permission: "cruds", or "*" in SMART v1.
	PermAll = PermCreate | PermRead | PermUpdate | PermDelete | PermSearch
)

// Has reports whether p holds every permission in q.
func (p Permissions) Has(q Permissions) bool { return p&q == q }

// String returns the permissions as SMART v2 letters in their canonical
// order, such as "rs".
func (p Permissions) String() string {
	var b strings.Builder
	for i, letter := range "cruds" {
		if p&(1<<i) != 0 {
			b.WriteRune(letter)
		}
	}
	return b.String()
}

// Param is one condition of a granular SMART v2 scope, such as
// category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory.
// Name may carry a search modifier ("code:below"); Value is percent-decoded.
type Param struct {
	Name  string
	Value string
}

// Scope is one well-formed SMART resource scope, in v1 or v2 syntax. A v1
// scope is mapped to v2 permissions when parsed: read is "rs", write is
// "cud" and "*" is "cruds".
type Scope struct {
	// Raw is the scope exactly as the token carried it.
	Raw string

	// Context is patient, user or system.
	Context Context

	// Permissions are the interactions the scope grants.
	Permissions Permissions

	// V1 reports whether the scope was written in SMART v1 syntax.
	V1 bool

	// Type is a FHIR resource type, or "*" for every type.
	Type string

	// Params are the conditions of a granular scope, all of which a
	// resource must meet. They are empty for a scope that covers every
	// resource of its type.
	Params []Param
}

// Granular reports whether the scope carries conditions, so that it covers
// only some resources of its type.
func (s Scope) Granular() bool { return len(s.Params) > 0 }

// Covers reports whether the scope grants permissions p on resource type
// typ, ignoring its conditions.
func (s Scope) Covers(typ string, p Permissions) bool {
	return (s.Type == "*" || s.Type == typ) && s.Permissions.Has(p)
}

// ScopeError reports a scope that is not well-formed, and why. A malformed
// scope grants nothing.
type ScopeError struct {
	// Scope is the offending scope as written.
	Scope string

	// Reason says what is wrong with it.
	Reason string
}

// Error returns the scope and the reason.
func (e *ScopeError) Error() string {
	return fmt.Sprintf("smart: malformed scope %q: %s", e.Scope, e.Reason)
}
