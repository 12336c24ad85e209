package smart

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/fhirguard/fhirguard/smart/audit"
)

// Defaults of an Introspector.
const (
	defaultIntrospectionMaxAge   = time.Minute
	defaultIntrospectionTimeout  = 2 * time.Second
	defaultIntrospectionMaxBytes = 64 << 10
)

// IntrospectionConfig configures an [Introspector]. Endpoint and one way of
// authenticating to it (ClientID with ClientSecret, or BearerToken) are
// required; every other field may be left zero for the default it
// documents.
type IntrospectionConfig struct {
	// Endpoint is the authorization server's introspection endpoint. It
	// must be https, or http to a loopback host. Required.
	Endpoint string

	// ClientID and ClientSecret authenticate this server to the endpoint
	// with HTTP Basic, as RFC 7662 section 2.1 and RFC 6749 section 2.3.1
	// describe. Set both, or set BearerToken instead.
	ClientID     string
	ClientSecret string

	// BearerToken authenticates this server to the endpoint with an
	// Authorization: Bearer header instead of client credentials.
	BearerToken string

	// Audience, when set, must be named by the aud member of the answer (a
	// string or a list): a token issued for another resource server is then
	// refused. Empty means aud is not checked, since RFC 7662 makes it
	// optional and many servers omit it.
	Audience string

	// Claims says which members of the answer hold the launch patient,
	// scopes, client ID and fhirUser. The zero value maps the members SMART
	// defines: patient, scope, client_id and fhirUser.
	Claims ClaimMapping

	// MaxAge bounds how long an answer is reused, and so how long a revoked
	// token keeps working here. Zero means one minute.
	MaxAge time.Duration

	// Timeout bounds each call to the endpoint, within the request's own
	// context. Zero means 2 seconds.
	Timeout time.Duration

	// MaxResponseBytes bounds the answer read; a longer one leaves the token
	// undecided. Zero means 64 KiB.
	MaxResponseBytes int64

	// MaxTokenBytes bounds the length of a token sent to the endpoint; a
	// longer one is refused. Zero means 16 KiB.
	MaxTokenBytes int

	// CacheEntries bounds the number of answers remembered. Zero means
	// 10,000; a negative value disables the cache.
	CacheEntries int

	// HTTPClient calls the endpoint. Nil means a client with the default
	// transport.
	HTTPClient *http.Client

	// Audit receives a record of kind audit.KindMalformedScope for each
	// malformed scope of a token, each time the token is introspected. Nil
	// discards them.
	Audit audit.Hook

	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
}

// normalize checks cfg and fills in the defaults.
func (cfg *IntrospectionConfig) normalize() error {
	if err := checkEndpointURL(cfg.Endpoint); err != nil {
		return fmt.Errorf("smart: IntrospectionConfig.Endpoint: %w", err)
	}
	basic := cfg.ClientID != "" || cfg.ClientSecret != ""
	switch {
	case basic && cfg.BearerToken != "":
		return errors.New("smart: IntrospectionConfig: set credentials or BearerToken, not both")
	case basic && (cfg.ClientID == "" || cfg.ClientSecret == ""):
		return errors.New("smart: IntrospectionConfig: ClientID and ClientSecret go together")
	case !basic && cfg.BearerToken == "":
		return errors.New("smart: IntrospectionConfig needs client credentials or BearerToken")
	case cfg.MaxAge < 0 || cfg.Timeout < 0 || cfg.MaxResponseBytes < 0 || cfg.MaxTokenBytes < 0:
		return errors.New("smart: IntrospectionConfig durations and bounds must not be negative")
	}
	if err := cfg.Claims.validate(); err != nil {
		return err
	}

	setDefault(&cfg.MaxAge, defaultIntrospectionMaxAge)
	setDefault(&cfg.Timeout, defaultIntrospectionTimeout)
	setDefault(&cfg.MaxResponseBytes, defaultIntrospectionMaxBytes)
	setDefault(&cfg.MaxTokenBytes, defaultMaxTokenBytes)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return nil
}
