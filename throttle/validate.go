package throttle

import (
	"math"
	"time"
)

// Bounds every justification must respect, whatever its evidence.
const (
	// MinRate is the lowest Limit.Rate accepted, in requests per second
	// per key. A patient app at normal rates (a launch, then some thirty
	// US Core searches with paging in a minute) needs about one request
	// per second; a lower limit would throttle it, which no evidence of
	// load can justify.
	MinRate = 1.0

	// MinBurst is the lowest Limit.Burst accepted. An app's launch and
	// its first screen send a few dozen requests at once.
	MinBurst = 30

	// MaxWindow is the longest window accepted. A limit needed for longer
	// must be justified again, with fresh evidence.
	MaxWindow = 90 * 24 * time.Hour

	// MaxEvidenceAge is how long before the window's start the evidence
	// may have been measured.
	MaxEvidenceAge = 90 * 24 * time.Hour

	// maxRate and maxBurst keep the arithmetic of the stores exact.
	maxRate  = 1e6
	maxBurst = 1_000_000
)

// Validate reports whether j is complete, technical and consistent, and in
// force at now. It returns nil or a *[ValidationError] naming every missing
// or invalid field; the error matches [ErrMissing], [ErrInvalid],
// [ErrInconsistent], [ErrExpired], [ErrNotYetEffective], [ErrNonTechnical]
// or [ErrDiscriminatory] for each kind of problem found. [New] calls it.
func (j Justification) Validate(now time.Time) error {
	c := &checker{}
	c.id(j.ID)
	c.exception(j.Exception, j.Resource)
	c.evidence(j.Evidence, now)
	c.limit(j.Limit, j.Evidence)
	c.text("traffic_class", j.TrafficClass, true)
	c.window(j.Window, now)
	c.approver(j.Approver, j.Window.Start, j.Evidence.MeasuredAt)
	c.text("sla", j.SLA, false)
	c.policy(j.Exception, j.Policy)
	c.determination(j.Exception, j.Determination, j.Approver.ApprovedAt)
	c.contact(j.Contact)
	return c.err(j.ID)
}

// exception checks the exception and the resource, and that they belong
// together.
func (c *checker) exception(e Exception, r Resource) {
	if e.IsZero() {
		c.add("exception", ErrMissing, "required (one of %s)",
			joinCodes(exceptions, Exception.String))
	}
	if r.IsZero() {
		c.add("resource", ErrMissing, "required (one of %s)",
			joinCodes(resources, Resource.String))
	}
	if e.IsZero() || r.IsZero() {
		return
	}
	if e.security() != (r == ResourceAbuse) {
		c.add("resource", ErrInconsistent, "%q does not go with exception %s: the security "+
			"exceptions (171.203) protect against %q, the performance exceptions (171.205) "+
			"protect the other resources", r, e, ResourceAbuse)
	}
}

// evidence checks the measurement on its own.
func (c *checker) evidence(ev Evidence, now time.Time) {
	c.text("evidence.metric", ev.Metric, true)
	c.text("evidence.unit", ev.Unit, false)
	finite := c.finite("evidence.baseline", ev.Baseline) &&
		c.finite("evidence.observed", ev.Observed)
	switch {
	case finite && ev.Observed == 0 && ev.Baseline == 0:
		c.add("evidence.observed", ErrMissing, "required (the value measured under the "+
			"traffic the limit targets, above the baseline)")
	case finite && ev.Observed <= ev.Baseline:
		c.add("evidence.observed", ErrInconsistent, "%v is not above the baseline %v: the "+
			"evidence shows no impact (write the metric so that higher is worse)",
			ev.Observed, ev.Baseline)
	}
	if c.instant("evidence.measured_at", ev.MeasuredAt) && ev.MeasuredAt.After(now) {
		c.add("evidence.measured_at", ErrInvalid, "%s is in the future", stamp(ev.MeasuredAt))
	}
	served := c.positive("evidence.served_rate_per_key", ev.ServedRatePerKey)
	seen := c.positive("evidence.observed_rate_per_key", ev.ObservedRatePerKey)
	if served && seen && ev.ObservedRatePerKey <= ev.ServedRatePerKey {
		c.add("evidence.observed_rate_per_key", ErrInconsistent, "%v is not above "+
			"served_rate_per_key %v: the evidence shows the system serving the rate at which "+
			"the impact was measured", ev.ObservedRatePerKey, ev.ServedRatePerKey)
	}
}

// finite checks a measurement that may be any finite number.
func (c *checker) finite(field string, v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		c.add(field, ErrInvalid, "must be a finite number")
		return false
	}
	return true
}

