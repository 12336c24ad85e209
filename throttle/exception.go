package throttle

import (
	"fmt"
	"strings"
)

// Exception is the information-blocking exception of 45 CFR part 171, and
// the paragraph within it, under which a limit is imposed. Its only values
// are the four variables below: the type has no exported fields and no
// conversion from a string, so no other ground (cost, revenue, competition)
// can be written in code, and the JSON and YAML loaders refuse any other
// text. The zero value means "not given" and is refused by [New].
type Exception struct{ code string }

// The exceptions a justification may invoke.
var (
	// ExceptionMaintenance is 45 CFR 171.205(a): a practice that maintains
	// or improves health IT performance, for no longer than necessary.
	ExceptionMaintenance = Exception{"171.205(a)"}

	// ExceptionAssuredPerformance is 45 CFR 171.205(b): action against an
	// app whose use is negatively impacting the health IT's performance.
	ExceptionAssuredPerformance = Exception{"171.205(b)"}

	// ExceptionSecurityPolicy is 45 CFR 171.203(d): a practice that
	// implements a written organizational security policy.
	ExceptionSecurityPolicy = Exception{"171.203(d)"}

	// ExceptionSecurityDetermination is 45 CFR 171.203(e): a practice
	// based on a determination, made for the case at hand, that it is
	// necessary and that no less-interfering alternative exists.
	ExceptionSecurityDetermination = Exception{"171.203(e)"}
)

var exceptions = []Exception{
	ExceptionMaintenance, ExceptionAssuredPerformance,
	ExceptionSecurityPolicy, ExceptionSecurityDetermination,
}

// String returns the paragraph, such as "171.205(b)", or "" for the zero
// value.
func (e Exception) String() string { return e.code }

// IsZero reports whether e is the zero value, meaning no exception given.
func (e Exception) IsZero() bool { return e.code == "" }

// security reports whether e is one of the 171.203 security exceptions.
func (e Exception) security() bool { return strings.HasPrefix(e.code, "171.203") }

// MarshalText returns the paragraph, as written in a justification file.
func (e Exception) MarshalText() ([]byte, error) { return []byte(e.code), nil }

// UnmarshalText sets e from a paragraph such as "171.205(b)", or to the
// zero value from empty text. Any other text is an error naming the field
// and the accepted values, and leaves e unchanged.
func (e *Exception) UnmarshalText(text []byte) error {
	for _, known := range append(exceptions, Exception{}) {
		if string(text) == known.code {
			*e = known
			return nil
		}
	}
	return fmt.Errorf("throttle: exception: %q is not one of %s",
		text, joinCodes(exceptions, Exception.String))
}

// Resource is the technical resource that a limit protects. Its only values
// are the variables below; as with [Exception], no other value can be
// written in code or accepted from a file. The zero value means "not given"
// and is refused by [New].
type Resource struct{ code string }

// The technical resources a limit may protect.
var (
	// ResourceCPU is processor time of the FHIR server or its database.
	ResourceCPU = Resource{"cpu"}

	// ResourceDatabaseConnections is the pool of database connections.
	ResourceDatabaseConnections = Resource{"database_connections"}

	// ResourceMemory is the memory of the FHIR server or its database.
	ResourceMemory = Resource{"memory"}

	// ResourceUpstreamCapacity is the capacity of a system the server calls
	// to answer, such as a terminology service or a legacy EHR interface.
	ResourceUpstreamCapacity = Resource{"upstream_capacity"}

	// ResourceAbuse is protection against abuse and denial of service: the
	// availability of EHI to everyone else, the only resource a 171.203
	// security exception protects here.
	ResourceAbuse = Resource{"abuse_or_denial_of_service"}
)

var resources = []Resource{
	ResourceCPU, ResourceDatabaseConnections, ResourceMemory,
	ResourceUpstreamCapacity, ResourceAbuse,
}

// String returns the resource's name in a justification file, such as
// "cpu", or "" for the zero value.
func (r Resource) String() string { return r.code }

// IsZero reports whether r is the zero value, meaning no resource given.
func (r Resource) IsZero() bool { return r.code == "" }

// MarshalText returns the resource's name, as written in a justification
// file.
func (r Resource) MarshalText() ([]byte, error) { return []byte(r.code), nil }

// UnmarshalText sets r from a name such as "cpu", or to the zero value
// from empty text. Any other text is an error naming the field and the
// accepted values, and leaves r unchanged.
func (r *Resource) UnmarshalText(text []byte) error {
	for _, known := range append(resources, Resource{}) {
		if string(text) == known.code {
			*r = known
			return nil
		}
	}
	return fmt.Errorf("throttle: resource: %q is not one of %s",
		text, joinCodes(resources, Resource.String))
}

// joinCodes lists the accepted values of an enumeration for an error.
func joinCodes[T any](values []T, name func(T) string) string {
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = fmt.Sprintf("%q", name(v))
	}
	return strings.Join(names, ", ")
}
