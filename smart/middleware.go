package smart

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fhirguard/fhirguard/smart/audit"
)

// defaultRetryAfter is the Retry-After of a 503 when GuardConfig.RetryAfter
// is zero.
const defaultRetryAfter = 5 * time.Second

// wellKnownPath is the SMART discovery document, below the FHIR base.
const wellKnownPath = ".well-known/smart-configuration"

// GuardConfig configures a [Guard]. Only Authenticator is required; every
// other zero field has the default its documentation gives.
type GuardConfig struct {
	// Authenticator turns bearer tokens into grants: a [JWTAuthenticator],
	// an [Introspector], or the server's own. Required.
	Authenticator Authenticator

	// BasePath is the path of the FHIR base, such as "/fhir". Requests
	// whose path is not below it pass through the Guard untouched, unless
	// a router that decodes, cleans or case-folds paths, or drops ";"
	// segment parameters, could still take them there ("/fhir%2FPatient",
	// "//fhir/Patient", "/FHIR/Patient", "/fhir;x/Patient"), in which case
	// they are refused with 400. Empty or "/" means the FHIR
	// base is the root, so that every request is a FHIR request. A trailing
	// slash is ignored. It must be a plain absolute path: no dot segments,
	// empty segments, percent signs, backslashes or non-ASCII bytes.
	BasePath string

	// Realm is the realm parameter of WWW-Authenticate challenges, such as
	// "fhir". Empty leaves the parameter out. It must be printable ASCII.
	Realm string

	// Operations registers the FHIR operations the server offers beyond
	// those built into the library, with what each needs from a token, or
	// replaces the requirement of a built-in one. Any other operation is
	// refused with 403.
	Operations []Operation

	// Audit receives a record of every request the Guard refuses. Nil
	// discards the records.
	Audit audit.Hook

	// RetryAfter is the delay a client is asked to wait, in the Retry-After
	// header, when the Authenticator could not check its token (503). Zero
	// means 5 seconds; it is rounded up to whole seconds.
	RetryAfter time.Duration

	// Now returns the current time, for audit records. Nil means time.Now.
	Now func() time.Time
}

// Guard is the SMART on FHIR middleware: it authenticates the bearer token
// of each request below the FHIR base and checks the request's FHIR
// interaction against the token's scopes before the server's handler runs.
// Build one with [NewGuard] and wrap handlers with [Guard.Handler].
//
// A Guard is safe for concurrent use. The zero Guard is not usable.
type Guard struct {
	auth       Authenticator
	base       string
	realm      string
	ops        operations
	audit      audit.Hook
	retryAfter string
	now        func() time.Time
}

// NewGuard checks cfg and returns a Guard, or an error naming every problem
// in cfg.
func NewGuard(cfg GuardConfig) (*Guard, error) {
	base, ops, err := cfg.check()
	if err != nil {
		return nil, err
	}
	g := &Guard{
		auth:       cfg.Authenticator,
		base:       base,
		realm:      cfg.Realm,
		ops:        ops,
		audit:      cfg.Audit,
		retryAfter: retryAfterSeconds(cfg.RetryAfter),
		now:        cfg.Now,
	}
	if g.now == nil {
		g.now = time.Now
	}
	return g, nil
}

// check validates cfg and returns its cleaned base path and its operation
// registry, or an error joining every problem found.
func (cfg *GuardConfig) check() (string, operations, error) {
	var errs []error
	if cfg.Authenticator == nil {
		errs = append(errs, errors.New("smart: GuardConfig.Authenticator is required"))
	}
	base, err := cleanBasePath(cfg.BasePath)
	if err != nil {
		errs = append(errs, err)
	}
	if !isPrintableASCII(cfg.Realm) {
		errs = append(errs, errors.New("smart: GuardConfig.Realm must be printable ASCII"))
	}
	if cfg.RetryAfter < 0 {
		errs = append(errs, errors.New("smart: GuardConfig.RetryAfter must not be negative"))
	}
	ops, err := newOperations(cfg.Operations)
	if err != nil {
		errs = append(errs, err)
	}
	return base, ops, errors.Join(errs...)
}

// retryAfterSeconds returns d as whole seconds, rounded up, for a
// Retry-After header; zero gives the default.
func retryAfterSeconds(d time.Duration) string {
	if d == 0 {
		d = defaultRetryAfter
	}
	return strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10)
}

