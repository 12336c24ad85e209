package smart_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
)

func TestGuardTokenProblems(t *testing.T) {
	const noToken = "this FHIR server needs an access token in an Authorization: Bearer header"
	outside := refusal{status: 400, issue: "invalid", kind: audit.KindBadRequest,
		challenge: `Bearer realm="fhir", error="invalid_request", ` +
			`error_description="access tokens are accepted only in the Authorization header"`,
		diag:   "access tokens are accepted only in the Authorization header",
		reason: "token_outside_header"}
	malformed := refusal{status: 400, issue: "invalid", kind: audit.KindBadRequest,
		challenge: `Bearer realm="fhir", error="invalid_request", error_description=` +
			`"the Authorization header is not a well-formed Bearer credential"`,
		diag:   "the Authorization header is not a well-formed Bearer credential",
		reason: "malformed_authorization"}
	missing := refusal{status: 401, challenge: `Bearer realm="fhir"`, issue: "login",
		diag: noToken, kind: audit.KindUnauthenticated, reason: "no_token"}
	cases := []struct {
		name   string
		r      req
		header []string // Authorization header values
		want   refusal
		kind   smart.Kind // of the legitimate request; read unless set
	}{
		{name: "no token", r: req{method: "GET", target: "/fhir/Patient/123"}, want: missing},
		{name: "basic credentials", r: req{method: "GET", target: "/fhir/Patient/123"},
			header: []string{"Basic YWxhZGRpbjpvcGVuc2VzYW1l"}, want: missing},
		{name: "empty header", r: req{method: "GET", target: "/fhir/Patient/123"},
			header: []string{""}, want: missing},
		{name: "scheme without token", r: req{method: "GET", target: "/fhir/Patient/123"},
			header: []string{"Bearer"}, want: malformed},
		{name: "token with a space", r: req{method: "GET", target: "/fhir/Patient/123"},
			header: []string{"Bearer good extra"}, want: malformed},
		{name: "token with a comma", r: req{method: "GET", target: "/fhir/Patient/123"},
			header: []string{"Bearer good,Bearer good"}, want: malformed},
		{name: "two Authorization headers", r: req{method: "GET", target: "/fhir/Patient/123"},
			header: []string{"Bearer good", "Bearer good"},
			want: refusal{status: 400, issue: "invalid", kind: audit.KindBadRequest,
				challenge: `Bearer realm="fhir", error="invalid_request", ` +
					`error_description="the request has more than one Authorization header"`,
				diag:   "the request has more than one Authorization header",
				reason: "repeated_authorization"}},
		{name: "token in the query as well", header: []string{"Bearer good"},
			r: req{method: "GET", target: "/fhir/Patient/123?access_token=good"}, want: outside},
		{name: "token in the query only",
			r: req{method: "GET", target: "/fhir/Patient/123?access_token=good"}, want: outside},
		{name: "token parameter behind a semicolon",
			r: req{method: "GET", target: "/fhir/Patient/123?a=1;access_token=good"}, want: outside},
		{name: "encoded token parameter in the query",
			r: req{method: "GET", target: "/fhir/Patient/123?access%5Ftoken=good"}, want: outside},
		{name: "token in a form body", header: []string{"Bearer good"},
			r: req{method: "POST", target: "/fhir/Observation/_search",
				body: "code=1&access_token=good", contentType: formType}, want: outside,
			kind: smart.KindSearchType},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.kind == 0 {
				tc.kind = smart.KindRead
			}
			f := newFixture(t, nil)
			f.token("good", "user/*.cruds")
			tc.r.header = http.Header{"Authorization": tc.header}
			if tc.header == nil {
				tc.r.header = nil
			}
			f.expectRefusal(t, f.do(tc.r, ""), tc.want)

			// The same request as a SMART client sends it reaches the handler.
			legit := tc.r
			legit.target, _, _ = strings.Cut(tc.r.target, "?")
			legit.body = strings.TrimSuffix(tc.r.body, "&access_token=good")
			legit.header = http.Header{"Authorization": {"Bearer good"}}
			f.expectReached(t, f.do(legit, ""), legit, "good", tc.kind)
		})
	}
}

func TestGuardAcceptsBearerSpellings(t *testing.T) {
	for _, h := range []string{"Bearer good", "bearer good", "BEARER good", "Bearer  good",
		"Bearer good=="} {
		f := newFixture(t, nil)
		f.auth["good=="] = fakeResult{grant: &smart.Grant{Scopes: smart.ParseScopes("user/*.r")}}
		f.token("good", "user/*.r")
		r := req{method: "GET", target: "/fhir/Patient/1", header: http.Header{"Authorization": {h}}}
		if w := f.do(r, ""); w.Code != 200 {
			t.Errorf("%q: status %d, want 200", h, w.Code)
		}
	}
}

