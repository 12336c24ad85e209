package throttle

import "time"

// Justification is the written ground for a rate limit: the record that
// makes throttling lawful under one exception of 45 CFR part 171. Its
// fields follow the conditions of 171.205 (health IT performance) and
// 171.203 (security) one by one; [Justification.Validate] and [New] refuse
// a record that leaves any of them unmet.
//
// A Justification is built in code or read from a file with [ParseJSON],
// [ParseYAML] or [LoadFile], so that the compliance reviewer who signs the
// file and the server that enforces it read the same text. The JSON and
// YAML names of the fields are given in the tags.
//
// There is no field for a reason in free words, no per-client or per-vendor
// limit and no list of limits: one [Limit] applies to every key alike,
// whoever the client is. The zero value is an empty record, refused by
// [New]. A Justification is a plain value, safe to copy and to share.
type Justification struct {
	// ID names the justification in every 429 answer, audit record and
	// counter. It is 1 to 64 letters, digits, dots, hyphens or
	// underscores, starting with a letter or digit.
	ID string `json:"id" yaml:"id"`

	// Exception is the exception and paragraph invoked.
	Exception Exception `json:"exception" yaml:"exception"`

	// Resource is the technical resource the limit protects. The
	// performance exceptions (171.205) protect CPU, database connections,
	// memory or upstream capacity; the security exceptions (171.203)
	// protect against abuse and denial of service.
	Resource Resource `json:"resource" yaml:"resource"`

	// Evidence is the measurement that shows the impact on Resource.
	Evidence Evidence `json:"evidence" yaml:"evidence"`

	// Limit is the rate and burst allowed to every key.
	Limit Limit `json:"limit" yaml:"limit"`

	// TrafficClass describes, in words, the behaviour the limit applies
	// to, such as "more than 40 requests per second from one client
	// sustained over a minute". It describes behaviour only: text that
	// names a client, a vendor, or first- or third-party apps is refused.
	TrafficClass string `json:"traffic_class" yaml:"traffic_class"`

	// Window is when the limit is in force and when it is reviewed.
	Window Window `json:"window" yaml:"window"`

	// Approver is who approved the limit, and when.
	Approver Approver `json:"approver" yaml:"approver"`

	// SLA references the service level agreement the limit is consistent
	// with, or states that none applies and why.
	SLA string `json:"sla" yaml:"sla"`

	// Policy is required by, and only allowed with,
	// [ExceptionSecurityPolicy] (171.203(d)).
	Policy *SecurityPolicy `json:"policy,omitempty" yaml:"policy,omitempty"`

	// Determination is required by, and only allowed with,
	// [ExceptionSecurityDetermination] (171.203(e)).
	Determination *Determination `json:"determination,omitempty" yaml:"determination,omitempty"`

	// Contact is shown to every limited client: an e-mail address, an
	// https URL or a tel: URI where the client can ask about the limit.
	Contact string `json:"contact" yaml:"contact"`
}

// Evidence is a measurement of the impact a limit addresses. Metric is
// written so that a higher value is worse (latency, utilisation,
// connections in use, error rate): Observed must exceed Baseline.
//
// The two rates tie the limit to the measurement: the limit may not lie
// below ServedRatePerKey, which the system was shown to serve without
// impact, and must lie below ObservedRatePerKey, where the impact was seen.
type Evidence struct {
	// Metric names what was measured, such as "database CPU utilisation".
	Metric string `json:"metric" yaml:"metric"`

	// Unit is the unit of Baseline and Observed, such as "percent".
	Unit string `json:"unit" yaml:"unit"`

	// Baseline is the metric's value under normal load.
	Baseline float64 `json:"baseline" yaml:"baseline"`

	// Observed is the metric's value under the traffic the limit targets.
	Observed float64 `json:"observed" yaml:"observed"`

	// MeasuredAt is when Observed was measured. It precedes the approval
	// and lies at most [MaxEvidenceAge] before the window starts.
	MeasuredAt time.Time `json:"measured_at" yaml:"measured_at"`

	// ServedRatePerKey is the request rate from one key, in requests per
	// second, that the system served with the metric at its baseline.
	ServedRatePerKey float64 `json:"served_rate_per_key" yaml:"served_rate_per_key"`

	// ObservedRatePerKey is the request rate from one key, in requests per
	// second, at which Observed was measured.
	ObservedRatePerKey float64 `json:"observed_rate_per_key" yaml:"observed_rate_per_key"`
}

// Limit is a token bucket: every key may send Burst requests at once, and
// then Rate requests per second. The same Limit applies to every key.
type Limit struct {
	// Rate is the sustained rate allowed to each key, in requests per
	// second. It is at least [MinRate] and at least the evidence's
	// ServedRatePerKey.
	Rate float64 `json:"requests_per_second" yaml:"requests_per_second"`

	// Burst is how many requests a key may send at once. It is at least
	// [MinBurst] and at least one second's worth of Rate.
	Burst int `json:"burst" yaml:"burst"`
}

// Window is when a limit is in force: from Start (inclusive) to End
// (exclusive), at most [MaxWindow] long. Review is when the approver
// re-examines the evidence; it lies within the window, and a justification
// whose review date has passed is refused, as "no longer than necessary"
// requires someone to check that it is still necessary.
type Window struct {
	// Start is when the limit takes effect.
	Start time.Time `json:"start" yaml:"start"`

	// End is when the limit stops, whatever happens.
	End time.Time `json:"end" yaml:"end"`

	// Review is when the justification must be reviewed.
	Review time.Time `json:"review" yaml:"review"`
}

// Approver identifies who approved the limit. Approval precedes the start
// of the window and follows the measurement.
type Approver struct {
	// Name is the approver's name.
	Name string `json:"name" yaml:"name"`

	// Role is the approver's role, such as "CISO" or "Head of platform".
	Role string `json:"role" yaml:"role"`

	// ApprovedAt is when the approver approved the limit.
	ApprovedAt time.Time `json:"approved_at" yaml:"approved_at"`
}
