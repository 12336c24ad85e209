package audit

import (
	"context"
	"time"
)

// Kind says which decision a [Record] reports.
type Kind string

// The kinds of decision the library reports.
const (
	// KindUnauthenticated reports a request refused with 401: no token, or a
	// token that failed validation.
	KindUnauthenticated Kind = "unauthenticated"

	// KindForbidden reports a request refused with 403 because the token's
	// scopes or the compartment rules do not cover it.
	KindForbidden Kind = "forbidden"

	// KindBadRequest reports a request refused with 400 before authorization,
	// such as a path with encoded slashes or dot segments.
	KindBadRequest Kind = "bad_request"

	// KindUnavailable reports a request answered with 503 because a service
	// the decision depends on, such as a token introspection endpoint, could
	// not be reached.
	KindUnavailable Kind = "unavailable"

	// KindHidden reports a read answered with 404 because the resource lies
	// outside the grant, although it may exist.
	KindHidden Kind = "hidden"

	// KindDropped reports resources removed from a result (matches,
	// includes, history entries) because the grant does not cover them.
	KindDropped Kind = "dropped"

	// KindNarrowed reports a storage query to which constraints were added.
	KindNarrowed Kind = "narrowed"

	// KindRuleError reports a rule whose evaluation failed; the resource it
	// was evaluated on was withheld.
	KindRuleError Kind = "rule_error"

	// KindStorageDefect reports a resource returned by the storage although
	// the constraints it was given should have excluded it.
	KindStorageDefect Kind = "storage_defect"

	// KindMalformedScope reports a scope that could not be parsed and so
	// grants nothing.
	KindMalformedScope Kind = "malformed_scope"

	// KindUnenforceableScope reports a well-formed granular scope that the
	// library cannot enforce and so grants nothing.
	KindUnenforceableScope Kind = "unenforceable_scope"

	// KindThrottled reports a request answered with 429 by a rate limiter.
	KindThrottled Kind = "throttled"

	// KindThrottleEnded reports that a rate limiter's justification window
	// ended and the limiter stopped limiting.
	KindThrottleEnded Kind = "throttle_ended"

	// KindStoreOutage reports that a rate limiter's shared store could not be
	// reached and requests were let through.
	KindStoreOutage Kind = "store_outage"
)

// Record is one withholding or narrowing decision. Fields that do not apply
// to a decision are left empty. See the package documentation for what a
// record may and may not hold.
type Record struct {
	// Time is when the decision was made.
	Time time.Time

	// Kind is the decision.
	Kind Kind

	// Component names the package that decided: "smart", "compartment" or
	// "throttle".
	Component string

	// Reason is a short, stable, machine-readable cause, such as
	// "token_expired" or "patient_mismatch".
	Reason string

	// Detail explains the cause in words for an operator. It never holds
	// resource contents or search parameter values.
	Detail string

	// Status is the HTTP status the client received, or 0 when the decision
	// did not produce a response of its own (a dropped resource).
	Status int

	// Method and Path describe the HTTP request, when there was one. Path is
	// the URL path only; the query is never recorded.
	Method string
	Path   string

	// ClientID, TokenID, Patient and FHIRUser identify the grant: the OAuth
	// client, the token's jti, the launch patient's resource ID and the
	// fhirUser reference.
	ClientID string
	TokenID  string
	Patient  string
	FHIRUser string

	// ResourceType and ResourceID identify the resource concerned.
	ResourceType string
	ResourceID   string

	// Scope is the scope concerned, for scope decisions.
	Scope string

	// Rule names the rule concerned, for rule decisions.
	Rule string

	// Justification is the ID of the throttling justification concerned.
	Justification string

	// Count is the number of resources concerned, for dropped resources.
	Count int
}

// Hook receives audit records. It is called synchronously on the request
// path, possibly from many goroutines at once, so it must be safe for
// concurrent use and should return quickly. A nil Hook discards records.
type Hook func(ctx context.Context, r Record)

// Emit hands r to the hook, filling in r.Time from time.Now when it is zero.
// Emit on a nil Hook does nothing.
func (h Hook) Emit(ctx context.Context, r Record) {
	if h == nil {
		return
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	h(ctx, r)
}
