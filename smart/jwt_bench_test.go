package smart_test

import (
	"context"
	"github.com/golang-jwt/jwt/v5"
	"testing"
	"time"
)

// The three benchmarks share one RS256 token and key, so that their results
// compare within a run: BenchmarkJWTCold against the baseline gives the cost
// of everything the authenticator adds to a bare parse on first sight of a
// token, and BenchmarkJWTWarm the cost of a token seen before.

// BenchmarkJWTParseBaseline is golang-jwt's own parse and verify of the
// token, with the key handed over directly.
func BenchmarkJWTParseBaseline(b *testing.B) {
	token := tokRS256(b, nil)
	pub := &tokKeys(b).rsaA.PublicKey
	keyfunc := func(*jwt.Token) (any, error) { return pub, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jwt.Parse(token, keyfunc, jwt.WithTimeFunc(tokNowFunc)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJWTCold authenticates the token with the cache disabled, so that
// every iteration verifies and maps it as on first sight.
func BenchmarkJWTCold(b *testing.B) {
	token := tokRS256(b, nil)
	cfg := tokConfig(b)
	cfg.CacheEntries = -1
	a := tokAuthenticator(b, cfg)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Authenticate(context.Background(), token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJWTWarm authenticates a token already in the cache.
func BenchmarkJWTWarm(b *testing.B) {
	token := tokRS256(b, nil)
	a := tokAuthenticator(b, tokConfig(b))
	if _, err := a.Authenticate(context.Background(), token); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Authenticate(context.Background(), token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJWTWarmParallel is BenchmarkJWTWarm from every core at once.
func BenchmarkJWTWarmParallel(b *testing.B) {
	token := tokRS256(b, nil)
	a := tokAuthenticator(b, tokConfig(b))
	if _, err := a.Authenticate(context.Background(), token); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := a.Authenticate(context.Background(), token); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// tokNowFunc returns tokNow.
func tokNowFunc() time.Time { return tokNow }
