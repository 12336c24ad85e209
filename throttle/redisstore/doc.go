// Package redisstore keeps the token buckets of a [throttle.Limiter] in
// Redis, so that every replica of a FHIR server spends from one budget per
// client instead of each granting the full limit.
//
// # Usage
//
//	client := redis.NewClient(&redis.Options{Addr: "10.0.0.5:6379"})
//	store, err := redisstore.New(redisstore.Config{Client: client})
//	if err != nil {
//		return err
//	}
//	lim, err := throttle.New(justification, throttle.Config{Store: store})
//
// # Algorithm
//
// Each decision runs the generic cell rate algorithm (GCRA) in a Lua
// script, which Redis executes atomically (EVALSHA, falling back to EVAL
// the first time). It admits the same requests as the in-process token
// bucket of the same rate and burst, and stores one number per key, which
// expires as soon as the bucket is full again.
//
// The instant of each decision comes from the limiter's clock
// ([throttle.Config].Now), not from Redis, so replicas should keep their
// clocks synchronised (NTP): a replica whose clock runs ahead by d spends
// the budget as if d had passed, which at the usual skews of milliseconds
// is a fraction of one request.
//
// # Failure
//
// Every failure lets requests through. When Redis cannot be reached or
// answers too slowly ([Config].Timeout), Take returns an error; the limiter
// lets the request through, reports the outage through its audit hook, and
// leaves Redis alone for a second. Patients are never blocked because the
// limiter's own store failed.
//
// # Privacy
//
// A bucket's key is an OAuth client ID or an IP address, which can be
// personal data. Redis stores a SHA-256 hash of it, under the prefix and
// the justification's ID, and only for as long as the bucket takes to
// refill. A hash of an IPv4 address can be reversed by trying all four
// billion addresses, so treat the Redis data as personal data all the
// same, and protect the connection with TLS and authentication. The
// go-redis client may write its own diagnostics with the standard log
// package; install a logger with redis.SetLogger to route them.
package redisstore
