package throttle_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/throttle"
)

// want is one problem a test expects.
type want struct {
	field string
	err   error
}

// checkProblems asserts that err is a *ValidationError with exactly the
// wanted problems, in any order, and that it matches their sentinels.
func checkProblems(t *testing.T, err error, wants ...want) {
	t.Helper()
	var verr *throttle.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("error = %v, want a *ValidationError", err)
	}
	got := map[want]bool{}
	for _, p := range verr.Problems {
		got[want{p.Field, p.Err}] = true
		if p.Message == "" || !strings.Contains(err.Error(), p.Field+": ") {
			t.Errorf("problem %q has no message or is missing from Error()", p.Field)
		}
	}
	for _, w := range wants {
		if !got[w] {
			t.Errorf("missing problem %s (%v) in: %v", w.field, w.err, err)
		}
		if !errors.Is(err, w.err) {
			t.Errorf("errors.Is(err, %v) = false", w.err)
		}
	}
	if len(verr.Problems) != len(wants) {
		t.Errorf("got %d problems, want %d: %v", len(verr.Problems), len(wants), err)
	}
}

// securityPolicy returns a valid 171.203(d) justification.
func securityPolicy(t testing.TB) throttle.Justification {
	j := small(t)
	j.ID, j.Exception, j.Resource = "abuse-policy-7", throttle.ExceptionSecurityPolicy,
		throttle.ResourceAbuse
	j.Evidence.Metric = "failed token validations per minute from one key"
	j.Policy = &throttle.SecurityPolicy{
		Document:       "Information Security Policy 12.4, version 5",
		RiskAssessment: "Annual risk assessment 2026, finding R-17 (credential stuffing)",
		Standard:       "NIST SP 800-53 Rev. 5 SC-5",
		Incident: throttle.IncidentTimeframes{
			Identify: throttle.Duration(15 * time.Minute),
			Respond:  throttle.Duration(time.Hour),
			Resolve:  throttle.Duration(72 * time.Hour),
		},
	}
	return j
}

// securityDetermination returns a valid 171.203(e) justification.
func securityDetermination(t testing.TB) throttle.Justification {
	j := securityPolicy(t)
	j.ID, j.Exception, j.Policy = "abuse-case-3", throttle.ExceptionSecurityDetermination, nil
	j.Determination = &throttle.Determination{
		Finding:      "A scripted login flood is degrading token validation for everyone.",
		DeterminedAt: at(t, "2026-03-01T10:00:00Z"),
		Alternatives: []throttle.Alternative{{
			Description:  "Block the source network range.",
			Insufficient: "The flood comes from residential addresses patients also use.",
		}},
	}
	return j
}

func TestValidateAcceptsCompleteRecords(t *testing.T) {
	now := at(t, inWindow)
	for name, j := range map[string]throttle.Justification{
		"documented 171.205(b)":   documented(t),
		"171.205(a)":              small(t),
		"171.203(d)":              securityPolicy(t),
		"171.203(e)":              securityDetermination(t),
		"words that contain cost": withTraffic(small(t), "Accosting bursts, costume-party style."),
	} {
		t.Run(name, func(t *testing.T) {
			if err := j.Validate(now); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			cfg := throttle.Config{Now: func() time.Time { return now }}
			if _, err := throttle.New(j, cfg); err != nil {
				t.Fatalf("New: %v", err)
			}
		})
	}
}

func withTraffic(j throttle.Justification, class string) throttle.Justification {
	j.TrafficClass = class
	return j
}

func TestNewRefusesEmptyRecord(t *testing.T) {
	l, err := throttle.New(throttle.Justification{}, throttle.Config{})
	if l != nil || !errors.Is(err, throttle.ErrMissing) {
		t.Fatalf("New(empty) = %v, %v; want nil and ErrMissing", l, err)
	}
	var verr *throttle.ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) < 15 {
		t.Fatalf("want every missing field listed, got %v", err)
	}
}

// refusal is one way to spoil a valid justification.
type refusal struct {
	name  string
	base  func(testing.TB) throttle.Justification
	spoil func(j *throttle.Justification)
	now   string // default inWindow
	wants []want
}

func runRefusals(t *testing.T, cases []refusal) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base
			if base == nil {
				base = small
			}
			j := base(t)
			tc.spoil(&j)
			now := at(t, inWindow)
			if tc.now != "" {
				now = at(t, tc.now)
			}
			checkProblems(t, j.Validate(now), tc.wants...)
			l, err := throttle.New(j, throttle.Config{Now: func() time.Time { return now }})
			if l != nil || err == nil {
				t.Fatal("New accepted a refused justification")
			}
		})
	}
}

