package smart

import "strings"

// Need is one thing an interaction requires of a token's scopes: the
// permission letters Permissions on the resource type Type. Each letter may
// come from a different scope of the token, in any context.
type Need struct {
	// Type is the resource type the permissions are needed on. Empty means
	// some type: a single scope granting Permissions on any type meets the
	// need, and, when Permissions is zero, any resource scope does.
	Type string

	// Permissions are the letters needed.
	Permissions Permissions
}

// Requirement is what an interaction needs from a token, as
// [Interaction.Required] states it and [Authorize] checks it. The zero
// Requirement needs a valid token and no scope.
type Requirement struct {
	// Public reports an interaction that needs no token at all: reading
	// the CapabilityStatement (metadata) or the $versions operation.
	Public bool

	// Refused reports an interaction that no token may perform: an
	// operation that is neither built in nor registered with the [Guard],
	// or an Interaction without a Kind.
	Refused bool

	// Needs must all be met by the token's resource scopes.
	Needs []Need
}

// Required returns what in needs from a token's scopes. Reading a resource,
// one of its versions or its history needs "r" on its type; searching and
// type or system history need "s"; create needs "c", update and patch "u",
// delete "d". A conditional create, update, patch or delete also needs "s",
// because the server searches and its answer reveals whether anything
// matched. An update that creates a resource under a new ID needs only "u",
// as SMART App Launch 2.x says.
//
// System-wide search and history, a compartment search of every type and
// $export need "s" on each type their _type parameter names, or, without
// _type, "s" on some type: the compartment layer then narrows the search
// type by type. A batch or transaction needs some resource scope; the
// server authorizes each entry on its own. Operations need what the package
// documentation lists, or what the server registered.
func (in Interaction) Required() Requirement {
	return in.requirement(nil)
}

// requirement builds the Requirement, appending its needs to buf, so that
// Authorize can keep them on the stack.
func (in *Interaction) requirement(buf []Need) Requirement {
	one := func(p Permissions) Requirement { return onType(buf, in.Type, p) }
	switch in.Kind {
	case KindRead, KindVRead, KindHistoryInstance:
		return one(PermRead)
	case KindSearchType, KindHistoryType:
		return one(PermSearch)
	case KindCreate:
		return one(in.withCriteria(PermCreate))
	case KindUpdate, KindPatch:
		return one(in.withCriteria(PermUpdate))
	case KindDelete:
		return one(in.withCriteria(PermDelete))
	case KindSearchCompartment:
		if in.Type != "*" {
			return one(PermSearch)
		}
		return Requirement{Needs: in.appendTypeNeeds(buf, PermSearch)}
	case KindSearchSystem, KindHistorySystem:
		return Requirement{Needs: in.appendTypeNeeds(buf, PermSearch)}
	case KindBatch:
		return Requirement{Needs: append(buf, Need{})}
	case KindCapabilities:
		return Requirement{Public: true}
	case KindOperationSystem, KindOperationType, KindOperationInstance:
		return in.operationRequirement(buf)
	}
	return Requirement{Refused: true}
}

// onType returns the requirement of p on typ. An interaction that acts on a
// type but has none, which only a hand-built Interaction can be, is
// refused rather than read as needing p on some type.
func onType(buf []Need, typ string, p Permissions) Requirement {
	if typ == "" {
		return Requirement{Refused: true}
	}
	return Requirement{Needs: append(buf, Need{typ, p})}
}

// withCriteria adds search to p for a conditional interaction.
func (in *Interaction) withCriteria(p Permissions) Permissions {
	if in.Conditional {
		p |= PermSearch
	}
	return p
}

// appendTypeNeeds appends p on each type of in.Types, or on some type when
// there are none.
func (in *Interaction) appendTypeNeeds(buf []Need, p Permissions) []Need {
	if len(in.Types) == 0 {
		return append(buf, Need{"", p})
	}
	for _, t := range in.Types {
		buf = append(buf, Need{t, p})
	}
	return buf
}

// operationRequirement builds the Requirement of an operation from the rule
// found when it was parsed, or from the built-in table.
func (in *Interaction) operationRequirement(buf []Need) Requirement {
	rule := in.op
	if rule.mode == opUnknown {
		rule = lookupOperation(nil, in.Kind, in.Type, in.Operation)
	}
	switch rule.mode {
	case opPathType:
		return onType(buf, in.Type, rule.perm)
	case opSystemWide:
		return Requirement{Needs: in.appendTypeNeeds(buf, rule.perm)}
	case opExport:
		req := onType(buf, in.Type, rule.perm)
		if !req.Refused {
			req.Needs = in.appendTypeNeeds(req.Needs, PermSearch)
		}
		return req
	case opNoData:
		return Requirement{}
	case opPublic:
		return Requirement{Public: true}
	}
	return Requirement{Refused: true}
}

