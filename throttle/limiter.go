package throttle

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/fhirguard/fhirguard/smart/audit"
)

// outageRetry is how long the limiter lets requests through without asking
// a store that failed, so that an unreachable store delays at most one
// request in that time.
const outageRetry = time.Second

// reportEvery is the shortest time between two audit records of the same
// store failure, so that an outage is reported without flooding the hook.
const reportEvery = time.Minute

// Limiter is a rate limiter that exists only with a valid [Justification].
// Every key (an OAuth client after authentication, an IP address before)
// has a token bucket of the justification's size; its [Limiter.Handler]
// answers 429 to requests over the limit until the justification's window
// ends, and from then on lets everything through.
//
// Build one with [New]; the zero value is not usable. A Limiter is safe for
// concurrent use.
type Limiter struct {
	j      Justification
	bucket Bucket
	end    time.Time
	diag   string

	endNano int64        // end in Unix nanoseconds, for the hot path
	mem     *memoryStore // the in-process store, unless Config.Store is set
	settings

	ended                        atomic.Bool
	storeDownUntil               atomic.Int64
	outageReported, fullReported atomic.Int64

	// The counters change on every request; the padding keeps them off
	// the cache line of the fields every request reads.
	_                            [64]byte
	allowed, limited, failedOpen atomic.Uint64
}

// New returns a Limiter enforcing j. It refuses, with a *[ValidationError]
// naming every missing or invalid field, a justification that is
// incomplete, inconsistent, not yet in force or no longer in force (see
// [Justification.Validate]), and it refuses an invalid cfg with an error
// matching [ErrConfig].
func New(j Justification, cfg Config) (*Limiter, error) {
	s, err := cfg.settle()
	if err != nil {
		return nil, err
	}
	if err := j.Validate(s.now()); err != nil {
		return nil, err
	}
	l := &Limiter{j: j.clone(), end: j.Window.End, endNano: j.Window.End.UnixNano(), settings: s}
	l.bucket = Bucket{Justification: j.ID, Rate: j.Limit.Rate, Burst: j.Limit.Burst}
	if s.store == nil {
		l.mem = newMemoryStore(s.maxKeys, j.Limit, s.now())
	}
	l.diag = fmt.Sprintf("Too many requests. Every client is limited to %v requests per "+
		"second, in bursts of %d. Justification: %s (45 CFR %s). Contact: %s.",
		j.Limit.Rate, j.Limit.Burst, j.ID, j.Exception, j.Contact)
	return l, nil
}

// Justification returns a copy of the justification the limiter enforces.
func (l *Limiter) Justification() Justification { return l.j.clone() }

// Stats are a limiter's counters since it was built, so that an operator
// can show how rarely the limit fires.
type Stats struct {
	// Justification is the ID of the limiter's justification.
	Justification string

	// Allowed counts requests the limit allowed.
	Allowed uint64

	// Limited counts requests answered 429.
	Limited uint64

	// FailedOpen counts requests let through without a decision: the
	// store failed or was full, or the client's address could not be
	// read.
	FailedOpen uint64

	// Ended reports whether the window has ended; the limiter no longer
	// limits and no longer counts.
	Ended bool
}

// Stats returns the limiter's counters.
func (l *Limiter) Stats() Stats {
	return Stats{
		Justification: l.j.ID,
		Allowed:       l.allowed.Load(),
		Limited:       l.limited.Load(),
		FailedOpen:    l.failedOpen.Load(),
		Ended:         l.ended.Load(),
	}
}

// decide spends one request of key's bucket at now. It lets the request
// through, without asking the store, once the window has ended and while
// the store is known to be down.
func (l *Limiter) decide(ctx context.Context, key string, now time.Time) Decision {
	t := now.UnixNano()
	if t >= l.endNano {
		l.reportEnded(ctx, now)
		return Decision{Allowed: true}
	}
	if t < l.storeDownUntil.Load() {
		l.failedOpen.Add(1)
		return Decision{Allowed: true}
	}
	d, err := l.take(ctx, key, now)
	switch {
	case err != nil:
		l.storeFailed(ctx, now, err)
		return Decision{Allowed: true}
	case d.Allowed:
		l.allowed.Add(1)
	default:
		l.limited.Add(1)
	}
	return d
}

// take spends one request of key's bucket in the store.
func (l *Limiter) take(ctx context.Context, key string, now time.Time) (Decision, error) {
	if l.mem != nil {
		return l.mem.take(key, now)
	}
	b := l.bucket
	b.Key = key
	return l.store.Take(ctx, b, now)
}

// reportEnded records, once, that the window has ended.
func (l *Limiter) reportEnded(ctx context.Context, now time.Time) {
	if l.ended.Load() || !l.ended.CompareAndSwap(false, true) {
		return
	}
	l.hook.Emit(ctx, audit.Record{
		Time: now, Kind: audit.KindThrottleEnded, Component: "throttle",
		Reason: "window_ended", Justification: l.j.ID,
		Detail: fmt.Sprintf("the justification's window ended at %s; the limiter no "+
			"longer limits any request", stamp(l.end)),
	})
}

// storeFailed lets a request through after a store error, and reports the
// failure at most once per reportEvery. A store that could not be reached
// is not asked again for outageRetry; a full store is asked again at once,
// since keys it already tracks still work.
func (l *Limiter) storeFailed(ctx context.Context, now time.Time, err error) {
	l.failedOpen.Add(1)
	reported, reason, detail := &l.outageReported, "store_unreachable",
		"the rate limit store failed, so requests pass unlimited until it recovers: "
	if errors.Is(err, ErrStoreFull) {
		reported, reason, detail = &l.fullReported, "store_full",
			"the rate limit store is full, so requests from new clients pass unlimited: "
	} else {
		l.storeDownUntil.Store(now.Add(outageRetry).UnixNano())
	}
	last := reported.Load()
	if now.UnixNano()-last < int64(reportEvery) || !reported.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	l.hook.Emit(ctx, audit.Record{
		Time: now, Kind: audit.KindStoreOutage, Component: "throttle",
		Reason: reason, Detail: detail + err.Error(), Justification: l.j.ID,
	})
}

// clone returns a copy of j that shares no memory with it.
func (j Justification) clone() Justification {
	if j.Policy != nil {
		p := *j.Policy
		j.Policy = &p
	}
	if j.Determination != nil {
		d := *j.Determination
		d.Alternatives = append([]Alternative(nil), d.Alternatives...)
		j.Determination = &d
	}
	return j
}
