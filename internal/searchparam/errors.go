package searchparam

import "errors"

// Errors returned by this package. Callers test them with errors.Is; the
// returned errors wrap them with details such as the byte offset or the
// parameter name, which hold no resource contents or search values.
var (
	// ErrSyntax is returned by [Extractor.Extract] for a resource that is not
	// valid RFC 8259 JSON in UTF-8.
	ErrSyntax = errors.New("searchparam: invalid JSON")

	// ErrDuplicateKey is returned by [Extractor.Extract] for an object that
	// holds the same key twice on a path the extractor evaluates, including
	// "resourceType" at the top level.
	ErrDuplicateKey = errors.New("searchparam: duplicated JSON key")

	// ErrTooDeep is returned by [Extractor.Extract] for JSON nested more than
	// [MaxDepth] levels.
	ErrTooDeep = errors.New("searchparam: JSON nested too deeply")

	// ErrResourceType is returned by [Extractor.Extract] for a resource that
	// is not a JSON object whose resourceType is the extractor's type.
	ErrResourceType = errors.New("searchparam: wrong or missing resourceType")

	// ErrUnsupported is returned by [NewExtractor] and [ParseCriterion] for a
	// definition, parameter, modifier or prefix that this package cannot
	// evaluate. The wrapping error names it.
	ErrUnsupported = errors.New("searchparam: not supported")

	// ErrUnknownParameter is returned by [ParseCriterion] for a parameter
	// that R4 does not define for the resource type.
	ErrUnknownParameter = errors.New("searchparam: unknown search parameter")

	// ErrInvalidValue is returned by [ParseCriterion] for a search value that
	// does not fit the parameter's type, such as a malformed date.
	ErrInvalidValue = errors.New("searchparam: invalid search value")
)

// MaxDepth is the deepest nesting of JSON objects and arrays that
// [Extractor.Extract] accepts. R4 resources, even deeply nested
// Questionnaires, stay far below it.
const MaxDepth = 256
