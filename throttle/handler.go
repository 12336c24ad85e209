package throttle

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/fhirguard/fhirguard/internal/outcome"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
)

// Handler returns middleware that applies the limit to next. Place it
// after the smart middleware to key requests by the OAuth client of their
// grant, or before it to key them by IP address (see
// [Config].TrustedProxies); a request without a grant is always keyed by
// address.
//
// A request within the limit, every request once the justification's
// window has ended, and every request the store cannot decide on reach next
// unchanged. A request over the limit receives:
//
//   - status 429 Too Many Requests;
//   - Retry-After: the whole seconds, rounded up, until the key's bucket
//     holds a request again (never past the end of the window);
//   - a FHIR OperationOutcome with issue code "throttled" whose
//     diagnostics state the limit, the justification's ID and exception,
//     and the contact;
//
// and the limiter hands an audit record of kind [audit.KindThrottled] to
// [Config].Audit, with the justification's ID and, when there is a grant,
// its client, token and patient IDs, never the IP address or the query.
func (l *Limiter) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := l.now()
		key, ok := l.key(r)
		if !ok {
			if now.Before(l.end) {
				l.failedOpen.Add(1)
			}
			next.ServeHTTP(w, r)
			return
		}
		if d := l.decide(r.Context(), key, now); !d.Allowed {
			l.refuse(w, r, d.RetryAfter, now)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refuse answers a request over the limit, and reports it.
func (l *Limiter) refuse(w http.ResponseWriter, r *http.Request, wait time.Duration,
	now time.Time) {

	secs := retryAfter(wait, l.end.Sub(now))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	outcome.Write(w, http.StatusTooManyRequests, outcome.Throttled,
		l.diag+" Retry after "+strconv.Itoa(secs)+" s.")

	rec := audit.Record{
		Time: now, Kind: audit.KindThrottled, Component: "throttle",
		Reason: "rate_limited", Status: http.StatusTooManyRequests,
		Method: r.Method, Path: r.URL.Path, Justification: l.j.ID,
		Detail: fmt.Sprintf("over %v requests per second (burst %d); retry after %d s",
			l.bucket.Rate, l.bucket.Burst, secs),
	}
	if g, ok := smart.FromContext(r.Context()); ok {
		rec.ClientID, rec.TokenID, rec.Patient = g.ClientID, g.TokenID, g.Patient
	}
	l.hook.Emit(r.Context(), rec)
}

// retryAfter converts the wait for the next token into the whole seconds
// of a Retry-After header: rounded up, at least one, and no later than the
// end of the window, after which nothing is limited.
func retryAfter(wait, untilEnd time.Duration) int {
	wait = min(wait, untilEnd)
	return max(1, int(math.Ceil(wait.Seconds())))
}
