package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fhirguard/fhirguard/throttle"
)

// DefaultPrefix starts every Redis key the store writes, unless
// [Config].Prefix says otherwise.
const DefaultPrefix = "fhirguard:throttle"

// DefaultTimeout bounds one decision when [Config].Timeout is zero. An
// unreachable Redis therefore delays the request that finds it so by at
// most this long; the limiter then leaves Redis alone for a second.
const DefaultTimeout = 100 * time.Millisecond

// ErrConfig is matched by the error [New] returns for an invalid [Config].
var ErrConfig = errors.New("redisstore: invalid config")

// Config configures a [Store]. Client is required; the other fields have
// working zero values.
type Config struct {
	// Client is the Redis connection: a *redis.Client, a failover client or
	// a *redis.ClusterClient. Its owner configures TLS, authentication and
	// pool sizes, and closes it.
	Client redis.UniversalClient

	// Prefix starts every key, so that several applications or
	// environments can share one Redis. Empty means DefaultPrefix. Every
	// replica of a fleet must use the same prefix to share a budget.
	Prefix string

	// Timeout bounds each decision, including retries by the client. Zero
	// means DefaultTimeout.
	Timeout time.Duration
}

// Store is a [throttle.Store] in Redis, shared by every replica that uses
// the same Redis and prefix, so that a fleet has one budget per key. Build
// it with [New]; the zero value is not usable. A Store is safe for
// concurrent use.
type Store struct {
	client  redis.UniversalClient
	prefix  string
	timeout time.Duration
}

// New returns a Store on cfg.Client. It does not contact Redis: a Redis
// that cannot be reached shows up as errors from Take, which the limiter
// reports and survives.
func New(cfg Config) (*Store, error) {
	if cfg.Client == nil {
		return nil, fmt.Errorf("%w: Client is required", ErrConfig)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("%w: Timeout %v is negative", ErrConfig, cfg.Timeout)
	}
	s := &Store{client: cfg.Client, prefix: cfg.Prefix, timeout: cfg.Timeout}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	return s, nil
}

// Take implements [throttle.Store]: it runs one step of the generic cell
// rate algorithm on b's key, atomically in Redis, at the instant now.
func (s *Store) Take(ctx context.Context, b throttle.Bucket,
	now time.Time) (throttle.Decision, error) {

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()

	interval := float64(time.Second/time.Microsecond) / b.Rate
	res, err := gcra.Run(ctx, s.client, []string{s.key(b)},
		now.UnixMicro(), strconv.FormatFloat(interval, 'g', -1, 64), b.Burst).Int64Slice()
	if err != nil {
		return throttle.Decision{}, fmt.Errorf("redisstore: take: %w", err)
	}
	if len(res) != 2 {
		return throttle.Decision{}, fmt.Errorf("redisstore: take: unexpected reply of %d values",
			len(res))
	}

	if res[0] == 1 {
		return throttle.Decision{Allowed: true}, nil
	}
	return throttle.Decision{RetryAfter: time.Duration(res[1]) * time.Microsecond}, nil
}

// key returns the Redis key of b's bucket. The client's key (an OAuth
// client ID or an IP address) is hashed, so that Redis never holds it in
// clear text.
func (s *Store) key(b throttle.Bucket) string {
	sum := sha256.Sum256([]byte(b.Key))
	return s.prefix + ":" + b.Justification + ":" + hex.EncodeToString(sum[:16])
}
