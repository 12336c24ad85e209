package smart_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/golang-jwt/jwt/v5"
)

// tokJWKSServer serves a JWKS that tests change, counts fetches and can
// hold every fetch after the first until the test ends.
type tokJWKSServer struct {
	*httptest.Server
	body    atomic.Pointer[[]byte]
	status  atomic.Int64
	fetches atomic.Int64

	hold     atomic.Bool
	held     chan struct{} // receives when a fetch starts being held
	released chan struct{} // closed when the test ends
}

func tokNewJWKSServer(t *testing.T, body []byte) *tokJWKSServer {
	s := &tokJWKSServer{held: make(chan struct{}, 100), released: make(chan struct{})}
	s.set(body)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	t.Cleanup(func() { close(s.released) })
	return s
}

func (s *tokJWKSServer) set(body []byte) { s.body.Store(&body) }

func (s *tokJWKSServer) serve(w http.ResponseWriter, r *http.Request) {
	if n := s.fetches.Add(1); n > 1 && s.hold.Load() {
		s.held <- struct{}{}
		select {
		case <-s.released:
		case <-r.Context().Done():
		}
		return
	}
	if st := s.status.Load(); st != 0 {
		w.WriteHeader(int(st))
		return
	}
	_, _ = w.Write(*s.body.Load())
}

// tokJWKSConfig returns a configuration with the server's JWKS as the only
// source of keys.
func tokJWKSConfig(t *testing.T, s *tokJWKSServer) smart.JWTConfig {
	cfg := tokConfig(t)
	cfg.Keys, cfg.JWKSURL = nil, s.URL
	return cfg
}

func TestJWKSAcceptsPublishedKeys(t *testing.T) {
	k := tokKeys(t)
	s := tokNewJWKSServer(t, tokJWKS(
		tokJWK(&k.rsaA.PublicKey, "rsa-a", "RS256", "sig"),
		tokJWK(&k.ecA.PublicKey, "ec-a", "", ""),
	))
	a := tokAuthenticator(t, tokJWKSConfig(t, s))

	for name, token := range map[string]string{
		"RS256 by kid":      tokRS256(t, nil),
		"ES256 by kid":      tokSign(t, jwt.SigningMethodES256, k.ecA, "ec-a", tokClaims(nil)),
		"RS256 without kid": tokSign(t, jwt.SigningMethodRS256, k.rsaA, "", tokClaims(nil)),
	} {
		if _, err := a.Authenticate(context.Background(), token); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := s.fetches.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times, want once", n)
	}
}

func TestJWKSRotation(t *testing.T) {
	k := tokKeys(t)
	s := tokNewJWKSServer(t, tokJWKS(tokJWK(&k.rsaA.PublicKey, "rsa-a", "RS256", "sig")))
	a := tokAuthenticator(t, tokJWKSConfig(t, s))
	if _, err := a.Authenticate(context.Background(), tokRS256(t, nil)); err != nil {
		t.Fatal(err)
	}

	s.set(tokJWKS(tokJWK(&k.rsaB.PublicKey, "rsa-b", "RS256", "sig")))
	rotated := tokSign(t, jwt.SigningMethodRS256, k.rsaB, "rsa-b", tokClaims(nil))
	if _, err := a.Authenticate(context.Background(), rotated); err != nil {
		t.Fatalf("a token signed with the new key must be accepted after rotation: %v", err)
	}
	if n := s.fetches.Load(); n != 2 {
		t.Errorf("JWKS fetched %d times, want 2 (start and rotation)", n)
	}
	old := tokSign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", tokClaims(map[string]any{"jti": "2"}))
	tokCheckRejected(t, a, old, "unknown_key", nil)
}

