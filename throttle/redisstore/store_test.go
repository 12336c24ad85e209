package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
	"github.com/fhirguard/fhirguard/throttle"
	"github.com/fhirguard/fhirguard/throttle/redisstore"
)

// redisAddr returns the address of the Redis server that .ci/start-redis
// started. Without one the test skips, except in CI, where it fails.
func redisAddr(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("FHIRGUARD_REDIS_ADDR")
	if addr != "" {
		return addr
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("FHIRGUARD_REDIS_ADDR is not set: .ci/run must run .ci/start-redis first")
	}
	t.Skip("FHIRGUARD_REDIS_ADDR is not set; run .ci/start-redis and export its last line " +
		"to run the Redis tests")
	return ""
}

// newClient connects to addr, failing the test if Redis does not answer.
func newClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second,
		ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	return c
}

// uniquePrefix keeps each test's keys apart from every other run's.
func uniquePrefix(t *testing.T) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "fhirguard-test:" + hex.EncodeToString(b)
}

// justification is a valid 171.205(a) justification of two requests per
// second in bursts of 30, in force at start.
var start = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func justification() throttle.Justification {
	at := func(d time.Duration) time.Time { return start.Add(d) }
	return throttle.Justification{
		ID: "maintenance-1", Exception: throttle.ExceptionMaintenance,
		Resource: throttle.ResourceCPU,
		Evidence: throttle.Evidence{Metric: "server CPU utilisation", Unit: "percent",
			Baseline: 30, Observed: 95, MeasuredAt: at(-72 * time.Hour),
			ServedRatePerKey: 2, ObservedRatePerKey: 40},
		Limit:        throttle.Limit{Rate: 2, Burst: 30},
		TrafficClass: "Requests from one key above two per second.",
		Window: throttle.Window{Start: at(-24 * time.Hour), End: at(7 * 24 * time.Hour),
			Review: at(3 * 24 * time.Hour)},
		Approver: throttle.Approver{Name: "Sam Okafor", Role: "Head of Platform",
			ApprovedAt: at(-48 * time.Hour)},
		SLA: "No SLA covers this.", Contact: "help@hospital.example",
	}
}

// replica is one server of a fleet: a limiter on its own Redis client.
type replica struct {
	lim     *throttle.Limiter
	handler http.Handler
	records *records
}

type records struct {
	mu   sync.Mutex
	recs []audit.Record
}

func (r *records) hook(_ context.Context, rec audit.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec)
}

func (r *records) kind(k audit.Kind) (out []audit.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range r.recs {
		if rec.Kind == k {
			out = append(out, rec)
		}
	}
	return out
}

func newReplica(t *testing.T, addr, prefix string, now func() time.Time) replica {
	t.Helper()
	store, err := redisstore.New(redisstore.Config{Client: newClient(t, addr), Prefix: prefix,
		Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rec := &records{}
	cfg := throttle.Config{Store: store, Now: now, Audit: rec.hook}
	lim, err := throttle.New(justification(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})
	return replica{lim: lim, handler: lim.Handler(ok), records: rec}
}

// send sends one request of client through r and returns the response.
func send(r replica, client string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "/Observation", nil)
	req = req.WithContext(smart.NewContext(req.Context(), &smart.Grant{ClientID: client}))
	w := httptest.NewRecorder()
	r.handler.ServeHTTP(w, req)
	return w
}

func TestOneBudgetAcrossReplicas(t *testing.T) {
	addr, prefix := redisAddr(t), uniquePrefix(t)
	now := start
	clock := func() time.Time { return now }
	fleet := []replica{newReplica(t, addr, prefix, clock), newReplica(t, addr, prefix, clock)}

	passed := 0
	for i := range 40 { // alternate between the replicas
		if send(fleet[i%2], "app-1").Code == 200 {
			passed++
		}
	}
	if passed != 30 {
		t.Fatalf("%d of 40 requests passed across two replicas, want one burst of 30", passed)
	}
	w := send(fleet[1], "app-1")
	if w.Code != 429 || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("over the limit: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	if send(fleet[0], "other-app").Code != 200 {
		t.Fatal("another client was limited by app-1's budget")
	}

	now = now.Add(time.Second) // two requests refill, shared by the fleet
	codes := []int{send(fleet[0], "app-1").Code, send(fleet[1], "app-1").Code,
		send(fleet[0], "app-1").Code}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
		t.Fatalf("after one second: %v, want 200 200 429", codes)
	}
	for _, r := range fleet {
		if len(r.records.kind(audit.KindStoreOutage)) != 0 {
			t.Errorf("outage reported while Redis worked: %+v", r.records.recs)
		}
	}
}