// isPrintableASCII reports whether s holds only printable ASCII.
func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// Handler returns a handler that lets a request reach next only once the
// Guard has authorized it, deciding from the request alone:
//
//   - A path not below BasePath goes to next untouched. So do the SMART
//     discovery document ([base]/.well-known/smart-configuration) and CORS
//     preflight requests (OPTIONS with Origin and
//     Access-Control-Request-Method), which carry no token: next must not
//     serve data to OPTIONS requests. Public interactions (GET
//     [base]/metadata, [base]/$versions) go to next without a token check,
//     with the Interaction in their context.
//   - A request that is not a well-formed FHIR interaction gets 400 with an
//     OperationOutcome of type "invalid"; a method the path does not accept
//     gets 405, an Allow header and type "not-supported"; a form body over
//     1 MiB gets 413.
//   - A request without a Bearer token gets 401 with
//     `WWW-Authenticate: Bearer realm="..."`, no error code, and an
//     OperationOutcome of type "login". Two Authorization headers, a
//     malformed one, or an access_token in the query or form body get 400
//     with error="invalid_request".
//   - A token the Authenticator refuses, or one it accepts with patient/
//     scopes and no patient, gets 401 with error="invalid_token", a fixed
//     error_description and type "login"; the cause goes to the audit hook
//     only. A token that could not be checked ([ErrUnavailable]) gets 503
//     with Retry-After and type "transient".
//   - An interaction the token's scopes do not cover ([Authorize]) gets 403
//     with error="insufficient_scope", a scope parameter naming scopes that
//     would cover it (or an error_description when no scope would), and
//     type "forbidden".
//   - Otherwise next runs, with the [Grant] ([FromContext]) and the
//     [Interaction] ([InteractionFromContext]) in the request's context.
//
// Every error response has an OperationOutcome body and Cache-Control:
// no-store, and every refusal is reported to the audit hook. Handler panics
// if next is nil, as http.Handle does.
func (g *Guard) Handler(next http.Handler) http.Handler {
	if next == nil {
		panic("smart: Guard.Handler called with a nil handler")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.serve(w, r, next)
	})
}

// ParseEntry is [ParseEntry] with the operations registered with g, for a
// server's batch and transaction handler.
func (g *Guard) ParseEntry(method, url, ifNoneExist string) (Interaction, error) {
	return parseEntry(method, url, ifNoneExist, g.ops)
}

// serve decides one request, as Handler describes.
func (g *Guard) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rest, below := belowBase(r.URL.EscapedPath(), g.base)
	switch {
	case !below && reachesBase(r.URL, g.base):
		g.refuseRequest(w, r, badRequest("the path reaches the FHIR base only "+
			"after decoding, cleaning or changing case"))
		return
	case !below, isExempt(r, rest):
		next.ServeHTTP(w, r)
		return
	}

	in, form, err := parseHTTP(r, rest, g.ops)
	if err != nil {
		g.refuseRequest(w, r, err)
		return
	}
	if in.public() {
		next.ServeHTTP(w, r.WithContext(newRequestContext(r.Context(), nil, in)))
		return
	}

	grant, ok := g.authenticate(w, r, form)
	if !ok {
		return
	}
	if err := Authorize(grant, in); err != nil {
		g.refuseScope(w, r, grant, &in, err)
		return
	}
	next.ServeHTTP(w, r.WithContext(newRequestContext(r.Context(), grant, in)))
}

// isExempt reports whether a request below the base passes without any
// check: the SMART discovery document, and CORS preflight requests, which
// browsers send without credentials.
func isExempt(r *http.Request, rest string) bool {
	if strings.TrimPrefix(rest, "/") == wellKnownPath {
		return true
	}
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

// public reports whether in needs no token.
func (in *Interaction) public() bool {
	var buf [4]Need
	return in.requirement(buf[:0]).Public
}

// authenticate takes the request's token and has the Authenticator check
// it. When that fails it answers the request and returns false.
func (g *Guard) authenticate(w http.ResponseWriter, r *http.Request, form string) (*Grant, bool) {
	token, problem := bearerToken(r, form)
	if problem != nil {
		g.refuseToken(w, r, problem)
		return nil, false
	}
	grant, err := g.auth.Authenticate(r.Context(), token)
	switch {
	case err != nil:
	case grant == nil:
		err = errNoGrant
	case grant.Patient == "" && grant.Scopes.HasContext(ContextPatient):
		err = errGrantWithoutPatient
	}
	if err != nil {
		g.refuseAuthentication(w, r, err)
		return nil, false
	}
	return grant, true
}

// Errors standing for an Authenticator's result that the Guard refuses:
// neither a grant nor an error, or a grant with patient/ scopes and no
// patient, which an Authenticator should have refused itself.
var (
	errNoGrant             = errors.New("smart: the authenticator returned no grant and no error")
	errGrantWithoutPatient = fmt.Errorf("%w: %w: the authenticator accepted it",
		ErrInvalidToken, ErrNoPatient)
)
