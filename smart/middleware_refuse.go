package smart

import (
	"errors"
	"net/http"

	"github.com/fhirguard/fhirguard/internal/outcome"
	"github.com/fhirguard/fhirguard/smart/audit"
)

// The fixed texts clients receive. They say what went wrong without any
// detail of the token or of the data.
const (
	textNoToken = "this FHIR server needs an access token in an " +
		"Authorization: Bearer header"
	textInvalidToken = "the access token is not valid"
	textExpiredToken = "the access token has expired"
	textNoPatient    = "the access token has patient scopes but no patient"
	textUnavailable  = "the access token could not be checked now; retry later"
	textForbidden    = "the access token's scopes do not cover this request: "
)

// refuseRequest answers a request that is not a well-formed interaction.
func (g *Guard) refuseRequest(w http.ResponseWriter, r *http.Request, err error) {
	var re *RequestError
	if !errors.As(err, &re) {
		re = badRequest("the request is not a FHIR interaction")
	}
	issue, reason := outcome.Invalid, "bad_request"
	if re.Status == http.StatusMethodNotAllowed {
		issue, reason = outcome.NotSupported, "method_not_allowed"
		w.Header().Set("Allow", re.Allow)
	}
	g.emit(r, nil, audit.Record{
		Kind: audit.KindBadRequest, Reason: reason, Detail: re.Reason, Status: re.Status,
	})
	outcome.Write(w, re.Status, issue, re.Reason)
}

// refuseToken answers a request whose token could not be taken from it.
func (g *Guard) refuseToken(w http.ResponseWriter, r *http.Request, p *tokenProblem) {
	kind, issue, text := audit.KindBadRequest, outcome.Invalid, p.description
	if p.status == http.StatusUnauthorized {
		kind, issue, text = audit.KindUnauthenticated, outcome.Login, textNoToken
	}
	g.challenge(w, challenge{realm: g.realm, code: p.code, description: p.description})
	g.emit(r, nil, audit.Record{
		Kind: kind, Reason: p.reason, Detail: text, Status: p.status,
	})
	outcome.Write(w, p.status, issue, text)
}

// refuseAuthentication answers a request whose token the Authenticator
// refused or could not check; err is the Authenticator's error.
func (g *Guard) refuseAuthentication(w http.ResponseWriter, r *http.Request, err error) {
	rec := audit.Record{Reason: authReason(err), Detail: err.Error()}
	if errors.Is(err, ErrUnavailable) {
		rec.Kind, rec.Status = audit.KindUnavailable, http.StatusServiceUnavailable
		w.Header().Set("Retry-After", g.retryAfter)
		g.emit(r, nil, rec)
		outcome.Write(w, rec.Status, outcome.Transient, textUnavailable)
		return
	}

	text := textInvalidToken
	switch {
	case errors.Is(err, ErrTokenExpired):
		text = textExpiredToken
	case errors.Is(err, ErrNoPatient):
		text = textNoPatient
	}
	rec.Kind, rec.Status = audit.KindUnauthenticated, http.StatusUnauthorized
	g.challenge(w, challenge{realm: g.realm, code: codeInvalidToken, description: text})
	g.emit(r, nil, rec)
	outcome.Write(w, rec.Status, outcome.Login, text)
}

// authReason returns the audit reason of an Authenticator's error: the
// Reason of a [*TokenError], or a generic one.
func authReason(err error) string {
	var te *TokenError
	switch {
	case errors.As(err, &te):
		return te.Reason
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	case errors.Is(err, ErrNoPatient):
		return "no_patient"
	}
	return "invalid_token"
}

// refuseScope answers an interaction that grant does not cover; err is the
// error from Authorize.
func (g *Guard) refuseScope(w http.ResponseWriter, r *http.Request, grant *Grant,
	in *Interaction, err error) {
	var ise *InsufficientScopeError
	if !errors.As(err, &ise) {
		ise = newInsufficientScope(grant, in, nil)
	}
	ch := challenge{realm: g.realm, code: codeInsufficientScope, scope: ise.Scope}
	if ise.Scope == "" {
		ch.description = ise.describe()
	}
	reason := "insufficient_scope"
	if len(ise.Missing) == 0 {
		reason = "operation_not_enabled"
	}
	g.challenge(w, ch)
	g.emit(r, grant, audit.Record{
		Kind: audit.KindForbidden, Reason: reason, Detail: ise.describe(),
		Status: http.StatusForbidden, ResourceType: in.Type, ResourceID: in.ID,
		Scope: ise.Scope,
	})
	outcome.Write(w, http.StatusForbidden, outcome.Forbidden, textForbidden+ise.describe())
}

// challenge sets the WWW-Authenticate header of a response.
func (g *Guard) challenge(w http.ResponseWriter, c challenge) {
	w.Header().Set("WWW-Authenticate", c.String())
}

// emit completes rec with the request, the grant (which may be nil) and the
// time, and hands it to the audit hook. It records the path only, never the
// query, and of the grant only its identifiers, never the token or subject.
func (g *Guard) emit(r *http.Request, grant *Grant, rec audit.Record) {
	if g.audit == nil {
		return
	}
	rec.Time = g.now()
	rec.Component = "smart"
	rec.Method = r.Method
	rec.Path = r.URL.EscapedPath()
	if grant != nil {
		rec.ClientID, rec.TokenID = grant.ClientID, grant.TokenID
		rec.Patient, rec.FHIRUser = grant.Patient, grant.FHIRUser
	}
	g.audit.Emit(r.Context(), rec)
}
