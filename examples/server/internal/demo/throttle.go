package demo

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/examples/internal/sqlstore"
	"github.com/fhirguard/fhirguard/throttle"
)

// The demo's rate limit rests on a measurement it makes when it starts:
// its one SQLite connection serves every request in turn, so one client
// that sends requests back to back holds the connection all the time
// and every other client waits. The demo times a patient app's typical
// search (a compartment-constrained Observation search with a category)
// to find how many such requests one client can push per second
// (observed: the connection 100 % busy), computes the connection's
// utilisation at a tenth of that rate (served: 10 % busy), and limits each
// client to half the saturating rate. A patient app averages about one
// request per second, far below that limit; its launch and first screens
// (some thirty US Core searches and their next pages) send about sixty at
// once, which the burst of at least appBurst absorbs on any machine,
// however slow.

// probeRuns is the number of timed searches.
const probeRuns = 50

// appBurst is the smallest burst: twice what a patient app's launch and
// first screens send at once.
const appBurst = 120

// justification measures the store and returns the demo's
// justification, in force from now for the longest window allowed, with
// limit in place of the measured one when it is set.
func justification(ctx context.Context, store *sqlstore.Store, now time.Time, patient string,
	limit *Limit) (throttle.Justification, error) {
	perSecond, err := measure(ctx, store, patient)
	if err != nil {
		return throttle.Justification{}, err
	}
	rate := math.Floor(perSecond / 2)
	burst := max(appBurst, int(math.Ceil(rate)))
	if limit != nil {
		rate, burst = limit.Rate, limit.Burst
	}
	return throttle.Justification{
		ID:        "demo-sqlite-connection",
		Exception: throttle.ExceptionAssuredPerformance,
		Resource:  throttle.ResourceDatabaseConnections,
		Evidence: throttle.Evidence{
			Metric:             "busy time of the demo's single SQLite connection",
			Unit:               "percent",
			Baseline:           10,
			Observed:           100,
			MeasuredAt:         now,
			ServedRatePerKey:   math.Min(math.Floor(perSecond/10), rate),
			ObservedRatePerKey: math.Max(math.Floor(perSecond), rate+1),
		},
		Limit: throttle.Limit{Rate: rate, Burst: burst},
		TrafficClass: "Any client that sends requests back to back, so that its requests " +
			"alone would keep the single database connection busy more than half the time.",
		Window: throttle.Window{Start: now, End: now.Add(throttle.MaxWindow),
			Review: now.Add(throttle.MaxWindow / 3)},
		Approver: throttle.Approver{Name: "Demo operator",
			Role: "Person who started this demo server", ApprovedAt: now},
		SLA: "No service level agreement applies to this demo. The limit keeps every " +
			"client's share of the database connection at half, so that others are served.",
		Contact: "https://github.com/fhirguard/fhirguard",
	}, nil
}

// measure times probeRuns searches of one patient's vital signs and
// returns how many one client can make per second.
func measure(ctx context.Context, store *sqlstore.Store, patient string) (float64, error) {
	q := compartment.Query{Type: "Observation", Count: 50,
		Params: []compartment.Param{{Name: "category", Values: []string{"vital-signs"}}},
		Constraints: compartment.Constraints{{
			{Type: "Observation", Param: "subject", Value: "Patient/" + patient},
			{Type: "Observation", Param: "performer", Value: "Patient/" + patient}}}}
	start := time.Now()
	for range probeRuns {
		if _, err := store.Search(ctx, q); err != nil {
			return 0, fmt.Errorf("demo: measuring the store: %w", err)
		}
	}
	elapsed := time.Since(start)
	return probeRuns / elapsed.Seconds(), nil
}
