package throttle_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart/audit"
	"github.com/fhirguard/fhirguard/throttle"
)

// statuses sends n requests at the current instant and returns their
// statuses.
func statuses(h http.Handler, n int, req request) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = serve(h, req).StatusCode
	}
	return out
}

// count returns how many of codes equal code.
func count(codes []int, code int) int {
	n := 0
	for _, c := range codes {
		if c == code {
			n++
		}
	}
	return n
}

func TestLimitHolds(t *testing.T) {
	l, c, _ := newLimiter(t, small(t), at(t, inWindow), throttle.Config{})
	h := l.Handler(ok)
	app := request{path: "/Observation", clientID: "app-1"}

	got := statuses(h, 40, app)
	if n := count(got, 200); n != 30 {
		t.Fatalf("%d of 40 requests at one instant passed, want the burst of 30: %v", n, got)
	}
	if got[29] != 200 || got[30] != 429 {
		t.Fatalf("the 30th must pass and the 31st be limited: %v", got)
	}
	c.Advance(time.Second) // two requests per second refill
	if got := statuses(h, 3, app); count(got, 200) != 2 {
		t.Fatalf("after one second %v, want exactly two passes", got)
	}
	c.Advance(time.Hour) // the bucket is full again
	if got := statuses(h, 30, app); count(got, 200) != 30 {
		t.Fatalf("after an hour %v, want the whole burst", got)
	}
	if s := l.Stats(); s.Allowed != 62 || s.Limited != 11 || s.Justification != "maintenance-1" {
		t.Errorf("stats %+v, want 62 allowed and 11 limited", s)
	}
}

func TestRefusalResponse(t *testing.T) {
	l, _, rec := newLimiter(t, small(t), at(t, inWindow), throttle.Config{})
	h := l.Handler(ok)
	app := request{path: "/Patient/p1/Observation", clientID: "app-1", addr: "203.0.113.7:4000"}
	statuses(h, 30, app)
	resp := serve(h, app)

	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("Content-Type %q", ct)
	}
	var oo struct {
		ResourceType string
		Issue        []struct{ Severity, Code, Diagnostics string }
	}
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &oo); err != nil || oo.ResourceType != "OperationOutcome" ||
		len(oo.Issue) != 1 || oo.Issue[0].Code != "throttled" {
		t.Fatalf("body %s is not a throttled OperationOutcome (%v)", body, err)
	}
	for _, s := range []string{"maintenance-1", "171.205(a)",
		"https://hospital.example/api/status"} {
		if !strings.Contains(oo.Issue[0].Diagnostics, s) {
			t.Errorf("diagnostics %q do not name %q", oo.Issue[0].Diagnostics, s)
		}
	}

	recs := rec.Kind(audit.KindThrottled)
	if len(recs) != 1 {
		t.Fatalf("%d throttled records, want 1", len(recs))
	}
	r := recs[0]
	if r.Justification != "maintenance-1" || r.Status != 429 || r.ClientID != "app-1" ||
		r.Patient != "p1" || r.Path != "/Patient/p1/Observation" || r.Component != "throttle" {
		t.Errorf("record %+v", r)
	}
	if fields, _ := json.Marshal(r); strings.Contains(string(fields), "203.0.113.7") {
		t.Errorf("record holds the client's IP address: %s", fields)
	}
}

func TestRetryAfterComesFromTheBucket(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rate  float64
		spent time.Duration // time since the bucket was emptied
		want  int
	}{
		{"rate 2, just emptied", 2, 0, 1},
		{"rate 1, just emptied", 1, 0, 1},
		{"rate 1, 0.3 s later", 1, 300 * time.Millisecond, 1},
		{"rate 1.5, just emptied", 1.5, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := small(t)
			j.Limit.Rate, j.Evidence.ServedRatePerKey = tc.rate, 1
			l, c, _ := newLimiter(t, j, at(t, inWindow), throttle.Config{})
			h := l.Handler(ok)
			app := request{clientID: "app-1", path: "/Patient"}
			statuses(h, 30, app)
			c.Advance(tc.spent)
			resp := serve(h, app)
			got, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if resp.StatusCode != 429 || err != nil || got != tc.want {
				t.Fatalf("status %d, Retry-After %q, want 429 and %d", resp.StatusCode,
					resp.Header.Get("Retry-After"), tc.want)
			}
			// The true wait is (1-tokens)/rate; just before it the client is
			// still refused, and after Retry-After it is served.
			wait := time.Duration(float64(time.Second)*(1/tc.rate)) - tc.spent
			c.Advance(wait - 10*time.Millisecond)
			if s := serve(h, app).StatusCode; s != 429 {
				t.Fatalf("before the true wait: %d, want 429", s)
			}
			c.Set(at(t, inWindow).Add(tc.spent + time.Duration(got)*time.Second))
			if s := serve(h, app).StatusCode; s != 200 {
				t.Fatalf("after Retry-After: %d, want 200", s)
			}
		})
	}
}

func TestRetryAfterLongerWaitsRoundUp(t *testing.T) {
	// Retry-After is computed, not fixed: a refill longer than a second
	// shows the rounding. The in-process store is bypassed by a store that
	// answers a wait of 2.2 s.
	j := small(t)
	store := fixedStore{throttle.Decision{RetryAfter: 2200 * time.Millisecond}}
	l, _, _ := newLimiter(t, j, at(t, inWindow), throttle.Config{Store: store})
	if got := serve(l.Handler(ok), request{clientID: "a"}).Header.Get("Retry-After"); got != "3" {
		t.Errorf("Retry-After %q, want 3 (2.2 s rounded up)", got)
	}
	end := j.Window.End
	j.Window.Review = end
	l, _, _ = newLimiter(t, j, end.Add(-1500*time.Millisecond), throttle.Config{Store: store})
	if got := serve(l.Handler(ok), request{clientID: "a"}).Header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2: the window ends in 1.5 s", got)
	}
}
