package throttle

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxKeys is the number of keys the in-process store tracks when
// [Config].MaxKeys is zero: about 240 MB of memory when every slot is used
// (some 225 bytes a key, measured by TestMillionKeysStayBounded).
const DefaultMaxKeys = 1 << 20

// memoryStore is the in-process store: one rate.Limiter per key in a
// sync.Map, so that deciding for a known key takes no lock but the
// limiter's own. It belongs to one Limiter, whose limit it is built with,
// and the Limiter calls it directly rather than through the Store
// interface, which keeps the decision within a few nanoseconds of
// rate.Limiter alone.
//
// Memory is bounded by design. A key is evicted once its bucket has
// refilled completely, which changes no decision (a new bucket starts full
// too), so eviction needs no timeout of its own. Sweeps run in a goroutine
// of their own, one at a time, at most once per refill period, or once
// per eighth of it while the table is full, so that no request waits for
// one. A table that holds maxKeys keys refuses new ones with ErrStoreFull,
// and the limiter lets their requests through: a full table never denies
// a request. Keys already tracked keep their limit.
//
// A request that arrives for a full bucket while a sweep is evicting it
// spends from the evicted bucket, and the key's next request finds a new,
// full one: the client gains that one request. The sweep errs towards
// letting requests through, as everything in this package does.
type memoryStore struct {
	buckets  sync.Map // string → *rate.Limiter
	rate     rate.Limit
	burst    int
	refill   time.Duration // how long an empty bucket takes to fill
	count    atomic.Int64
	maxKeys  int64
	sweeping sync.Mutex   // held while a sweep runs
	sweptAt  atomic.Int64 // when the last sweep started, in Unix nanoseconds
}

// newMemoryStore returns a store of at most maxKeys keys, each with a
// bucket of lim. The first sweep comes a refill period after now: nothing
// can be idle before.
func newMemoryStore(maxKeys int, lim Limit, now time.Time) *memoryStore {
	s := &memoryStore{
		maxKeys: int64(maxKeys), rate: rate.Limit(lim.Rate), burst: lim.Burst,
		refill: time.Duration(float64(lim.Burst) / lim.Rate * float64(time.Second)),
	}
	s.sweptAt.Store(now.UnixNano())
	return s
}

// take spends one request of key's bucket at now, as Store.Take does.
func (s *memoryStore) take(key string, now time.Time) (Decision, error) {
	v, ok := s.buckets.Load(key)
	if !ok {
		var err error
		if v, err = s.add(key, now); err != nil {
			return Decision{}, err
		}
	}

	lim := v.(*rate.Limiter)
	if lim.AllowN(now, 1) {
		return Decision{Allowed: true}, nil
	}
	return Decision{RetryAfter: wait(lim, now)}, nil
}

// add creates the bucket of a new key, unless the table is full.
func (s *memoryStore) add(key string, now time.Time) (any, error) {
	s.maybeSweep(now)
	for {
		n := s.count.Load()
		if n >= s.maxKeys {
			return nil, ErrStoreFull
		}
		if s.count.CompareAndSwap(n, n+1) {
			break
		}
	}

	v, loaded := s.buckets.LoadOrStore(key, rate.NewLimiter(s.rate, s.burst))
	if loaded { // another request created it first
		s.count.Add(-1)
	}
	return v, nil
}

// maybeSweep starts a sweep when one is due and none is running.
func (s *memoryStore) maybeSweep(now time.Time) {
	gap := s.refill
	if s.count.Load() >= s.maxKeys {
		gap /= 8
	}
	if now.UnixNano()-s.sweptAt.Load() < int64(gap) || !s.sweeping.TryLock() {
		return
	}
	s.sweptAt.Store(now.UnixNano())
	go func() {
		defer s.sweeping.Unlock()
		s.sweep(now)
	}()
}

// sweep evicts the keys whose buckets are full again at now.
func (s *memoryStore) sweep(now time.Time) {
	s.buckets.Range(func(key, v any) bool {
		lim := v.(*rate.Limiter)
		if lim.TokensAt(now) >= float64(lim.Burst()) && s.buckets.CompareAndDelete(key, lim) {
			s.count.Add(-1)
		}
		return true
	})
}

// len returns the number of keys tracked, once any running sweep is done.
func (s *memoryStore) len() int {
	s.sweeping.Lock()
	defer s.sweeping.Unlock()
	return int(s.count.Load())
}

// wait is how long until lim holds one token.
func wait(lim *rate.Limiter, now time.Time) time.Duration {
	missing := 1 - lim.TokensAt(now)
	return time.Duration(math.Ceil(missing / float64(lim.Limit()) * float64(time.Second)))
}
