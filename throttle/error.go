package throttle

import (
	"errors"
	"strings"
)

// Sentinel errors. A [ValidationError] matches, with [errors.Is], the
// sentinel of each of its problems, so a caller can branch on the kind of
// refusal; the problems themselves name the fields.
var (
	// ErrMissing is matched when a required field of a justification is
	// empty.
	ErrMissing = errors.New("throttle: missing field")

	// ErrInvalid is matched when a field's value is outside its allowed
	// form or range, such as a negative rate or a malformed contact.
	ErrInvalid = errors.New("throttle: invalid field")

	// ErrInconsistent is matched when fields contradict each other: a limit
	// below what the evidence shows the system can serve, a window that
	// ends before it starts, a security policy under a performance
	// exception.
	ErrInconsistent = errors.New("throttle: inconsistent justification")

	// ErrExpired is matched when the justification's window has ended or
	// its review date has passed.
	ErrExpired = errors.New("throttle: justification expired")

	// ErrNotYetEffective is matched when the justification's window has
	// not started.
	ErrNotYetEffective = errors.New("throttle: justification not yet effective")

	// ErrNonTechnical is matched when free text gives cost, revenue,
	// pricing or competition as a ground, none of which 45 CFR 171 accepts
	// for throttling.
	ErrNonTechnical = errors.New("throttle: non-technical grounds")

	// ErrDiscriminatory is matched when the traffic class or the evidence
	// names clients by identity (a client ID, a vendor, first- or
	// third-party apps) rather than by behaviour.
	ErrDiscriminatory = errors.New("throttle: traffic class names clients")

	// ErrFormat is matched by every error from [ParseJSON], [ParseYAML] and
	// [LoadFile] about the file itself: syntax, an unknown or duplicated
	// field, a value of the wrong type or outside an enumeration.
	ErrFormat = errors.New("throttle: malformed justification file")
)

// Problem is one reason a justification is refused.
type Problem struct {
	// Field is the field concerned, as named in a justification file, such
	// as "evidence.measured_at" or "limit.requests_per_second".
	Field string

	// Err is the sentinel the problem matches, such as [ErrMissing].
	Err error

	// Message explains the problem for the person who wrote the record.
	Message string
}

// Error returns the field and the message.
func (p Problem) Error() string { return p.Field + ": " + p.Message }

// ValidationError lists every reason a justification was refused, so that
// one run of [New] or [Justification.Validate] reports them all.
type ValidationError struct {
	// ID is the refused justification's ID, possibly empty.
	ID string

	// Problems lists the reasons, in the order of the record's fields.
	Problems []Problem
}

// Error returns the problems on one line, prefixed with the package name.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("throttle: justification ")
	if e.ID != "" {
		b.WriteString(e.ID + " ")
	}
	b.WriteString("refused: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap returns the sentinel of each problem, so that errors.Is matches
// any of them.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p.Err
	}
	return errs
}
