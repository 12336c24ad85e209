package smart

import (
	"context"
	"errors"
)

// Authenticator turns a bearer token into a Grant. The library provides
// [JWTAuthenticator] for signed JWT access tokens and [Introspector] for
// opaque tokens (RFC 7662); a server may supply its own.
//
// Authenticate must be safe for concurrent use. It returns an error that
// matches [ErrInvalidToken] for a token that is not valid (the client gets
// 401), or [ErrUnavailable] when validity could not be decided because a
// service it depends on failed (the client gets 503 and may retry). Any
// other error is treated as ErrInvalidToken.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*Grant, error)
}

// Sentinel errors. An error may match several of them with [errors.Is]: an
// expired token matches both ErrTokenExpired and ErrInvalidToken.
var (
	// ErrNoToken is returned by the middleware when a request carries no
	// bearer token. The client receives 401 without an error code, as RFC
	// 6750 section 3.1 asks.
	ErrNoToken = errors.New("smart: no bearer token")

	// ErrInvalidToken is matched by every error that makes a token
	// unacceptable: bad signature, wrong issuer or audience, expired,
	// inactive, malformed. The client receives 401 invalid_token.
	ErrInvalidToken = errors.New("smart: invalid token")

	// ErrTokenExpired is matched, together with ErrInvalidToken, by the
	// error for a token whose exp has passed.
	ErrTokenExpired = errors.New("smart: token expired")

	// ErrNoPatient is matched, together with ErrInvalidToken, by the error
	// for a token that carries patient/ scopes but no launch patient. Such a
	// token is refused rather than given access without a patient.
	ErrNoPatient = errors.New("smart: patient scopes without a patient")

	// ErrUnavailable is matched by the error returned when a token could not
	// be checked because a service it depends on (an introspection endpoint,
	// a JWKS URL) did not answer. The client receives 503 with Retry-After;
	// the request is never let through.
	ErrUnavailable = errors.New("smart: token validation unavailable")

	// ErrInsufficientScope is matched by the error for a request whose
	// interaction the token's scopes do not cover. The client receives 403
	// insufficient_scope.
	ErrInsufficientScope = errors.New("smart: insufficient scope")
)
