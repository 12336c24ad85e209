package fhirapi

import (
	"errors"
	"net/http"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/internal/outcome"
	"github.com/fhirguard/fhirguard/smart"
)

// httpError is a refusal by the handler itself, with what the client
// sees: a status and an OperationOutcome issue. msg never holds a value
// from the request.
type httpError struct {
	status int
	code   outcome.IssueType
	msg    string
}

func (e *httpError) Error() string { return "fhirapi: " + e.msg }

// badRequest returns a 400 error.
func badRequest(msg string) error {
	return &httpError{status: http.StatusBadRequest, code: outcome.Invalid, msg: msg}
}

// notFound returns a 404 error.
func notFound(msg string) error {
	return &httpError{status: http.StatusNotFound, code: outcome.NotFound, msg: msg}
}

// notImplemented returns the 501 error of an interaction the handler
// does not serve.
func notImplemented(what string) error {
	return &httpError{status: http.StatusNotImplemented, code: outcome.NotSupported,
		msg: "this server does not support " + what}
}

// errorOutcome returns the status and OperationOutcome body for err: the
// handler's own errors as they say, the decorator's with
// compartment.HTTPStatus and their client message, a scope refusal of a
// Bundle entry as 403, anything else as 500 with a fixed text (the
// error may come from the store and hold data).
func errorOutcome(err error) (int, []byte) {
	var he *httpError
	var ce *compartment.Error
	var se *smart.InsufficientScopeError
	var re *smart.RequestError
	switch {
	case errors.As(err, &he):
		return he.status, outcome.Body(he.code, he.msg)
	case errors.As(err, &se):
		return http.StatusForbidden, outcome.Body(outcome.Forbidden, se.Error())
	case errors.As(err, &re):
		return re.Status, outcome.Body(outcome.Invalid, re.Reason)
	case errors.As(err, &ce):
		status := compartment.HTTPStatus(err)
		return status, outcome.Body(outcome.TypeForStatus(status), ce.Message)
	}
	status := compartment.HTTPStatus(err)
	return status, outcome.Body(outcome.TypeForStatus(status), fixedMessage(status))
}

// fixedMessage is the diagnostics of an error without a client message.
func fixedMessage(status int) string {
	switch status {
	case http.StatusNotFound:
		return "resource not found"
	case http.StatusForbidden:
		return "the access token does not allow this request"
	case http.StatusBadRequest:
		return "invalid request"
	case http.StatusPreconditionFailed:
		return "the conditional request matches more than one resource"
	}
	return "internal server error"
}

// writeError answers a request that failed with err.
func writeError(w http.ResponseWriter, err error) {
	status, body := errorOutcome(err)
	h := w.Header()
	h.Set("Content-Type", outcome.ContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
