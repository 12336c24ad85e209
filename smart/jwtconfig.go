package smart

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/fhirguard/fhirguard/smart/audit"
)

// Size bounds and cache defaults of a JWTAuthenticator.
const (
	defaultMaxTokenBytes  = 16 << 10
	defaultMaxHeaderBytes = 4 << 10
	defaultJWTCacheMaxAge = 5 * time.Minute

	// maxLeeway is the largest clock-skew allowance accepted: more would
	// stretch every token's lifetime noticeably.
	maxLeeway = 5 * time.Minute
)

// JWTConfig configures a [JWTAuthenticator]. Issuer, Audience and at least
// one source of keys (Keys, HMACSecret or JWKSURL) are required; every other
// field may be left zero for the default it documents. Sources may be
// combined: a configured key whose ID is the token's kid is tried alone;
// otherwise the JWKS's keys are tried, then configured keys without ID.
type JWTConfig struct {
	// Issuer is the authorization server's issuer identifier. A token's iss
	// claim must equal it exactly. Required.
	Issuer string

	// Audience is the FHIR server's base URL, as the authorization server
	// writes it in the aud claim. A token's aud must contain it exactly, so
	// an OpenID Connect ID token (whose aud is the app) or a token meant for
	// another server is refused. Required.
	Audience string

	// Keys are public keys trusted to sign tokens, with their key IDs.
	Keys []VerificationKey

	// HMACSecret is the shared secret of an authorization server that signs
	// with HS256, HS384 or HS512, such as smart-launcher (whose default
	// secret is public and too short: set its SECRET). It must be at least
	// 32 bytes long, and HS384 and HS512 need 48 and 64 bytes. HMAC is
	// weaker than a signature: whoever can verify a token with the secret
	// can also mint one, so a leak from this server (its memory, its
	// configuration) lets an attacker forge tokens for any patient. Prefer
	// RSA or ECDSA keys where the authorization server offers them.
	HMACSecret []byte

	// JWKSURL is the authorization server's JWKS URL (its jwks_uri). It
	// must be https, or http to a loopback host. The JWKS is fetched when
	// the authenticator is built, refreshed every JWKSRefreshInterval, and
	// refreshed when a token names a key ID it does not hold, at most once
	// per JWKSUnknownKeyInterval. Only keys meant for signatures (use "sig"
	// or absent) of a supported type and size are used; symmetric keys in a
	// JWKS are ignored.
	JWKSURL string

	// JWKSRefreshInterval is how often the JWKS is fetched in the
	// background. Zero means 15 minutes. A key withdrawn from the JWKS stops
	// verifying new tokens within this interval; tokens it verified before
	// stay accepted for up to CacheMaxAge more.
	JWKSRefreshInterval time.Duration

	// JWKSUnknownKeyInterval is the shortest time between two fetches
	// triggered by tokens naming an unknown key ID. Zero means 10 seconds.
	// It stops a flood of tokens with made-up key IDs from turning into a
	// flood of fetches; in exchange, a token signed with a key published
	// after the last fetch may be refused as having an unknown key for up
	// to this long.
	JWKSUnknownKeyInterval time.Duration

	// JWKSMaxWait is the longest a request waits for the JWKS fetch that its
	// unknown key ID triggers, including waiting for the rate limit. Zero
	// means 500 milliseconds. A request whose context ends first stops
	// waiting then.
	JWKSMaxWait time.Duration

	// HTTPClient fetches the JWKS. Nil means a client with the default
	// transport. Its transport is wrapped to bound the JWKS to 1 MiB.
	HTTPClient *http.Client

	// Algorithms is the allow-list of signature algorithms. Empty means
	// every algorithm the keys support: RS256, RS384, RS512, PS256, PS384
	// and PS512 with an RSA key or a JWKS URL; ES256, ES384 or ES512 with
	// an ECDSA key on the matching curve or a JWKS URL; HS256, HS384 and
	// HS512 only with an HMAC secret long enough for each. Naming an
	// algorithm that no configured key can verify, or "none", is an error.
	Algorithms []string

	// Leeway allows for clock skew between the authorization server and
	// this server when checking exp and nbf. Zero means none: a token is
	// refused from the second of its exp, and until the second of its nbf.
	// At most 5 minutes; 30 to 60 seconds is usual.
	Leeway time.Duration

	// MaxTokenBytes bounds the length of a token; a longer one is refused
	// before any decoding. Zero means 16 KiB.
	MaxTokenBytes int

	// MaxHeaderBytes bounds the encoded JOSE header. Zero means 4 KiB.
	MaxHeaderBytes int

	// CacheEntries bounds the number of validated tokens remembered. Zero
	// means 10,000; a negative value disables the cache.
	CacheEntries int

	// CacheMaxAge bounds how long a validated token is remembered, on top
	// of its exp. Zero means 5 minutes.
	CacheMaxAge time.Duration

	// Claims says which claims hold the launch patient, scopes, client ID
	// and fhirUser. The zero value maps the usual ones.
	Claims ClaimMapping

	// Audit receives a record of kind audit.KindMalformedScope for each
	// malformed scope of a token, when the token is first validated. Nil
	// discards them.
	Audit audit.Hook

	// Now returns the current time. Nil means time.Now. Tests set it to a
	// fixed instant.
	Now func() time.Time
}

// normalize checks cfg and fills in the defaults.
func (cfg *JWTConfig) normalize() error {
	switch {
	case cfg.Issuer == "":
		return errors.New("smart: JWTConfig.Issuer is required")
	case cfg.Audience == "":
		return errors.New("smart: JWTConfig.Audience (the FHIR base URL) is required")
	case len(cfg.Keys) == 0 && cfg.HMACSecret == nil && cfg.JWKSURL == "":
		return errors.New("smart: JWTConfig needs Keys, HMACSecret or JWKSURL")
	case cfg.Leeway < 0 || cfg.Leeway > maxLeeway:
		return fmt.Errorf("smart: JWTConfig.Leeway must be between 0 and %v", maxLeeway)
	case cfg.MaxTokenBytes < 0 || cfg.MaxHeaderBytes < 0:
		return errors.New("smart: JWTConfig size bounds must not be negative")
	case cfg.JWKSRefreshInterval < 0 || cfg.JWKSUnknownKeyInterval < 0 ||
		cfg.JWKSMaxWait < 0 || cfg.CacheMaxAge < 0:
		return errors.New("smart: JWTConfig durations must not be negative")
	}
	if cfg.JWKSURL != "" {
		if err := checkEndpointURL(cfg.JWKSURL); err != nil {
			return fmt.Errorf("smart: JWTConfig.JWKSURL: %w", err)
		}
	}
	if err := cfg.Claims.validate(); err != nil {
		return err
	}
	cfg.setDefaults()
	return nil
}

// setDefaults replaces zero fields by their defaults.
func (cfg *JWTConfig) setDefaults() {
	setDefault(&cfg.JWKSRefreshInterval, defaultJWKSRefreshInterval)
	setDefault(&cfg.JWKSUnknownKeyInterval, defaultJWKSUnknownKeyInterval)
	setDefault(&cfg.JWKSMaxWait, defaultJWKSMaxWait)
	setDefault(&cfg.CacheMaxAge, defaultJWTCacheMaxAge)
	setDefault(&cfg.MaxTokenBytes, defaultMaxTokenBytes)
	setDefault(&cfg.MaxHeaderBytes, defaultMaxHeaderBytes)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
}

// setDefault sets *p to def when it is zero.
func setDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}