// Authorize reports whether the grant g may perform in, judging from the
// interaction alone, before any data is touched: it returns nil, an error
// matching [ErrNoToken] when g is nil and in is not public, or an
// [*InsufficientScopeError] (matching [ErrInsufficientScope]) naming what is
// missing. Which resources the interaction then reaches is for the
// compartment layer to decide.
//
// The [Guard] calls Authorize for every request. A server's batch or
// transaction handler calls it for every entry, with the entry's
// interaction from [ParseEntry] or [Guard.ParseEntry].
func Authorize(g *Grant, in Interaction) error {
	var buf [4]Need
	req := in.requirement(buf[:0])
	if req.Public {
		return nil
	}
	if g == nil {
		return ErrNoToken
	}
	if req.Refused {
		return newInsufficientScope(g, &in, nil)
	}

	var missing []Need
	for _, n := range req.Needs {
		if lack, ok := unmet(&g.Scopes, n); ok {
			missing = append(missing, lack)
		}
	}
	if missing != nil {
		return newInsufficientScope(g, &in, missing)
	}
	return nil
}

// unmet returns what of n the resource scopes in s do not grant, and
// whether anything is missing. A need on a named type may be met letter by
// letter by different scopes; a need on some type (n.Type empty) must be met
// by one scope, on whatever type.
func unmet(s *Scopes, n Need) (Need, bool) {
	if n.Type == "" {
		for i := range s.Resource {
			if s.Resource[i].Permissions.Has(n.Permissions) {
				return Need{}, false
			}
		}
		return n, true
	}
	var lack Permissions
	for p := PermCreate; p <= PermSearch; p <<= 1 {
		if n.Permissions.Has(p) && !s.Allows(n.Type, p) {
			lack |= p
		}
	}
	return Need{n.Type, lack}, lack != 0
}

// InsufficientScopeError reports an interaction that a grant's scopes do
// not cover. It matches [ErrInsufficientScope]. The [Guard] answers it with
// 403 and a WWW-Authenticate challenge carrying error="insufficient_scope"
// and, when there is one, Scope.
type InsufficientScopeError struct {
	// Kind is the interaction refused.
	Kind Kind

	// Type is the interaction's resource type, if any.
	Type string

	// Operation is the operation's name, for an operation.
	Operation string

	// Missing lists the needs the grant does not meet, each with only the
	// letters the grant lacks. It is empty when no token could perform the
	// interaction (Requirement.Refused).
	Missing []Need

	// Scope is a space-separated list of scopes that, added to the token,
	// would cover the interaction, written in the context and SMART version
	// of the token's own scopes, such as "patient/Observation.rs". It is
	// empty when there is no such list.
	Scope string
}

// newInsufficientScope builds the error for in and grant g.
func newInsufficientScope(g *Grant, in *Interaction, missing []Need) *InsufficientScopeError {
	return &InsufficientScopeError{
		Kind:      in.Kind,
		Type:      in.Type,
		Operation: in.Operation,
		Missing:   missing,
		Scope:     scopeHint(g, missing),
	}
}

// Error says which interaction needs what, in words fit for a client.
func (e *InsufficientScopeError) Error() string {
	return "smart: insufficient scope: " + e.describe()
}

// Is reports whether target is [ErrInsufficientScope].
func (e *InsufficientScopeError) Is(target error) bool {
	return target == ErrInsufficientScope
}

// describe says what is missing without the package prefix.
func (e *InsufficientScopeError) describe() string {
	if len(e.Missing) == 0 && e.Operation != "" {
		return "operation $" + e.Operation + " is not enabled on this server for " +
			e.Kind.String()
	}
	if len(e.Missing) == 0 {
		return "the request is not a FHIR interaction the server authorizes"
	}
	var b strings.Builder
	b.WriteString(e.Kind.String())
	b.WriteString(" needs ")
	for i, n := range e.Missing {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n.String())
	}
	return b.String()
}

// String describes n, such as `"s" on Observation`.
func (n Need) String() string {
	if n.Permissions == 0 {
		return "a resource scope"
	}
	on := "some resource type"
	if n.Type != "" {
		on = n.Type
	}
	return `"` + n.Permissions.String() + `" on ` + on
}
