package throttle_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/throttle"
)

// usCoreSearches are the searches a US Core patient app sends after
// launch: one per category or type it shows.
var usCoreSearches = []string{
	"/AllergyIntolerance?patient=p1", "/CarePlan?patient=p1&category=assess-plan",
	"/CareTeam?patient=p1&status=active", "/Condition?patient=p1&category=problem-list-item",
	"/Condition?patient=p1&category=encounter-diagnosis",
	"/Condition?patient=p1&category=health-concern",
	"/Coverage?patient=p1", "/Device?patient=p1", "/DiagnosticReport?patient=p1&category=LAB",
	"/DiagnosticReport?patient=p1&category=RAD", "/DocumentReference?patient=p1",
	"/Encounter?patient=p1", "/Goal?patient=p1", "/Immunization?patient=p1",
	"/MedicationDispense?patient=p1", "/MedicationRequest?patient=p1&intent=order",
	"/Observation?patient=p1&category=laboratory", "/Observation?patient=p1&category=vital-signs",
	"/Observation?patient=p1&category=social-history", "/Observation?patient=p1&category=survey",
	"/Observation?patient=p1&category=sdoh", "/Observation?patient=p1&category=exam",
	"/Observation?patient=p1&category=imaging", "/Observation?patient=p1&code=72166-2",
	"/Procedure?patient=p1", "/QuestionnaireResponse?patient=p1", "/RelatedPerson?patient=p1",
	"/ServiceRequest?patient=p1", "/Specimen?patient=p1", "/Provenance?target=Patient/p1",
}

// workload is a patient app's first minute: the launch, then 30 US Core
// searches fired ten at a time, each followed by two pages of results.
// Each step carries its offset from the start.
func workload() []struct {
	at   time.Duration
	path string
} {
	type step = struct {
		at   time.Duration
		path string
	}
	steps := []step{
		{0, "/.well-known/smart-configuration"}, {0, "/metadata"},
		{2 * time.Second, "/Patient/p1"},
	}
	for i, search := range usCoreSearches {
		start := 3*time.Second + time.Duration(i/10)*15*time.Second
		steps = append(steps, step{start, search})
		for page := 1; page <= 2; page++ {
			offset := start + time.Duration(page)*800*time.Millisecond
			next := fmt.Sprintf("/?_getpages=abc%d&_offset=%d", i, 20*page)
			steps = append(steps, step{offset, next})
		}
	}
	return steps
}

func TestNormalPatientWorkloadIsNeverLimited(t *testing.T) {
	if n := len(workload()); n != 93 || workload()[n-1].at >= time.Minute {
		t.Fatalf("workload of %d requests ending at %v, want 93 within a minute",
			n, workload()[n-1].at)
	}
	for _, tc := range []struct {
		name       string
		compressed bool // every request at the same instant
		clientID   string
	}{
		{"after authentication", false, "patient-app"},
		{"before authentication", false, ""},
		{"all at one instant", true, "patient-app"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := at(t, inWindow)
			l, c, _ := newLimiter(t, documented(t), start, throttle.Config{})
			h := l.Handler(ok)
			for _, s := range workload() {
				if !tc.compressed {
					c.Set(start.Add(s.at))
				}
				code := serve(h, request{path: s.path, clientID: tc.clientID}).StatusCode
				if code != 200 {
					t.Fatalf("%s at %v: status %d", s.path, s.at, code)
				}
			}
			if st := l.Stats(); st.Limited != 0 || st.Allowed != 93 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}
