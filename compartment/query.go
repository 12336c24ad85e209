package compartment

import "time"

// Query is a FHIR search as a [Repository] receives it: the client's
// parameters, parsed (see [ParseQuery]), plus the Constraints the [Guard]
// adds for the token. A store applies both.
//
// The zero Query searches every resource of every type, with no
// constraint. A Query is a value: the Guard copies it and never modifies
// the caller's slices.
type Query struct {
	// Type is the resource type searched, or "" for a search across types
	// (GET [base]?_type=...).
	Type string

	// Types are the types of a search across types (_type). Empty means
	// every type. The Guard always sets it for such searches, to the types
	// the token may search.
	Types []string

	// Compartment is the compartment of a compartment search, such as
	// Patient/123 for GET Patient/123/Observation. The zero value means
	// none.
	Compartment CompartmentRef

	// Params are the client's search parameters. Each one must hold; the
	// values of one parameter are alternatives.
	Params []Param

	// Include are the _include parameters.
	Include []Include

	// RevInclude are the _revinclude parameters.
	RevInclude []Include

	// Sort is the _sort order, first key first. Empty leaves the order to
	// the store.
	Sort []SortKey

	// Count is the page size the client asked for (_count), or 0 for the
	// store's default.
	Count int

	// Total says whether the client wants Page.Total (_total).
	Total Total

	// Summary is the _summary parameter. A store acts only on
	// SummaryCount (return the count and no resources); the server applies
	// the other forms to the resources after the Guard has checked them.
	Summary Summary

	// Elements are the element names of _elements, for the server to apply
	// after the Guard has checked the full resources.
	Elements []string

	// PageToken is the opaque cursor of a next-page request: a Page.Next
	// value. The store must apply this Query's Constraints to the page,
	// never constraints remembered in the cursor.
	PageToken string

	// Constraints are the conditions the Guard adds for the token. A store
	// must apply them to the matches; see [Constraints].
	Constraints Constraints
}

// CompartmentRef names a compartment: the type and ID of the resource it
// belongs to, such as Patient and 123.
type CompartmentRef struct {
	// Type is the compartment's resource type, such as "Patient".
	Type string

	// ID is the ID of the resource whose compartment it is.
	ID string
}

// IsZero reports whether c names no compartment.
func (c CompartmentRef) IsZero() bool { return c.Type == "" && c.ID == "" }

// Param is one search parameter of a query, such as
// "subject:Patient.name:exact=peter" or "_has:Observation:patient:code=1234".
//
// For a plain parameter, Name is the parameter, Modifier its modifier and
// Values its values. For a chain, Name is the first reference parameter,
// Chain the links after it, and Modifier belongs to the last link. For
// _has, Name is "_has", Has holds the reverse chain, and Values is empty:
// the values are those of Has.Param.
type Param struct {
	// Name is the search parameter name, such as "subject" or "_id".
	Name string

	// Modifier is the modifier of the last parameter of the chain, such as
	// "exact", "not", "missing" or a resource type ("Patient"), or "".
	Modifier string

	// Chain are the links of a chained parameter, in order.
	Chain []ChainLink

	// Has is the reverse chain of a _has parameter.
	Has *Has

	// Values are the alternatives of the parameter, split at the commas
	// that separate them. Each value keeps FHIR search escaping (\, \| \$
	// \\) so that its own syntax, such as system|code, stays unambiguous.
	Values []string
}

// ChainLink is one link of a chained parameter: the parameter Name of the
// resource that the previous reference points to, restricted to the type
// Type when the client gave one (subject:Patient.name).
type ChainLink struct {
	// Type is the resource type the previous reference must point to, or
	// "" for any of its target types that has the parameter Name.
	Type string

	// Name is the search parameter on that type.
	Name string
}

// Has is the reverse chain of a _has parameter
// _has:Type:Ref:param=value: resources of the searched type that a
// resource of type Type references through its parameter Ref, where that
// resource meets Param (which may itself be a chain or another _has).
type Has struct {
	// Type is the type of the referring resources, such as "Observation".
	Type string

	// Ref is their reference parameter that points to the searched type,
	// such as "patient".
	Ref string

	// Param is the condition the referring resources must meet.
	Param Param
}

// Include is one _include or _revinclude parameter,
// SourceType:Param[:TargetType], with the :iterate modifier as Iterate.
// For _include the store adds the resources that the matches' Param
// references point to; for _revinclude, the resources of SourceType whose
// Param references point to a match.
type Include struct {
	// SourceType is the type holding the reference parameter, or "" for
	// the wildcard _include=*.
	SourceType string

	// Param is the reference parameter, or "" when Wildcard is set.
	Param string

	// TargetType restricts the included resources to one type, or "".
	TargetType string

	// Wildcard reports the form SourceType:* (or *): every reference
	// parameter of SourceType.
	Wildcard bool

	// Iterate reports the :iterate modifier (or its R3 name :recurse): the
	// parameter applies to included resources too.
	Iterate bool
}

// SortKey is one key of _sort: a search parameter, descending when the
// client wrote it with a leading minus.
type SortKey struct {
	// Param is the search parameter to sort by.
	Param string

	// Descending reverses the order.
	Descending bool
}

// Total is the _total parameter: how precisely a client wants the number
// of matches.
type Total string

// The values of _total. The empty Total means the client did not ask.
const (
	TotalNone     Total = "none"
	TotalEstimate Total = "estimate"
	TotalAccurate Total = "accurate"
)

// Summary is the _summary parameter.
type Summary string

// The values of _summary. The empty Summary means the client did not ask.
const (
	SummaryTrue  Summary = "true"
	SummaryText  Summary = "text"
	SummaryData  Summary = "data"
	SummaryCount Summary = "count"
	SummaryFalse Summary = "false"
)

// HistoryQuery selects the versions of a history request: instance history
// (Type and ID), type history (Type only) or system history (neither).
// The zero HistoryQuery selects every version of every resource.
type HistoryQuery struct {
	// Type is the resource type, or "" for system history.
	Type string

	// ID is the resource ID for instance history, or "".
	ID string

	// Since keeps only versions created at or after it (_since); the zero
	// time keeps all.
	Since time.Time

	// Count is the page size (_count), or 0 for the store's default.
	Count int

	// PageToken is the opaque cursor of a next-page request.
	PageToken string

	// Constraints are the conditions the Guard adds for the token. A store
	// applies them to the content of each version; a deletion entry (a
	// version without JSON) satisfies none.
	Constraints Constraints
}