func TestValidateRefusesInvalidValues(t *testing.T) {
	inv := throttle.ErrInvalid
	runRefusals(t, []refusal{
		{name: "id with a space", spoil: func(j *throttle.Justification) { j.ID = "two words" },
			wants: []want{{"id", inv}}},
		{name: "id starting with a hyphen", spoil: func(j *throttle.Justification) { j.ID = "-x" },
			wants: []want{{"id", inv}}},
		{name: "id too long",
			spoil: func(j *throttle.Justification) { j.ID = strings.Repeat("a", 65) },
			wants: []want{{"id", inv}}},
		{name: "id not ASCII", spoil: func(j *throttle.Justification) { j.ID = "limité" },
			wants: []want{{"id", inv}}},
		{name: "baseline NaN",
			spoil: func(j *throttle.Justification) { j.Evidence.Baseline = math.NaN() },
			wants: []want{{"evidence.baseline", inv}}},
		{name: "observed infinite",
			spoil: func(j *throttle.Justification) { j.Evidence.Observed = math.Inf(1) },
			wants: []want{{"evidence.observed", inv}}},
		{name: "measured in the future",
			spoil: func(j *throttle.Justification) {
				j.Evidence.MeasuredAt = at(t, "2026-03-11T00:00:00Z")
			},
			wants: []want{{"evidence.measured_at", inv},
				{"approver.approved_at", throttle.ErrInconsistent}}},
		{name: "served rate negative",
			spoil: func(j *throttle.Justification) { j.Evidence.ServedRatePerKey = -1 },
			wants: []want{{"evidence.served_rate_per_key", inv}}},
		{name: "rate below the floor",
			spoil: func(j *throttle.Justification) { j.Limit.Rate = 0.5 },
			wants: []want{{"limit.requests_per_second", inv}}},
		{name: "rate NaN", spoil: func(j *throttle.Justification) { j.Limit.Rate = math.NaN() },
			wants: []want{{"limit.requests_per_second", inv}}},
		{name: "rate huge", spoil: func(j *throttle.Justification) { j.Limit.Rate = 2e6 },
			wants: []want{{"limit.requests_per_second", inv}}},
		{name: "burst below the floor",
			spoil: func(j *throttle.Justification) { j.Limit.Burst = 10 },
			wants: []want{{"limit.burst", inv}}},
		{name: "burst negative", spoil: func(j *throttle.Justification) { j.Limit.Burst = -5 },
			wants: []want{{"limit.burst", inv}}},
		{name: "window too long",
			spoil: func(j *throttle.Justification) {
				j.Window.End = j.Window.Start.Add(91 * 24 * time.Hour)
			},
			wants: []want{{"window.end", inv}}},
		{name: "text with a NUL", spoil: func(j *throttle.Justification) { j.SLA = "SLA\x00 3" },
			wants: []want{{"sla", inv}}},
		{name: "text too long",
			spoil: func(j *throttle.Justification) { j.SLA = strings.Repeat("x", 4001) },
			wants: []want{{"sla", inv}}},
		{name: "negative timeframe", base: securityPolicy,
			spoil: func(j *throttle.Justification) { j.Policy.Incident.Resolve = -1 },
			wants: []want{{"policy.incident_timeframes.resolve", inv}}},
	})
}

func TestValidateRefusesUnusableContacts(t *testing.T) {
	for _, c := range []string{
		"call the help desk", "http://hospital.example/help", "Help <help@hospital.example>",
		"tel:", "tel:call-us", "https://user:pw@hospital.example/", "https:///nohost",
		"help@hospital.example\r\nX-Injected: 1", strings.Repeat("a", 250) + "@x.example",
	} {
		t.Run(c, func(t *testing.T) {
			j := small(t)
			j.Contact = c
			checkProblems(t, j.Validate(at(t, inWindow)), want{"contact", throttle.ErrInvalid})
		})
	}
	for _, c := range []string{"help@hospital.example", "mailto:help@hospital.example",
		"https://hospital.example/api-help", "tel:+1 555 0100"} {
		j := small(t)
		j.Contact = c
		if err := j.Validate(at(t, inWindow)); err != nil {
			t.Errorf("contact %q refused: %v", c, err)
		}
	}
}
