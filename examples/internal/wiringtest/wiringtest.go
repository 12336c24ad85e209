// Package wiringtest checks a wiring of fhirguard, as examples/nethttp and
// examples/chi build it, against what a patient app must see: its own
// data and shared reference data, nothing of another patient's, 401
// without a token, 403 for another patient named in a search, and 429
// naming the justification once the limiter's burst is spent.
package wiringtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/smarttest"
	"github.com/fhirguard/fhirguard/throttle"
)

// base is the FHIR base URL of the wired server in the tests.
const base = "http://fhir.test/fhir"

// Build wires a server around a store of two synthetic patients: auth
// validates tokens for the FHIR base URL base, and limiter, which may be
// nil, limits requests.
type Build func(auth smart.Authenticator, base string, limiter *throttle.Limiter) (http.Handler,
	error)

// Run runs the checks against the server build wires.
func Run(t *testing.T, build Build) {
	t.Run("reads", func(t *testing.T) { testReads(t, build) })
	t.Run("limiter", func(t *testing.T) { testLimiter(t, build) })
}

// fixture returns the server build wires, with a limiter when limited,
// and the authorization server that mints its tokens.
func fixture(t *testing.T, build Build, limited bool) (http.Handler, *smarttest.Server) {
	t.Helper()
	as, err := smarttest.New(smarttest.Config{Issuer: "http://auth.test", FHIRBaseURL: base,
		Patients: []smarttest.Patient{{ID: "p1"}}})
	if err != nil {
		t.Fatal(err)
	}
	var keys []smart.VerificationKey
	for id, k := range as.PublicKeys() {
		keys = append(keys, smart.VerificationKey{ID: id, Public: k})
	}
	auth, err := smart.NewJWTAuthenticator(smart.JWTConfig{Issuer: as.Issuer(), Audience: base,
		Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	var limiter *throttle.Limiter
	if limited {
		if limiter, err = throttle.New(testJustification(), throttle.Config{Now: now}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := build(auth, base, limiter)
	if err != nil {
		t.Fatal(err)
	}
	return h, as
}

// get sends a GET with a token ("" for none).
func get(h http.Handler, path, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, base+"/"+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// testReads checks that a patient token reads its own data and shared
// reference data, and nothing of another patient's.
func testReads(t *testing.T, build Build) {
	h, as := fixture(t, build, false)
	tok, err := as.Mint(smarttest.MintRequest{Patient: "p1", Scopes: []string{"patient/*.rs"}})
	if err != nil {
		t.Fatal(err)
	}
	for path, status := range map[string]int{
		"Patient/p1":            http.StatusOK,
		"Practitioner/pr-park":  http.StatusOK,
		"Patient/p2":            http.StatusNotFound,
		"Observation/p2-vs-1":   http.StatusNotFound,
		"Observation?patient=2": http.StatusForbidden,
		"Observation?bad=1":     http.StatusBadRequest,
	} {
		if got := get(h, path, tok).Code; got != status {
			t.Errorf("%s: %d, want %d", path, got, status)
		}
	}
	if got := get(h, "Patient/p1", "").Code; got != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", got)
	}
	rec := get(h, "Observation?category=vital-signs", tok)
	var b struct {
		Entry []struct {
			Resource struct {
				Subject struct{ Reference string }
			}
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || len(b.Entry) != 24 {
		t.Fatalf("search: %d entries, %v: %.200s", len(b.Entry), err, rec.Body)
	}
	for _, e := range b.Entry {
		if e.Resource.Subject.Reference != "Patient/p1" {
			t.Errorf("search returned a resource of %s", e.Resource.Subject.Reference)
		}
	}
}

// testLimiter checks that the limiter lets the burst through and answers
// 429 naming its justification after it.
func testLimiter(t *testing.T, build Build) {
	h, as := fixture(t, build, true)
	tok, err := as.Mint(smarttest.MintRequest{Patient: "p1", Scopes: []string{"patient/*.rs"}})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[int]int{}
	for range 40 {
		codes[get(h, "Patient/p1", tok).Code]++
	}
	if codes[http.StatusOK] != 30 || codes[http.StatusTooManyRequests] != 10 {
		t.Errorf("40 requests at one instant with a burst of 30: %v", codes)
	}
	if rec := get(h, "Patient/p1", tok); !strings.Contains(rec.Body.String(), "example-2026") {
		t.Errorf("429 without the justification: %s", rec.Body)
	}
}

// now is the limiter's clock in the tests: one instant, so that the
// bucket never refills.
func now() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) }

// testJustification is a complete justification in force at now.
func testJustification() throttle.Justification {
	at := func(day int) time.Time { return time.Date(2026, 3, day, 0, 0, 0, 0, time.UTC) }
	return throttle.Justification{
		ID: "example-2026", Exception: throttle.ExceptionAssuredPerformance,
		Resource: throttle.ResourceDatabaseConnections,
		Evidence: throttle.Evidence{Metric: "database connections in use",
			Unit: "percent of the pool", Baseline: 30, Observed: 97, MeasuredAt: at(1),
			ServedRatePerKey: 5, ObservedRatePerKey: 100},
		Limit:        throttle.Limit{Rate: 10, Burst: 30},
		TrafficClass: "Any client that sends more than 10 requests per second, whoever it is.",
		Window:       throttle.Window{Start: at(3), End: at(30), Review: at(20)},
		Approver:     throttle.Approver{Name: "Dana Reyes", Role: "Platform lead", ApprovedAt: at(2)},
		SLA:          "No service level agreement applies to this example.",
		Contact:      "api-support@hospital.example",
	}
}
