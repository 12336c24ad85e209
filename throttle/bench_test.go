package throttle

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"golang.org/x/time/rate"
)

// benchStart is the benchmarks' first instant. Each iteration advances the
// clock by one microsecond, which at a million requests per second refills
// the one request it spends, so every decision is an allowed one.
var benchStart = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// benchLimiter returns a limiter of a million requests per second.
func benchLimiter(b *testing.B) *Limiter {
	at := func(d time.Duration) time.Time { return benchStart.Add(d) }
	j := Justification{
		ID: "bench", Exception: ExceptionMaintenance, Resource: ResourceCPU,
		Evidence: Evidence{Metric: "CPU", Unit: "percent", Baseline: 1, Observed: 2,
			MeasuredAt: at(-48 * time.Hour), ServedRatePerKey: 1e5, ObservedRatePerKey: 2e6},
		Limit:        Limit{Rate: 1e6, Burst: 1e6},
		TrafficClass: "Any key over a million requests per second.",
		Window: Window{Start: at(-time.Hour), End: at(48 * time.Hour),
			Review: at(24 * time.Hour)},
		Approver: Approver{Name: "A", Role: "B", ApprovedAt: at(-2 * time.Hour)},
		SLA:      "None.", Contact: "help@hospital.example",
	}
	l, err := New(j, Config{Now: func() time.Time { return benchStart }})
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkAllowExisting measures the limiter's decision for a key it
// already tracks. Compare with BenchmarkBaselineRateAllowPlusLookup.
func BenchmarkAllowExisting(b *testing.B) {
	l, ctx, now := benchLimiter(b), context.Background(), benchStart
	l.decide(ctx, "client:bench-app", now)
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Microsecond)
		if !l.decide(ctx, "client:bench-app", now).Allowed {
			b.Fatal("refused")
		}
	}
}

// BenchmarkBaselineRateAllowPlusLookup is the least a limiter must do: find
// the key's rate.Limiter in a concurrent map and call AllowN.
func BenchmarkBaselineRateAllowPlusLookup(b *testing.B) {
	var m sync.Map
	m.Store("client:bench-app", rate.NewLimiter(1e6, 1e6))
	now := benchStart
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Microsecond)
		v, _ := m.Load("client:bench-app")
		if !v.(*rate.Limiter).AllowN(now, 1) {
			b.Fatal("refused")
		}
	}
}

// BenchmarkAllowExistingWallClock is BenchmarkAllowExisting reading the
// wall clock, as the middleware does with the default Config.Now. Compare
// with BenchmarkBaselineRateAllowWallClock.
func BenchmarkAllowExistingWallClock(b *testing.B) {
	l, ctx := benchLimiter(b), context.Background()
	l.endNano = time.Now().Add(time.Hour).UnixNano()
	b.ReportAllocs()
	for b.Loop() {
		l.decide(ctx, "client:bench-app", time.Now())
	}
}

// BenchmarkBaselineRateAllowWallClock is the baseline with
// rate.Limiter.Allow, which reads the wall clock itself.
func BenchmarkBaselineRateAllowWallClock(b *testing.B) {
	var m sync.Map
	m.Store("client:bench-app", rate.NewLimiter(1e6, 1e6))
	b.ReportAllocs()
	for b.Loop() {
		v, _ := m.Load("client:bench-app")
		v.(*rate.Limiter).Allow()
	}
}

// BenchmarkAllowExistingParallel is BenchmarkAllowExisting from every
// core, each goroutine with a key of its own.
func BenchmarkAllowExistingParallel(b *testing.B) {
	l, ctx := benchLimiter(b), context.Background()
	var mu sync.Mutex
	n := 0
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		key, now := "client:app-"+string(rune('a'+n)), benchStart
		n++
		mu.Unlock()
		for pb.Next() {
			now = now.Add(time.Microsecond)
			l.decide(ctx, key, now)
		}
	})
}

// BenchmarkHandler measures a whole request through the middleware, keyed
// by the grant's client ID, for scale against the decision alone.
func BenchmarkHandler(b *testing.B) {
	l := benchLimiter(b)
	now := benchStart
	l.now = func() time.Time { now = now.Add(time.Microsecond); return now }
	h := l.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest("GET", "/Observation", nil)
	r = r.WithContext(smart.NewContext(r.Context(), &smart.Grant{ClientID: "bench-app"}))
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}
