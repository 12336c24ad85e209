package smart

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/fhirguard/fhirguard/smart/audit"
	"github.com/golang-jwt/jwt/v5"
)

// JWTAuthenticator is an [Authenticator] for access tokens that are signed
// JWTs (RFC 7519), as most SMART authorization servers issue. Build one with
// [NewJWTAuthenticator]; the zero value is not usable.
//
// A token is accepted only when all of these hold: it is no larger than the
// configured bounds; its algorithm is on the allow-list and its signature
// verifies with a key of that algorithm's kind (an RSA key for RS* and PS*,
// an ECDSA key on the matching curve for ES*, the HMAC secret for HS*);
// iss is the configured issuer; aud names the configured audience; exp is
// present and has not passed; nbf, when present, has passed; and its claims
// map to a [Grant] (a launch patient that is a FHIR resource ID, and one
// whenever the token carries patient/ scopes). The token's jku, x5u, jwk and
// x5c headers are ignored: keys come only from the configuration.
//
// A verified token is remembered, keyed by its SHA-256, until its exp or
// [JWTConfig.CacheMaxAge] passes, whichever is first; presenting it again
// costs a hash and a map lookup, without allocating.
//
// With a JWKS URL, a token naming an unknown kid makes the authenticator
// fetch the JWKS again, at most once per [JWTConfig.JWKSUnknownKeyInterval]
// and never holding the request longer than [JWTConfig.JWKSMaxWait] or its
// context allows: a flood of made-up key IDs neither floods the
// authorization server nor stalls requests.
//
// A JWTAuthenticator is safe for concurrent use. One built with a JWKS URL
// refreshes the keys in the background until [JWTAuthenticator.Close].
type JWTAuthenticator struct {
	keys      *keySet
	parser    *jwt.Parser
	cache     *tokenCache
	claims    ClaimMapping
	hook      audit.Hook
	now       func() time.Time
	maxToken  int
	maxHeader int
	maxAge    time.Duration
}

var _ Authenticator = (*JWTAuthenticator)(nil)

// NewJWTAuthenticator checks cfg and returns a JWTAuthenticator. With a
// JWKS URL it fetches the JWKS once before returning (for at most ten
// seconds); a JWKS that cannot be fetched then is not an error, but tokens
// are refused with [ErrUnavailable] until a fetch succeeds.
func NewJWTAuthenticator(cfg JWTConfig) (*JWTAuthenticator, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	keys, err := newKeySet(cfg.Keys, cfg.HMACSecret, cfg.JWKSURL != "")
	if err != nil {
		return nil, err
	}
	algs, err := keys.algorithms(cfg.Algorithms)
	if err != nil {
		return nil, err
	}

	if keys.remote {
		if keys.jwks, err = newJWKSSource(&cfg); err != nil {
			return nil, err
		}
	}
	return &JWTAuthenticator{
		keys:      keys,
		parser:    newJWTParser(&cfg, algs),
		cache:     newTokenCache(cfg.CacheEntries),
		claims:    cfg.Claims,
		hook:      cfg.Audit,
		now:       cfg.Now,
		maxToken:  cfg.MaxTokenBytes,
		maxHeader: cfg.MaxHeaderBytes,
		maxAge:    cfg.CacheMaxAge,
	}, nil
}

// newJWTParser returns the parser with the strict checks of cfg.
func newJWTParser(cfg *JWTConfig, algs []string) *jwt.Parser {
	return jwt.NewParser(
		jwt.WithValidMethods(algs),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(cfg.Now),
		jwt.WithStrictDecoding(),
	)
}

// Authenticate validates token and returns its Grant. Every refusal is a
// [*TokenError] matching [ErrInvalidToken] (and [ErrTokenExpired] or
// [ErrNoPatient] where they apply), except when the keys could not be
// fetched in time or ctx ended first: then it matches [ErrUnavailable].
//
// Malformed scopes do not fail the token; they grant nothing and are
// reported to the audit hook when the token is first validated.
func (a *JWTAuthenticator) Authenticate(ctx context.Context, token string) (*Grant, error) {
	if err := a.checkSize(token); err != nil {
		return nil, err
	}
	now := a.now()
	key := hashToken(token)
	if g := a.cache.get(&key, now); g != nil {
		return g, nil
	}

	g, err := a.verify(ctx, token)
	if err != nil {
		return nil, err
	}
	auditMalformedScopes(ctx, a.hook, g, now)
	a.cache.put(&key, g, earliest(g.Expiry, now.Add(a.maxAge)), now)
	return g, nil
}

// Close stops the background refresh of the JWKS, if any. Authenticate
// still works afterwards, with the keys already fetched and refreshes on
// unknown key IDs. Close returns nil.
func (a *JWTAuthenticator) Close() error {
	if a.keys.jwks != nil {
		a.keys.jwks.close()
	}
	return nil
}

// checkSize refuses a token or header larger than the bounds, before any
// decoding work.
func (a *JWTAuthenticator) checkSize(token string) error {
	header := strings.IndexByte(token, '.')
	if header < 0 {
		header = len(token)
	}
	if len(token) > a.maxToken || header > a.maxHeader {
		return newTokenError(reasonTooLarge, nil)
	}
	return nil
}

// verify checks the signature and claims of token and builds its Grant.
func (a *JWTAuthenticator) verify(ctx context.Context, token string) (*Grant, error) {
	claims := jwt.MapClaims{}
	if _, err := a.parser.ParseWithClaims(token, claims, a.keys.keyfunc(ctx)); err != nil {
		return nil, classifyJWTError(err)
	}
	return grantFromClaims(claims, a.claims)
}

// jwtReasons maps golang-jwt's errors to reasons, most fundamental first:
// a token that is both expired and from the wrong issuer is reported as
// from the wrong issuer, so that only an otherwise good token matches
// ErrTokenExpired.
var jwtReasons = []struct {
	err    error
	reason string
}{
	{jwt.ErrTokenMalformed, reasonMalformed},
	{jwt.ErrTokenSignatureInvalid, reasonBadSignature},
	{jwt.ErrTokenUnverifiable, reasonBadSignature},
	{jwt.ErrInvalidType, reasonBadClaim},
	{jwt.ErrTokenInvalidIssuer, reasonWrongIssuer},
	{jwt.ErrTokenInvalidAudience, reasonWrongAudience},
	{jwt.ErrTokenRequiredClaimMissing, reasonMissingClaim},
	{jwt.ErrTokenNotValidYet, reasonNotYetValid},
	{jwt.ErrTokenExpired, reasonExpired},
}

// classifyJWTError turns a golang-jwt error into a *TokenError, keeping one
// raised by the key lookup as it is.
func classifyJWTError(err error) error {
	var te *TokenError
	if errors.As(err, &te) {
		return te
	}
	for _, r := range jwtReasons {
		if errors.Is(err, r.err) {
			return newTokenError(r.reason, err)
		}
	}
	return newTokenError(reasonMalformed, err)
}

// earliest returns the earlier of two instants.
func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