func TestJWKSUnknownKIDFlood(t *testing.T) {
	k := tokKeys(t)
	s := tokNewJWKSServer(t, tokJWKS(tokJWK(&k.rsaA.PublicKey, "rsa-a", "RS256", "sig")))
	cfg := tokJWKSConfig(t, s)
	cfg.JWKSMaxWait = 100 * time.Millisecond
	cfg.JWKSUnknownKeyInterval = time.Hour
	a := tokAuthenticator(t, cfg)
	s.hold.Store(true) // every refresh now hangs until the test ends

	const n = 50
	tokens := make([]string, n)
	for i := range tokens {
		kid := fmt.Sprintf("made-up-%d", i)
		tokens[i] = tokSign(t, jwt.SigningMethodRS256, k.rsaA, kid, tokClaims(nil))
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	took := make([]time.Duration, n)
	for i := range tokens {
		wg.Go(func() {
			start := time.Now()
			_, errs[i] = a.Authenticate(context.Background(), tokens[i])
			took[i] = time.Since(start)
		})
	}
	wg.Wait()

	for i := range n {
		refused := errors.Is(errs[i], smart.ErrInvalidToken) || errors.Is(errs[i], smart.ErrUnavailable)
		if !refused {
			t.Errorf("token %d: err = %v, want a refusal", i, errs[i])
		}
		// A bound, not a measurement: without it the fetch would hang.
		if took[i] > cfg.JWKSMaxWait+2*time.Second {
			t.Errorf("token %d held for %v, beyond the %v wait", i, took[i], cfg.JWKSMaxWait)
		}
	}
	if got := s.fetches.Load(); got > 2 {
		t.Errorf("%d JWKS fetches for %d unknown kids, want at most 2 (start and one refresh)", got, n)
	}
	if _, err := a.Authenticate(context.Background(), tokRS256(t, nil)); err != nil {
		t.Fatalf("a token with a known kid must still be accepted: %v", err)
	}
}

func TestJWKSRefreshStopsWithRequestContext(t *testing.T) {
	k := tokKeys(t)
	s := tokNewJWKSServer(t, tokJWKS(tokJWK(&k.rsaA.PublicKey, "rsa-a", "RS256", "sig")))
	cfg := tokJWKSConfig(t, s)
	cfg.JWKSMaxWait = time.Minute // only the request's context can end the wait
	a := tokAuthenticator(t, cfg)
	s.hold.Store(true)

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-s.held // the refresh reached the server
		cancel()
	}()
	start := time.Now()
	token := tokSign(t, jwt.SigningMethodRS256, k.rsaB, "rsa-b", tokClaims(nil))
	_, err := a.Authenticate(ctx, token)
	if !errors.Is(err, smart.ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want ErrUnavailable caused by the cancellation", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("returned %v after cancellation started, want promptly", took)
	}
}

func TestJWKSDownOnFirstFetch(t *testing.T) {
	k := tokKeys(t)
	s := tokNewJWKSServer(t, tokJWKS(tokJWK(&k.rsaA.PublicKey, "rsa-a", "RS256", "sig")))
	s.status.Store(http.StatusServiceUnavailable)
	cfg := tokJWKSConfig(t, s)
	cfg.JWKSUnknownKeyInterval = time.Nanosecond // let every unknown kid refresh
	a := tokAuthenticator(t, cfg)

	token := tokRS256(t, nil)
	_, err := a.Authenticate(context.Background(), token)
	if !errors.Is(err, smart.ErrUnavailable) || errors.Is(err, smart.ErrInvalidToken) {
		t.Fatalf("err = %v, want ErrUnavailable only: the key could not be fetched", err)
	}

	noKID := tokSign(t, jwt.SigningMethodRS256, k.rsaA, "", tokClaims(nil))
	_, err = a.Authenticate(context.Background(), noKID)
	if !errors.Is(err, smart.ErrUnavailable) || errors.Is(err, smart.ErrInvalidToken) {
		t.Fatalf("token without kid: err = %v, want ErrUnavailable only", err)
	}

	s.status.Store(0)
	if _, err := a.Authenticate(context.Background(), token); err != nil {
		t.Fatalf("once the JWKS answers, the token must be accepted: %v", err)
	}
	if _, err := a.Authenticate(context.Background(), noKID); err != nil {
		t.Fatalf("once the JWKS answers, the token without kid must be accepted: %v", err)
	}
}

