package throttle_test

import (
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/throttle"
)

func TestValidateRefusesInconsistentValues(t *testing.T) {
	inc := throttle.ErrInconsistent
	runRefusals(t, []refusal{
		{name: "evidence shows no impact",
			spoil: func(j *throttle.Justification) { j.Evidence.Observed = j.Evidence.Baseline },
			wants: []want{{"evidence.observed", inc}}},
		{name: "impact measured at a rate the system serves",
			spoil: func(j *throttle.Justification) { j.Evidence.ObservedRatePerKey = 2 },
			wants: []want{{"evidence.observed_rate_per_key", inc},
				{"limit.requests_per_second", inc}}},
		{name: "limit far below what the system serves",
			spoil: func(j *throttle.Justification) { j.Evidence.ServedRatePerKey = 10 },
			wants: []want{{"limit.requests_per_second", inc}}},
		{name: "limit just below what the system serves",
			spoil: func(j *throttle.Justification) { j.Limit.Rate = 1.99 },
			wants: []want{{"limit.requests_per_second", inc}}},
		{name: "limit not below the impact rate",
			spoil: func(j *throttle.Justification) {
				j.Limit = throttle.Limit{Rate: 40, Burst: 40}
			},
			wants: []want{{"limit.requests_per_second", inc}}},
		{name: "burst under one second of the rate",
			spoil: func(j *throttle.Justification) {
				j.Limit = throttle.Limit{Rate: 35, Burst: 30}
			},
			wants: []want{{"limit.burst", inc}}},
		{name: "performance exception for abuse",
			spoil: func(j *throttle.Justification) { j.Resource = throttle.ResourceAbuse },
			wants: []want{{"resource", inc}}},
		{name: "security exception for CPU", base: securityPolicy,
			spoil: func(j *throttle.Justification) { j.Resource = throttle.ResourceCPU },
			wants: []want{{"resource", inc}}},
		{name: "window ends before it starts",
			spoil: func(j *throttle.Justification) {
				j.Window.End = j.Window.Start.Add(-time.Hour)
			},
			now: "2026-03-02T00:30:00Z",
			wants: []want{{"window.end", inc},
				{"window.review", inc}, {"window.end", throttle.ErrExpired}}},
		{name: "review after the end",
			spoil: func(j *throttle.Justification) {
				j.Window.Review = j.Window.End.Add(time.Hour)
			},
			wants: []want{{"window.review", inc}}},
		{name: "approved after the start",
			spoil: func(j *throttle.Justification) {
				j.Approver.ApprovedAt = j.Window.Start.Add(time.Hour)
			},
			wants: []want{{"approver.approved_at", inc}}},
		{name: "approved before the measurement",
			spoil: func(j *throttle.Justification) {
				j.Approver.ApprovedAt = at(t, "2026-03-01T07:00:00Z")
			},
			wants: []want{{"approver.approved_at", inc}}},
		{name: "stale evidence",
			spoil: func(j *throttle.Justification) {
				j.Evidence.MeasuredAt = j.Window.Start.Add(-throttle.MaxEvidenceAge - time.Hour)
			},
			wants: []want{{"evidence.measured_at", inc}}},
		{name: "policy under a performance exception",
			spoil: func(j *throttle.Justification) { j.Policy = securityPolicy(t).Policy },
			wants: []want{{"policy", inc}}},
		{name: "determination under 171.203(d)", base: securityPolicy,
			spoil: func(j *throttle.Justification) {
				j.Determination = securityDetermination(t).Determination
			},
			wants: []want{{"determination", inc}}},
		{name: "policy under 171.203(e)", base: securityDetermination,
			spoil: func(j *throttle.Justification) { j.Policy = securityPolicy(t).Policy },
			wants: []want{{"policy", inc}}},
		{name: "determined after approval", base: securityDetermination,
			spoil: func(j *throttle.Justification) {
				j.Determination.DeterminedAt = j.Approver.ApprovedAt.Add(time.Minute)
			},
			wants: []want{{"determination.determined_at", inc}}},
	})
}

func TestValidateRefusesOutsideTheWindow(t *testing.T) {
	runRefusals(t, []refusal{
		{name: "expired", now: "2026-03-17T00:00:00Z", spoil: func(*throttle.Justification) {},
			wants: []want{{"window.end", throttle.ErrExpired}}},
		{name: "expired at the very end", now: "2026-03-16T00:00:00Z",
			spoil: func(*throttle.Justification) {},
			wants: []want{{"window.end", throttle.ErrExpired}}},
		{name: "review overdue", now: "2026-03-13T00:00:00Z",
			spoil: func(*throttle.Justification) {},
			wants: []want{{"window.review", throttle.ErrExpired}}},
		{name: "not yet effective", now: "2026-03-01T23:59:59Z",
			spoil: func(*throttle.Justification) {},
			wants: []want{{"window.start", throttle.ErrNotYetEffective}}},
	})
}

func TestValidateRefusesNonTechnicalGrounds(t *testing.T) {
	nt, disc := throttle.ErrNonTechnical, throttle.ErrDiscriminatory
	runRefusals(t, []refusal{
		{name: "cost in the metric",
			spoil: func(j *throttle.Justification) {
				j.Evidence.Metric = "Hosting cost per request"
			},
			wants: []want{{"evidence.metric", nt}}},
		{name: "revenue in the SLA",
			spoil: func(j *throttle.Justification) { j.SLA = "Protects REVENUE from API usage." },
			wants: []want{{"sla", nt}}},
		{name: "cost in the ID",
			spoil: func(j *throttle.Justification) { j.ID = "cost-saving-2026" },
			wants: []want{{"id", nt}}},
		{name: "competition in a finding", base: securityDetermination,
			spoil: func(j *throttle.Justification) {
				j.Determination.Finding = "Competitors scrape data."
			},
			wants: []want{{"determination.finding", nt}}},
		{name: "pricing in the standard", base: securityPolicy,
			spoil: func(j *throttle.Justification) { j.Policy.Standard = "Our API pricing tiers" },
			wants: []want{{"policy.standard", nt}}},
		{name: "third-party apps",
			spoil: func(j *throttle.Justification) {
				j.TrafficClass = "Third-party apps over 2 req/s."
			},
			wants: []want{{"traffic_class", disc}}},
		{name: "a client ID",
			spoil: func(j *throttle.Justification) {
				j.TrafficClass = "Requests with client_id abc123."
			},
			wants: []want{{"traffic_class", disc}}},
		{name: "a vendor",
			spoil: func(j *throttle.Justification) { j.TrafficClass = "Traffic from Vendor X." },
			wants: []want{{"traffic_class", disc}}},
		{name: "all but the portal",
			spoil: func(j *throttle.Justification) {
				j.TrafficClass = "Everything except our portal."
			},
			wants: []want{{"traffic_class", disc}}},
		{name: "first party in the metric",
			spoil: func(j *throttle.Justification) {
				j.Evidence.Metric = "CPU used by non first-party apps"
			},
			wants: []want{{"evidence.metric", disc}}},
	})
}
