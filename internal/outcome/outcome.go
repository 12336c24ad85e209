// Package outcome writes FHIR R4 OperationOutcome responses, the error body
// that every fhirguard package sends.
package outcome

import (
	"encoding/json"
	"net/http"
)

// IssueType is an OperationOutcome.issue.code from the FHIR R4 value set
// http://hl7.org/fhir/ValueSet/issue-type.
type IssueType string

// The issue types the library uses.
const (
	Invalid      IssueType = "invalid"
	Security     IssueType = "security"
	Login        IssueType = "login"
	Forbidden    IssueType = "forbidden"
	NotFound     IssueType = "not-found"
	Throttled    IssueType = "throttled"
	Transient    IssueType = "transient"
	Exception    IssueType = "exception"
	NotSupported IssueType = "not-supported"
)

// TypeForStatus returns the issue type that matches an HTTP error status:
// not-found for 404, forbidden for 403, invalid for 400 and 412, and
// exception for anything else.
func TypeForStatus(status int) IssueType {
	switch status {
	case http.StatusNotFound:
		return NotFound
	case http.StatusForbidden:
		return Forbidden
	case http.StatusBadRequest, http.StatusPreconditionFailed:
		return Invalid
	}
	return Exception
}

// ContentType is the media type of the bodies Write sends.
const ContentType = "application/fhir+json; charset=utf-8"

type issue struct {
	Severity    string    `json:"severity"`
	Code        IssueType `json:"code"`
	Diagnostics string    `json:"diagnostics,omitempty"`
}

type operationOutcome struct {
	ResourceType string  `json:"resourceType"`
	Issue        []issue `json:"issue"`
}

// Body returns the JSON of an OperationOutcome with one issue of severity
// "error", the given type and diagnostics text.
func Body(code IssueType, diagnostics string) []byte {
	b, err := json.Marshal(operationOutcome{
		ResourceType: "OperationOutcome",
		Issue:        []issue{{Severity: "error", Code: code, Diagnostics: diagnostics}},
	})
	if err != nil {
		// Marshalling two strings into a fixed struct cannot fail.
		panic("outcome: " + err.Error())
	}
	return b
}

// Write sends status with an OperationOutcome body built by Body. Headers
// already set on w, such as WWW-Authenticate or Retry-After, are kept.
func Write(w http.ResponseWriter, status int, code IssueType, diagnostics string) {
	body := Body(code, diagnostics)
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
