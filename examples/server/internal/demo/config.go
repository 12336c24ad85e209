package demo

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// Config configures the demo server. Origin is required.
type Config struct {
	// Origin is the scheme, host and port clients use to reach the server,
	// such as "http://127.0.0.1:8080". The FHIR base is Origin + "/fhir",
	// the authorization server Origin + "/auth". Required.
	Origin string

	// DataPath is a FHIR R4 JSON file or a folder of them to load: Bundles
	// (.json) or NDJSON (.ndjson). Empty means the synthetic data set, when
	// the database is empty.
	DataPath string

	// DBPath is the SQLite database file. Empty means a database in memory.
	DBPath string

	// Patients is the number of synthetic patients. Zero means 6.
	Patients int

	// External, when set, trusts an external authorization server instead
	// of the embedded one.
	External *ExternalAuth

	// Logger receives the request log and the library's audit records.
	// Nil discards them.
	Logger *slog.Logger

	// Now returns the current time. Nil means time.Now.
	Now func() time.Time

	// Limit, when set, replaces the measured limit of the rate limiter, for
	// tests that need to reach it. Its justification is the demo's, with
	// this limit.
	Limit *Limit
}

// Limit is a rate limit for Config.Limit.
type Limit struct {
	// Rate is the sustained rate per client, in requests per second.
	Rate float64

	// Burst is the number of requests a client may send at once.
	Burst int
}

// ExternalAuth describes an authorization server the demo trusts instead
// of the embedded one. Issuer, AuthorizeURL and TokenURL are required,
// and one way to check tokens: JWKSURL, HMACSecret or IntrospectionURL.
type ExternalAuth struct {
	// Issuer is the authorization server's issuer (the iss of its tokens).
	Issuer string

	// AuthorizeURL and TokenURL are its endpoints, published in the
	// demo's SMART discovery document.
	AuthorizeURL string
	TokenURL     string

	// JWKSURL is the URL of its signing keys, for JWT access tokens.
	JWKSURL string

	// HMACSecret is the shared secret of an authorization server that
	// signs with HS256 (such as smart-launcher).
	HMACSecret []byte

	// IntrospectionURL is its RFC 7662 endpoint, for opaque tokens; the
	// demo authenticates with IntrospectionClientID and
	// IntrospectionSecret.
	IntrospectionURL      string
	IntrospectionClientID string
	IntrospectionSecret   string

	// Audience is the aud its tokens carry. Empty means the FHIR base URL.
	Audience string

	// PatientClaim is the claim holding the launch patient, such as
	// "patient" (the default) or "context.patient".
	PatientClaim string
}

// validate checks c and fills in defaults.
func (c *Config) validate() error {
	u, err := url.Parse(c.Origin)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" {
		return fmt.Errorf("demo: Config.Origin must be scheme://host:port, not %q", c.Origin)
	}
	if c.Patients < 0 {
		return errors.New("demo: Config.Patients must not be negative")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.External != nil {
		return c.External.validate()
	}
	return nil
}

// validate checks the external authorization server's description.
func (e *ExternalAuth) validate() error {
	switch {
	case e.Issuer == "" || e.AuthorizeURL == "" || e.TokenURL == "":
		return errors.New("demo: an external authorization server needs its issuer, " +
			"authorize URL and token URL")
	case e.JWKSURL == "" && e.HMACSecret == nil && e.IntrospectionURL == "":
		return errors.New("demo: an external authorization server needs a JWKS URL, " +
			"an HMAC secret or an introspection URL")
	}
	return nil
}
