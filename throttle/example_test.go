package throttle_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
	"github.com/fhirguard/fhirguard/throttle"
)

// The main flow: load the signed justification, build the limiter, and
// put its middleware after authentication, so that each OAuth client has
// its own bucket.
func Example() {
	j, err := throttle.LoadFile("testdata/justification.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	lim, err := throttle.New(j, throttle.Config{
		Now: func() time.Time { return now },
		Audit: func(_ context.Context, r audit.Record) {
			fmt.Println("audit:", r.Kind, r.Justification, r.ClientID)
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fhir := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, `{"resourceType":"Bundle"}`)
	})
	handler := lim.Handler(fhir) // the smart middleware would wrap this

	send := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/Observation?patient=123", nil)
		grant := &smart.Grant{ClientID: "greedy-script", Patient: "123"}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r.WithContext(smart.NewContext(r.Context(), grant)))
		return w
	}
	for range 100 { // the whole burst, at one instant
		send()
	}
	w := send()
	var oo struct {
		Issue []struct{ Code, Diagnostics string }
	}
	_ = json.Unmarshal(w.Body.Bytes(), &oo)
	fmt.Println(w.Code, "Retry-After:", w.Header().Get("Retry-After"))
	fmt.Println(oo.Issue[0].Code)
	for _, sentence := range strings.SplitAfter(oo.Issue[0].Diagnostics, ". ") {
		fmt.Println(" ", strings.TrimSpace(sentence))
	}
	fmt.Printf("%+v\n", lim.Stats())
	// Output:
	// audit: throttled search-load-2026-03 greedy-script
	// 429 Retry-After: 1
	// throttled
	//   Too many requests.
	//   Every client is limited to 20 requests per second, in bursts of 100.
	//   Justification: search-load-2026-03 (45 CFR 171.205(b)).
	//   Contact: api-support@hospital.example.
	//   Retry after 1 s.
	// {Justification:search-load-2026-03 Allowed:100 Limited:1 FailedOpen:0 Ended:false}
}

// A justification that gives cost as its ground, names vendors, and lacks
// its evidence is refused, with every problem named.
func ExampleNew_refused() {
	j := throttle.Justification{
		ID:           "vendor-cap",
		Exception:    throttle.ExceptionAssuredPerformance,
		Resource:     throttle.ResourceCPU,
		Limit:        throttle.Limit{Rate: 0.1, Burst: 5},
		TrafficClass: "Third-party vendors, to cut hosting cost.",
	}
	_, err := throttle.New(j, throttle.Config{})
	var verr *throttle.ValidationError
	if errors.As(err, &verr) {
		for _, p := range verr.Problems {
			fmt.Printf("%-30s %v\n", p.Field, p.Err)
		}
	}
	fmt.Println(errors.Is(err, throttle.ErrNonTechnical), errors.Is(err, throttle.ErrMissing))
	// Output:
	// evidence.metric                throttle: missing field
	// evidence.unit                  throttle: missing field
	// evidence.observed              throttle: missing field
	// evidence.measured_at           throttle: missing field
	// evidence.served_rate_per_key   throttle: missing field
	// evidence.observed_rate_per_key throttle: missing field
	// limit.requests_per_second      throttle: invalid field
	// limit.burst                    throttle: invalid field
	// traffic_class                  throttle: non-technical grounds
	// traffic_class                  throttle: traffic class names clients
	// window.start                   throttle: missing field
	// window.end                     throttle: missing field
	// window.review                  throttle: missing field
	// approver.name                  throttle: missing field
	// approver.role                  throttle: missing field
	// approver.approved_at           throttle: missing field
	// sla                            throttle: missing field
	// contact                        throttle: missing field
	// true true
}

// The loaders refuse any field the record does not define, so a cost
// ground or a per-vendor table cannot be slipped into a signed file.
func ExampleParseYAML() {
	for _, file := range []string{
		"id: x\nexception: 171.205(a)\nvendor_limits: {acme: 1}\n",
		"id: x\nreason: cost\n",
		"id: x\nexception: cost\n",
	} {
		_, err := throttle.ParseYAML([]byte(file))
		msg := err.Error()
		fmt.Println(errors.Is(err, throttle.ErrFormat), msg[strings.LastIndex(msg, ": ")+2:])
	}
	// Output:
	// true field vendor_limits not found in type throttle.Justification
	// true field reason not found in type throttle.Justification
	// true "cost" is not one of "171.205(a)", "171.205(b)", "171.203(d)", "171.203(e)"
}