// limit checks the limit against the bounds and the evidence.
func (c *checker) limit(l Limit, ev Evidence) {
	rateOK := c.positive("limit.requests_per_second", l.Rate)
	if rateOK && (l.Rate < MinRate || l.Rate > maxRate) {
		c.add("limit.requests_per_second", ErrInvalid, "%v is outside [%v, %v]: below %v a "+
			"patient app at normal rates would be throttled", l.Rate, MinRate, maxRate, MinRate)
		rateOK = false
	}
	c.burst(l, rateOK)
	if !rateOK || !(ev.ServedRatePerKey > 0) || !(ev.ObservedRatePerKey > 0) {
		return
	}
	if l.Rate < ev.ServedRatePerKey {
		c.add("limit.requests_per_second", ErrInconsistent, "%v is below the %v requests per "+
			"second per key that the evidence shows the system serves without impact",
			l.Rate, ev.ServedRatePerKey)
	}
	if l.Rate >= ev.ObservedRatePerKey {
		c.add("limit.requests_per_second", ErrInconsistent, "%v is not below the %v requests "+
			"per second per key at which the impact was measured, so it does not address it",
			l.Rate, ev.ObservedRatePerKey)
	}
}

// burst checks the burst against the bounds and the rate.
func (c *checker) burst(l Limit, rateOK bool) {
	switch {
	case l.Burst == 0:
		c.add("limit.burst", ErrMissing, "required (at least %d)", MinBurst)
	case l.Burst < MinBurst || l.Burst > maxBurst:
		c.add("limit.burst", ErrInvalid, "%d is outside [%d, %d]: a patient app's launch "+
			"sends a few dozen requests at once", l.Burst, MinBurst, maxBurst)
	case rateOK && float64(l.Burst) < math.Ceil(l.Rate):
		c.add("limit.burst", ErrInconsistent, "%d is less than one second's worth of the "+
			"rate %v, which would make the real limit lower than the written one", l.Burst, l.Rate)
	}
}

// window checks the window's bounds, and that now lies within it.
func (c *checker) window(w Window, now time.Time) {
	start := c.instant("window.start", w.Start)
	end := c.instant("window.end", w.End)
	review := c.instant("window.review", w.Review)
	if start && end {
		c.span(w)
	}
	if start && review && end && (!w.Review.After(w.Start) || w.Review.After(w.End)) {
		c.add("window.review", ErrInconsistent, "%s lies outside the window", stamp(w.Review))
	}
	switch {
	case start && now.Before(w.Start):
		c.add("window.start", ErrNotYetEffective, "the window starts at %s", stamp(w.Start))
	case end && !now.Before(w.End):
		c.add("window.end", ErrExpired, "the window ended at %s", stamp(w.End))
	case review && now.After(w.Review):
		c.add("window.review", ErrExpired, "the review was due at %s: review the evidence "+
			"and approve again with a new review date", stamp(w.Review))
	}
}

// span checks the window's length.
func (c *checker) span(w Window) {
	if !w.End.After(w.Start) {
		c.add("window.end", ErrInconsistent, "%s is not after the start %s",
			stamp(w.End), stamp(w.Start))
	} else if w.End.Sub(w.Start) > MaxWindow {
		c.add("window.end", ErrInvalid, "the window is %s long; at most %s is allowed, so "+
			"that the limit lasts no longer than necessary", w.End.Sub(w.Start), MaxWindow)
	}
}

// approver checks the approval and its place between measurement and
// start.
func (c *checker) approver(a Approver, start, measured time.Time) {
	c.text("approver.name", a.Name, false)
	c.text("approver.role", a.Role, false)
	if !c.instant("approver.approved_at", a.ApprovedAt) {
		return
	}
	if !start.IsZero() && a.ApprovedAt.After(start) {
		c.add("approver.approved_at", ErrInconsistent, "%s is after the window's start %s: "+
			"the limit would run unapproved", stamp(a.ApprovedAt), stamp(start))
	}
	if !measured.IsZero() && a.ApprovedAt.Before(measured) {
		c.add("approver.approved_at", ErrInconsistent, "%s is before the evidence was "+
			"measured at %s", stamp(a.ApprovedAt), stamp(measured))
	}
	if !start.IsZero() && !measured.IsZero() && start.Sub(measured) > MaxEvidenceAge {
		c.add("evidence.measured_at", ErrInconsistent, "%s is more than %s before the "+
			"window's start: measure again", stamp(measured), MaxEvidenceAge)
	}
}

// stamp formats a time for a problem's message.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
