package smart

// Reasons carried by a [TokenError]. They are stable and machine-readable,
// suitable for audit.Record.Reason.
const (
	reasonTooLarge       = "token_too_large"
	reasonMalformed      = "token_malformed"
	reasonBadSignature   = "bad_signature"
	reasonUnknownKey     = "unknown_key"
	reasonExpired        = "token_expired"
	reasonNotYetValid    = "token_not_yet_valid"
	reasonWrongIssuer    = "wrong_issuer"
	reasonWrongAudience  = "wrong_audience"
	reasonMissingClaim   = "missing_claim"
	reasonBadClaim       = "bad_claim"
	reasonNoPatient      = "no_patient"
	reasonInactive       = "token_inactive"
	reasonNotAccessToken = "not_access_token"
	reasonUnavailable    = "unavailable"
)

// TokenError is the error [JWTAuthenticator] and [Introspector] return for a
// token they refuse or cannot check. It keeps the cause apart from the
// message a client sees: the middleware answers with a fixed RFC 6750 error
// and hands Reason to the audit hook.
//
// With [errors.Is], a TokenError matches [ErrInvalidToken] whatever its
// Reason, except "unavailable", which matches [ErrUnavailable] only. Reason
// "token_expired" also matches [ErrTokenExpired], and "no_patient" also
// matches [ErrNoPatient].
//
// Reason is one of:
//
//   - "token_too_large": the token or its header exceeds the configured size.
//   - "token_malformed": not three base64url parts of JSON, or not a JWT.
//   - "bad_signature": the signature does not verify, or the algorithm is
//     not allowed.
//   - "unknown_key": no configured or published key matches the token.
//   - "token_expired", "token_not_yet_valid": exp has passed, nbf has not.
//   - "wrong_issuer", "wrong_audience": iss or aud is not the expected one.
//   - "missing_claim": a required claim (exp, iss, aud) is absent.
//   - "bad_claim": a claim has the wrong type, or the launch patient is not
//     a FHIR resource ID.
//   - "no_patient": patient/ scopes without a launch patient.
//   - "token_inactive": the introspection endpoint says the token is not
//     active.
//   - "not_access_token": the introspection endpoint says the token is
//     active but not a bearer access token (a refresh token, say).
//   - "unavailable": a JWKS URL or introspection endpoint did not answer
//     usefully, or the request's context ended first.
type TokenError struct {
	// Reason is the short, stable cause listed above.
	Reason string

	// Err is the underlying error, when there is one. It may hold details
	// for an operator, never the token or its subject.
	Err error
}

// Error returns the sentinel's text, the reason and the cause.
func (e *TokenError) Error() string {
	msg := ErrInvalidToken.Error()
	if e.Reason == reasonUnavailable {
		msg = ErrUnavailable.Error()
	}
	msg += " (" + e.Reason + ")"
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is reports whether e matches target, one of the package's sentinel errors,
// as described on [TokenError].
func (e *TokenError) Is(target error) bool {
	switch target {
	case ErrUnavailable:
		return e.Reason == reasonUnavailable
	case ErrInvalidToken:
		return e.Reason != reasonUnavailable
	case ErrTokenExpired:
		return e.Reason == reasonExpired
	case ErrNoPatient:
		return e.Reason == reasonNoPatient
	}
	return false
}

// Unwrap returns the underlying error.
func (e *TokenError) Unwrap() error { return e.Err }

// newTokenError returns a *TokenError with the given reason and cause.
func newTokenError(reason string, err error) *TokenError {
	return &TokenError{Reason: reason, Err: err}
}
