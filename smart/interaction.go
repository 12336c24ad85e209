package smart

import (
	"errors"
	"net/http"
	"strings"
)

// Interaction is one FHIR R4 RESTful interaction: what a request asks the
// server to do, as [ParseInteraction], [ParseRequest] and [ParseEntry] read
// it from the method, the path below the FHIR base, the query and the
// If-None-Exist header. [Interaction.Required] says what it needs from a
// token and [Authorize] checks a [Grant] against that.
//
// The fields taken from the path are percent-decoded; Criteria and Query
// are raw. A field the interaction does not have is empty. The zero
// Interaction is no interaction, and Authorize refuses it. An Interaction
// is a value, safe to read from several goroutines; copies share the Types
// slice, which must not be modified.
type Interaction struct {
	// Kind is the interaction.
	Kind Kind

	// Type is the resource type the interaction acts on: the type in the
	// path at type and instance level, and the searched type of a
	// compartment search ("*" for every type). It is empty at system level.
	Type string

	// ID is the resource ID in the path at instance level.
	ID string

	// Version is the version ID of a vread, or of an operation invoked on
	// one version ([type]/[id]/_history/[vid]/$[name]).
	Version string

	// Compartment is the compartment of a compartment search, such as
	// Patient 123 for Patient/123/Observation.
	Compartment Compartment

	// Operation is the operation's name without the "$", such as
	// "everything".
	Operation string

	// Conditional reports a conditional create (with If-None-Exist), or a
	// conditional update, patch or delete (criteria in the query instead
	// of an ID).
	Conditional bool

	// Criteria are the search criteria of a conditional interaction: the
	// If-None-Exist value of a create, the query of the others. They are
	// raw (percent-encoded) query text.
	Criteria string

	// Types lists the resource types named by _type, each once, for the
	// interactions where it limits the types reached: system-wide search
	// and history, a compartment search of every type, and system-wide
	// operations such as $export. _type in a form body counts too. It is
	// nil when the request has no _type.
	Types []string

	// Query is the request's raw (percent-encoded) query, without the "?".
	// Search parameters sent in a POST body are not included.
	Query string

	// op is the requirement of an operation, set when the interaction was
	// parsed; the zero value makes Required look it up again.
	op opRule
}

// Compartment identifies a compartment: the type and ID of the resource
// that defines it, such as Patient 123.
type Compartment struct {
	// Type is the compartment's resource type, such as "Patient".
	Type string

	// ID is the ID of the resource that defines the compartment.
	ID string
}

// ErrBadRequest is matched by every error with which [ParseInteraction],
// [ParseRequest] and [ParseEntry] refuse a request that is not a well-formed
// FHIR interaction: dot segments, encoded slashes or backslashes, empty
// segments, control characters, malformed types, IDs or operation names,
// unknown "_" segments, a malformed _type or one naming more than 256
// types, a repeated If-None-Exist header, or a method the path does not
// accept. Such errors
// are [*RequestError] values. The Guard answers them before it looks at the
// token.
var ErrBadRequest = errors.New("smart: bad FHIR request")

// RequestError reports a request that is not a well-formed FHIR R4
// interaction. The [Guard] answers it with Status, an Allow header when Allow
// is set, and an OperationOutcome of type "invalid" (or "not-supported" for
// 405) whose diagnostics are Reason. Reason never repeats any part of the
// request, so that it may be shown and logged.
type RequestError struct {
	// Status is 400 Bad Request, 405 Method Not Allowed or 413 Content Too
	// Large.
	Status int

	// Reason says what is wrong, such as "path segment 2 is not a valid
	// resource ID".
	Reason string

	// Allow lists the methods the path accepts, for a 405.
	Allow string
}

// Error returns the reason prefixed with the package name.
func (e *RequestError) Error() string { return "smart: bad FHIR request: " + e.Reason }

// Is reports whether target is [ErrBadRequest].
func (e *RequestError) Is(target error) bool { return target == ErrBadRequest }

// badRequest returns a 400 RequestError with reason.
func badRequest(reason string) *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Reason: reason}
}

// ParseInteraction reads the FHIR R4 interaction of a request from its
// method, its path below the FHIR base in escaped form (such as
// "Patient/123/_history" or "/Patient/123/_history"; "" and "/" are the
// base), its raw query and its headers, of which only If-None-Exist matters.
// Operations are those the library knows (see the package documentation);
// [Guard.ParseEntry] also knows the ones a server registered.
//
// It returns an error matching [ErrBadRequest] (a [*RequestError]) when the
// request is not a well-formed interaction.
func ParseInteraction(method, path, rawQuery string, h http.Header) (Interaction, error) {
	cond, err := ifNoneExistHeader(h)
	if err != nil {
		return Interaction{}, err
	}
	return parseInteraction(method, path, rawQuery, cond, nil)
}

// ParseEntry reads the interaction of a batch or transaction Bundle entry
// from its request.method, its request.url relative to the FHIR base (such
// as "Patient/123" or "Observation?code=1234-5") and its
// request.ifNoneExist, which is "" when absent. A server's Bundle handler
// calls it, then [Authorize], for every entry, so that each entry is
// authorized exactly like the same request on its own. Absolute URLs and
// nested batches are refused with an error matching [ErrBadRequest].
//
// ParseEntry knows the operations built into the library only; use
// [Guard.ParseEntry] for the ones a server registered.
func ParseEntry(method, url, ifNoneExist string) (Interaction, error) {
	return parseEntry(method, url, ifNoneExist, nil)
}

// parseEntry is ParseEntry with the server's registered operations.
func parseEntry(method, url, ifNoneExist string, reg operations) (Interaction, error) {
	path, query, _ := strings.Cut(url, "?")
	cond := createCondition{value: ifNoneExist, present: ifNoneExist != ""}
	in, err := parseInteraction(method, path, query, cond, reg)
	if err == nil && in.Kind == KindBatch {
		return Interaction{}, badRequest("a Bundle entry cannot be a batch or transaction")
	}
	return in, err
}

// createCondition is the If-None-Exist header of a request.
type createCondition struct {
	value   string
	present bool
}

// ifNoneExistHeader reads the If-None-Exist header from h. The header
// counts as present even when empty, since a server may then run the
// conditional create with no criteria at all.
func ifNoneExistHeader(h http.Header) (createCondition, error) {
	v := h.Values("If-None-Exist")
	switch len(v) {
	case 0:
		return createCondition{}, nil
	case 1:
		return createCondition{value: v[0], present: true}, nil
	}
	return createCondition{}, badRequest("the If-None-Exist header is repeated")
}

// parseInteraction is the parser behind the exported functions: reg holds
// the server's registered operations, or nil.
func parseInteraction(method, path, query string, cond createCondition,
	reg operations) (Interaction, error) {
	var segs [maxSegments]string
	n, err := splitPath(path, &segs)
	if err != nil {
		return Interaction{}, err
	}

	p := parser{method: methodOf(method), query: query, cond: cond, reg: reg}
	in, err := p.classify(segs[:n])
	if err != nil {
		return Interaction{}, err
	}

	in.Query = query
	if in.filtersTypes() {
		if in.Types, err = typeFilter(query, nil); err != nil {
			return Interaction{}, err
		}
	}
	return in, nil
}

// filtersTypes reports whether _type limits the types in reaches: at
// system level and in a compartment search of every type.
func (in *Interaction) filtersTypes() bool {
	switch in.Kind {
	case KindSearchSystem, KindHistorySystem:
		return true
	case KindSearchCompartment:
		return in.Type == "*"
	}
	return in.op.mode == opSystemWide || in.op.mode == opExport
}
