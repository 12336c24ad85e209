package compartment

import (
	"errors"
	"net/http"

	"github.com/fhirguard/fhirguard/internal/outcome"
)

// Sentinel errors. The [Guard] returns errors that match one of them with
// [errors.Is], usually an [*Error] that also says why. Their text is fixed
// and never tells whether another patient's resource exists.
var (
	// ErrNotFound is matched by the error for a resource that does not
	// exist or that the token may not see: the two are indistinguishable,
	// by design. Stores return it (or an error matching it) for unknown
	// resources. The client receives 404.
	ErrNotFound = errors.New("compartment: resource not found")

	// ErrForbidden is matched by the error for a request that the grant
	// does not allow, decided from the request alone: a parameter naming
	// another patient, a type without a scope, a write outside the
	// compartment, no grant in the context. The client receives 403.
	ErrForbidden = errors.New("compartment: forbidden")

	// ErrInvalid is matched by the error for a request that is not a valid
	// FHIR search or resource: an unknown parameter, a bad modifier, a
	// resource whose JSON is invalid. The client receives 400.
	ErrInvalid = errors.New("compartment: invalid request")

	// ErrPreconditionFailed is matched by the error of a conditional update
	// or delete whose criteria match more than one resource the token may
	// see. The client receives 412.
	ErrPreconditionFailed = errors.New("compartment: precondition failed")
)

// Error is a refusal with its reason. Err is the sentinel it matches;
// Message is what the client may see; the cause, which may hold detail
// the client must not see, is reachable only through [errors.Unwrap] and
// the audit record.
type Error struct {
	// Err is one of ErrNotFound, ErrForbidden, ErrInvalid and
	// ErrPreconditionFailed.
	Err error

	// Reason is a short, stable, machine-readable cause, such as
	// "patient_mismatch"; the audit record carries the same.
	Reason string

	// Message is a fixed, non-sensitive sentence for the client. For
	// ErrInvalid it may name a parameter or modifier, never a value.
	Message string

	cause error
}

// Error returns the package prefix, the message and the reason. It never
// includes the cause.
func (e *Error) Error() string {
	return "compartment: " + e.Message + " (" + e.Reason + ")"
}

// Unwrap returns the sentinel and, when there is one, the cause.
func (e *Error) Unwrap() []error {
	if e.cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.cause}
}

// Fixed client messages for refusals whose cause must stay private.
const (
	msgNotFound  = "resource not found"
	msgForbidden = "the access token does not allow this request"
)

// notFound returns the error of a read outside the grant.
func notFound(reason string) *Error {
	return &Error{Err: ErrNotFound, Reason: reason, Message: msgNotFound}
}

// forbidden returns the error of a request the grant does not allow.
func forbidden(reason string) *Error {
	return &Error{Err: ErrForbidden, Reason: reason, Message: msgForbidden}
}

// invalid returns the error of a bad request; message is shown to the
// client and must hold no value from the request.
func invalid(reason, message string, cause error) *Error {
	return &Error{Err: ErrInvalid, Reason: reason, Message: message, cause: cause}
}

// HTTPStatus returns the HTTP status for err: 404, 403, 400 or 412 for
// errors matching the sentinels, and 500 for any other error.
func HTTPStatus(err error) int {
	switch {
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, ErrPreconditionFailed):
		return http.StatusPreconditionFailed
	}
	return http.StatusInternalServerError
}

// WriteError answers a request that failed with err: the status of
// [HTTPStatus] and a FHIR OperationOutcome. The diagnostics are the
// Message of an [*Error] in err's chain, or a fixed sentence for the
// status; the text of any other error is never sent, since it may come
// from the store and hold data.
func WriteError(w http.ResponseWriter, err error) {
	status := HTTPStatus(err)
	outcome.Write(w, status, outcome.TypeForStatus(status), clientMessage(err, status))
}

// clientMessage returns the diagnostics a client may see for err.
func clientMessage(err error, status int) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	switch status {
	case http.StatusNotFound:
		return msgNotFound
	case http.StatusForbidden:
		return msgForbidden
	case http.StatusBadRequest:
		return "invalid request"
	case http.StatusPreconditionFailed:
		return "the conditional request matches more than one resource"
	}
	return "internal server error"
}

// isNotFound reports whether err means the resource does not exist.
func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
