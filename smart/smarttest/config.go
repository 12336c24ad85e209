package smarttest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Default lifetimes, used when the matching [Config] field is zero.
const (
	// DefaultTokenLifetime is how long an access token stays valid.
	DefaultTokenLifetime = time.Hour

	// DefaultRefreshTokenLifetime is how long a refresh token stays valid.
	DefaultRefreshTokenLifetime = 24 * time.Hour
)

// Fixed lifetimes of the short-lived artefacts of a launch. Tests that
// inject a clock through [Config].Now move it past these to see expiry.
const (
	// CodeLifetime is how long an authorization code can be redeemed.
	CodeLifetime = time.Minute

	// ConsentLifetime is how long a consent page stays valid between the
	// authorization request and the patient's answer.
	ConsentLifetime = 10 * time.Minute
)

// ErrConfig is matched by every error that [New] and [Start] return for
// an invalid [Config].
var ErrConfig = errors.New("smarttest: invalid configuration")

// Config configures a [Server]. FHIRBaseURL and Patients are required;
// every other field has a working zero value, as each field says.
type Config struct {
	// Issuer is the server's own base URL, such as
	// "http://127.0.0.1:8080/auth": the iss claim of its tokens, and the
	// prefix of its endpoints (Issuer + "/authorize", "/token", ...).
	// Required by [New], whose handler serves the paths below the
	// issuer's path. [Start] sets it from the listener and refuses a
	// non-empty value. A trailing slash is removed.
	Issuer string

	// FHIRBaseURL is the base URL of the FHIR server the tokens are for:
	// the aud claim of every token, and the only aud value an
	// authorization request may carry. Required. A trailing slash is
	// removed.
	FHIRBaseURL string

	// Patients are the patients offered in the picker of the consent page,
	// in this order; the first is selected by default. At least one is
	// required, and IDs must be distinct.
	Patients []Patient

	// Clients are registered clients. A client that is not listed is
	// accepted as a public client with loopback redirect URIs only. A
	// listed client may add other redirect URIs and, with a secret, is
	// confidential. Nil means no registered clients.
	Clients []Client

	// TokenLifetime is the lifetime of access tokens. Zero means
	// [DefaultTokenLifetime].
	TokenLifetime time.Duration

	// RefreshTokenLifetime is the lifetime of each refresh token. Zero
	// means [DefaultRefreshTokenLifetime].
	RefreshTokenLifetime time.Duration

	// Algorithm signs the access tokens of launches: [RS256] or [ES256].
	// Empty means RS256. ID tokens are always RS256, and [Server.Mint]
	// chooses per token.
	Algorithm Algorithm

	// RSAKey signs RS256 tokens; it must have at least 2048 bits. Nil
	// means a new key generated at construction (about a tenth of a
	// second), so that two servers never trust each other's tokens.
	RSAKey *rsa.PrivateKey

	// ECKey signs ES256 tokens; it must be on the P-256 curve. Nil means
	// a new key generated at construction.
	ECKey *ecdsa.PrivateKey

	// Now returns the current time. Nil means time.Now. Tests inject a
	// fixed or movable clock to see codes and tokens expire.
	Now func() time.Time
}

// Patient is a patient offered in the picker of the consent page. The zero
// value is not valid: ID is required.
type Patient struct {
	// ID is the FHIR resource ID of the Patient, without "Patient/". It
	// becomes the patient claim of the token. It must match the FHIR id
	// pattern [A-Za-z0-9\-\.]{1,64}.
	ID string

	// Name is shown in the picker. Empty means the ID is shown.
	Name string
}

// Client is a registered OAuth client. The zero value is not valid: ID is
// required.
type Client struct {
	// ID is the client_id. Required, printable ASCII.
	ID string

	// Secret makes the client confidential: the token endpoint then
	// requires it, by HTTP Basic (client_secret_basic) or in the form
	// (client_secret_post). Empty means a public client.
	Secret string

	// RedirectURIs are the redirect URIs the client may use besides the
	// loopback ones every client may use. Each must be an absolute http
	// or https URL without a fragment, and is compared exactly.
	RedirectURIs []string
}

// validate checks c and returns it with defaults filled in.
func (c Config) validate() (Config, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
	}

	var err error
	if c.FHIRBaseURL, err = baseURL(c.FHIRBaseURL); err != nil {
		bad("FHIRBaseURL: %v", err)
	}
	if c.Issuer, err = baseURL(c.Issuer); err != nil {
		bad("Issuer: %v", err)
	} else if !isMountPath(issuerPath(c.Issuer)) {
		bad("Issuer: path may hold only letters, digits and - . _ ~ / with no empty segment")
	}
	for _, msg := range slices.Concat(c.checkPatients(), c.checkClients(), c.checkKeys()) {
		bad("%s", msg)
	}
	if c.Algorithm != "" && c.Algorithm != RS256 && c.Algorithm != ES256 {
		bad("Algorithm: %q is not RS256 or ES256", c.Algorithm)
	}
	if c.TokenLifetime < 0 || c.RefreshTokenLifetime < 0 {
		bad("lifetimes must not be negative")
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}

	return c.withDefaults(), nil
}

