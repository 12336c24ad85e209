package smart

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Introspector is an [Authenticator] for opaque access tokens: it asks the
// authorization server's token introspection endpoint (RFC 7662) about each
// token, as SMART App Launch 2.x describes, and maps the answer (active,
// scope, client_id, exp, sub, patient, fhirUser, iss, jti) to a [Grant]
// with the same [ClaimMapping] as [JWTAuthenticator]. Build one with
// [NewIntrospector]; the zero value is not usable.
//
// A token is accepted only when the endpoint answers 200 with a JSON object
// whose active member is true, whose token_type, if present, is Bearer,
// whose exp, if present, has not passed, and whose claims map to a Grant.
// An inactive token is invalid. An endpoint that cannot be reached, times
// out, answers anything but 200, or answers with something other than such
// an object leaves the token undecided: the error matches [ErrUnavailable]
// and the request is refused with 503, never let through.
//
// # Revocation latency
//
// An accepted token is remembered, keyed by its SHA-256, until its exp or
// until [IntrospectionConfig.MaxAge] after the endpoint answered, whichever
// is first. MaxAge therefore bounds how long a revoked token keeps working
// here: a token revoked at the authorization server is refused at the
// latest MaxAge after it was last introspected. Lower MaxAge for faster
// revocation, at the cost of more calls to the endpoint.
//
// An Introspector is safe for concurrent use.
type Introspector struct {
	endpoint string
	authz    string
	client   *http.Client
	cache    *tokenCache
	cfg      IntrospectionConfig
}

var _ Authenticator = (*Introspector)(nil)

// NewIntrospector checks cfg and returns an Introspector.
func NewIntrospector(cfg IntrospectionConfig) (*Introspector, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	var client http.Client
	if cfg.HTTPClient != nil {
		client = *cfg.HTTPClient
	}
	if client.CheckRedirect == nil {
		// A redirect would resend the token elsewhere; its 3xx answer
		// leaves the token undecided instead.
		client.CheckRedirect = func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}
	}
	return &Introspector{
		endpoint: cfg.Endpoint,
		authz:    cfg.authorization(),
		client:   &client,
		cache:    newTokenCache(cfg.CacheEntries),
		cfg:      cfg,
	}, nil
}

// Authenticate introspects token, or finds it in the cache, and returns
// its Grant. A refusal is a [*TokenError] matching [ErrInvalidToken] (and
// [ErrTokenExpired] or [ErrNoPatient] where they apply); an undecided token
// matches [ErrUnavailable] instead.
//
// Malformed scopes do not fail the token; they grant nothing and are
// reported to the audit hook each time the token is introspected.
func (in *Introspector) Authenticate(ctx context.Context, token string) (*Grant, error) {
	if token == "" {
		return nil, newTokenError(reasonMalformed, errors.New("empty token"))
	}
	if len(token) > in.cfg.MaxTokenBytes {
		return nil, newTokenError(reasonTooLarge, nil)
	}
	now := in.cfg.Now()
	key := hashToken(token)
	if g := in.cache.get(&key, now); g != nil {
		return g, nil
	}

	claims, err := in.introspect(ctx, token)
	if err != nil {
		return nil, err
	}
	g, err := in.grant(claims, now)
	if err != nil {
		return nil, err
	}

	auditMalformedScopes(ctx, in.cfg.Audit, g, now)
	deadline := now.Add(in.cfg.MaxAge)
	if !g.Expiry.IsZero() {
		deadline = earliest(deadline, g.Expiry)
	}
	in.cache.put(&key, g, deadline, now)
	return g, nil
}

// introspect asks the endpoint about token and returns the answer of an
// active token.
func (in *Introspector) introspect(ctx context.Context, token string) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, in.cfg.Timeout)
	defer cancel()

	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}.Encode()
	payload := strings.NewReader(form)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.endpoint, payload)
	if err != nil {
		return nil, newTokenError(reasonUnavailable, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", in.authz)

	resp, err := in.client.Do(req)
	if err != nil {
		return nil, newTokenError(reasonUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, newTokenError(reasonUnavailable,
			fmt.Errorf("introspection endpoint answered %d", resp.StatusCode))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, in.cfg.MaxResponseBytes+1))
	if err != nil {
		return nil, newTokenError(reasonUnavailable, err)
	}
	return decodeIntrospection(body, in.cfg.MaxResponseBytes)
}

// decodeIntrospection reads an introspection response: a JSON object with
// a boolean active member, no longer than limit.
func decodeIntrospection(body []byte, limit int64) (map[string]any, error) {
	if int64(len(body)) > limit {
		return nil, newTokenError(reasonUnavailable,
			fmt.Errorf("introspection response longer than %d bytes", limit))
	}
	var claims map[string]any
	if err := json.Unmarshal(body, &claims); err != nil || claims == nil {
		return nil, newTokenError(reasonUnavailable,
			errors.New("introspection response is not a JSON object"))
	}
	active, ok := claims["active"].(bool)
	if !ok {
		return nil, newTokenError(reasonUnavailable,
			errors.New("introspection response has no boolean active member"))
	}
	if !active {
		return nil, newTokenError(reasonInactive, nil)
	}
	return claims, nil
}

// grant maps the answer of an active token to its Grant, refusing one that
// is not a bearer access token, has expired or, when an audience is
// configured, was not issued for it.
func (in *Introspector) grant(claims map[string]any, now time.Time) (*Grant, error) {
	if err := checkAccessToken(claims); err != nil {
		return nil, err
	}
	g, err := grantFromClaims(claims, in.cfg.Claims)
	if err != nil {
		return nil, err
	}
	if !g.Expiry.IsZero() && !now.Before(g.Expiry) {
		return nil, newTokenError(reasonExpired, errors.New("active token past its exp"))
	}
	if in.cfg.Audience != "" && !hasAudience(claims, in.cfg.Audience) {
		return nil, newTokenError(reasonWrongAudience, nil)
	}
	return g, nil
}

// checkAccessToken refuses the answer about a token that is not a bearer
// access token, as its token_type (RFC 7662 section 2.2: a type of RFC 6749
// section 7.1, "Bearer" here) or its token_use (which some authorization
// servers add) says when present. An endpoint that answers for refresh
// tokens too would otherwise let a refresh token stand in for an access
// token: a stolen one would then work without the client authentication
// that refreshing needs, and outlive every access token.
func checkAccessToken(claims map[string]any) error {
	if v, ok := claims["token_type"]; ok {
		if s, _ := v.(string); !strings.EqualFold(s, "Bearer") {
			return newTokenError(reasonNotAccessToken, errors.New("token_type is not Bearer"))
		}
	}
	if v, ok := claims["token_use"]; ok && v != "access_token" {
		return newTokenError(reasonNotAccessToken, errors.New("token_use is not access_token"))
	}
	return nil
}

// hasAudience reports whether the aud claim, a string or a list of
// strings, names aud.
func hasAudience(claims map[string]any, aud string) bool {
	switch v := claims["aud"].(type) {
	case string:
		return v == aud
	case []any:
		return slices.Contains(v, any(aud))
	}
	return false
}

// authorization returns the Authorization header value for the endpoint:
// HTTP Basic with the form-encoded client credentials (RFC 6749 section
// 2.3.1), or the bearer token.
func (cfg *IntrospectionConfig) authorization() string {
	if cfg.BearerToken != "" {
		return "Bearer " + cfg.BearerToken
	}
	pair := url.QueryEscape(cfg.ClientID) + ":" + url.QueryEscape(cfg.ClientSecret)
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(pair))
}