func TestRedisStopsAnsweringMidRun(t *testing.T) {
	addr, prefix := redisAddr(t), uniquePrefix(t)
	p := startProxy(t, addr)
	now := start
	r := newReplica(t, p.Addr(), prefix, func() time.Time { return now })

	for range 30 {
		send(r, "app-1")
	}
	if send(r, "app-1").Code != 429 {
		t.Fatal("the limit did not hold while Redis answered")
	}

	p.Cut()
	now = now.Add(10 * time.Millisecond)
	for i := range 200 {
		if w := send(r, "app-1"); w.Code != 200 {
			t.Fatalf("request %d during the outage: %d, want it let through", i, w.Code)
		}
	}
	out := r.records.kind(audit.KindStoreOutage)
	if len(out) != 1 || out[0].Justification != "maintenance-1" ||
		out[0].Reason != "store_unreachable" {
		t.Fatalf("outage records %+v, want one", out)
	}
	if s := r.lim.Stats(); s.FailedOpen != 200 || s.Limited != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestRedisHangsMidRun(t *testing.T) {
	addr, prefix := redisAddr(t), uniquePrefix(t)
	p := startProxy(t, addr)
	now := start
	r := newReplica(t, p.Addr(), prefix, func() time.Time { return now })
	for range 31 {
		send(r, "app-1")
	}
	if s := r.lim.Stats(); s.Allowed != 30 || s.Limited != 1 {
		t.Fatalf("before the hang: %+v", s)
	}

	p.Stall() // Redis stops answering; connections stay open
	for i := range 100 {
		if w := send(r, "app-1"); w.Code != 200 {
			t.Fatalf("request %d while Redis hangs: %d, want it let through", i, w.Code)
		}
	}
	if out := r.records.kind(audit.KindStoreOutage); len(out) != 1 {
		t.Fatalf("outage records %+v, want one", out)
	}
}

func TestRedisOutageBeforeFirstUse(t *testing.T) {
	p := startProxy(t, redisAddr(t))
	p.Cut()
	r := newReplica(t, p.Addr(), uniquePrefix(t), func() time.Time { return start })
	if w := send(r, "app-1"); w.Code != 200 {
		t.Fatalf("status %d with Redis unreachable, want 200", w.Code)
	}
	if len(r.records.kind(audit.KindStoreOutage)) != 1 {
		t.Fatal("outage not reported")
	}
}

func TestStoreKeepsNoClientIDAndExpires(t *testing.T) {
	addr, prefix := redisAddr(t), uniquePrefix(t)
	client := newClient(t, addr)
	store, err := redisstore.New(redisstore.Config{Client: client, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	b := throttle.Bucket{Justification: "j1", Key: "client:app-secret-name", Rate: 2, Burst: 30}
	ctx := context.Background()
	for i := range 31 {
		d, err := store.Take(ctx, b, start)
		if err != nil || d.Allowed != (i < 30) {
			t.Fatalf("request %d: %+v, %v", i+1, d, err)
		}
		if i == 30 && d.RetryAfter != 500*time.Millisecond {
			t.Errorf("RetryAfter %v, want 500ms (one interval at 2/s)", d.RetryAfter)
		}
	}
	keys, err := client.Keys(ctx, prefix+":*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v, %v; want one", keys, err)
	}
	if strings.Contains(keys[0], "app-secret-name") || !strings.HasPrefix(keys[0], prefix+":j1:") {
		t.Errorf("key %q holds the client ID or lacks the namespace", keys[0])
	}
	ttl, err := client.PTTL(ctx, keys[0]).Result()
	if err != nil || ttl <= 14*time.Second || ttl > 15*time.Second {
		t.Errorf("TTL %v, %v; want the 15 s the bucket takes to refill", ttl, err)
	}
}

func TestNewRefusesInvalidConfig(t *testing.T) {
	for name, cfg := range map[string]redisstore.Config{
		"no client":        {},
		"negative timeout": {Client: redis.NewClient(&redis.Options{}), Timeout: -time.Second},
	} {
		if s, err := redisstore.New(cfg); s != nil || !errors.Is(err, redisstore.ErrConfig) {
			t.Errorf("%s: New = %v, %v; want ErrConfig", name, s, err)
		}
	}
}
