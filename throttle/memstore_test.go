package throttle

import (
	"errors"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// heapBytes returns the live heap after a full collection.
func heapBytes() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// testLimit is the documented example's limit: 20 requests per second in
// bursts of 100, so a bucket refills in 5 s.
var testLimit = Limit{Rate: 20, Burst: 100}

// fillKeys takes one request for each of n distinct keys at now and
// returns how many were tracked (the others failed open).
func fillKeys(t testing.TB, s *memoryStore, n int, prefix string, now time.Time) int {
	key := []byte(prefix)
	tracked := 0
	for i := range n {
		d, err := s.take(string(strconv.AppendInt(key[:len(prefix)], int64(i), 10)), now)
		switch {
		case errors.Is(err, ErrStoreFull):
		case err != nil || !d.Allowed:
			t.Fatalf("key %d: %+v, %v; a new key's first request must pass", i, d, err)
		default:
			tracked++
		}
	}
	return tracked
}

// millionKeys is how many keys TestMillionKeysStayBounded fills: a
// million, except under the race detector, where a million mutex-guarded
// inserts take some fifteen seconds. There it fills a tenth as many and
// scales the heap bound accordingly; the full million runs in every test
// run without -race and in BenchmarkMillionKeysHeap.
var millionKeys = map[bool]int{false: 1_000_000, true: 100_000}[raceEnabled]

func TestMillionKeysStayBounded(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	before := heapBytes()
	s := newMemoryStore(DefaultMaxKeys, testLimit, now)
	tracked := fillKeys(t, s, millionKeys, "client:app-", now)
	heap := heapBytes() - before
	perKey := float64(heap) / float64(tracked)
	t.Logf("%d keys: %d tracked, %.1f MB of heap (%.0f bytes a key)",
		millionKeys, tracked, float64(heap)/1e6, perKey)
	if tracked < millionKeys*99/100 {
		t.Errorf("only %d of %d keys tracked", tracked, millionKeys)
	}
	if perKey*1e6 > 250e6 {
		t.Errorf("%.0f bytes a key: a million keys would take over 250 MB", perKey)
	}

	// Once their buckets have refilled (5 s at 20/s for 100), the old keys
	// are evicted as new ones arrive: a sweep runs.
	fillKeys(t, s, 5000, "addr:new-", now.Add(6*time.Second))
	if n := s.len(); n > 5000 {
		t.Errorf("after refill and 5000 new keys, %d keys still tracked", n)
	}
	runtime.KeepAlive(s)
}

func TestEvictionKeepsBusyKeys(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	s := newMemoryStore(256, Limit{Rate: 1, Burst: 30}, now)
	for range 30 {
		if d, _ := s.take("busy", now); !d.Allowed {
			t.Fatal("burst refused")
		}
	}
	// Until the busy bucket has refilled it is never evicted, so it keeps
	// its state however many new keys arrive: ten seconds later it holds
	// ten requests, not a fresh burst of thirty.
	later := now.Add(10 * time.Second)
	fillKeys(t, s, 5000, "other-", later)
	for i := range 11 {
		d, err := s.take("busy", later)
		if err != nil || d.Allowed != (i < 10) {
			t.Fatalf("busy key, request %d after a flood of new keys: %+v, %v", i+1, d, err)
		}
	}
}

func BenchmarkMillionKeysHeap(b *testing.B) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for b.Loop() {
		before := heapBytes()
		s := newMemoryStore(DefaultMaxKeys, testLimit, now)
		fillKeys(b, s, 1_000_000, "client:app-", now)
		b.ReportMetric(float64(heapBytes()-before)/1e6, "MB-heap")
		runtime.KeepAlive(s)
	}
}
