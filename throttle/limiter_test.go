package throttle_test

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart/audit"
	"github.com/fhirguard/fhirguard/throttle"
)

func TestSameBehaviourSameTreatment(t *testing.T) {
	clients := []request{
		{clientID: "provider-patient-portal", path: "/Observation"},
		{clientID: "acme-third-party-app", path: "/Observation"},
		{clientID: "x", path: "/Observation"},
		{addr: "198.51.100.23:1234", path: "/Observation"},
		{addr: "[2001:db8::1]:443", path: "/Observation"},
	}
	var first []int
	for i, client := range clients {
		l, c, _ := newLimiter(t, small(t), at(t, inWindow), throttle.Config{})
		h := l.Handler(ok)
		var got []int
		for step := range 20 {
			got = append(got, statuses(h, 3+step%4, client)...)
			c.Advance(time.Duration(100+37*step) * time.Millisecond)
		}
		if i == 0 {
			first = got
			if count(got, 429) == 0 || count(got, 200) == 0 {
				t.Fatalf("the pattern must hit the limit to compare treatment: %v", got)
			}
			continue
		}
		if !slices.Equal(got, first) {
			t.Errorf("%+v treated differently:\n got %v\nwant %v", client, got, first)
		}
	}
}

func TestOneClientOverTheLimitDoesNotAffectOthers(t *testing.T) {
	l, _, _ := newLimiter(t, small(t), at(t, inWindow), throttle.Config{})
	h := l.Handler(ok)
	statuses(h, 100, request{clientID: "greedy"})
	for _, other := range []request{{clientID: "patient-app"}, {addr: "192.0.2.99:1"}} {
		if got := statuses(h, 30, other); count(got, 200) != 30 {
			t.Errorf("%+v got %v, want its whole burst", other, got)
		}
	}
}

func TestExpiryStopsLimiting(t *testing.T) {
	j := small(t)
	j.Window.Review = j.Window.End
	l, c, rec := newLimiter(t, j, j.Window.End.Add(-time.Second), throttle.Config{})
	h := l.Handler(ok)
	app := request{clientID: "app-1"}
	if got := statuses(h, 40, app); count(got, 429) != 10 {
		t.Fatalf("before the end: %v, want 10 limited", got)
	}
	c.Set(j.Window.End)
	if got := statuses(h, 500, app); count(got, 200) != 500 {
		t.Fatalf("after the end: %d of 500 passed, want all", count(got, 200))
	}
	c.Advance(24 * time.Hour)
	statuses(h, 10, app)
	ended := rec.Kind(audit.KindThrottleEnded)
	if len(ended) != 1 || ended[0].Justification != "maintenance-1" ||
		!ended[0].Time.Equal(j.Window.End) {
		t.Fatalf("ended records %+v, want exactly one at the end", ended)
	}
	if s := l.Stats(); !s.Ended || s.Allowed != 30 || s.Limited != 10 {
		t.Errorf("stats %+v", s)
	}
}

func TestStoreOutageLetsRequestsThrough(t *testing.T) {
	store := &brokenStore{}
	store.down.Store(true)
	l, c, rec := newLimiter(t, small(t), at(t, inWindow), throttle.Config{Store: store})
	h := l.Handler(ok)
	if got := statuses(h, 50, request{clientID: "a"}); count(got, 200) != 50 {
		t.Fatalf("during the outage %v, want all passed", got)
	}
	if n := store.calls.Load(); n != 1 {
		t.Errorf("store asked %d times within a second, want once", n)
	}
	out := rec.Kind(audit.KindStoreOutage)
	if len(out) != 1 || out[0].Reason != "store_unreachable" ||
		out[0].Justification != "maintenance-1" {
		t.Fatalf("outage records %+v, want one", out)
	}

	c.Advance(2 * time.Second) // still down: asked again, not reported again
	statuses(h, 5, request{clientID: "a"})
	if n := store.calls.Load(); n != 2 || len(rec.Kind(audit.KindStoreOutage)) != 1 {
		t.Errorf("calls %d, records %d; want 2 and 1", n, len(rec.Kind(audit.KindStoreOutage)))
	}
	c.Advance(2 * time.Minute) // a lasting outage is reported again
	statuses(h, 1, request{clientID: "a"})
	if n := len(rec.Kind(audit.KindStoreOutage)); n != 2 {
		t.Errorf("%d outage records after two minutes, want 2", n)
	}

	store.down.Store(false)
	c.Advance(2 * time.Second) // recovered: the store decides again
	if got := serve(h, request{clientID: "a"}).StatusCode; got != 429 {
		t.Errorf("after recovery %d, want the store's 429", got)
	}
	if s := l.Stats(); s.FailedOpen != 56 || s.Limited != 1 {
		t.Errorf("stats %+v, want 56 failed open and 1 limited", s)
	}
}

func TestFullTableNeverDenies(t *testing.T) {
	l, _, rec := newLimiter(t, small(t), at(t, inWindow), throttle.Config{MaxKeys: 256})
	h := l.Handler(ok)
	for i := range 2000 { // far more keys than the table holds
		req := request{addr: fmt.Sprintf("10.0.%d.%d:1", i/250, i%250)}
		if got := statuses(h, 31, req); count(got, 200) < 30 {
			t.Fatalf("key %d got %v: a full table denied a request the limit allows", i, got)
		}
	}
	s := l.Stats()
	if s.FailedOpen == 0 || s.Limited == 0 {
		t.Errorf("stats %+v: want new keys failed open and tracked keys still limited", s)
	}
	full := rec.Kind(audit.KindStoreOutage)
	if len(full) != 1 || full[0].Reason != "store_full" {
		t.Errorf("records %+v, want one store_full report", full)
	}
}

func TestNewRefusesInvalidConfig(t *testing.T) {
	now := func() time.Time { return at(t, inWindow) }
	for name, cfg := range map[string]throttle.Config{
		"negative MaxKeys":   {Now: now, MaxKeys: -1},
		"MaxKeys with Store": {Now: now, MaxKeys: 10, Store: fixedStore{}},
		"invalid prefix":     {Now: now, TrustedProxies: []netip.Prefix{{}}},
	} {
		t.Run(name, func(t *testing.T) {
			l, err := throttle.New(small(t), cfg)
			if l != nil || !errors.Is(err, throttle.ErrConfig) {
				t.Errorf("New = %v, %v; want ErrConfig", l, err)
			}
		})
	}
}

func TestJustificationIsACopy(t *testing.T) {
	j := securityDetermination(t)
	l, _, _ := newLimiter(t, j, at(t, inWindow), throttle.Config{})
	j.Determination.Alternatives[0].Description = "changed"
	got := l.Justification()
	got.Determination.Finding = "changed too"
	if again := l.Justification(); again.Determination.Finding == "changed too" ||
		again.Determination.Alternatives[0].Description == "changed" {
		t.Error("the limiter's justification changed from outside")
	}
}
