package throttle

import (
	"context"
	"errors"
	"time"
)

// Store keeps the token buckets of a [Limiter]. The default, used when
// [Config].Store is nil, keeps them in the process; a store shared by
// several replicas, such as the Redis store in package
// github.com/fhirguard/fhirguard/throttle/redisstore, keeps one budget for
// the whole fleet.
//
// Take must be safe for concurrent use. It spends one request from the
// bucket and says whether the request is allowed. An error means the
// decision could not be made: the limiter then lets the request through,
// since its own failure must never block a patient, and reports the
// outage. A store returns [ErrStoreFull] when it cannot track one more key.
// Its errors go into audit records, so they must not include the key.
type Store interface {
	Take(ctx context.Context, b Bucket, now time.Time) (Decision, error)
}

// Bucket identifies one key's token bucket and its size. Every key of a
// limiter gets the same Rate and Burst: those of its justification.
type Bucket struct {
	// Justification is the ID of the limiter's justification. A store
	// shared by several limiters keeps their buckets apart by it.
	Justification string

	// Key identifies the client: "client:" and the OAuth client ID after
	// authentication, or "addr:" and the IP address before it. It may be
	// personal data (an IP address is a HIPAA identifier), so a store must
	// not log it, and should not keep it longer than the bucket needs.
	Key string

	// Rate is the bucket's refill rate, in requests per second.
	Rate float64

	// Burst is the bucket's capacity.
	Burst int
}

// Decision is a store's answer for one request.
type Decision struct {
	// Allowed reports whether the request may proceed.
	Allowed bool

	// RetryAfter is, for a refused request, how long until the bucket
	// holds one request again. It is zero for an allowed request.
	RetryAfter time.Duration
}

// ErrStoreFull is returned by a [Store] that cannot track a new key
// because its table is full and no idle key can be evicted. The limiter
// lets the request through: a full table must never deny a request that
// the limit itself would allow. It reports the first such request of each
// episode with an audit record of kind [audit.KindStoreOutage].
var ErrStoreFull = errors.New("throttle: store full")
