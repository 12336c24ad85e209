package throttle_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
	"github.com/fhirguard/fhirguard/throttle"
)

// at parses an RFC 3339 time for a test.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// documented loads the justification shown in the package documentation.
func documented(t testing.TB) throttle.Justification {
	t.Helper()
	j, err := throttle.LoadFile("testdata/justification.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// inWindow is an instant inside the documented justification's window,
// before its review date.
const inWindow = "2026-03-10T12:00:00Z"

// small returns a valid 171.205(a) justification with a small limit, two
// requests per second in bursts of 30, whose window holds inWindow.
func small(t testing.TB) throttle.Justification {
	t.Helper()
	return throttle.Justification{
		ID:        "maintenance-1",
		Exception: throttle.ExceptionMaintenance,
		Resource:  throttle.ResourceCPU,
		Evidence: throttle.Evidence{
			Metric: "server CPU utilisation", Unit: "percent",
			Baseline: 30, Observed: 95, MeasuredAt: at(t, "2026-03-01T08:00:00Z"),
			ServedRatePerKey: 2, ObservedRatePerKey: 40,
		},
		Limit:        throttle.Limit{Rate: 2, Burst: 30},
		TrafficClass: "Requests from one key above two per second during the index rebuild.",
		Window: throttle.Window{
			Start:  at(t, "2026-03-02T00:00:00Z"),
			End:    at(t, "2026-03-16T00:00:00Z"),
			Review: at(t, "2026-03-12T00:00:00Z"),
		},
		Approver: throttle.Approver{
			Name: "Sam Okafor", Role: "Head of Platform",
			ApprovedAt: at(t, "2026-03-01T12:00:00Z"),
		},
		SLA:     "No SLA covers the maintenance window; announced 14 days ahead.",
		Contact: "https://hospital.example/api/status",
	}
}

// clock is a settable time source for Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// recorder collects audit records.
type recorder struct {
	mu   sync.Mutex
	recs []audit.Record
}

func (r *recorder) Hook(_ context.Context, rec audit.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec)
}

// Kind returns the records of one kind.
func (r *recorder) Kind(k audit.Kind) []audit.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []audit.Record
	for _, rec := range r.recs {
		if rec.Kind == k {
			out = append(out, rec)
		}
	}
	return out
}

// ok is the protected handler: it answers 200.
var ok = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusOK)
})

// request is one request as a client would send it.
type request struct {
	path     string
	clientID string // the grant's client, or "" for no grant
	addr     string // RemoteAddr
	xff      string
}

// serve sends req through h and returns the response.
func serve(h http.Handler, req request) *http.Response {
	r := httptest.NewRequest(http.MethodGet, "http://fhir.example"+req.path, nil)
	r.RemoteAddr = req.addr
	if r.RemoteAddr == "" {
		r.RemoteAddr = "192.0.2.10:50000"
	}
	if req.xff != "" {
		r.Header.Set("X-Forwarded-For", req.xff)
	}
	if req.clientID != "" {
		g := &smart.Grant{ClientID: req.clientID, Patient: "p1", TokenID: "jti-1"}
		r = r.WithContext(smart.NewContext(r.Context(), g))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

// newLimiter builds a limiter on a settable clock set to now.
func newLimiter(t testing.TB, j throttle.Justification, now time.Time,
	cfg throttle.Config) (*throttle.Limiter, *clock, *recorder) {
	t.Helper()
	c, rec := &clock{t: now}, &recorder{}
	cfg.Now, cfg.Audit = c.Now, rec.Hook
	l, err := throttle.New(j, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l, c, rec
}
