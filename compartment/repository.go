package compartment

import "context"

// Repository is the storage interface of a FHIR R4 server, as this package
// sees it. A server implements it around its own store and wraps it once
// with [New]; the [Guard] it gets back implements Repository too, and the
// server's handlers use only the Guard.
//
// # What a storage author must do
//
// Read and VRead return the resource, or an error matching [ErrNotFound]
// when there is no such resource or version. A deleted resource is not
// found: do not answer differently for deleted and never-existing
// resources.
//
// Search applies the client's parameters in [Query] with FHIR R4 search
// semantics and, in addition, every [Condition] of Query.Constraints to the
// matches (see [Constraints] for their meaning). It returns full
// resources: _summary and _elements subsetting is the server's job, done
// after the Guard has checked the full resource. Included resources go in
// [Page].Included; they need no constraints (the Guard checks each one),
// but they must be linked to the matches through the include parameters.
//
// History returns versions, newest first, with the constraints of
// [HistoryQuery] applied to each version's own content.
//
// Create, Update and Delete store what they are given. The Guard calls them
// only after checking the grant, and Update and Delete only after reading
// the stored version through Read.
//
// A store must not modify the slices of the Query or HistoryQuery it
// receives: the Guard shares parts of them between requests. Every method
// must be safe for concurrent use. Errors other than
// [ErrNotFound], [ErrInvalid] and [ErrPreconditionFailed] are passed on to
// the server unchanged.
type Repository interface {
	// Read returns the current version of the resource typ/id.
	Read(ctx context.Context, typ, id string) (Resource, error)

	// VRead returns one version of the resource typ/id.
	VRead(ctx context.Context, typ, id, version string) (Resource, error)

	// Search returns one page of the resources that match q.
	Search(ctx context.Context, q Query) (Page, error)

	// History returns one page of the versions that q selects.
	History(ctx context.Context, q HistoryQuery) (Page, error)

	// Create stores a new resource. The store assigns the ID when r.ID is
	// empty, and always the version; it returns the stored resource. A
	// server sets r.ID only to an ID it chose itself, never to one from
	// the client's request: a store that refuses an existing ID would tell
	// the client that another patient's resource exists.
	Create(ctx context.Context, r Resource) (Resource, error)

	// Update stores a new version of the resource r.Type/r.ID and returns
	// it. When the resource does not exist, a store may create it
	// (update as create) or return ErrNotFound.
	Update(ctx context.Context, r Resource) (Resource, error)

	// Delete deletes the resource typ/id, or returns ErrNotFound.
	Delete(ctx context.Context, typ, id string) error
}

// Resource is one version of a FHIR resource as stored: its type, logical
// ID, version ID and JSON bytes. The Guard passes JSON on exactly as the
// store returned it; it never decodes and re-encodes a resource it lets
// through, so what the client receives is what was checked.
//
// The zero Resource is not a valid resource. A Resource holds no lock: its
// JSON must not be modified while the Guard or a client may read it.
type Resource struct {
	// Type is the FHIR resource type, such as "Observation". It must equal
	// the resourceType of JSON.
	Type string

	// ID is the logical ID. It must equal the id of JSON, when JSON has
	// one.
	ID string

	// Version is the version ID (meta.versionId), or "" when the store
	// does not version resources.
	Version string

	// JSON is the resource in the FHIR JSON format. It is nil only for a
	// deletion entry in a history page.
	JSON []byte
}

// Reference returns the relative reference "Type/ID" of r.
func (r Resource) Reference() string { return r.Type + "/" + r.ID }

// Page is one page of search or history results.
type Page struct {
	// Resources are the matches (for a search) or the versions (for a
	// history), in the order of the query's sort.
	Resources []Resource

	// Included are the resources added by _include and _revinclude. A
	// resource appears once here even when several matches include it.
	Included []Resource

	// Total is the number of matches across every page, when TotalKnown.
	Total int

	// TotalKnown reports whether Total holds a count. A store sets it when
	// the query asked for a total (Query.Total, or _summary=count) and it
	// could count. The Guard clears it when the count could include
	// resources the token may not see.
	TotalKnown bool

	// Next is an opaque cursor for the next page, or "" on the last page.
	// It carries no authority: the next page is fetched with the
	// constraints of whichever token presents it.
	Next string
}
