package smart

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// Defaults and bounds of a JWKS source.
const (
	defaultJWKSRefreshInterval    = 15 * time.Minute
	defaultJWKSUnknownKeyInterval = 10 * time.Second
	defaultJWKSMaxWait            = 500 * time.Millisecond

	// jwksFetchTimeout bounds the first fetch (made by the constructor)
	// and each periodic refresh.
	jwksFetchTimeout = 10 * time.Second

	// maxJWKSBytes bounds the size of a JWKS document read from the wire.
	maxJWKSBytes = 1 << 20
)

// jwksSource holds the keys published at a JWKS URL, fetched and refreshed
// by keyfunc: periodically in the background, and on a token with an
// unknown kid at most once per configured interval, for no longer than the
// configured wait.
type jwksSource struct {
	storage jwkset.Storage
	stop    context.CancelFunc

	// healthy reports whether the last fetch answered 200 with a JWKS that
	// could be read. It tells an unknown kid (401) apart from keys that
	// could not be fetched (503).
	healthy atomic.Bool
}

// newJWKSSource fetches the JWKS once and starts its background refresh.
// The JWKS URL not answering does not fail construction: tokens whose key
// is unknown are then refused as unavailable until a fetch succeeds.
func newJWKSSource(cfg *JWTConfig) (*jwksSource, error) {
	if err := checkEndpointURL(cfg.JWKSURL); err != nil {
		return nil, fmt.Errorf("smart: JWKS URL: %w", err)
	}
	s := &jwksSource{}
	ctx, cancel := context.WithCancel(context.Background())
	noError := true

	kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{cfg.JWKSURL}, keyfunc.Override{
		Client:                    s.client(cfg.HTTPClient),
		HTTPTimeout:               jwksFetchTimeout,
		NoErrorReturnFirstHTTPReq: &noError,
		RateLimitWaitMax:          cfg.JWKSMaxWait,
		RefreshErrorHandlerFunc:   func(string) func(context.Context, error) { return s.failed },
		RefreshInterval:           cfg.JWKSRefreshInterval,
		RefreshUnknownKID:         rate.NewLimiter(rate.Every(cfg.JWKSUnknownKeyInterval), 1),
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("smart: JWKS: %w", err)
	}
	s.storage, s.stop = kf.Storage(), cancel
	return s, nil
}

// client returns a copy of c (or of a default client) whose transport
// records the health of fetches and bounds the size of what it reads.
func (s *jwksSource) client(c *http.Client) *http.Client {
	var copied http.Client
	if c != nil {
		copied = *c
	}
	base := copied.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	copied.Transport = &jwksTransport{base: base, src: s}
	if copied.CheckRedirect == nil {
		copied.CheckRedirect = checkJWKSRedirect
	}
	return &copied
}

// checkJWKSRedirect follows at most five redirects, each to a URL that
// would be accepted as a JWKS URL: never from https down to another host
// over plain http.
func checkJWKSRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("too many redirects")
	}
	return checkEndpointURL(req.URL.String())
}

// failed is keyfunc's refresh error handler: it marks the source unhealthy,
// unless the fetch ended only because the request that started it was
// canceled (or Close was called). It looks at the error rather than at the
// context, which keyfunc may cancel before calling it.
func (s *jwksSource) failed(_ context.Context, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.healthy.Store(false)
}

// lookup returns the published keys of kind that may verify a token signed
// with alg: the key whose ID is kid, or every usable key for a token
// without kid. An unknown kid starts a refresh bounded by ctx and the
// configured wait. No key while the JWKS cannot be fetched is an
// unavailable answer, not an unknown key: the token may well be good.
func (s *jwksSource) lookup(ctx context.Context, alg string, kind keyKind, kid string,
	hasKID bool) ([]jwt.VerificationKey, error) {
	if !hasKID {
		all, err := s.storage.KeyReadAll(ctx)
		if err != nil {
			return nil, s.readError(ctx, err)
		}
		keys := usableKeys(all, alg, kind)
		if len(keys) == 0 && !s.healthy.Load() {
			return nil, newTokenError(reasonUnavailable, errors.New("JWKS cannot be fetched"))
		}
		return keys, nil
	}

	jwk, err := s.storage.KeyRead(ctx, kid)
	if err != nil {
		return nil, s.readError(ctx, err)
	}
	return usableKeys([]jwkset.JWK{jwk}, alg, kind), nil
}

// readError classifies a failed key read: unavailable when the request
// ended or the JWKS cannot be fetched, otherwise an unknown key.
func (s *jwksSource) readError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return newTokenError(reasonUnavailable, ctx.Err())
	}
	if !s.healthy.Load() {
		return newTokenError(reasonUnavailable, fmt.Errorf("JWKS cannot be fetched: %w", err))
	}
	return newTokenError(reasonUnknownKey, err)
}

// usableKeys returns the public keys of jwks that are meant for signatures
// (use absent or "sig"), name alg or no algorithm, and are of kind.
func usableKeys(jwks []jwkset.JWK, alg string, kind keyKind) []jwt.VerificationKey {
	var keys []jwt.VerificationKey
	for _, jwk := range jwks {
		m := jwk.Marshal()
		if m.USE != "" && m.USE != jwkset.UseSig || m.ALG != "" && m.ALG.String() != alg {
			continue
		}
		pub := jwk.Key()
		if p, ok := pub.(interface{ Public() crypto.PublicKey }); ok {
			pub = p.Public()
		}
		if k, err := kindOf(pub); err == nil && k == kind {
			keys = append(keys, pub)
		}
	}
	return keys
}

// close stops the background refresh.
func (s *jwksSource) close() { s.stop() }

// jwksTransport wraps the JWKS client's transport.
type jwksTransport struct {
	base http.RoundTripper
	src  *jwksSource
}

// RoundTrip marks the source healthy on a 200 answer (keyfunc reports a
// body it cannot read through the error handler, which runs later and
// marks it unhealthy again) and bounds the body to maxJWKSBytes.
func (t *jwksTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		t.src.healthy.Store(true)
	}
	resp.Body = http.MaxBytesReader(nil, resp.Body, maxJWKSBytes)
	return resp, nil
}

// checkEndpointURL accepts an absolute https URL, or an http URL to a
// loopback host (for tests and local development). Keys or token answers
// fetched over plain HTTP could be replaced by anyone on the path.
func checkEndpointURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return err
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%q is not an absolute URL with a host", u.Redacted())
	case u.User != nil:
		return fmt.Errorf("%q carries credentials; configure them separately", u.Redacted())
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%q must use https (plain http is allowed only to a loopback host)",
		u.Redacted())
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
