package throttle_test

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/fhirguard/fhirguard/throttle"
)

// fixedStore answers every request with one decision.
type fixedStore struct{ d throttle.Decision }

func (s fixedStore) Take(context.Context, throttle.Bucket, time.Time) (throttle.Decision, error) {
	return s.d, nil
}

// brokenStore fails while down is set, and otherwise refuses everything,
// so that a test can tell a decision from a failure.
type brokenStore struct {
	down  atomic.Bool
	calls atomic.Int64
}

func (s *brokenStore) Take(context.Context, throttle.Bucket, time.Time) (throttle.Decision, error) {
	s.calls.Add(1)
	if s.down.Load() {
		return throttle.Decision{}, errors.New("dial tcp 127.0.0.1:1: connection refused")
	}
	return throttle.Decision{RetryAfter: time.Second}, nil
}
