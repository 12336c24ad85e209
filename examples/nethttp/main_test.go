package main

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

const base = "http://fhir.test/fhir"

// fixture returns the wired server, with a limiter when limited, and the
// authorization server that mints its tokens.
func fixture(t *testing.T, limited bool) (http.Handler, *smarttest.Server) {
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
	h, err := newServer(auth, newStore(), base, limiter)
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

func TestWiring(t *testing.T) {
	h, as := fixture(t, false)
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

func TestWiringWithLimiter(t *testing.T) {
	h, as := fixture(t, true)
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