func TestGuardAuthenticationFailures(t *testing.T) {
	invalid := func(text, reason string) refusal {
		return refusal{status: 401, issue: "login", diag: text, reason: reason,
			kind: audit.KindUnauthenticated,
			challenge: `Bearer realm="fhir", error="invalid_token", error_description="` +
				text + `"`}
	}
	unavailable := refusal{status: 503, issue: "transient", kind: audit.KindUnavailable,
		diag: "the access token could not be checked now; retry later", reason: "unavailable"}
	cases := []struct {
		name       string
		result     fakeResult
		retryAfter time.Duration
		want       refusal
		wantRetry  string
	}{
		{name: "unknown key", result: fakeResult{err: &smart.TokenError{Reason: "unknown_key"}},
			want: invalid("the access token is not valid", "unknown_key")},
		{name: "expired", result: fakeResult{err: &smart.TokenError{Reason: "token_expired"}},
			want: invalid("the access token has expired", "token_expired")},
		{name: "patient scopes without a patient",
			result: fakeResult{err: fmt.Errorf("%w: %w", smart.ErrInvalidToken, smart.ErrNoPatient)},
			want:   invalid("the access token has patient scopes but no patient", "no_patient")},
		{name: "a grant with patient scopes and no patient",
			result: fakeResult{grant: &smart.Grant{ClientID: "app",
				Scopes: smart.ParseScopes("patient/Observation.rs")}},
			want: invalid("the access token has patient scopes but no patient", "no_patient")},
		{name: "plain error", result: fakeResult{err: errors.New("boom")},
			want: invalid("the access token is not valid", "invalid_token")},
		{name: "neither grant nor error", result: fakeResult{},
			want: invalid("the access token is not valid", "invalid_token")},
		{name: "unavailable", result: fakeResult{err: &smart.TokenError{Reason: "unavailable"}},
			want: unavailable, wantRetry: "5"},
		{name: "unavailable with a configured delay",
			result:     fakeResult{err: fmt.Errorf("jwks: %w", smart.ErrUnavailable)},
			retryAfter: 1500 * time.Millisecond, want: unavailable, wantRetry: "2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *smart.GuardConfig) { c.RetryAfter = tc.retryAfter })
			f.auth["tok"] = tc.result
			w := f.do(req{method: "GET", target: "/fhir/Observation?subject=Jane"}, "tok")
			f.expectRefusal(t, w, tc.want)
			if got := w.Header().Get("Retry-After"); got != tc.wantRetry {
				t.Errorf("Retry-After %q, want %q", got, tc.wantRetry)
			}
			rec := f.log.all()[0]
			if tc.result.err != nil && rec.Detail != tc.result.err.Error() {
				t.Errorf("audit detail %q, want the cause %q", rec.Detail, tc.result.err)
			}
			if strings.Contains(w.Body.String(), "boom") || strings.Contains(w.Body.String(), "jwks") {
				t.Errorf("the client saw the cause: %s", w.Body)
			}

			r := req{method: "GET", target: "/fhir/Observation?subject=Jane"}
			w = f.do(r, f.token("good", "patient/Observation.rs"))
			f.expectReached(t, w, r, "good", smart.KindSearchType)
		})
	}
}

func TestGuardAuditHoldsNoSecrets(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.token("secret-token-value", "patient/Condition.rs")
	f.auth[tok].grant.TokenID = "jti-1"
	f.do(req{method: "GET", target: "/fhir/Observation?name=Jane&birthdate=1970-01-01"}, tok)
	f.do(req{method: "GET", target: "/fhir/Observation?name=Jane&access_token=secret-token-value"}, "")
	f.do(req{method: "GET", target: "/fhir/Observation?name=Jane"}, "")
	recs := f.log.all()
	if len(recs) != 3 {
		t.Fatalf("%d audit records, want 3", len(recs))
	}
	for _, rec := range recs {
		text := fmt.Sprintf("%+v", rec)
		for _, secret := range []string{"Jane", "1970", "secret-token-value", "jane.doe", "?"} {
			if strings.Contains(text, secret) {
				t.Errorf("audit record holds %q: %s", secret, text)
			}
		}
		if rec.Path != "/fhir/Observation" {
			t.Errorf("audit path %q", rec.Path)
		}
	}
}