// TestJWKSWithStaticKeys checks that configured keys and a JWKS work
// together: a configured key is tried first, and the JWKS still verifies
// the tokens no configured key claims.
func TestJWKSWithStaticKeys(t *testing.T) {
	k := tokKeys(t)
	s := tokNewJWKSServer(t, tokJWKS(tokJWK(&k.rsaA.PublicKey, "rsa-a", "RS256", "sig")))
	signA := func(kid string) string {
		return tokSign(t, jwt.SigningMethodRS256, k.rsaA, kid, tokClaims(nil))
	}
	signB := func(kid string) string {
		return tokSign(t, jwt.SigningMethodRS256, k.rsaB, kid, tokClaims(nil))
	}
	cases := []struct {
		name   string
		static smart.VerificationKey
		token  string
		reason string // "" when the token must be accepted
	}{
		{"published kid beside a configured key without ID",
			smart.VerificationKey{Public: &k.rsaB.PublicKey}, signA("rsa-a"), ""},
		{"configured key without ID for a kid nobody publishes",
			smart.VerificationKey{Public: &k.rsaB.PublicKey}, signB("rsa-z"), ""},
		{"token without kid signed by a published key",
			smart.VerificationKey{ID: "rsa-b", Public: &k.rsaB.PublicKey}, signA(""), ""},
		{"token without kid signed by a configured key",
			smart.VerificationKey{ID: "rsa-b", Public: &k.rsaB.PublicKey}, signB(""), ""},
		{"a configured key claims its kid",
			smart.VerificationKey{ID: "rsa-a", Public: &k.rsaB.PublicKey}, signA("rsa-a"),
			"bad_signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := tokJWKSConfig(t, s)
			cfg.Keys = []smart.VerificationKey{c.static}
			a := tokAuthenticator(t, cfg)
			if c.reason != "" {
				tokCheckRejected(t, a, c.token, c.reason, nil)
				return
			}
			if _, err := a.Authenticate(context.Background(), c.token); err != nil {
				t.Errorf("err = %v, want the token accepted", err)
			}
		})
	}
}

func TestJWKSUnavailable(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	cases := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"unreachable", func(t *testing.T) string { return closed.URL }},
		{"not JSON", func(t *testing.T) string {
			return tokNewJWKSServer(t, []byte("<html>")).URL
		}},
		{"larger than 1 MiB", func(t *testing.T) string {
			pad := `{"keys":[],"pad":"` + strings.Repeat("a", 1<<20) + `"}`
			return tokNewJWKSServer(t, []byte(pad)).URL
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := tokConfig(t)
			cfg.Keys, cfg.JWKSURL = nil, c.url(t)
			_, err := tokAuthenticator(t, cfg).Authenticate(context.Background(), tokRS256(t, nil))
			if !errors.Is(err, smart.ErrUnavailable) || errors.Is(err, smart.ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrUnavailable only", err)
			}
		})
	}
}

func TestJWKSIgnoresUnusableKeys(t *testing.T) {
	k := tokKeys(t)
	cases := []struct {
		name   string
		jwk    map[string]any
		token  func(t *testing.T) string
		reason string
	}{
		{"encryption key", tokJWK(&k.rsaA.PublicKey, "rsa-a", "", "enc"),
			func(t *testing.T) string { return tokRS256(t, nil) }, "unknown_key"},
		{"key for another algorithm", tokJWK(&k.rsaA.PublicKey, "rsa-a", "RS512", "sig"),
			func(t *testing.T) string { return tokRS256(t, nil) }, "unknown_key"},
		{"ECDSA key under an RS256 token's kid", tokJWK(&k.ecA.PublicKey, "rsa-a", "", ""),
			func(t *testing.T) string { return tokRS256(t, nil) }, "unknown_key"},
		{"symmetric key published in the JWKS", tokJWK(tokSecret, "oct", "HS256", "sig"),
			func(t *testing.T) string {
				return tokSign(t, jwt.SigningMethodHS256, tokSecret, "oct", tokClaims(nil))
			}, "bad_signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := tokNewJWKSServer(t, tokJWKS(c.jwk))
			tokCheckRejected(t, tokAuthenticator(t, tokJWKSConfig(t, s)), c.token(t), c.reason, nil)
		})
	}
}