// withDefaults fills in the zero-valued optional fields, and copies the
// slices so that the caller's later changes do not reach the server.
func (c Config) withDefaults() Config {
	c.Patients = slices.Clone(c.Patients)
	c.Clients = slices.Clone(c.Clients)
	for i := range c.Clients {
		c.Clients[i].RedirectURIs = slices.Clone(c.Clients[i].RedirectURIs)
	}
	if c.TokenLifetime == 0 {
		c.TokenLifetime = DefaultTokenLifetime
	}
	if c.RefreshTokenLifetime == 0 {
		c.RefreshTokenLifetime = DefaultRefreshTokenLifetime
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// checkPatients reports problems with c.Patients.
func (c Config) checkPatients() []string {
	if len(c.Patients) == 0 {
		return []string{"Patients: at least one patient is required"}
	}
	var errs []string
	seen := make(map[string]bool, len(c.Patients))
	for i, p := range c.Patients {
		if !isFHIRID(p.ID) {
			errs = append(errs, fmt.Sprintf("Patients[%d]: ID %q is not a FHIR resource ID", i, p.ID))
		}
		if seen[p.ID] {
			errs = append(errs, fmt.Sprintf("Patients[%d]: ID %q is listed twice", i, p.ID))
		}
		seen[p.ID] = true
	}
	return errs
}

// checkClients reports problems with c.Clients.
func (c Config) checkClients() []string {
	var errs []string
	seen := make(map[string]bool, len(c.Clients))
	for i, cl := range c.Clients {
		if !isPrintable(cl.ID) {
			errs = append(errs, fmt.Sprintf("Clients[%d]: ID must be non-empty printable ASCII", i))
		}
		if seen[cl.ID] {
			errs = append(errs, fmt.Sprintf("Clients[%d]: ID %q is listed twice", i, cl.ID))
		}
		seen[cl.ID] = true
		for _, u := range cl.RedirectURIs {
			if _, err := parseRedirectURI(u); err != nil {
				errs = append(errs, fmt.Sprintf("Clients[%d]: redirect URI %q: %v", i, u, err))
			}
		}
	}
	return errs
}

// checkKeys reports signing keys that are too weak or on the wrong curve.
func (c Config) checkKeys() []string {
	var errs []string
	if c.RSAKey != nil && c.RSAKey.N.BitLen() < 2048 {
		errs = append(errs, "RSAKey: must have at least 2048 bits")
	}
	if c.ECKey != nil && c.ECKey.Curve != elliptic.P256() {
		errs = append(errs, "ECKey: must be on the P-256 curve")
	}
	return errs
}

// baseURL checks that s is an absolute http or https URL without user
// information, query or fragment, and removes a trailing slash.
func baseURL(s string) (string, error) {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return "", errors.New("required")
	case err != nil:
		return "", errors.New("not a URL")
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return "", errors.New("must be an absolute http or https URL")
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", errors.New("must have no user information, query or fragment")
	}
	return strings.TrimSuffix(s, "/"), nil
}

// issuerPath returns the path of a validated issuer URL, without a trailing
// slash: "" for an issuer at the root of its host.
func issuerPath(issuer string) string {
	u, _ := url.Parse(issuer)
	return strings.TrimSuffix(u.EscapedPath(), "/")
}

// isMountPath reports whether p is empty or a plain path: segments of
// unreserved characters, each non-empty. Such a path can be used in a
// [net/http.ServeMux] pattern as it is.
func isMountPath(p string) bool {
	if p == "" {
		return true
	}
	for seg := range strings.SplitSeq(strings.TrimPrefix(p, "/"), "/") {
		if seg == "" || seg == "." || seg == ".." || strings.Trim(seg, unreserved) != "" {
			return false
		}
	}
	return p[0] == '/'
}

// unreserved holds the RFC 3986 unreserved characters.
const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

// isFHIRID reports whether s matches the FHIR R4 id pattern
// [A-Za-z0-9\-\.]{1,64}.
func isFHIRID(s string) bool {
	return len(s) > 0 && len(s) <= 64 && strings.Trim(s, unreserved[:64]) == ""
}

// isPrintable reports whether s is non-empty printable ASCII, the syntax of
// a client_id (RFC 6749 appendix A.1).
func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return s != ""
}
